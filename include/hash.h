/* SPDX-License-Identifier: MIT */
/*
 * hash.h - hashing, an open-addressing index and a string pool: what
 * every table of fdleak that looks things up by content is built from.
 *
 * An index (struct hindex) maps hashes to entry numbers; the entries live
 * in the caller's own array, and the caller says which candidate equals
 * the key. So a table is an array plus an index, and the same probing
 * code serves stacks, strings, symbols and caches.
 */
#ifndef FDLEAK_HASH_H
#define FDLEAK_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_INIT	0xcbf29ce484222325ULL	/* FNV-1a offset basis */
#define HASH_PRIME	0x100000001b3ULL	/* FNV-1a prime */

/* FNV-1a over p[0..n), continuing from h (HASH_INIT to start). */
static inline uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= HASH_PRIME;
	}
	return h;
}

/* A well-mixed hash of an integer (the murmur3 finalizer). */
static inline uint64_t
hash_int(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * h continued with integer x: an FNV-1a step taking x whole, its bits
 * spread first by hash_int. For arrays of integers (a stack's pcs), where
 * hash_bytes would chain eight multiplications per element and this
 * chains one (the hash_int of each element can run in parallel).
 */
static inline uint64_t
hash_mix(uint64_t h, uint64_t x)
{
	return (h ^ hash_int(x)) * HASH_PRIME;
}

#define HINDEX_NONE	UINT32_MAX

struct hindex {
	uint32_t *slot;		/* entry number + 1; 0 = free */
	uint32_t *hash;		/* the hash of each slot's entry */
	size_t size;		/* a power of two, or 0 before the first add */
	size_t count;
};

/* Whether entry equals the key the caller looks for (arg carries it). */
typedef bool hindex_eq_fn(const void *arg, uint32_t entry);

/* The entry with hash h that eq accepts, or HINDEX_NONE. */
uint32_t hindex_find(const struct hindex *ix, uint64_t h, hindex_eq_fn *eq,
    const void *arg);
/* Index entry under hash h (the caller made sure it is not there yet). */
void hindex_add(struct hindex *ix, uint64_t h, uint32_t entry);
/* Free the index (not the entries); it is empty and usable again. */
void hindex_free(struct hindex *ix);

/* Interned strings: equal strings give one pointer, owned by the pool. */
struct strpool {
	char **strs;
	size_t n;
	struct hindex ix;
};

/* s's copy in the pool (made on first use); NULL gives NULL. */
const char *strpool_intern(struct strpool *p, const char *s);
/*
 * The entry number of s (not NULL) in the pool, its copy made on first
 * use: p->strs[number] until strpool_free. Numbers count from 0 in the
 * order strings first came, so they can serve as ids.
 */
uint32_t strpool_index(struct strpool *p, const char *s);
/* Free every string of p; p is empty and usable again. */
void strpool_free(struct strpool *p);

#endif
