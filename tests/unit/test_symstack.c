// SPDX-License-Identifier: MIT
/*
 * test_symstack.c - the store of printed stacks: stacks resolved from
 * stack.c cut to the depth, leading libc frames folded unless asked (and
 * kept when nothing else would remain), inline frames and names from
 * this binary; stacks put back from a saved report keep their strings;
 * id 0 and unknown ids are empty.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "symstack.h"

#include "helpers.h"

__attribute__((noinline)) void
symstack_test_marker(void)
{
	__asm__ volatile("");
}

#define LIBC	"/lib/x86_64-linux-gnu/libc.so.6"

static void
test_resolve(void **state)
{
	struct frame fr[5];
	struct report_opts o = { 0 };
	struct symstacks *s;
	struct report_stack st;
	uint32_t id, all_libc;

	(void)state;
	fr[0] = (struct frame){ .pc = 0x7f01, .offset = 0x101,
	    .module = module_intern(LIBC) };
	fr[1] = (struct frame){ .pc = 0x7f02, .offset = 0x102,
	    .module = module_intern(LIBC) };
	/* A return address: looked up at pc - 1, inside the marker. */
	fr[2] = self_frame((uint64_t)(uintptr_t)symstack_test_marker + 1);
	fr[3] = (struct frame){ .pc = 0x3000 };
	fr[4] = (struct frame){ .pc = 0x7f05, .offset = 0x105,
	    .module = module_intern(LIBC) };
	id = stack_intern(fr, 5);
	all_libc = stack_intern(fr, 2);

	/* Default: libc folded at the top, kept further down. */
	s = symstacks_new(&o);
	assert_false(symstacks_get(s, id, &st));
	assert_int_equal(st.n, 0);
	symstacks_resolve(s, id);
	symstacks_resolve(s, id);		/* once only */
	symstacks_resolve(s, 0);		/* never stored */
	assert_int_equal(symstacks_count(s), 1);
	assert_true(symstacks_get(s, id, &st));
	assert_int_equal(st.n, 3);
	assert_true(st.frames[0].pc == fr[2].pc);
	assert_string_equal(st.frames[0].name, "symstack_test_marker");
	assert_non_null(st.frames[0].file);
	assert_true(st.frames[0].line > 0);
	assert_false(st.frames[0].libc);
	assert_null(st.frames[1].module);
	assert_null(st.frames[1].name);
	assert_true(st.frames[2].libc);
	assert_string_equal(st.frames[2].module, LIBC);
	/* Nothing but libc: kept. */
	symstacks_resolve(s, all_libc);
	assert_true(symstacks_get(s, all_libc, &st));
	assert_int_equal(st.n, 2);
	assert_false(symstacks_get(s, 0, &st));
	symstacks_free(s);

	/* --libc-frames and a depth of 2: the two libc frames and no more. */
	o.libc_frames = true;
	o.depth = 2;
	s = symstacks_new(&o);
	symstacks_resolve(s, id);
	assert_true(symstacks_get(s, id, &st));
	assert_int_equal(st.n, 2);
	assert_true(st.frames[0].libc && st.frames[1].libc);
	assert_true(st.frames[1].offset == 0x102);
	symstacks_free(s);
	symstacks_free(NULL);
}

static void
test_put(void **state)
{
	char fn[] = "ns::open(int)", file[] = "a.c";
	struct report_frame f[2] = {
		{ .pc = 1, .offset = 2, .module = "/bin/x", .function = fn,
		  .name = fn, .file = file, .line = 7, .inlined = true },
		{ .pc = 3 },
	};
	struct symstacks *s = symstacks_new(NULL);
	struct report_stack st;

	(void)state;
	symstacks_put(s, 40, f, 2);
	/* The store holds its own copies. */
	strcpy(fn, "overwritten!!");
	strcpy(file, "b.c");
	assert_true(symstacks_get(s, 40, &st));
	assert_int_equal(st.n, 2);
	assert_string_equal(st.frames[0].name, "ns::open(int)");
	assert_ptr_equal(st.frames[0].name, st.frames[0].function);
	assert_string_equal(st.frames[0].file, "a.c");
	assert_int_equal(st.frames[0].line, 7);
	assert_true(st.frames[0].inlined);
	assert_null(st.frames[1].module);
	/* The first put of an id stays. */
	symstacks_put(s, 40, f + 1, 1);
	assert_true(symstacks_get(s, 40, &st));
	assert_int_equal(st.n, 2);
	symstacks_put(s, 41, f, 0);
	assert_true(symstacks_get(s, 41, &st));
	assert_int_equal(st.n, 0);
	assert_false(symstacks_get(s, 42, &st));
	symstacks_free(s);
}

static int
cleanup(void **state)
{
	symbolize_cleanup();
	stack_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
