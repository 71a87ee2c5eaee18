/* SPDX-License-Identifier: MIT */
/* fdinfo.h - describe an open fd of a live process from /proc. */
#ifndef FDLEAK_FDINFO_H
#define FDLEAK_FDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fdkind.h"

struct fd_desc {
	enum fd_kind kind;
	char *target;		/* malloc'd; the caller frees */
	bool cloexec;
};

/*
 * Describe fd of thread tid; 0, or -1 if it is not open (errno set).
 * Pipes, FIFOs and unix sockets name the other end when tid holds it,
 * which costs a look at every fd of tid, and sockets a dump of the
 * socket tables; while tid stays stopped (a tracee at a ptrace stop) what
 * was learnt is kept for the next call. fdinfo_describe_all is the way
 * to describe many fds.
 */
int fdinfo_describe(pid_t tid, int fd, struct fd_desc *out);
/*
 * Describe fds[0..n) of tid at once, into out[0..n): one look at tid's fd
 * table and one socket table dump per protocol for them all. An fd that
 * is not open gets kind FDK_UNKNOWN and target NULL. Returns how many
 * were described, or -1 if tid's /proc entry is gone (errno set).
 */
int fdinfo_describe_all(pid_t tid, const int *fds, size_t n, struct fd_desc *out);

/*
 * Pure parts, for tests and fuzzing. Kind from the /proc/PID/fd link
 * text and, for paths, the st_mode of the target (0 if unknown).
 */
enum fd_kind fdinfo_kind_from_link(const char *link, unsigned mode);
/* The "flags:" field of an fdinfo file (octal); 0 or -1 if absent. */
int fdinfo_parse_flags(const char *text, size_t len, unsigned *flags);
/* A target for reports from the link text: "memfd:name", paths as they are. Malloc'd. */
char *fdinfo_target_from_link(const char *link, enum fd_kind kind);

/*
 * The value of the first line of text[0..len) that starts with key
 * ("Pid:", "clockid:"), blanks trimmed, into val (NUL-terminated, cut
 * to size). 0, or -1 if there is no such line.
 */
int fdinfo_field(const char *text, size_t len, const char *key, char *val,
    size_t size);
/* How many lines of text[0..len) start with prefix. */
size_t fdinfo_count_lines(const char *text, size_t len, const char *prefix);
/*
 * The target of an anonymous-inode fd of kind from its link text and its
 * fdinfo text: "eventfd count=3", "timerfd clock=monotonic armed",
 * "signalfd mask=SIGINT,SIGTERM", "epoll watches=2", "inotify watches=1",
 * "fanotify marks=1", "pidfd pid=42" ("pidfd (reaped)"), "bpf map
 * type=hash", "io_uring entries=4", "userfaultfd". Malloc'd; NULL when the
 * kind has no such description (the link text then stands).
 */
char *fdinfo_anon_text(enum fd_kind kind, const char *link, const char *info,
    size_t len);

/*
 * The target of a pipe or FIFO end: base ("pipe:[123]" or a path),
 * which end the access mode accmode (O_RDONLY, ...) makes it, and the
 * fds of the same process that hold the other end: "pipe:[123] read end,
 * other end fd 7", "/tmp/f (write end)". Malloc'd.
 */
char *fdinfo_pipe_text(const char *base, bool fifo, unsigned accmode,
    const int *others, size_t nothers);

#endif
