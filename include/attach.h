/* SPDX-License-Identifier: MIT */
/* attach.h - checks on a process before attaching to it. */
#ifndef FDLEAK_ATTACH_H
#define FDLEAK_ATTACH_H

#include <sys/types.h>

/* What /proc/PID/status says that matters for attaching. */
struct proc_status {
	char state;		/* 'R', 'S', 'Z', ... */
	int tracer;		/* TracerPid, 0 if none */
	int ppid;
	int tgid;		/* 0 if absent */
	long uid;		/* real uid, -1 if absent */
};

/* Parse the text of /proc/PID/status; 0, or -1 if a field is missing. Pure. */
int attach_parse_status(const char *text, struct proc_status *st);
/* Read and parse /proc/PID/status; 0, or -1 if pid is gone. */
int attach_read_status(pid_t pid, struct proc_status *st);
/* The flags field of /proc/PID/stat text, or -1. Pure. */
long attach_parse_stat_flags(const char *text);
/*
 * Whether pid may be attached to: 0, or -1 after one line saying why (no
 * such process, fdleak itself or an ancestor, a zombie, a kernel thread,
 * already traced).
 */
int attach_check(pid_t pid);

#endif
