/* SPDX-License-Identifier: MIT */
/*
 * report.h - the results: per traced process, the fds it leaked, grouped
 * by call site, its close misuse and the fds it inherited across exec.
 * Built by the tracer, filtered by suppress.c, or read back from a saved
 * JSON report by report-read.c; written by report-text.c, report-json.c,
 * report-sarif.c, report-html.c and report-folded.c.
 */
#ifndef FDLEAK_REPORT_H
#define FDLEAK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fdkind.h"

#include "version.h"

struct leak {
	int fd;
	enum fd_kind kind;
	char *target;		/* owned; NULL when unknown */
	int nr;			/* syscall that made it; -1 if unknown origin */
	int tid;
	bool cloexec;
	bool across_exec;
	bool unknown_origin;	/* the kernel had it, no syscall was seen */
	bool unconfirmed;	/* sampling: kept across a gap on an identity others could share */
	int created_in;		/* the process whose syscall made it; 0 if unknown */
	uint32_t stack;		/* stack id, 0 = none */
	uint64_t serial;	/* creation order */
	uint64_t created_ns;	/* now_ns() at creation; 0 if unknown */
	double age;		/* seconds open when reported; < 0 if unknown */
};

enum misuse_type {
	MISUSE_BAD_CLOSE,	/* close of an fd that was not open (EBADF) */
	MISUSE_DOUBLE_CLOSE,	/* ... that this process had closed before */
};

#define MISUSE_FDS_KEPT	16	/* distinct fds listed per misuse site */

/*
 * Closes that failed, grouped by call site: one record per type and stack
 * of the failing close, with how often it happened and at which fds; the
 * previous close and the creation are the first failure's.
 */
struct misuse {
	enum misuse_type type;
	int fd;			/* the first time's fd */
	int tid;		/* the first time's thread */
	int nr;			/* the closing syscall: close or close_range */
	enum fd_kind kind;	/* double close: what the fd was; FDK_UNKNOWN if not known */
	uint32_t stack;		/* the failing close */
	uint32_t prev_stack;	/* double close: the close that closed fd first; 0 if unknown */
	uint32_t open_stack;	/* double close: where fd was created; 0 if unknown */
	size_t count;		/* times it happened (>= 1) */
	int fds[MISUSE_FDS_KEPT];	/* the first distinct fds, in order of failure */
	unsigned nfds;
	size_t more_fds;	/* failures at fds not listed in fds[] */
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

/* Sampled attach (--sample): how much of a process fdleak saw. */
struct sampling {
	bool on;		/* followed in windows with gaps */
	double attached;	/* seconds attached, over all windows */
	double wall;		/* seconds from its first window to its end */
	unsigned windows;
	size_t seen;		/* fd creations seen (in windows) */
	size_t unsampled;	/* fds open at the end that were made while away */
	size_t gone;		/* fds found closed at a window's start */
	size_t changed;		/* fds found holding another object at a window's start */
	bool lost;		/* it ended, or could not be attached again, in a gap */
};

/* The errors an fd creation fails with, as reports group them. */
enum fail_class {
	FAIL_EMFILE,		/* the process's fd limit (RLIMIT_NOFILE) */
	FAIL_ENFILE,		/* the system's (fs.file-max) */
	FAIL_OTHER,		/* any other (ENOENT, EACCES, ...) */
	FAIL_CLASSES
};

/* Failed creations at one call site with one class: EMFILE or ENFILE only. */
struct failure {
	uint32_t stack;		/* the failing call's stack id */
	int nr;			/* its syscall */
	enum fail_class class;
	size_t count;
};

#define HOLDERS_KEPT		3	/* sites listed as holding the most fds */
#define HOLDER_TARGETS_KEPT	3	/* targets listed per holder */

/* A site holding fds when a process ran out, and how many. */
struct holder {
	uint32_t stack;
	size_t count;
	unsigned kinds[FDK_COUNT];
	char *targets[HOLDER_TARGETS_KEPT];	/* owned: the first distinct ones */
	unsigned ntargets;
	size_t more_targets;	/* distinct targets past those */
};

/* The first time a process ran out of fds (EMFILE) or the system did (ENFILE). */
struct ran_out {
	enum fail_class class;	/* FAIL_EMFILE or FAIL_ENFILE */
	double after;		/* seconds after the trace began */
	long open;		/* fds the process had then; -1 if unknown */
	uint64_t limit;		/* its soft RLIMIT_NOFILE then; 0 if unknown */
	struct holder holders[HOLDERS_KEPT];	/* the most fds first */
	unsigned nholders;
};

struct proc_report {
	int pid, ppid;
	char *command;		/* owned; executable at exit */
	char **argv;		/* owned (one allocation); its last exec's arguments; NULL: not known */
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
	size_t nsuppressed;	/* leaks dropped by suppressions */
	size_t nsuppressed_misuse;	/* failed closes dropped by suppressions */
	size_t nsuppressed_inherited;	/* inherited fds dropped by suppressions */
	size_t nsuppressed_default;	/* of all three, dropped by a default entry */
	size_t nonly_from;	/* leaks, failed closes and inherited fds left
				 * out by --only-from */
	size_t nyoung;		/* fds left out by --min-age */
	size_t nforked;		/* fds left out by --skip-fork-inherited */
	/* close() of fd numbers that never existed under trace (EBADF, below the fd limit) */
	size_t unopened_closes;
	int unopened_lo, unopened_hi;	/* their lowest and highest fd */
	struct sampling sampling;
	size_t failed[FAIL_CLASSES];	/* failed fd creations, by class */
	struct failure *failures;	/* owned: EMFILE and ENFILE sites, in order */
	size_t nfailures;
	struct ran_out ran_out[2];	/* EMFILE, ENFILE: the first of each */
	unsigned nran_out;
	uint64_t end_ns;	/* now_ns() when the leaks were taken */
	unsigned dumps_before;	/* live dumps written before it ended */
	double ended;		/* seconds since the trace began when it ended; < 0 if unknown */
};

/*
 * A call site of one process: its leaks with the same stack id. Sites are
 * computed from a proc_report when written, never stored in it.
 */
struct site {
	uint32_t stack;
	size_t count;
	unsigned kinds[FDK_COUNT];	/* leaks by kind */
	size_t *leaks;		/* owned; indices into p->leaks, in order of fd */
	size_t oldest, newest;	/* indices into p->leaks, by creation serial */
};

struct report_opts {
	unsigned depth;		/* captured frames printed at most; 0 = all */
	bool libc_frames;	/* keep the libc wrapper frames at the top */
	bool attach;		/* attach mode: say each fd's age, and which processes run on */
	bool color;		/* text: ANSI colours around words */
};

/* What the summary counts, per process and over all of them. */
enum report_count {
	RC_PROCS,		/* processes traced */
	RC_LEAKING,		/* processes with a leak */
	RC_LEAKS,
	RC_SITES,
	RC_MISUSE,		/* failed closes, each counted */
	RC_INHERITED,
	RC_SUPPRESSED,		/* leaks suppressions left out */
	RC_SUPPRESSED_MISUSE,
	RC_SUPPRESSED_INHERITED,
	RC_SUPPRESSED_DEFAULT,	/* of those three, what a default entry hid */
	RC_ONLY_FROM,		/* entries --only-from left out */
	RC_UNOPENED_CLOSES,	/* closes of fds that never existed */
	RC_YOUNG,		/* fds --min-age left out */
	RC_FORKED,		/* fds --skip-fork-inherited left out */
	RC_COUNTS
};

/* The counts of processes already written and dropped (report_retire_last). */
struct report_retired {
	size_t n[RC_COUNTS];
};

struct symstacks;
struct dump;

/* A suppression entry that hid something, for the JSON report. */
struct report_supp {
	char *name;		/* owned */
	char *file;		/* owned */
	unsigned line;
	bool builtin;		/* one of the default suppressions */
	size_t hits;
};

struct report {
	struct proc_report *procs;	/* owned array, in order of exit */
	size_t nprocs;
	struct report_retired retired;
	struct report_opts opts;
	struct symstacks *stacks;	/* owned: every stack the records name, printable */
	struct report_supp *supps;	/* owned: the entries that hid something */
	size_t nsupps;
	/*
	 * Owned: the live dumps, in order, kept for a format that draws them
	 * (keeps_dumps) or read from a saved report; else none.
	 */
	struct dump *dumps;
	size_t ndumps;
};

/* Append an empty process record; borrowed pointer valid until the next append. */
struct proc_report *report_add_process(struct report *r);
/* Append a leak to p; the leak (and its target) now belong to p. */
void report_add_leak(struct proc_report *p, const struct leak *l);
/*
 * Count one failed close m (its count and fds ignored) in p: added to the
 * record of the same type and failing stack, or copied as a new one.
 */
void report_add_misuse(struct proc_report *p, const struct misuse *m);
/* Count a close of fd, which never existed under trace, in p. */
void report_add_unopened_close(struct proc_report *p, int fd);
/* Append an inherited-fd record to p; its strings now belong to p. */
void report_add_inherited(struct proc_report *p, const struct inherited *i);
/* Free p's leaks (after a snapshot that no longer holds); p keeps the rest. */
void report_clear_leaks(struct proc_report *p);
/* Sort p's leaks by fd. */
void report_sort_leaks(struct proc_report *p);
/*
 * Symbolize every stack p's records name into r->stacks, now, while the
 * modules they point into still exist (a test's binary may be deleted
 * once its process is gone).
 */
void report_resolve_process(struct report *r, const struct proc_report *p);
/*
 * Free the last process record, keeping only its counts for the totals:
 * text output writes each process as it ends, so a trace of a million
 * short-lived processes need not keep a million records.
 */
void report_retire_last(struct report *r);
/* Count c of process p. */
size_t report_proc_count(const struct proc_report *p, enum report_count c);
/* Count c over all processes, retired ones included. */
size_t report_total(const struct report *r, enum report_count c);
/* The same, by name. */
size_t report_total_leaks(const struct report *r);
size_t report_total_procs(const struct report *r);
size_t report_total_leaking(const struct report *r);
size_t report_total_sites(const struct report *r);
size_t report_total_misuse(const struct report *r);
size_t report_total_inherited(const struct report *r);
size_t report_total_suppressed(const struct report *r);
size_t report_total_suppressed_misuse(const struct report *r);
size_t report_total_suppressed_inherited(const struct report *r);
size_t report_total_suppressed_default(const struct report *r);
size_t report_total_only_from(const struct report *r);
size_t report_total_young(const struct report *r);
size_t report_total_forked(const struct report *r);
size_t report_total_unopened_closes(const struct report *r);
/* Failed closes of p, each counted (a misuse record is a site). */
size_t report_proc_misuse(const struct proc_report *p);
/*
 * p's leaks grouped by stack id: the most leaks first, then the site with
 * the oldest leak. Malloc'd array of *n sites (NULL when none); free with
 * report_sites_free.
 */
struct site *report_sites(const struct proc_report *p, size_t *n);
void report_sites_free(struct site *sites, size_t n);
/*
 * The distinct known targets of site s of p, in order of creation:
 * malloc'd array of *n pointers borrowed from p.
 */
const char **report_site_targets(const struct proc_report *p,
    const struct site *s, size_t *n);
/* Sampling: the share of wall time attached, from 0 to 1 (0 when none). */
double report_sampled_share(const struct sampling *s);
/*
 * Sampling: fds site s of p left open per second attached, an estimate of
 * how fast it leaks (0 when p was attached for no time).
 */
double report_site_rate(const struct proc_report *p, const struct site *s);
/*
 * Failures (failures.c). Whether an fd creation that failed with err
 * counts as failed: not when it would block or was interrupted (an accept
 * on a non-blocking socket), which is how such calls are used.
 */
bool failure_counts(int err);
enum fail_class failure_class(int err);
/* "EMFILE", "ENFILE", "other". */
const char *failure_class_name(enum fail_class c);
/*
 * Count a failed creation (syscall nr, stack, errno err) in p. True when
 * it is p's first EMFILE, or first ENFILE: the caller then records what
 * held the fds with report_add_ran_out.
 */
bool report_add_failure(struct proc_report *p, uint32_t stack, int nr, int err);
/* A new ran-out record of p for class (zeroed but for class); NULL if full. */
struct ran_out *report_add_ran_out(struct proc_report *p, enum fail_class c);
void report_failures_free(struct proc_report *p);
/* "misuse" type names: "double-close", "bad-close". */
const char *report_misuse_name(enum misuse_type type);

/* One printed frame: a captured frame, or one of the inline frames within it. */
struct report_frame {
	uint64_t pc;		/* address in the process when captured */
	uint64_t offset;	/* pc's offset in the module's file */
	const char *module;	/* NULL for anonymous memory */
	const char *function;	/* as the symbol table spells it (mangled); NULL if unknown */
	const char *name;	/* as people read it (demangled); NULL if unknown */
	const char *file;	/* NULL if unknown */
	int line;		/* 0 if unknown */
	bool inlined;		/* an inline frame within the next one */
	bool libc;		/* in the C library */
};

/* A printed stack; its frames are borrowed from the report's store. */
struct report_stack {
	const struct report_frame *frames;
	unsigned n;
};

/* The printed frames of stack id in r (none for 0 or an unknown id). */
struct report_stack report_stack(const struct report *r, uint32_t id);
/*
 * What a report calls frame f: its function as people read it; else, in
 * a module, "MODULE+0xOFFSET" with the module's file name (so that a
 * stripped binary's frames still say where they are); else "???".
 * Written into buf, which is returned.
 */
const char *report_frame_label(const struct report_frame *f, char *buf,
    size_t size);
/*
 * The frame where the fd was made as a person would look for it: the
 * innermost frame outside libc that has a name and is not start-up code
 * (_start, __libc_start_main); else the innermost frame outside libc;
 * else the innermost frame. -1 for an empty stack.
 */
long report_user_frame(const struct report_stack *st);

/* Free everything p owns and zero it (not p itself). */
void report_proc_free(struct proc_report *p);
/* Note that an entry hid hits records (strings copied). */
void report_add_supp(struct report *r, const char *name, const char *file,
    unsigned line, bool builtin, size_t hits);
/*
 * Keep a copy of live dump d in r->dumps (d stays the caller's): its
 * processes and sites, their listed targets copied.
 */
void report_add_dump(struct report *r, const struct dump *d);
/*
 * Free what dump d owns and zero it: dump_free is this, kept here so that
 * the report frees its dumps without dump.c and the tracer's modules that
 * dump.c needs.
 */
void report_dump_free(struct dump *d);
/* Free everything r owns (not r itself). */
void report_free(struct report *r);

/*
 * Text: the lines for one process: its sites with their leaks, misuse and
 * inherited fds (nothing if it has none of them).
 */
void report_text_process(FILE *f, const struct report *r, const struct proc_report *p);
/* Text: how p ended: signal=NAME, exit=N, state=running or exit=? (used by HTML too). */
void report_text_status(FILE *f, const struct proc_report *p);
/* Text: the counts of the hidden line, "suppressed-leaks=N ..." (used by HTML too). */
void report_text_hidden(FILE *f, const struct report *r);
/* Text: the closing summary line. */
void report_text_summary(FILE *f, const struct report *r);
/* Text: the frame lines of stack id (used by dumps too). */
void report_text_frames(FILE *f, const struct report *r, uint32_t stack);
/*
 * Text: TARGETS of a site line: ?, or the first three of targets[0..n)
 * quoted, then " and N more" for the rest of them and more others (used by
 * dumps too).
 */
void report_text_targets(FILE *f, const char *const *targets, size_t n,
    size_t more);
/* Text: "file:3,pipe:2" for counts per kind (used by dumps too). */
void report_text_kinds(FILE *f, const unsigned *kinds);
/* JSON: {"file": 3, "pipe": 2} for counts per kind (used by dumps too). */
void report_json_kinds(FILE *f, const unsigned *kinds);
/* JSON: the backtrace array of stack id (used by dumps too). */
void report_json_backtrace(FILE *f, const struct report *r, uint32_t stack);
/*
 * The members of a group of fds from one stack (a dump site, a holder):
 * "kinds", "targets" (of ntargets), "more_targets" (more) and "backtrace".
 */
void report_json_group(FILE *f, const struct report *r, const unsigned *kinds,
    const char *const *targets, size_t ntargets, size_t more, uint32_t stack);
/* JSON: the whole document. */
void report_json(FILE *f, const struct report *r);
/* SARIF 2.1.0: the whole document, one result per site, misuse and inherited fd. */
void report_sarif(FILE *f, const struct report *r);
/*
 * HTML: one self-contained page: summary, sites with their stacks, a flame
 * graph of the leaked fds, the timeline of r->dumps, misuse, inherited fds.
 */
void report_html(FILE *f, const struct report *r);
/* Folded stacks: "process;frame;...;frame COUNT", root first, a line per site. */
void report_folded(FILE *f, const struct report *r);

/*
 * A report format: what it writes as each process ends, at each live
 * dump, and at the end. The records it gets are final: stacks resolved,
 * suppressions applied. NULL members write nothing.
 */
struct report_writer {
	const char *name;	/* as --format= names it */
	void (*process)(FILE *f, const struct report *r, const struct proc_report *p);
	void (*dump)(FILE *f, const struct report *r, const struct dump *d);
	void (*end)(FILE *f, const struct report *r);
	bool dumps_to_stderr;	/* a one-document format: dumps go to stderr as text */
	bool keeps_dumps;	/* dumps are kept in the report for end(), not written */
};

/* The writer of format name, or NULL. */
const struct report_writer *report_writer_find(const char *name);
/* "text, json, sarif, html or folded", for messages. */
const char *report_writer_names(void);

#endif
