/* SPDX-License-Identifier: MIT */
/*
 * unwind.h - capture program counters of a stopped thread, cheaply:
 * one process_vm_readv of its stack, unwound by libunwind against
 * cached per-module unwind tables. Nothing here symbolizes.
 */
#ifndef FDLEAK_UNWIND_H
#define FDLEAK_UNWIND_H

#include <sys/types.h>

#include "stack.h"

struct arch_regs;

/* One per traced address space (process). */
struct unwinder;

/* Caller frees with unwind_free; NULL if libunwind cannot make one. */
struct unwinder *unwind_new(pid_t pid);
/* NULL is fine. */
void unwind_free(struct unwinder *u);
/* The address space was replaced (execve): drop cached maps and tables. */
void unwind_exec(struct unwinder *u);

/*
 * Frames of thread tid (stopped, in the address space of u) whose
 * registers are regs: out[0] is their pc. Returns how many frames were
 * written (0..max); a partial stack is fine, an error is never fatal.
 * Each frame's module and offset come from u's cached maps (re-read at
 * most once per capture); a pc in no mapping gets module 0, offset = pc.
 * Hot path: one process_vm_readv of the stack once tables are cached.
 */
unsigned unwind_capture(struct unwinder *u, pid_t tid,
    const struct arch_regs *regs, struct frame *out, unsigned max);

/*
 * unwind_capture in two steps, so that the tracee can run while its stack
 * is unwound. unwind_begin, while tid is stopped, keeps a copy of regs.
 * If runs_on, the thread will run on before unwind_frames: its stack
 * snapshot is read now, and unwind_frames reads nothing else of the
 * stack, which then ends where the snapshot does. Otherwise the stack must
 * stay as it is until unwind_frames (the thread stopped, or inside a
 * syscall whose exit stop is due), which reads it then.
 */
void unwind_begin(struct unwinder *u, pid_t tid,
    const struct arch_regs *regs, bool runs_on);
unsigned unwind_frames(struct unwinder *u, struct frame *out, unsigned max);

/* Which unwinder was built in, with its version, for --version. */
const char *unwind_backend(void);

/*
 * Release the ELF files cached for all unwinders (at exit, for leak
 * checkers); unwinders still alive keep working and reopen them.
 */
void unwind_cleanup(void);

#endif
