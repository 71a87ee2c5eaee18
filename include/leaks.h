/* SPDX-License-Identifier: MIT */
/*
 * leaks.h - the leak model: the model's fd table held against the
 * kernel's at an exit, a detach or a dump decides which fds are leaks,
 * which crossed an exec as inherited, and how old they are. Pure: the
 * tracer reads /proc and hands the tables in; tests make tables up.
 */
#ifndef FDLEAK_LEAKS_H
#define FDLEAK_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fdinfo.h"
#include "fdtab.h"
#include "report.h"

/* What the options make of a leak. */
struct leak_rules {
	bool std_fds;		/* --std-fds: fds 0-2 given across exec count too */
	uint64_t min_age_ns;	/* --min-age: younger fds are left out; 0 = none */
	bool skip_fork_inherited;	/* --skip-fork-inherited */
	int pid;		/* the process whose leaks these are; 0: not known */
};

/* What the rules left out of a process's leaks. */
struct leak_hidden {
	size_t young;		/* --min-age */
	size_t forked;		/* --skip-fork-inherited */
};

/*
 * Whether fd, recorded as r (NULL if the model has none), can be a leak.
 * Never what was open before tracing. Fds 0-2 only when the program made
 * them itself (close(0); open("/dev/null"), as valgrind 3.25 reports
 * them), or with --std-fds: the ones it was given across exec, or that it
 * restored from a copy of what it was given, are its stdio.
 */
bool leaks_reportable(const struct leak_rules *lr, const struct fd_record *r,
    int fd);
/*
 * Sampling: an fd kept across a gap on an identity that a reopen of the
 * same file (or another object of the same anonymous kind) would share is
 * reported only once it was found the same after this many gaps: one
 * request in flight at a window's end and again at the next window's
 * start, at the same number, is likely enough; at two, not.
 */
#define LEAKS_UNCONFIRMED_GAPS	2
/* Whether r is such an fd, not yet reported (counted as unsampled). */
bool leaks_held_back(const struct fd_record *r);
/* Whether r is counted as unsampled: made in a gap, or held back. */
bool leaks_unsampled(const struct fd_record *r);
/*
 * Whether r came to lr->pid through a fork, made by another process (an
 * ancestor, before the fork) that is not this one.
 */
bool leaks_fork_inherited(const struct leak_rules *lr,
    const struct fd_record *r);
/*
 * Whether the rules leave r out for what it is, though it could be a leak:
 * too young (--min-age) or a fork copy (--skip-fork-inherited); counted
 * in *hidden when that is not NULL.
 */
bool leaks_hidden(const struct leak_rules *lr, const struct fd_record *r,
    uint64_t now, struct leak_hidden *hidden);
/* Whether r was made less than --min-age before now (in use, most likely). */
bool leaks_too_young(const struct leak_rules *lr, const struct fd_record *r,
    uint64_t now);
/* Seconds between created and now; -1 when created is not known. */
double leaks_age(uint64_t created, uint64_t now);

/*
 * The kernel's open fds[0..n) of a process that ends (or is detached
 * from) held against its model tab: fds keeps, in place and in order, the
 * fds that are leaks; returns how many. *hidden (if not NULL) counts the
 * ones left out by --min-age and --skip-fork-inherited. closing(fd, arg), when given, says that a
 * thread is inside close(fd), which the model has applied already: on its
 * way out, not of unknown origin.
 */
size_t leaks_select(const struct leak_rules *lr, struct fdtab *tab, int *fds,
    size_t n, bool (*closing)(int fd, void *arg), void *arg, uint64_t now,
    struct leak_hidden *hidden);

/*
 * The leak record of fd, a leak of a process whose last thread is tid,
 * from the model's record r (NULL if none: origin unknown) and the
 * kernel's description d (its target moves into *l; kind FDK_UNKNOWN
 * when the kernel could not tell, the model's kind then stands).
 */
void leaks_make(struct leak *l, int fd, const struct fd_record *r,
    struct fd_desc *d, int tid, uint64_t now);

/*
 * Without the kernel's table (a process killed before its exit stop):
 * every reportable record of tab as a leak of p, whose pid is pid.
 * Returns how many; *hidden as above.
 */
size_t leaks_from_model(const struct leak_rules *lr, struct fdtab *tab,
    int pid, uint64_t now, struct proc_report *p, struct leak_hidden *hidden);

/*
 * Just after an exec into program: the fds of tab that crossed it without
 * close-on-exec and were made under trace are inherited by it (fds 0-2
 * only with --std-fds: crossing an exec is how stdio is passed on). Each
 * is appended to p with the model's kind and no target; returns how many.
 */
size_t leaks_inherited(const struct leak_rules *lr, struct fdtab *tab,
    const char *program, struct proc_report *p);

/* An fd of the kernel's table, as a sampling window finds it. */
struct kernel_fd {
	int fd;
	struct fd_ident ident;	/* ino 0 when it could not be read */
};

/* What reconciling found. */
struct reconcile_counts {
	size_t gone;		/* records whose fd was closed while away */
	size_t changed;		/* records whose fd now holds another object (unsampled now) */
	size_t appeared;	/* other fds made while away: recorded as unsampled */
	size_t unconfirmed;	/* records kept on an identity others could share */
};

/*
 * A sampling window starts: fdleak was away (the process ran untraced),
 * so the model is held against the kernel's table k[0..n), sorted by fd,
 * before any thread runs on. A record whose fd is gone was closed while
 * away, and goes (no closed record: that close was not seen); one whose fd
 * holds another object (its identity changed) goes too, and the new object
 * is recorded as unsampled: counted, never reported with a stack, for
 * fdleak did not see it made. An fd the model does not hold appeared
 * while away: unsampled. A record kept on an identity that does not tell
 * one open object from another (a file, an anonymous inode) is marked
 * FDREC_UNCONFIRMED: it may have been closed and opened again the same
 * way, which the kernel does not let fdleak tell. Records whose identity
 * was never read take the kernel's (and are unconfirmed). Only the records
 * that could be reported (leaks_verified) are held against an identity:
 * the baseline and the unsampled ones stay while their fd is open, for
 * whatever holds it now is never reported either; so k's identities are
 * needed for those fds only (reading one costs microseconds, with the
 * process stopped). gap_ended: a window starts, so each record kept was
 * found the same after one more gap (see LEAKS_UNCONFIRMED_GAPS); false
 * for a look taken during a gap (a dump). Adds to *c.
 */
void leaks_reconcile(struct fdtab *tab, const struct kernel_fd *k, size_t n,
    bool gap_ended, struct reconcile_counts *c);

/* Whether r is held against the kernel's identity at each window's start. */
bool leaks_verified(const struct fd_record *r);

/* What a close that failed with EBADF was. */
enum close_verdict {
	CLOSE_DOUBLE,		/* of an fd this process closed before */
	CLOSE_BAD,		/* of an fd that cannot exist */
	CLOSE_UNOPENED,		/* of an fd that never existed: counted only */
};

/*
 * Whether closed record c (NULL if none) is one this process closed
 * itself, so that closing it again is a double close: not one its parent
 * closed before forking it (a child closing every fd but those it keeps,
 * as Python's subprocess does with close_range, never had them), and not
 * one the dynamic loader closed (the fds it opens to read libraries are
 * its own, and a program that closes every fd does not close them twice).
 */
bool leaks_closed_by_program(const struct fd_record *c);
/*
 * close(fd) failed with EBADF; closed is fd's closed record (NULL if
 * none) and limit the process's soft RLIMIT_NOFILE. A double close if the
 * program closed fd before; a bad close if fd cannot be an fd (negative,
 * at or above the limit); else fd never existed under trace, which a
 * closefrom-style loop does by design.
 */
enum close_verdict leaks_failed_close(const struct fd_record *closed, int fd,
    uint64_t limit);

#endif
