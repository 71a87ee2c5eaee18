/* SPDX-License-Identifier: MIT */
/*
 * task.h - what the tracer knows about each traced thread (task) and
 * process: which fd table a thread uses, the syscall it is in, and the
 * report being built for each process.
 */
#ifndef FDLEAK_TASK_H
#define FDLEAK_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"
#include "syscall.h"

struct fdtab;
struct unwinder;

struct proc {
	pid_t pid;		/* thread group id */
	pid_t ppid;
	unsigned ntasks;	/* task structs not yet reaped */
	unsigned live;		/* tasks that have not reached their exit stop */
	struct fdtab *fdtab;	/* the process's table (a reference of its own) */
	struct unwinder *unwinder;	/* created at the first stack capture */
	char *exe;		/* executable path, owned */
	char **argv;		/* as of its last exec (procfs_read_cmdline), owned; NULL: not known */
	bool execed;		/* has exec'd under trace */
	bool snapshot;		/* rep.leaks taken from the live kernel table */
	bool reaped;		/* the leader's exit status is known */
	unsigned starting;	/* attach: threads whose first stop is still due */
	int status;		/* the leader's wait status */
	uint64_t fd_soft, fd_hard;	/* RLIMIT_NOFILE; 0: not read in this image */
	/* Sampling (--sample): followed in windows, let go in the gaps. */
	bool sampled;
	bool asleep;		/* in a gap: no task, the model kept */
	bool waking;		/* attached again: the model is reconciled at its first stops */
	unsigned long long start_time;	/* tells the same process after a gap */
	uint64_t first_ns, window_ns;	/* its first window's start; this one's */
	struct proc_report rep;	/* built at exit; moved into the report */
};

enum task_state {
	TASK_ORPHAN,		/* stopped before its parent's fork event: hold it */
	TASK_STARTING,		/* known, its first stop not yet seen */
	TASK_RUNNING,
};

struct task {
	pid_t tid;
	enum task_state state;
	struct proc *proc;	/* NULL while TASK_ORPHAN */
	struct fdtab *fdtab;	/* a reference; NULL while TASK_ORPHAN */
	bool in_syscall;	/* entry (or seccomp) stop seen, exit not yet */
	bool exited;		/* its exit stop was seen */
	int closing;		/* fd of a close applied at this stop's entry, else -1 */
	bool initial;		/* attach: seized by fdleak, its first stop still due */
	bool held;		/* detaching: kept in its stop until its process is still */
	int held_sig;		/* the signal to deliver when it is let go */
	uint64_t orphan_since;	/* TASK_ORPHAN: when its first stop came (ns) */
	const struct syscall_desc *sc;	/* the traced syscall in flight */
	uint64_t args[6];
	uint32_t entry_stack;	/* sc's stack, taken at its entry; 0: none yet */
	struct task *hnext;	/* hash chain */
};

/* The task with this tid, or NULL. */
struct task *task_find(pid_t tid);
/* A new task (state TASK_ORPHAN, no proc); it belongs to the table. */
struct task *task_add(pid_t tid);
/* The execing thread takes over the leader's tid. */
void task_rename(struct task *t, pid_t tid);
/* Drop t from the table and free it (drops its fdtab reference). */
void task_del(struct task *t);
/* Number of tasks in the table. */
unsigned task_count(void);
/* Call fn for every task (fn must not add or delete tasks). */
void task_foreach(void (*fn)(struct task *, void *), void *arg);
/*
 * One live task (not exited, of a known process) for each process that
 * has one, in a malloc'd array of *n (the caller frees; NULL when none).
 */
struct task **task_per_proc(size_t *n);

/* A new process with an empty report; the caller owns it. */
struct proc *proc_new(pid_t pid, pid_t ppid);
/* Free p (its report must have been moved out or be freed here). */
void proc_free(struct proc *p);

#endif
