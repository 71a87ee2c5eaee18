// SPDX-License-Identifier: MIT
/*
 * fuzz_demangle.c - demangle() on arbitrary symbol names: a traced
 * program's ELF symbol table is bytes its author chose, and each name
 * goes through libstdc++'s __cxa_demangle in fdleak's process. Checks:
 * demangle_is_mangled is "_Z" or "__Z" and more; a name that is not
 * mangled comes back as the same pointer; one that is gives a C string,
 * the same pointer again from the cache, and never NULL.
 */
#include <stdbool.h>
#include <string.h>

#include "demangle.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1);
	const char *d, *again;
	bool mangled;

	FUZZ_CHECK(name != NULL);
	memcpy(name, data, size);
	name[size] = '\0';

	mangled = (strncmp(name, "_Z", 2) == 0 && name[2] != '\0') ||
	    (strncmp(name, "__Z", 3) == 0 && name[3] != '\0');
	FUZZ_CHECK(demangle_is_mangled(name) == mangled);
	FUZZ_CHECK(demangle(NULL) == NULL && !demangle_is_mangled(NULL));
	d = demangle(name);
	FUZZ_CHECK(d != NULL);
	if (!mangled || !demangle_available()) {
		FUZZ_CHECK(d == name);
	} else {
		(void)strlen(d);
		again = demangle(name);
		FUZZ_CHECK(again == d || (d == name && again == name));
	}
	/* The cache would otherwise grow with every input. */
	demangle_cleanup();
	free(name);
	return 0;
}
