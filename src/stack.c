// SPDX-License-Identifier: MIT
/*
 * stack.c - interning of module paths and call stacks, so that 100 000
 * fds opened from one call site cost one stack. Process-wide tables:
 * the tracer is single-threaded.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "stack.h"
#include "util.h"

/* Modules: id - 1 is the path's number in the pool. */
static struct strpool modules;

/* Stacks: frames stored back to back; entry i describes id i + 1. */
struct stack_entry {
	size_t first;		/* index into frames */
	unsigned n;
};
static struct frame *frames;
static size_t frame_count, frame_cap;
static struct stack_entry *stacks;
static uint32_t stacks_count, stacks_cap;
static struct hindex stack_index;

uint32_t
module_intern(const char *path)
{
	return strpool_index(&modules, path) + 1;
}

const char *
module_path(uint32_t id)
{
	if (id == 0 || id > modules.n)
		return NULL;
	return modules.strs[id - 1];
}

/* libc (and the libpthread of older glibc) holds the syscall wrappers. */
bool
module_is_libc(const char *path)
{
	static const char *const names[] = { "libc.so", "libc-", "libpthread.so",
	    "libpthread-" };
	const char *base;

	if (path == NULL)
		return false;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strncmp(base, names[i], strlen(names[i])) == 0)
			return true;
	}
	return false;
}

bool
module_is_loader(const char *path)
{
	const char *base;

	if (path == NULL)
		return false;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	return strncmp(base, "ld-", 3) == 0 && strstr(base, ".so") != NULL;
}

bool
stack_from_loader(uint32_t id)
{
	unsigned n;
	const struct frame *f = stack_get(id, &n);

	return n > 0 && module_is_loader(module_path(f[0].module));
}

/* Only pcs identify a stack: equal pcs in one address space mean the same code. */
static uint64_t
frames_hash(const struct frame *f, unsigned n)
{
	uint64_t h = HASH_INIT;

	for (unsigned i = 0; i < n; i++)
		h = hash_mix(h, f[i].pc);
	return h;
}

struct frames_key {
	const struct frame *f;
	unsigned n;
};

static bool
frames_equal(const void *arg, uint32_t entry)
{
	const struct frames_key *k = arg;
	const struct stack_entry *e = &stacks[entry];
	const struct frame *a = &frames[e->first];

	if (e->n != k->n)
		return false;
	for (unsigned i = 0; i < k->n; i++) {
		if (a[i].pc != k->f[i].pc || a[i].module != k->f[i].module ||
		    a[i].offset != k->f[i].offset)
			return false;
	}
	return true;
}

uint32_t
stack_intern(const struct frame *f, unsigned n)
{
	struct frames_key k = { f, n };
	uint64_t h;
	uint32_t e;

	if (n == 0)
		return 0;
	h = frames_hash(f, n);
	if ((e = hindex_find(&stack_index, h, frames_equal, &k)) != HINDEX_NONE)
		return e + 1;
	if (frame_count + n > frame_cap) {
		while (frame_count + n > frame_cap)
			frame_cap = frame_cap ? frame_cap * 2 : 1024;
		frames = xreallocarray(frames, frame_cap, sizeof *frames);
	}
	if (stacks_count == stacks_cap) {
		stacks_cap = stacks_cap ? stacks_cap * 2 : 256;
		stacks = xreallocarray(stacks, stacks_cap, sizeof *stacks);
	}
	memcpy(&frames[frame_count], f, n * sizeof *f);
	stacks[stacks_count] = (struct stack_entry){ frame_count, n };
	frame_count += n;
	hindex_add(&stack_index, h, stacks_count);
	return ++stacks_count;
}

const struct frame *
stack_get(uint32_t id, unsigned *n)
{
	if (id == 0 || id > stacks_count) {
		*n = 0;
		return NULL;
	}
	*n = stacks[id - 1].n;
	return &frames[stacks[id - 1].first];
}

unsigned
stack_count(void)
{
	return stacks_count;
}

void
stack_cleanup(void)
{
	strpool_free(&modules);
	free(frames);
	free(stacks);
	hindex_free(&stack_index);
	frames = NULL;
	stacks = NULL;
	frame_count = frame_cap = 0;
	stacks_count = stacks_cap = 0;
}
