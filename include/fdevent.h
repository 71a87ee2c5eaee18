/* SPDX-License-Identifier: MIT */
/* fdevent.h - what one syscall did to the fd table: the decoder's output. */
#ifndef FDLEAK_FDEVENT_H
#define FDLEAK_FDEVENT_H

#include <stdint.h>

#include "fdkind.h"

enum fd_event_type {
	FDE_NONE,		/* nothing changed (failed, or not an fd op) */
	FDE_CREATE,		/* fds[0..nfds) are new; any record there is replaced */
	FDE_CLOSE,		/* fds[0] closed */
	FDE_CLOSE_RANGE,	/* [lo, hi] closed */
};

#define FDE_UNSHARE	0x1	/* close_range CLOSE_RANGE_UNSHARE: table unshared first */
#define FDE_CLOEXEC	0x2	/* the new fds are close-on-exec */
#define FDE_UNREADABLE	0x4	/* tracee memory could not be read; event is partial */
#define FDE_DUP		0x8	/* the new fd is a copy of src (dup, dup2, dup3, fcntl) */

struct fd_event {
	enum fd_event_type type;
	int nr;			/* syscall number */
	enum fd_kind kind;	/* kind of the created fds, FDK_UNKNOWN if not known */
	unsigned flags;		/* FDE_* */
	unsigned lo, hi;	/* FDE_CLOSE_RANGE */
	unsigned nfds;
	int *fds;		/* borrowed from the decoder; valid until the next decode */
	int src;		/* with FDE_DUP: the fd copied */
};

#endif
