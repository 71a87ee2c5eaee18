/* SPDX-License-Identifier: MIT */
/* tracer.h - launch a command under ptrace and follow it to the end. */
#ifndef FDLEAK_TRACER_H
#define FDLEAK_TRACER_H

#include <stdbool.h>

#include "report.h"

struct tracer_opts {
	unsigned depth;		/* frames captured per stack; 0 = none */
	bool std_fds;		/* report fds 0, 1, 2 too */
	bool seccomp;		/* use a seccomp-bpf filter (launch mode) */
	/* Called as each process ends, with its finished record (borrowed). */
	void (*on_process)(const struct proc_report *p, void *arg);
	void *arg;
};

/* Exit statuses of fdleak itself (env(1) and timeout(1) use the same). */
#define EXIT_FDLEAK_ERROR	125
#define EXIT_CANNOT_EXEC	126
#define EXIT_NOT_FOUND		127

/*
 * Run argv[0] (searched in PATH) with argv under trace until it and all
 * its descendants have exited, adding one record per process to rep.
 * Returns 0 and sets *wstatus to the wait status of the first process,
 * or returns one of the EXIT_* codes above after printing why.
 */
int tracer_launch(char *const argv[], const struct tracer_opts *o,
    struct report *rep, int *wstatus);

#endif
