/* SPDX-License-Identifier: MIT */
/*
 * tracer.h - follow traced processes to their end (launch mode) or to a
 * detach (attach mode), turning their stops into model updates.
 */
#ifndef FDLEAK_TRACER_H
#define FDLEAK_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dump.h"
#include "report.h"

struct tracer_opts {
	unsigned depth;		/* frames captured per stack; 0 = none */
	bool std_fds;		/* report fds 0, 1, 2 too */
	bool seccomp;		/* use a seccomp-bpf filter (launch mode) */
	double duration;	/* attach: detach after this many seconds; 0 = never */
	double interval;	/* write a dump every this many seconds; 0 = never */
	double min_age;		/* leave out fds younger than this many seconds */
	bool skip_fork_inherited;	/* leave out fds a child got through fork */
	bool tree;		/* attach: each pid's descendants too */
	unsigned sample;	/* attach: percent of wall time attached, 1-99; 0 = all */
	double sample_window;	/* attach: seconds a sampling window lasts */
	/*
	 * Called as each process ends or is detached from, with its record,
	 * now in the report: the callee may filter it (suppressions) and
	 * retire it once written.
	 */
	void (*on_process)(struct proc_report *p, void *arg);
	/* Called for each live dump (SIGUSR1, --interval). */
	void (*on_dump)(const struct dump *d, void *arg);
	void *arg;
};

/* Exit statuses of fdleak itself (env(1) and timeout(1) use the same). */
#define EXIT_FDLEAK_ERROR	125
#define EXIT_CANNOT_EXEC	126
#define EXIT_NOT_FOUND		127

/*
 * Run argv[0] (searched in PATH) with argv under trace until it and all
 * its descendants have exited, adding one record per process to rep.
 * Returns 0 and sets *wstatus to the wait status of the first process,
 * or returns one of the EXIT_* codes above after printing why.
 * (launch.c)
 */
int tracer_launch(char *const argv[], const struct tracer_opts *o,
    struct report *rep, int *wstatus);

/*
 * Attach to pids[0..n) and all their threads, follow them until a signal,
 * --duration or their exit, then detach, adding one record per process.
 * Returns 0, or EXIT_FDLEAK_ERROR after printing why. (attach.c)
 */
int tracer_attach(const pid_t *pids, size_t n, const struct tracer_opts *o,
    struct report *rep);

/* The core (tracer.c), shared by launch.c, attach.c and session.c. */
struct task;
struct proc;
/* Start a run: options, the report to fill, whether a filter is in place. */
void tracer_begin(const struct tracer_opts *o, struct report *rep,
    bool seccomp, bool attach);
/* A traced process with its first thread tid == pid, in state state. */
struct task *tracer_new_process(pid_t pid, pid_t ppid, const char *exe, int state);
/* Another thread of p. */
struct task *tracer_new_thread(struct proc *p, pid_t tid, int state);
/* Handle one status waitpid gave for pid: the model follows the stop. */
void tracer_handle_status(pid_t pid, int status);
/* Attach mode: interrupt every thread; each is detached once its process is still. */
void tracer_start_detach(void);
bool tracer_detaching(void);
/* Launch mode, on a second signal: take the kernel's fds, then SIGKILL all. */
void tracer_kill_all(void);
/*
 * Adopt the children held too long for their parent's fork event; the
 * next time to look again (0: none held).
 */
uint64_t tracer_check_orphans(uint64_t now);
/* A failed attach: what ends is not reported. */
void tracer_mark_aborting(void);

/*
 * Sampled attach. A window ends: every thread is interrupted and let go
 * once its process is still, the model kept (tracer_pause); when no task
 * is left the gap begins (tracer_gap_begin). At the gap's end attach.c
 * attaches again to the processes asleep (tracer_asleep), each taken back
 * with tracer_wake, or given up with tracer_lost; children born in the
 * gap come with tracer_new_child. Their models are reconciled with the
 * kernel's tables at their first stops, before any thread runs on.
 */
void tracer_pause(void);
bool tracer_pausing(void);
void tracer_gap_begin(void);
struct proc **tracer_asleep(size_t *n);
void tracer_wake(struct proc *p);
void tracer_lost(struct proc *p);
struct task *tracer_new_child(struct proc *parent, pid_t pid, const char *exe);
/*
 * In a gap: the processes asleep, reconciled from /proc without stopping
 * them, into dump d (rules as the options say).
 */
void tracer_dump_asleep(struct dump *d);
/*
 * Sampling: the time p was attached until now, and its share of the time
 * since p's first window, into dp (share < 0 if p is not sampled).
 */
void tracer_dump_sampling(const struct proc *p, struct dump_proc *dp);
bool tracer_attach_mode(void);
/* The first traced process. */
pid_t tracer_main_pid(void);
/* now_ns() when the trace began (tracer_launch or tracer_attach was called). */
uint64_t tracer_start_ns(void);
/* Launch mode: when the command (the first process) ended; 0 if it runs. */
uint64_t tracer_main_ended(void);

/* Wait status of pid's process if it ended during the run; false if not. */
bool tracer_status(pid_t pid, int *wstatus);

/* The session around the core (session.c). */
/* Attaching failed: detach from everything seized so far, report nothing. */
void tracer_abort(void);
/*
 * Wait for and handle stops until no traced task is left, acting on
 * signals, dumps (--interval, SIGUSR1) and --duration as o says. With
 * --sample, reattach is called when a gap ends: it attaches again to the
 * processes asleep and returns how many it follows again (attach mode
 * passes its own; launch mode, NULL).
 */
void tracer_loop(const struct tracer_opts *o, int (*reattach)(void));

#endif
