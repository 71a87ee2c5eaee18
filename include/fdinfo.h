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

/* Describe fd of thread tid; 0, or -1 if it is not open (errno set). */
int fdinfo_describe(pid_t tid, int fd, struct fd_desc *out);
/* The open fds of tid in ascending order; count, or -1. *fds malloc'd. */
int fdinfo_list(pid_t tid, int **fds);

/*
 * Pure parts, for tests and fuzzing. Kind from the /proc/PID/fd link
 * text and, for paths, the st_mode of the target (0 if unknown).
 */
enum fd_kind fdinfo_kind_from_link(const char *link, unsigned mode);
/* The "flags:" field of an fdinfo file (octal); 0 or -1 if absent. */
int fdinfo_parse_flags(const char *text, size_t len, unsigned *flags);
/* A target for reports from the link text: "memfd:name", paths as they are. Malloc'd. */
char *fdinfo_target_from_link(const char *link, enum fd_kind kind);

#endif
