/* SPDX-License-Identifier: MIT */
/*
 * fdtab.h - the model: fd -> record of how it was made, one table per
 * kernel fd table (threads share one; fork copies it).
 */
#ifndef FDLEAK_FDTAB_H
#define FDLEAK_FDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fdkind.h"

#define FDREC_BASELINE		0x01	/* open before tracing began: never a leak */
#define FDREC_ACROSS_EXEC	0x02	/* survived an execve into a new image */
#define FDREC_UNKNOWN_ORIGIN	0x04	/* found in the kernel, no syscall seen */
#define FDREC_CLOEXEC		0x08	/* created close-on-exec (as far as known) */
#define FDREC_INHERITED_COPY	0x10	/* a dup of an fd open before tracing (or of such a dup) */
#define FDREC_CLOSED_IN_PARENT	0x20	/* closed record: the parent closed it before forking */
#define FDREC_UNSAMPLED		0x40	/* made while fdleak was away (a sampling gap): no stack */
#define FDREC_UNCONFIRMED	0x80	/* kept across a gap on an identity others could share */

struct fd_record {
	int fd;
	uint32_t stack;		/* stack id (stack.h); 0 = no stack */
	uint32_t close_stack;	/* closed records only: the close's stack id */
	int tid;		/* thread that made it */
	int pid;		/* process that made it; 0 if unknown (baseline) */
	int16_t nr;		/* syscall that made it */
	uint8_t kind;		/* enum fd_kind, hint from the syscall */
	uint8_t flags;		/* FDREC_* */
	uint64_t serial;	/* global creation order */
	uint64_t time_ns;	/* creation time, now_ns() */
	struct fd_ident ident;	/* the open object, when read (sampling); ino 0: not read */
	uint8_t gaps;		/* sampling gaps it was found the same after (saturates) */
};

struct fdtab;

/* An empty table with one user. */
struct fdtab *fdtab_new(void);
/* A copy of t, with one user. */
struct fdtab *fdtab_copy(const struct fdtab *t);
/*
 * The table of a child forked without CLONE_FILES: a copy of t whose
 * closed records are marked FDREC_CLOSED_IN_PARENT (the child never had
 * those fds). With one user.
 */
struct fdtab *fdtab_fork(const struct fdtab *t);
/* One more task uses t (CLONE_FILES). Returns t. */
struct fdtab *fdtab_ref(struct fdtab *t);
/* One task fewer; frees t with its last user. NULL is fine. */
void fdtab_unref(struct fdtab *t);
/* Number of tasks using t. */
unsigned fdtab_users(const struct fdtab *t);

/* Record rec at rec->fd, replacing what was there (an implicit close). */
void fdtab_add(struct fdtab *t, const struct fd_record *rec);
/* Forget fd; returns true if it was recorded. */
bool fdtab_close(struct fdtab *t, int fd);
/* Forget that fd was closed (it is open again, made where fdleak did not see). */
void fdtab_forget_closed(struct fdtab *t, int fd);
/* Forget every close (sampling: what happened to those numbers in a gap is unknown). */
void fdtab_forget_all_closed(struct fdtab *t);
/* Forget every fd in [lo, hi]; returns how many were recorded. */
size_t fdtab_close_range(struct fdtab *t, unsigned lo, unsigned hi);
/* The record for fd, borrowed until the next change of t; NULL if none. */
struct fd_record *fdtab_lookup(struct fdtab *t, int fd);
/*
 * After execve: open[] (sorted or not) lists the fds the kernel kept.
 * The closed records go: the new program closed nothing yet.
 * Records not in open[] vanish (close-on-exec); kept ones are marked
 * FDREC_ACROSS_EXEC unless baseline; fds in open[] without a record are
 * added with `missing_flags` (FDREC_BASELINE at the first exec,
 * FDREC_UNKNOWN_ORIGIN later).
 */
void fdtab_exec(struct fdtab *t, const int *open, size_t n, unsigned missing_flags);
/* The fds in open[] that t does not hold were open before tracing: record them as baseline. */
void fdtab_baseline(struct fdtab *t, const int *open, size_t n);
size_t fdtab_count(const struct fdtab *t);

struct fd_event;
/*
 * The record of fd as it was when a close under trace last closed it
 * (close_stack says where), or NULL if it was not closed since it was last
 * created, or never existed. A close of it now is a double close.
 */
const struct fd_record *fdtab_closed(struct fdtab *t, int fd);
/*
 * The closed records (as fdtab_closed) of the fds in [lo, hi], in order
 * of fd: malloc'd array of *n copies, NULL when none.
 */
struct fd_record *fdtab_closed_range(struct fdtab *t, unsigned lo,
    unsigned hi, size_t *n);

/*
 * Apply a decoded syscall of process pid to the table: creations record
 * stack, tid, pid and serial; closes (close, close_range) forget the fd
 * and keep its record as closed, with stack as the closing one. Returns
 * the table the task uses afterwards,
 * which differs from t only for close_range(CLOSE_RANGE_UNSHARE) on a
 * shared table (the task's reference moves to a private copy).
 */
struct fdtab *fdtab_apply(struct fdtab *t, const struct fd_event *ev,
    uint32_t stack, int tid, int pid, uint64_t time_ns);

/*
 * Iterate: start with *pos = 0; returns the next record (borrowed) or
 * NULL at the end. The table must not change during iteration.
 */
struct fd_record *fdtab_next(struct fdtab *t, size_t *pos);

#endif
