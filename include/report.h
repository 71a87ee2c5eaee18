/* SPDX-License-Identifier: MIT */
/*
 * report.h - the results: per traced process, the fds it leaked. Built by
 * the tracer, written by report-text.c and report-json.c.
 */
#ifndef FDLEAK_REPORT_H
#define FDLEAK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fdkind.h"

#ifndef FDLEAK_VERSION
#define FDLEAK_VERSION "0.1.0"
#endif

struct leak {
	int fd;
	enum fd_kind kind;
	char *target;		/* owned; NULL when unknown */
	int nr;			/* syscall that made it; -1 if unknown origin */
	int tid;
	bool cloexec;
	bool across_exec;
	bool unknown_origin;	/* the kernel had it, no syscall was seen */
	uint32_t stack;		/* stack id, 0 = none */
	uint64_t serial;	/* creation order */
	uint64_t created_ns;	/* now_ns() at creation; 0 if unknown */
};

enum misuse_type {
	MISUSE_BAD_CLOSE,	/* close of an fd that was not open (EBADF) */
	MISUSE_DOUBLE_CLOSE,	/* ... that this process had closed before */
};

struct misuse {
	enum misuse_type type;
	int fd;
	int tid;
	uint32_t stack;		/* the failing close */
	uint32_t prev_stack;	/* double close: the close that closed fd first; 0 if unknown */
};

/* An fd without close-on-exec that crossed an execve into a new program. */
struct inherited {
	int fd;
	enum fd_kind kind;
	char *target;		/* owned; NULL when unknown */
	int nr;			/* syscall that made it, before the exec */
	int tid;
	uint32_t stack;		/* where it was opened, before the exec */
	char *program;		/* owned; the program that inherited it */
};

struct proc_report {
	int pid, ppid;
	char *command;		/* owned; executable at exit */
	bool exited;		/* exit_code is valid */
	int exit_code;
	int exit_signal;	/* 0 unless killed by a signal */
	bool running;		/* attach mode: still running when fdleak detached */
	struct leak *leaks;	/* owned array, sorted by fd */
	size_t nleaks;
	struct misuse *misuse;	/* owned array, in order of occurrence */
	size_t nmisuse;
	struct inherited *inherited;	/* owned array, in order of exec */
	size_t ninherited;
	uint64_t end_ns;	/* now_ns() when the leaks were taken */
};

struct report_opts {
	unsigned depth;		/* captured frames printed at most; 0 = all */
	bool libc_frames;	/* keep the libc wrapper frames at the top */
	bool attach;		/* attach mode: say each fd's age, and which processes run on */
	bool color;		/* reserved for the text writer */
};

struct report {
	struct proc_report *procs;	/* owned array, in order of exit */
	size_t nprocs;
	struct report_opts opts;
};

/* Append an empty process record; borrowed pointer valid until the next append. */
struct proc_report *report_add_process(struct report *r);
/* Append a leak to p; the leak (and its target) now belong to p. */
void report_add_leak(struct proc_report *p, const struct leak *l);
/* Append a misuse record (copied) to p. */
void report_add_misuse(struct proc_report *p, const struct misuse *m);
/* Append an inherited-fd record to p; its strings now belong to p. */
void report_add_inherited(struct proc_report *p, const struct inherited *i);
/* Sort p's leaks by fd. */
void report_sort_leaks(struct proc_report *p);
size_t report_total_leaks(const struct report *r);
/*
 * The frames of stack id to print: [*first, *end) of the returned array
 * (borrowed). Leading libc frames (the syscall wrapper) are folded unless
 * o->libc_frames, or unless nothing else would remain.
 */
struct frame;
const struct frame *report_frames(uint32_t stack, const struct report_opts *o,
    unsigned *first, unsigned *end);
/* Free everything p owns and zero it (not p itself). */
void report_proc_free(struct proc_report *p);
/* Free everything r owns (not r itself). */
void report_free(struct report *r);
/* "SIGKILL", "SIGRTMIN+3", "SIG99": into buf, which is returned. */
const char *report_signal_name(int sig, char *buf, size_t size);

/* Text: the lines for one process (nothing if it leaked nothing). */
void report_text_process(FILE *f, const struct proc_report *p, const struct report_opts *o);
/* Text: the closing summary line. */
void report_text_summary(FILE *f, const struct report *r);
/* Text: the frame lines of stack id (used by dumps too). */
void report_text_frames(FILE *f, uint32_t stack, const struct report_opts *o);
/* JSON: the backtrace array of stack id (used by dumps too). */
void report_json_backtrace(FILE *f, uint32_t stack, const struct report_opts *o);
/* JSON: the whole document. */
void report_json(FILE *f, const struct report *r);

#endif
