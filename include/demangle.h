/* SPDX-License-Identifier: MIT */
/*
 * demangle.h - C++ symbol names as people write them, through libstdc++'s
 * __cxa_demangle found at run time, so that fdleak does not link it.
 */
#ifndef FDLEAK_DEMANGLE_H
#define FDLEAK_DEMANGLE_H

#include <stdbool.h>

/*
 * The demangled form of name ("ns::f(int)"), borrowed until
 * demangle_cleanup; name itself when it is not an Itanium C++ name, when
 * it does not demangle, or when libstdc++ cannot be loaded. NULL gives NULL.
 */
const char *demangle(const char *name);
/* Whether name looks like an Itanium C++ mangled name ("_Z..."). Pure. */
bool demangle_is_mangled(const char *name);
/* Whether demangling is possible here (libstdc++.so.6 loads). */
bool demangle_available(void);
/* Free the cache (libstdc++ stays loaded). */
void demangle_cleanup(void);

#endif
