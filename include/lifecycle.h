/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.h - the tracer core's view of a traced process's life (see
 * lifecycle.c): used by tracer.c, which hands it every stop that is not a
 * syscall stop. The public side is in tracer.h.
 */
#ifndef FDLEAK_LIFECYCLE_H
#define FDLEAK_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"

struct leak_rules;
struct proc;
struct report;
struct task;
struct tracer_opts;

/* A run starts: options, the report to fill, filter or not, attach or launch. */
void lifecycle_begin(const struct tracer_opts *o, struct report *rep,
    bool seccomp, bool attach);
/* Whether the seccomp filter is in place (it may be found missing at exec). */
bool lifecycle_seccomp(void);
/* Whether fdleak is detaching: threads are held at their stops, not resumed. */
bool lifecycle_detaching(void);
/*
 * Restart t with signal sig (0: none): inside a traced syscall, to its
 * exit stop; else to the next stop wanted. While detaching, held instead.
 */
void lifecycle_resume(struct task *t, int sig);
/* Say once that a process runs code of an ABI fdleak does not decode (exe, if known). */
void lifecycle_warn_foreign(pid_t pid, const char *exe);
/* The stops of a process's life: fork/vfork/clone, exec, exit, PTRACE_EVENT_STOP. */
void lifecycle_fork_event(struct task *parent);
void lifecycle_exec_event(pid_t pid);
void lifecycle_exit_event(struct task *t);
void lifecycle_event_stop(struct task *t, int sig);
/* t was reaped with wait status status. */
void lifecycle_reaped(struct task *t, int status);
/* A new child stopped before its parent's fork event: held until it comes. */
void lifecycle_hold_orphan(struct task *t);
/* p has ended or been let go of: its record joins the report. */
void lifecycle_finish(struct proc *p);
/* The leak rules the options make (std-fds, min-age, skip-fork-inherited). */
struct leak_rules lifecycle_rules(void);
/*
 * p ran out of fds (class FAIL_EMFILE) or the system did (FAIL_ENFILE)
 * for the first time, its soft fd limit limit: record when, and which
 * call sites held the most fds, read through its stopped thread tid.
 */
void lifecycle_ran_out(struct proc *p, pid_t tid, enum fail_class c,
    uint64_t limit);

#endif
