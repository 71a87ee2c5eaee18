// SPDX-License-Identifier: MIT
/*
 * test_perfmap.c - /tmp/perf-PID.map: lines parsed (and the bad ones
 * skipped), lookups at the edges of each range, overlapping entries (the
 * later wins), and the file of a pid read but never through a link.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "perfmap.h"

static void
test_parse(void **state)
{
	static const char text[] =
	    "1000 100 JS:~leakOne /tmp/leak.js:2:17\n"
	    "not a line\n"
	    "2000 0 empty range\n"
	    "3000 10\n"			/* no name */
	    "zz 10 bad start\n"
	    "4000 40 Builtin:Trampoline\n"
	    "1040 20 JS:*leakOne (optimized, later)\n"
	    "ffffffffffffff00 200 wraps\n"
	    "5000 8 last line, no newline";
	struct perfmap *m = perfmap_parse(text, sizeof text - 1);

	(void)state;
	assert_non_null(m);
	assert_int_equal(perfmap_count(m), 4);
	assert_string_equal(perfmap_lookup(m, 0x1000), "JS:~leakOne /tmp/leak.js:2:17");
	assert_string_equal(perfmap_lookup(m, 0x10ff), "JS:~leakOne /tmp/leak.js:2:17");
	assert_null(perfmap_lookup(m, 0x1100));
	assert_null(perfmap_lookup(m, 0xfff));
	/* Written later, over the first: it wins where they overlap. */
	assert_string_equal(perfmap_lookup(m, 0x1040), "JS:*leakOne (optimized, later)");
	assert_string_equal(perfmap_lookup(m, 0x105f), "JS:*leakOne (optimized, later)");
	assert_string_equal(perfmap_lookup(m, 0x1060), "JS:~leakOne /tmp/leak.js:2:17");
	assert_null(perfmap_lookup(m, 0x2000));
	assert_null(perfmap_lookup(m, 0x3005));
	assert_string_equal(perfmap_lookup(m, 0x403f), "Builtin:Trampoline");
	assert_string_equal(perfmap_lookup(m, 0x5007), "last line, no newline");
	assert_null(perfmap_lookup(NULL, 0x1000));
	perfmap_free(m);
	assert_null(perfmap_parse("garbage\n\n", 9));
	assert_null(perfmap_parse("", 0));
	/* A NUL ends its line. */
	m = perfmap_parse("10 10 a\0b\n20 10 c\n", 18);
	assert_int_equal(perfmap_count(m), 2);
	assert_string_equal(perfmap_lookup(m, 0x10), "a");
	assert_string_equal(perfmap_lookup(m, 0x25), "c");
	perfmap_free(m);
}

static void
test_load(void **state)
{
	char path[64], other[64];
	struct perfmap *m;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
	snprintf(other, sizeof other, "/tmp/test_perfmap.%d", (int)getpid());
	unlink(path);
	assert_null(perfmap_load(getpid()));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("7f0000001000 40 JS:~main /app.js:1:1\n", f);
	fclose(f);
	m = perfmap_load(getpid());
	assert_string_equal(perfmap_lookup(m, 0x7f0000001010), "JS:~main /app.js:1:1");
	perfmap_free(m);
	/* A link planted in /tmp is not followed. */
	assert_int_equal(rename(path, other), 0);
	assert_int_equal(symlink(other, path), 0);
	assert_null(perfmap_load(getpid()));
	unlink(path);
	unlink(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
