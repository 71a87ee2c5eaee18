// SPDX-License-Identifier: MIT
/*
 * test_demangle.c - C++ names through libstdc++'s __cxa_demangle, loaded
 * at run time; anything else comes back as it is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "demangle.h"

static void
test_is_mangled(void **state)
{
	assert_true(demangle_is_mangled("_Z3fooi"));
	assert_true(demangle_is_mangled("_ZN2ns1fEv"));
	assert_true(demangle_is_mangled("__Z3fooi"));
	assert_false(demangle_is_mangled("main"));
	assert_false(demangle_is_mangled("_Z"));
	assert_false(demangle_is_mangled("_start"));
	assert_false(demangle_is_mangled(""));
	assert_false(demangle_is_mangled(NULL));
}

static void
test_plain_names(void **state)
{
	static const char name[] = "leak_file";

	/* Not C++: the very same pointer, no copy. */
	assert_ptr_equal(demangle(name), name);
	assert_null(demangle(NULL));
}

static void
test_demangle(void **state)
{
	const char *a, *b;
	static const char bad[] = "_ZN3foo";	/* cut short: does not demangle */

	if (!demangle_available())
		skip();
	a = demangle("_ZN6fdleak5probe9leak_fileEi");
	assert_string_equal(a, "fdleak::probe::leak_file(int)");
	assert_string_equal(demangle("_ZNSt6vectorIiSaIiEE9push_backERKi"),
	    "std::vector<int, std::allocator<int> >::push_back(int const&)");
	assert_string_equal(demangle("_ZN2ns1XC2Ev"), "ns::X::X()");
	/* Cached: the same answer, the same pointer. */
	b = demangle("_ZN6fdleak5probe9leak_fileEi");
	assert_ptr_equal(a, b);
	assert_ptr_equal(demangle(bad), bad);
	assert_ptr_equal(demangle(bad), bad);
	/* Many names: the cache grows and keeps every answer. */
	for (int i = 0; i < 1000; i++) {
		char name[64], want[64];

		snprintf(name, sizeof name, "_Z4f%03di", i);
		snprintf(want, sizeof want, "f%03d(int)", i);
		assert_string_equal(demangle(name), want);
	}
	assert_string_equal(demangle("_Z4f123i"), "f123(int)");
	demangle_cleanup();
	assert_string_equal(demangle("_Z4f123i"), "f123(int)");
}

static int
cleanup(void **state)
{
	demangle_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_mangled),
		cmocka_unit_test(test_plain_names),
		cmocka_unit_test(test_demangle),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
