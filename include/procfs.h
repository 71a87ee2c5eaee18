/* SPDX-License-Identifier: MIT */
/*
 * procfs.h - bounded reads of the small files of /proc (status, stat,
 * cmdline, fdinfo, maps, net tables), the list of a thread's fds, and
 * the pure parsers of status, stat and cmdline.
 */
#ifndef FDLEAK_PROCFS_H
#define FDLEAK_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "fdkind.h"

/* How a file longer than the bound is read. */
enum procfs_fit {
	PROCFS_WHOLE,		/* all of it or nothing: -1 with EFBIG */
	PROCFS_HEAD,		/* its first max bytes: the fields wanted come first */
};

/*
 * Read path (at most max bytes, as fit says) into a fresh NUL-terminated
 * buffer, the caller frees; its length in *len. NULL with errno when the
 * file cannot be opened or read, or is too long for PROCFS_WHOLE.
 */
char *procfs_read(const char *path, size_t max, enum procfs_fit fit,
    size_t *len);
/*
 * As procfs_read, into *buf of *cap bytes, grown as needed but never past
 * max + 1 (the caller owns and frees *buf): for files read again and
 * again. The length, or -1 with errno (*buf then holds no file).
 */
ssize_t procfs_read_into(const char *path, size_t max, enum procfs_fit fit,
    char **buf, size_t *cap);

/* What /proc/PID/status says that fdleak uses. */
struct proc_status {
	char state;		/* 'R', 'S', 'Z', ... */
	int tracer;		/* TracerPid, 0 if none */
	int ppid;
	int tgid;		/* 0 if absent */
	long uid;		/* real uid, -1 if absent */
	int seccomp;		/* 0 none, 1 strict, 2 filter; -1 if absent */
};

/*
 * Parse the text of /proc/PID/status; 0, or -1 if State, TracerPid,
 * PPid or Uid is missing. Pure.
 */
int procfs_parse_status(const char *text, struct proc_status *st);
/*
 * Read and parse /proc/PID/status (any thread id: /proc/TID/status is
 * that thread's); 0, or -1 with errno if pid is gone.
 */
int procfs_read_status(pid_t pid, struct proc_status *st);
/* The flags field of /proc/PID/stat text, or -1. Pure. */
long procfs_parse_stat_flags(const char *text);

/*
 * The arguments in text[0..len) of /proc/PID/cmdline: NUL-separated,
 * each kept even if empty, the last one whether or not a NUL ends it.
 * A NULL-terminated array in one allocation (the caller frees the array
 * only); empty text gives an empty array. Pure.
 */
char **procfs_parse_cmdline(const char *text, size_t len);
/*
 * The argv of pid from /proc/PID/cmdline, as procfs_parse_cmdline says,
 * less the empty arguments that end it (a title written over argv, as
 * nginx's, is padded with NULs); empty for a zombie or a kernel thread.
 * NULL with errno if pid is gone.
 */
char **procfs_read_cmdline(pid_t pid);
/* The command name of pid (/proc/PID/comm), malloc'd; "?" if it cannot be read. */
char *procfs_comm(pid_t pid);
/* A copy of argv (from procfs_parse_cmdline), in one allocation; NULL for NULL. */
char **procfs_argv_copy(char *const *argv);

/*
 * The identity of an fd from the text of its /proc/PID/fdinfo file: ino,
 * mnt_id, the access mode of flags, eventfd-id. 0, or -1 when ino or
 * flags is missing. Pure.
 */
int procfs_parse_fd_ident(const char *text, size_t len, struct fd_ident *out);
/* Read the identity of fd of thread tid; 0, or -1 with errno. */
int procfs_fd_ident(pid_t tid, int fd, struct fd_ident *out);
/*
 * The start time of a process (field 22 of /proc/PID/stat, in clock
 * ticks since boot) from that text: with the pid it names one process
 * for good, so a pid reused while fdleak was away is told apart. 0 when
 * it does not parse. Pure.
 */
unsigned long long procfs_parse_start_time(const char *text);
/* The start time of pid; 0 if pid is gone. */
unsigned long long procfs_start_time(pid_t pid);
/*
 * The children of every thread of pid (/proc/PID/task/TID/children),
 * sorted, into *out (malloc'd, the caller frees); their count, or -1 with
 * errno if pid is gone.
 */
int procfs_children(pid_t pid, pid_t **out);

/*
 * The open fds of thread tid in ascending order, into *fds (malloc'd,
 * the caller frees); their count, or -1 with errno if tid is gone.
 */
int procfs_list_fds(pid_t tid, int **fds);

#endif
