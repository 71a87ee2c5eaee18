/* SPDX-License-Identifier: MIT */
/* fdkind.h - what an fd is, as users think of it. */
#ifndef FDLEAK_FDKIND_H
#define FDLEAK_FDKIND_H

/* The order is stable: reports print fd_kind_name(). */
enum fd_kind {
	FDK_UNKNOWN = 0,	/* not yet known; printed as "other" */
	FDK_FILE,
	FDK_DIR,
	FDK_DEVICE,
	FDK_SOCKET,
	FDK_PIPE,
	FDK_FIFO,
	FDK_EVENTFD,
	FDK_TIMERFD,
	FDK_SIGNALFD,
	FDK_EPOLL,
	FDK_INOTIFY,
	FDK_FANOTIFY,
	FDK_MEMFD,
	FDK_PIDFD,
	FDK_USERFAULTFD,
	FDK_IO_URING,
	FDK_BPF,
	FDK_PERF_EVENT,
	FDK_OTHER,
	FDK_COUNT
};

/* "file", "socket", ...; FDK_UNKNOWN gives "other". Never NULL. */
const char *fd_kind_name(enum fd_kind kind);
/*
 * The slot of a per-kind count array that counts kind: FDK_UNKNOWN and
 * out-of-range kinds count as FDK_OTHER, the kind whose name they print,
 * so that "other" is one count, never two.
 */
enum fd_kind fd_kind_counted(enum fd_kind kind);
/* The kind fd_kind_name calls name (FDK_OTHER for "other"), or -1. */
int fd_kind_parse(const char *name);

#endif
