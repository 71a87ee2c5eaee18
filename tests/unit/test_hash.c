// SPDX-License-Identifier: MIT
/*
 * test_hash.c - hash.h: FNV-1a against its published test vectors, the
 * integer mix, the index through collisions and growth, and the string
 * pool's interning and numbering.
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

#include "hash.h"

static void
test_fnv1a(void **state)
{
	(void)state;
	/* The FNV-1a 64-bit vectors of the reference implementation. */
	assert_true(hash_bytes(HASH_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(hash_bytes(HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(hash_bytes(HASH_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
	/* Continuing a hash is hashing the concatenation. */
	assert_true(hash_bytes(hash_bytes(HASH_INIT, "foo", 3), "bar", 3) ==
	    hash_bytes(HASH_INIT, "foobar", 6));
	assert_true(hash_int(1) != hash_int(2));
	assert_true(hash_int(0) == 0);
}

/* hash_mix: each element counts, and so does their order. */
static void
test_mix(void **state)
{
	uint64_t ab = hash_mix(hash_mix(HASH_INIT, 1), 2);

	(void)state;
	assert_true(ab == hash_mix(hash_mix(HASH_INIT, 1), 2));
	assert_true(ab != hash_mix(hash_mix(HASH_INIT, 2), 1));
	assert_true(ab != hash_mix(HASH_INIT, 1));
	assert_true(hash_mix(HASH_INIT, 0) != HASH_INIT);
	/* Addresses that differ in one high bit land apart in the low bits. */
	assert_true((hash_mix(HASH_INIT, 0x7f0000001000ULL) & 0xffff) !=
	    (hash_mix(HASH_INIT, 0x7f1000001000ULL) & 0xffff));
}

struct keys {
	const uint64_t *v;
};

static bool
key_eq(const void *arg, uint32_t entry)
{
	const uint64_t *want = ((const void *const *)arg)[0];
	const uint64_t *vals = ((const void *const *)arg)[1];

	return vals[entry] == *want;
}

/* Every key is found again, among colliding hashes and across growth. */
static void
test_index(void **state)
{
	enum { N = 5000 };
	static uint64_t vals[N];
	struct hindex ix = { 0 };
	uint64_t missing = 7;
	const void *arg[2] = { &missing, vals };

	(void)state;
	assert_int_equal(hindex_find(&ix, 1, key_eq, arg), HINDEX_NONE);
	for (uint32_t i = 0; i < N; i++) {
		vals[i] = (uint64_t)i * 1000003u + 11;
		/* One hash in 8 is the same: long probe runs. */
		hindex_add(&ix, i % 8 == 0 ? 42 : hash_int(vals[i]), i);
	}
	assert_int_equal(ix.count, N);
	assert_true(ix.size >= 2 * N);
	for (uint32_t i = 0; i < N; i++) {
		const void *a[2] = { &vals[i], vals };

		assert_int_equal(hindex_find(&ix, i % 8 == 0 ? 42 :
		    hash_int(vals[i]), key_eq, a), i);
	}
	assert_int_equal(hindex_find(&ix, hash_int(missing), key_eq, arg),
	    HINDEX_NONE);
	assert_int_equal(hindex_find(&ix, 42, key_eq, arg), HINDEX_NONE);
	hindex_free(&ix);
	assert_int_equal(ix.size, 0);
	assert_int_equal(hindex_find(&ix, 42, key_eq, arg), HINDEX_NONE);
}

static void
test_strpool(void **state)
{
	struct strpool p = { 0 };
	char buf[32];
	const char *a, *b;

	(void)state;
	assert_null(strpool_intern(&p, NULL));
	a = strpool_intern(&p, "main");
	snprintf(buf, sizeof buf, "ma%s", "in");
	b = strpool_intern(&p, buf);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(b, buf);
	assert_string_equal(strpool_intern(&p, ""), "");
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof buf, "fn%d", i);
		assert_string_equal(strpool_intern(&p, buf), buf);
	}
	assert_int_equal(p.n, 3002);
	snprintf(buf, sizeof buf, "fn%d", 1234);
	a = strpool_intern(&p, buf);
	assert_ptr_equal(strpool_intern(&p, "fn1234"), a);
	assert_int_equal(p.n, 3002);
	strpool_free(&p);
	assert_int_equal(p.n, 0);
}

/* Numbers in order of first use, stable, and the pool's own strings. */
static void
test_strpool_index(void **state)
{
	struct strpool p = { 0 };
	char buf[32];

	(void)state;
	assert_int_equal(strpool_index(&p, "/lib/libc.so.6"), 0);
	assert_int_equal(strpool_index(&p, "[vdso]"), 1);
	assert_int_equal(strpool_index(&p, "/lib/libc.so.6"), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof buf, "/m%d", i);
		assert_int_equal(strpool_index(&p, buf), i + 2);
	}
	assert_int_equal(strpool_index(&p, "/m500"), 502);
	assert_string_equal(p.strs[502], "/m500");
	assert_ptr_equal(strpool_intern(&p, "[vdso]"), p.strs[1]);
	assert_int_equal(p.n, 1002);
	strpool_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_mix),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_strpool),
		cmocka_unit_test(test_strpool_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
