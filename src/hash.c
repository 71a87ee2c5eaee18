// SPDX-License-Identifier: MIT
/*
 * hash.c - the open-addressing index and the string pool of hash.h.
 * Linear probing at most half full; entries are never removed (tables that
 * forget, as the fd model does, keep records in their slots instead).
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

uint32_t
hindex_find(const struct hindex *ix, uint64_t h, hindex_eq_fn *eq,
    const void *arg)
{
	size_t mask, i;

	if (ix->size == 0)
		return HINDEX_NONE;
	mask = ix->size - 1;
	for (i = (size_t)h & mask; ix->slot[i] != 0; i = (i + 1) & mask) {
		if (ix->hash[i] == (uint32_t)h && eq(arg, ix->slot[i] - 1))
			return ix->slot[i] - 1;
	}
	return HINDEX_NONE;
}

static void
place(uint32_t *slot, uint32_t *hash, size_t size, uint32_t h, uint32_t v)
{
	size_t i;

	for (i = h & (size - 1); slot[i] != 0; i = (i + 1) & (size - 1))
		;
	slot[i] = v;
	hash[i] = h;
}

void
hindex_add(struct hindex *ix, uint64_t h, uint32_t entry)
{
	if ((ix->count + 1) * 2 > ix->size) {
		size_t size = ix->size ? ix->size * 2 : 16;
		uint32_t *slot = xcalloc(size, sizeof *slot);
		uint32_t *hash = xcalloc(size, sizeof *hash);

		for (size_t i = 0; i < ix->size; i++) {
			if (ix->slot[i] != 0)
				place(slot, hash, size, ix->hash[i], ix->slot[i]);
		}
		free(ix->slot);
		free(ix->hash);
		ix->slot = slot;
		ix->hash = hash;
		ix->size = size;
	}
	place(ix->slot, ix->hash, ix->size, (uint32_t)h, entry + 1);
	ix->count++;
}

void
hindex_free(struct hindex *ix)
{
	free(ix->slot);
	free(ix->hash);
	memset(ix, 0, sizeof *ix);
}

struct str_key {
	const struct strpool *p;
	const char *s;
};

static bool
str_eq(const void *arg, uint32_t entry)
{
	const struct str_key *k = arg;

	return strcmp(k->p->strs[entry], k->s) == 0;
}

uint32_t
strpool_index(struct strpool *p, const char *s)
{
	struct str_key k = { p, s };
	uint64_t h = hash_bytes(HASH_INIT, s, strlen(s));
	uint32_t e = hindex_find(&p->ix, h, str_eq, &k);

	if (e != HINDEX_NONE)
		return e;
	p->strs = xgrow(p->strs, p->n, sizeof *p->strs);
	p->strs[p->n] = xstrdup(s);
	hindex_add(&p->ix, h, (uint32_t)p->n);
	return (uint32_t)p->n++;
}

const char *
strpool_intern(struct strpool *p, const char *s)
{
	uint32_t e;

	if (s == NULL)
		return NULL;
	e = strpool_index(p, s);	/* first: it may move p->strs */
	return p->strs[e];
}

void
strpool_free(struct strpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->strs[i]);
	free(p->strs);
	hindex_free(&p->ix);
	memset(p, 0, sizeof *p);
}
