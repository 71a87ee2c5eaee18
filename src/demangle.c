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
#include "util.h"

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

struct dm_entry {
	char *name;		/* NULL: empty slot */
	char *demangled;	/* NULL: does not demangle */
};

static void *libstdcxx;
static cxa_demangle_fn cxa_demangle;
static bool tried;
static struct dm_entry *cache;
static size_t cache_size, cache_count;

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

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
cache_grow(void)
{
	size_t size = cache_size ? cache_size * 2 : 256;
	struct dm_entry *t = xcalloc(size, sizeof *t);

	for (size_t i = 0; i < cache_size; i++) {
		size_t j;

		if (cache[i].name == NULL)
			continue;
		for (j = hash_str(cache[i].name) & (size - 1); t[j].name != NULL;
		    j = (j + 1) & (size - 1))
			;
		t[j] = cache[i];
	}
	free(cache);
	cache = t;
	cache_size = size;
}

const char *
demangle(const char *name)
{
	struct dm_entry *e;
	size_t i;
	int status = -1;
	char *out;

	if (!demangle_is_mangled(name) || !demangle_available())
		return name;
	if ((cache_count + 1) * 2 > cache_size)
		cache_grow();
	for (i = hash_str(name) & (cache_size - 1); cache[i].name != NULL;
	    i = (i + 1) & (cache_size - 1)) {
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].demangled != NULL ? cache[i].demangled : name;
	}
	out = cxa_demangle(name, NULL, NULL, &status);
	if (status != 0) {
		free(out);
		out = NULL;
	}
	e = &cache[i];
	e->name = xstrdup(name);
	e->demangled = out;
	cache_count++;
	return out != NULL ? out : name;
}

void
demangle_cleanup(void)
{
	for (size_t i = 0; i < cache_size; i++) {
		free(cache[i].name);
		free(cache[i].demangled);
	}
	free(cache);
	cache = NULL;
	cache_size = cache_count = 0;
	/*
	 * libstdc++ stays loaded: unloading a C++ runtime that may have
	 * registered exit handlers is not worth the bytes.
	 */
}
