// SPDX-License-Identifier: MIT
/*
 * symstack.c - the store of printed stacks (see symstack.h). Every string
 * is interned in the store's own pool, so what a writer reads does not
 * depend on symbolize.c's or demangle.c's caches, and a store filled from
 * a saved report reads the same as one filled live.
 */
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "hash.h"
#include "perfmap.h"
#include "stack.h"
#include "symbolize.h"
#include "symstack.h"
#include "util.h"

#define MAX_INLINE	16	/* inline frames kept per captured frame */

struct entry {
	uint32_t id;
	unsigned n;
	struct report_frame *frames;	/* owned */
};

struct symstacks {
	unsigned depth;		/* frames printed at most; 0 = all */
	bool libc_frames;	/* keep the leading libc frames */
	struct entry *entries;
	size_t n;
	struct hindex ix;	/* by id */
	struct strpool strings;
	pid_t pid;		/* whose stacks are resolved now; 0: none */
	struct perfmap *perfmap;	/* pid's JIT names, read at its first anonymous frame */
	bool perfmap_read;
};

struct symstacks *
symstacks_new(const struct report_opts *o)
{
	struct symstacks *s = xcalloc(1, sizeof *s);

	if (o != NULL) {
		s->depth = o->depth;
		s->libc_frames = o->libc_frames;
	}
	return s;
}

void
symstacks_free(struct symstacks *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->entries[i].frames);
	free(s->entries);
	hindex_free(&s->ix);
	strpool_free(&s->strings);
	perfmap_free(s->perfmap);
	free(s);
}

void
symstacks_for_process(struct symstacks *s, pid_t pid)
{
	if (s == NULL || s->pid == pid)
		return;
	perfmap_free(s->perfmap);
	s->perfmap = NULL;
	s->perfmap_read = false;
	s->pid = pid;
}

/* The JIT name of pc in anonymous memory, from the process's perf map. */
static const char *
jit_name(struct symstacks *s, uint64_t pc)
{
	if (s->pid == 0)
		return NULL;
	if (!s->perfmap_read) {
		s->perfmap = perfmap_load(s->pid);
		s->perfmap_read = true;
	}
	return perfmap_lookup(s->perfmap, pc);
}

struct id_key {
	const struct symstacks *s;
	uint32_t id;
};

static bool
id_eq(const void *arg, uint32_t entry)
{
	const struct id_key *k = arg;

	return k->s->entries[entry].id == k->id;
}

static const struct entry *
find(const struct symstacks *s, uint32_t id)
{
	struct id_key k = { s, id };
	uint32_t e = hindex_find(&s->ix, hash_int(id), id_eq, &k);

	return e == HINDEX_NONE ? NULL : &s->entries[e];
}

/* Take frames (malloc'd, strings interned already) as stack id. */
static void
add(struct symstacks *s, uint32_t id, struct report_frame *frames, unsigned n)
{
	s->entries = xgrow(s->entries, s->n, sizeof *s->entries);
	s->entries[s->n] = (struct entry){ id, n, frames };
	hindex_add(&s->ix, hash_int(id), (uint32_t)s->n);
	s->n++;
}

/* The captured frames of id to print: [*first, *end). */
static const struct frame *
printed_range(const struct symstacks *s, uint32_t id, unsigned *first,
    unsigned *end)
{
	const struct frame *fr = stack_get(id, end);
	unsigned i = 0;

	if (s->depth != 0 && *end > s->depth)
		*end = s->depth;
	if (!s->libc_frames) {
		while (i < *end && module_is_libc(module_path(fr[i].module)))
			i++;
		if (i == *end)
			i = 0;
	}
	*first = i;
	return fr;
}

void
symstacks_resolve(struct symstacks *s, uint32_t id)
{
	struct sym_frame sf[MAX_INLINE];
	struct report_frame *v = NULL;
	const struct frame *fr;
	unsigned first, end, nv = 0;

	if (id == 0 || find(s, id) != NULL)
		return;
	fr = printed_range(s, id, &first, &end);
	for (unsigned i = first; i < end; i++) {
		const char *mod = module_path(fr[i].module);
		unsigned ns = symbolize_frame(&fr[i], i > 0, sf, MAX_INLINE);

		if (ns == 0) {
			sf[0] = (struct sym_frame){ 0 };
			ns = 1;
		}
		/* Anonymous memory: JIT-compiled code, named by its perf map. */
		if (fr[i].module == 0 && ns == 1 && sf[0].function == NULL)
			sf[0].function = jit_name(s, fr[i].pc);
		v = xreallocarray(v, nv + ns, sizeof *v);
		for (unsigned j = 0; j < ns; j++) {
			v[nv++] = (struct report_frame){
				.pc = fr[i].pc,
				.offset = fr[i].offset,
				.module = strpool_intern(&s->strings, mod),
				.function = strpool_intern(&s->strings, sf[j].function),
				.name = strpool_intern(&s->strings,
				    demangle(sf[j].function)),
				.file = strpool_intern(&s->strings, sf[j].file),
				.line = sf[j].line,
				.inlined = sf[j].inlined,
				.libc = module_is_libc(mod),
			};
		}
	}
	add(s, id, v, nv);
}

bool
symstacks_get(const struct symstacks *s, uint32_t id, struct report_stack *out)
{
	const struct entry *e = id != 0 && s != NULL ? find(s, id) : NULL;

	out->frames = e != NULL ? e->frames : NULL;
	out->n = e != NULL ? e->n : 0;
	return e != NULL;
}

void
symstacks_put(struct symstacks *s, uint32_t id,
    const struct report_frame *frames, unsigned n)
{
	struct report_frame *v;

	if (id == 0 || find(s, id) != NULL)
		return;
	v = xreallocarray(NULL, n ? n : 1, sizeof *v);
	for (unsigned i = 0; i < n; i++) {
		v[i] = frames[i];
		v[i].module = strpool_intern(&s->strings, frames[i].module);
		v[i].function = strpool_intern(&s->strings, frames[i].function);
		v[i].name = strpool_intern(&s->strings, frames[i].name);
		v[i].file = strpool_intern(&s->strings, frames[i].file);
	}
	add(s, id, v, n);
}

size_t
symstacks_count(const struct symstacks *s)
{
	return s->n;
}
