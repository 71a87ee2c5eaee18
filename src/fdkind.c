// SPDX-License-Identifier: MIT
/* fdkind.c - names of fd kinds, as reports print them. */
#include <string.h>

#include "fdkind.h"
#include "util.h"

static const char *const kind_names[FDK_COUNT] = {
	[FDK_UNKNOWN] = "other",
	[FDK_FILE] = "file",
	[FDK_DIR] = "dir",
	[FDK_DEVICE] = "device",
	[FDK_SOCKET] = "socket",
	[FDK_PIPE] = "pipe",
	[FDK_FIFO] = "fifo",
	[FDK_EVENTFD] = "eventfd",
	[FDK_TIMERFD] = "timerfd",
	[FDK_SIGNALFD] = "signalfd",
	[FDK_EPOLL] = "epoll",
	[FDK_INOTIFY] = "inotify",
	[FDK_FANOTIFY] = "fanotify",
	[FDK_MEMFD] = "memfd",
	[FDK_PIDFD] = "pidfd",
	[FDK_USERFAULTFD] = "userfaultfd",
	[FDK_IO_URING] = "io_uring",
	[FDK_BPF] = "bpf",
	[FDK_PERF_EVENT] = "perf_event",
	[FDK_OTHER] = "other",
};

const char *
fd_kind_name(enum fd_kind kind)
{
	if ((unsigned)kind >= FDK_COUNT)
		return "other";
	return kind_names[kind];
}

enum fd_kind
fd_kind_counted(enum fd_kind kind)
{
	if (kind == FDK_UNKNOWN || (unsigned)kind >= FDK_COUNT)
		return FDK_OTHER;
	return kind;
}

int
fd_kind_parse(const char *name)
{
	for (unsigned k = FDK_UNKNOWN + 1; k < FDK_COUNT; k++) {
		if (strcmp(kind_names[k], name) == 0)
			return (int)k;
	}
	return -1;
}

bool
fd_ident_same(const struct fd_ident *a, const struct fd_ident *b)
{
	return a->ino != 0 && a->ino == b->ino && a->mnt_id == b->mnt_id &&
	    a->xid == b->xid && a->accmode == b->accmode;
}

bool
fd_ident_unique(enum fd_kind kind, const struct fd_ident *id)
{
	return id->ino != 0 && (kind == FDK_SOCKET || kind == FDK_PIPE ||
	    kind == FDK_MEMFD || id->xid != 0);
}
