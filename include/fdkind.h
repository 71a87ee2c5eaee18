/* SPDX-License-Identifier: MIT */
/*
 * fdkind.h - what an fd is, as users think of it, and which open object
 * it is, as far as the kernel tells.
 */
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

#include <stdbool.h>
#include <stdint.h>

/*
 * Which open object an fd refers to, from /proc/PID/fdinfo: to tell, when
 * fdleak was away (a sampling gap), whether the fd at a number is still
 * the one it saw made. The kernel names no open file description, so this
 * is as tight as it gets: a socket's, a pipe's or a memfd's inode is its
 * own, an eventfd has an id; a file's inode is shared by every open of
 * that file, and anonymous inodes (epoll, timerfd, ...) by every object of
 * their kind.
 */
struct fd_ident {
	uint64_t ino;		/* 0: not known */
	uint32_t mnt_id;
	uint32_t xid;		/* eventfd-id; 0 if none */
	uint8_t accmode;	/* O_RDONLY, O_WRONLY or O_RDWR: fixed at open */
};

/* Whether a and b may be the same open object (both known, all fields equal). */
bool fd_ident_same(const struct fd_ident *a, const struct fd_ident *b);
/*
 * Whether an fd of kind with identity id is told apart from any other
 * open object by id alone (a socket, a pipe, a memfd, an eventfd with an
 * id); otherwise another open of the same file, or another object of the
 * same anonymous kind, looks the same.
 */
bool fd_ident_unique(enum fd_kind kind, const struct fd_ident *id);

#endif
