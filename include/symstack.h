/* SPDX-License-Identifier: MIT */
/*
 * symstack.h - the symbolized stacks of a report: stack id -> the frames
 * as reports print them (function, file:line, module, inline frames),
 * resolved while the modules still exist (each process's stacks as it
 * ends), or put back from a saved JSON report. Writers read only these.
 */
#ifndef FDLEAK_SYMSTACK_H
#define FDLEAK_SYMSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"

struct symstacks;

/*
 * An empty store for a run with options o (how deep stacks are printed,
 * whether libc frames are folded). Free with symstacks_free.
 */
struct symstacks *symstacks_new(const struct report_opts *o);
/* NULL is fine. */
void symstacks_free(struct symstacks *s);
/*
 * The stacks resolved from now on are pid's: a frame in anonymous memory
 * (JIT-compiled code) is named from /tmp/perf-PID.map when there is one.
 */
void symstacks_for_process(struct symstacks *s, pid_t pid);
/*
 * Symbolize stack id of stack.c into s unless it is there already: the
 * captured frames cut to the depth, leading libc frames folded unless
 * --libc-frames (or unless nothing else would remain), inline frames
 * expanded. Id 0 (no stack) is never stored.
 */
void symstacks_resolve(struct symstacks *s, uint32_t id);
/*
 * The printed frames of id into *out (borrowed until s is freed); false,
 * with out->n == 0, when id is 0 or not in s.
 */
bool symstacks_get(const struct symstacks *s, uint32_t id,
    struct report_stack *out);
/* Store frames[0..n) as stack id, as a saved report gives them (copied). */
void symstacks_put(struct symstacks *s, uint32_t id,
    const struct report_frame *frames, unsigned n);
/* The number of stacks stored. */
size_t symstacks_count(const struct symstacks *s);

#endif
