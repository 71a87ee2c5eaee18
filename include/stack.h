/* SPDX-License-Identifier: MIT */
/*
 * stack.h - interned call stacks. A frame is a module and an offset in
 * its file, so a stack stays meaningful after exec or dlclose.
 */
#ifndef FDLEAK_STACK_H
#define FDLEAK_STACK_H

#include <stdbool.h>
#include <stdint.h>

struct frame {
	uint64_t pc;		/* address in the tracee when captured */
	uint64_t offset;	/* pc - map start + map file offset */
	uint32_t module;	/* module id; 0 = no module (anonymous memory) */
};

/* Intern a module path; the same path gives the same id (>= 1). */
uint32_t module_intern(const char *path);
/* The path of module id, borrowed for the process lifetime; NULL for 0. */
const char *module_path(uint32_t id);
/* Whether module path is the C library: its frames are folded, its DWARF skipped. */
bool module_is_libc(const char *path);
/* Whether module path is the dynamic loader (ld-linux-x86-64.so.2, ld-2.31.so). */
bool module_is_loader(const char *path);
/*
 * Whether stack id was taken in the dynamic loader itself (its innermost
 * frame is there): a syscall the loader made while loading libraries.
 */
bool stack_from_loader(uint32_t id);

/*
 * Intern frames[0..n): equal arrays give equal ids. Returns an id >= 1,
 * or 0 when n == 0. The frames are copied.
 */
uint32_t stack_intern(const struct frame *frames, unsigned n);
/* Frames of id, borrowed for the process lifetime; *n gets their count. */
const struct frame *stack_get(uint32_t id, unsigned *n);
/* Number of distinct stacks interned so far. */
unsigned stack_count(void);
/* Free everything (for leak checkers at exit). */
void stack_cleanup(void);

#endif
