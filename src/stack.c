// SPDX-License-Identifier: MIT
/*
 * stack.c - interning of module paths and call stacks, so that 100 000
 * fds opened from one call site cost one stack. Process-wide tables:
 * the tracer is single-threaded.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"
#include "util.h"

/* Modules: a small array searched through a hash of the path. */
static char **mod_paths;	/* index id - 1 */
static uint32_t mod_count, mod_cap;
static uint32_t *mod_hash;	/* open addressing: id or 0 */
static uint32_t mod_hash_size;

/* Stacks: frames stored back to back; entry i describes id i + 1. */
struct stack_entry {
	size_t first;		/* index into frames */
	unsigned n;
	uint32_t hash;
};
static struct frame *frames;
static size_t frame_count, frame_cap;
static struct stack_entry *stacks;
static uint32_t stacks_count, stacks_cap;
static uint32_t *stack_hash;	/* open addressing: id or 0 */
static uint32_t stack_hash_size;

static uint32_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (n--) {
		h ^= *s++;
		h *= 16777619u;
	}
	return h;
}

static void
rehash(uint32_t **table, uint32_t *size, uint32_t count,
    uint32_t (*hash_of)(uint32_t id))
{
	uint32_t new_size = *size ? *size * 2 : 64;
	uint32_t *t = xcalloc(new_size, sizeof *t);

	for (uint32_t id = 1; id <= count; id++) {
		uint32_t i = hash_of(id) & (new_size - 1);

		while (t[i] != 0)
			i = (i + 1) & (new_size - 1);
		t[i] = id;
	}
	free(*table);
	*table = t;
	*size = new_size;
}

static uint32_t
module_hash_of(uint32_t id)
{
	const char *p = mod_paths[id - 1];

	return hash_bytes(p, strlen(p));
}

uint32_t
module_intern(const char *path)
{
	uint32_t h = hash_bytes(path, strlen(path)), i;

	if ((mod_count + 1) * 2 > mod_hash_size)
		rehash(&mod_hash, &mod_hash_size, mod_count, module_hash_of);
	for (i = h & (mod_hash_size - 1); mod_hash[i] != 0;
	    i = (i + 1) & (mod_hash_size - 1)) {
		if (strcmp(mod_paths[mod_hash[i] - 1], path) == 0)
			return mod_hash[i];
	}
	if (mod_count == mod_cap) {
		mod_cap = mod_cap ? mod_cap * 2 : 32;
		mod_paths = xreallocarray(mod_paths, mod_cap, sizeof *mod_paths);
	}
	mod_paths[mod_count++] = xstrdup(path);
	mod_hash[i] = mod_count;
	return mod_count;
}

const char *
module_path(uint32_t id)
{
	if (id == 0 || id > mod_count)
		return NULL;
	return mod_paths[id - 1];
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
static uint32_t
frames_hash(const struct frame *f, unsigned n)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < n; i++) {
		h ^= hash_bytes(&f[i].pc, sizeof f[i].pc);
		h *= 16777619u;
		h ^= f[i].module;
	}
	return h;
}

static bool
frames_equal(const struct frame *a, const struct frame *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (a[i].pc != b[i].pc || a[i].module != b[i].module ||
		    a[i].offset != b[i].offset)
			return false;
	}
	return true;
}

static uint32_t
stack_hash_of(uint32_t id)
{
	return stacks[id - 1].hash;
}

uint32_t
stack_intern(const struct frame *f, unsigned n)
{
	uint32_t h, i;

	if (n == 0)
		return 0;
	h = frames_hash(f, n);
	if ((stacks_count + 1) * 2 > stack_hash_size)
		rehash(&stack_hash, &stack_hash_size, stacks_count, stack_hash_of);
	for (i = h & (stack_hash_size - 1); stack_hash[i] != 0;
	    i = (i + 1) & (stack_hash_size - 1)) {
		const struct stack_entry *e = &stacks[stack_hash[i] - 1];

		if (e->hash == h && e->n == n &&
		    frames_equal(&frames[e->first], f, n))
			return stack_hash[i];
	}
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
	stacks[stacks_count] = (struct stack_entry){ frame_count, n, h };
	frame_count += n;
	stacks_count++;
	stack_hash[i] = stacks_count;
	return stacks_count;
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
	for (uint32_t i = 0; i < mod_count; i++)
		free(mod_paths[i]);
	free(mod_paths);
	free(mod_hash);
	free(frames);
	free(stacks);
	free(stack_hash);
	mod_paths = NULL;
	mod_hash = NULL;
	frames = NULL;
	stacks = NULL;
	stack_hash = NULL;
	mod_count = mod_cap = mod_hash_size = 0;
	frame_count = frame_cap = 0;
	stacks_count = stacks_cap = stack_hash_size = 0;
}
