// SPDX-License-Identifier: MIT
/*
 * demangle.c - C++ names through __cxa_demangle, looked up with dlopen()
 * in libstdc++.so.6 the first time a mangled name is printed. fdleak is C
 * and links no C++ runtime: a program with C++ frames nearly always has
 * libstdc++ installed, and without it names stay mangled, which is still
 * correct (and what c++filt takes). A hand-written Itanium demangler
 * would be larger than the rest of the report code.
 *
 * Answers are cached by name, because the same frames recur in thousands
 * of stacks.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "hash.h"
#include "util.h"

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

struct dm_entry {
	char *name;
	char *demangled;	/* NULL: does not demangle */
};

static void *libstdcxx;
static cxa_demangle_fn cxa_demangle;
static bool tried;
static struct dm_entry *cache;
static size_t cache_count;
static struct hindex cache_index;

bool
demangle_is_mangled(const char *name)
{
	/* _Z for functions; __Z as some platforms (and nested prefixes) write it. */
	if (name == NULL)
		return false;
	if (name[0] == '_' && name[1] == '_' && name[2] == 'Z')
		name++;
	return name[0] == '_' && name[1] == 'Z' && name[2] != '\0';
}

bool
demangle_available(void)
{
	if (!tried) {
		tried = true;
		libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (libstdcxx != NULL) {
			/* POSIX lets a function pointer travel through void *. */
			*(void **)&cxa_demangle = dlsym(libstdcxx, "__cxa_demangle");
			if (cxa_demangle == NULL) {
				dlclose(libstdcxx);
				libstdcxx = NULL;
			}
		}
	}
	return cxa_demangle != NULL;
}

static bool
name_eq(const void *arg, uint32_t entry)
{
	return strcmp(cache[entry].name, arg) == 0;
}

const char *
demangle(const char *name)
{
	uint64_t h;
	uint32_t e;
	int status = -1;
	char *out;

	if (!demangle_is_mangled(name) || !demangle_available())
		return name;
	h = hash_bytes(HASH_INIT, name, strlen(name));
	if ((e = hindex_find(&cache_index, h, name_eq, name)) != HINDEX_NONE)
		return cache[e].demangled != NULL ? cache[e].demangled : name;
	out = cxa_demangle(name, NULL, NULL, &status);
	if (status != 0) {
		free(out);
		out = NULL;
	}
	cache = xgrow(cache, cache_count, sizeof *cache);
	cache[cache_count] = (struct dm_entry){ xstrdup(name), out };
	hindex_add(&cache_index, h, (uint32_t)cache_count++);
	return out != NULL ? out : name;
}

void
demangle_cleanup(void)
{
	for (size_t i = 0; i < cache_count; i++) {
		free(cache[i].name);
		free(cache[i].demangled);
	}
	free(cache);
	cache = NULL;
	cache_count = 0;
	hindex_free(&cache_index);
	/*
	 * libstdc++ stays loaded: unloading a C++ runtime that may have
	 * registered exit handlers is not worth the bytes.
	 */
}
