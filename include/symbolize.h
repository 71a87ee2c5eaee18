/* SPDX-License-Identifier: MIT */
/*
 * symbolize.h - module + file offset -> function, file:line (with inline
 * frames), via libdw. Used only at report time; results are cached.
 */
#ifndef FDLEAK_SYMBOLIZE_H
#define FDLEAK_SYMBOLIZE_H

#include <stdbool.h>

#include "stack.h"

struct sym_frame {
	const char *function;	/* NULL when unknown; borrowed until symbolize_cleanup */
	const char *file;	/* source file as DWARF names it; NULL when unknown */
	int line;		/* 0 when unknown */
	bool inlined;		/* an inline frame inside the next one */
};

/*
 * Resolve frame f. is_return says f->pc is a return address (every frame
 * but the first), so pc - 1 is looked up. Writes the inline chain, the
 * innermost first and the real function last, to out[0..max); returns
 * how many were written, at least 1 when max >= 1 (with NULL fields when
 * nothing is known).
 */
unsigned symbolize_frame(const struct frame *f, bool is_return,
    struct sym_frame *out, unsigned max);
/*
 * Whether the C library's frames get file:line from its DWARF (off by
 * default). Its frames are the syscall wrappers and the start-up frames
 * under main, in every stack; their names come from the symbol table
 * either way, and inflating libc6-dbg's DWARF costs about 100 ms and
 * 18 MB per run for lines nobody reads.
 */
void symbolize_libc_lines(bool on);
/* Free all caches. */
void symbolize_cleanup(void);
/* The symbolizer built in, with the version of the library loaded, for --version. */
const char *symbolize_backend(void);

#endif
