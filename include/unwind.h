/* SPDX-License-Identifier: MIT */
/*
 * unwind.h - capture program counters of a stopped thread, cheaply:
 * one process_vm_readv of its stack, unwound by libunwind against
 * cached per-module unwind tables. Nothing here symbolizes.
 */
#ifndef FDLEAK_UNWIND_H
#define FDLEAK_UNWIND_H

#include <sys/types.h>
#include <sys/user.h>

#include "stack.h"

/* One per traced address space (process). */
struct unwinder;

/* Caller frees with unwind_free. */
struct unwinder *unwind_new(pid_t pid);
/* NULL is fine. */
void unwind_free(struct unwinder *u);
/* The address space was replaced (execve): drop cached maps and tables. */
void unwind_exec(struct unwinder *u);

/*
 * Frames of thread tid (stopped, in the address space of u) whose
 * registers are regs: out[0] is regs->rip. Returns how many frames were
 * written (0..max); a partial stack is fine, an error is never fatal.
 */
unsigned unwind_capture(struct unwinder *u, pid_t tid,
    const struct user_regs_struct *regs, struct frame *out, unsigned max);

/*
 * Release the ELF files cached for all unwinders (at exit, for leak
 * checkers); unwinders still alive keep working and reopen them.
 */
void unwind_cleanup(void);

#endif
