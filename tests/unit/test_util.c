// SPDX-License-Identifier: MIT
/* test_util.c - the growing arrays of util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util.h"

/* xgrow: room for one more at every count. */
static void
test_grow(void **state)
{
	int *v = NULL;

	(void)state;
	for (size_t n = 0; n < 1000; n++) {
		v = xgrow(v, n, sizeof *v);
		v[n] = (int)n;
	}
	for (size_t n = 0; n < 1000; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

/* xgrow_index: room for the index asked, the new elements zeroed, the old kept. */
static void
test_grow_index(void **state)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	(void)state;
	v = xgrow_index(v, &cap, 0, sizeof *v);
	assert_true(cap >= 1);
	v[0] = 7;
	v = xgrow_index(v, &cap, 100, sizeof *v);
	assert_true(cap > 100);
	assert_true((cap & (cap - 1)) == 0);
	assert_int_equal(v[0], 7);
	for (size_t i = 1; i < cap; i++)
		assert_int_equal(v[i], 0);
	v[100] = 9;
	/* An index below the capacity changes nothing. */
	assert_ptr_equal(xgrow_index(v, &cap, 50, sizeof *v), v);
	v = xgrow_index(v, &cap, cap, sizeof *v);
	assert_int_equal(v[100], 9);
	assert_int_equal(v[cap - 1], 0);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_grow_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
