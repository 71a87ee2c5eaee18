/* SPDX-License-Identifier: MIT */
/*
 * dump.h - live dumps of outstanding fds (SIGUSR1, --interval): per process
 * and call site, how many fds are open now and how many more than at the
 * previous dump, so growing sites stand out.
 */
#ifndef FDLEAK_DUMP_H
#define FDLEAK_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "fdkind.h"

struct fdtab;
struct leak_rules;
struct strpool;
struct report;

#define DUMP_TARGETS_KEPT	16	/* distinct targets kept per dump site */

struct dump_site {
	uint32_t stack;		/* stack id; sites are keyed by it */
	size_t count;		/* outstanding fds from this site now */
	long growth;		/* count minus the count at the previous dump */
	unsigned kinds[FDK_COUNT];
	const char *targets[DUMP_TARGETS_KEPT];	/* the first distinct ones, oldest first */
	unsigned ntargets;
	size_t more_targets;	/* distinct targets past those kept */
	struct strpool *seen;	/* owned: every distinct target, holding the strings */
};

struct dump_proc {
	int pid;
	long fds;		/* all fds the process has now; -1 if unknown */
	size_t outstanding;	/* fds made during the trace and still open */
	double share;		/* sampling: the share of time attached so far; < 0: not sampled */
	double attached;	/* sampling: seconds attached so far */
	size_t unsampled;	/* sampling: open fds made while fdleak was away */
	struct dump_site *sites;	/* owned; sorted by growth, then count */
	size_t nsites;
};

struct dump {
	unsigned n;		/* 1 for the first dump */
	double elapsed;		/* seconds since the trace began */
	struct dump_proc *procs;	/* owned */
	size_t nprocs;
};

/* A new process section in d; borrowed until the next call. */
struct dump_proc *dump_add_proc(struct dump *d, int pid, long fds);
/*
 * One outstanding fd of p from stack, of kind kind, with target (copied;
 * NULL if unknown). Targets are counted distinct per site.
 */
void dump_add_fd(struct dump_proc *p, uint32_t stack, enum fd_kind kind,
    const char *target);
/*
 * The section of process pid, read through its thread tid: the fds the
 * model tab holds that are reportable (as the leak rules lr say, --min-age
 * included) and still open in the kernel, described as it has them, oldest
 * first. The model may lag the kernel (a close not yet seen): /proc wins.
 * The section is returned (borrowed until the next call), not sampled.
 */
struct dump_proc *dump_add_process(struct dump *d, int pid, pid_t tid,
    struct fdtab *tab, const struct leak_rules *lr);
/*
 * Sort the sites and compute growth against the previous dump, which
 * this dump then replaces as "previous". d->n is set here.
 */
void dump_finish(struct dump *d);
/*
 * Sampling: the fds site s of p holds now per second attached, an
 * estimate of how fast it leaks (0 before any time attached).
 */
double dump_site_rate(const struct dump_proc *p, const struct dump_site *s);
/* Free what d owns (not the history). */
void dump_free(struct dump *d);
/* Forget the previous dump (at exit, for leak checkers). */
void dump_cleanup(void);

/*
 * Text: the dump's lines. JSON: one line holding one object. Stacks are
 * printed from r's store (resolved by the caller).
 */
void dump_write_text(FILE *f, const struct report *r, const struct dump *d);
void dump_write_json(FILE *f, const struct report *r, const struct dump *d);

#endif
