/* SPDX-License-Identifier: MIT */
/*
 * sampling.h - the model side of a sampled attach (sampling.c), for the
 * lifecycle: what a window's end and start do to a process. The session's
 * side (tracer_asleep, tracer_wake, ...) is in tracer.h.
 */
#ifndef FDLEAK_SAMPLING_H
#define FDLEAK_SAMPLING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct dump;
struct leak_rules;
struct proc;
struct tracer_opts;

/* A run starts: with o->sample in attach mode, processes are sampled. */
void sampling_begin(const struct tracer_opts *o, bool attach);
/* A process new to fdleak: followed in windows if the run samples. */
void sampling_setup(struct proc *p);
/* p's current window ends now (or p does): its time is added up. */
void sampling_count_window(struct proc *p, uint64_t now);
/*
 * A window ends for p, all of whose threads are held (tid one of them):
 * the identities of the fds made in it are read while the table is
 * still, and p sleeps through the gap with its model.
 */
void sampling_park(struct proc *p, pid_t tid);
/*
 * Every thread of p stopped at a window's start (tid one of them), the
 * baseline taken if it was the first: a process attached again has its
 * model reconciled with the kernel's table; the window's time starts.
 */
void sampling_window_starts(struct proc *p, pid_t tid);
/* Take p off the list of the processes asleep (woken, or lost). */
void sampling_unpark(struct proc *p);
/* A dump of the processes asleep, each reconciled first, under rules lr. */
void sampling_dump_asleep(struct dump *d, const struct leak_rules *lr);

#endif
