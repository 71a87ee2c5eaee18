/* SPDX-License-Identifier: MIT */
/*
 * suppress.h - suppression files: valgrind-like entries naming report
 * entries not to report (leaks, failed closes, inherited fds), by kind,
 * target and call stack; writing such entries for what a run reported
 * (--gen-suppressions); and --only-from, which keeps only the entries
 * whose stack passes through the user's own modules.
 *
 *	# a comment
 *	{
 *	   name-of-entry
 *	   fdleak:Leak
 *	   kind:file
 *	   target:/etc/host*
 *	   fun:leak_file
 *	   ...
 *	   obj:*libfoo.so*
 *	   fun:main
 *	}
 *
 * The type is fdleak:Leak, fdleak:Misuse (a failed close: an optional
 * misuse:double-close or misuse:bad-close line narrows it; its stack is
 * the failing close's) or fdleak:Inherited (an fd that crossed an exec
 * without close-on-exec; its stack is the one that made it).
 * kind:, target:, fd: (the fd number, as a pattern: fd:[01]) and
 * syscall: (that made the fd, or the failing close) are optional; frame lines (fun:, obj:, ...) match the
 * stack from its first frame outside libc, one line per printed frame
 * (inline frames included), and the entry's frames need only match the
 * start of the stack. Patterns are fnmatch(3) patterns without flags: '*'
 * and '?' match '/' too, '\' quotes the next character.
 */
#ifndef FDLEAK_SUPPRESS_H
#define FDLEAK_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* Where `make install` puts the default suppressions (the Makefile says). */
#ifndef FDLEAK_DATADIR
#define FDLEAK_DATADIR	"/usr/local/share/fdleak"
#endif

enum supp_frame_type {
	SUPP_FUN,		/* fun:PATTERN, the function (mangled or demangled) */
	SUPP_OBJ,		/* obj:PATTERN, the module path */
	SUPP_ANY,		/* "...": any number of frames, none included */
};

struct supp_frame {
	enum supp_frame_type type;
	char *pattern;		/* owned; NULL for SUPP_ANY */
};

enum supp_type {
	SUPP_LEAK,		/* fdleak:Leak */
	SUPP_MISUSE,		/* fdleak:Misuse */
	SUPP_INHERITED,		/* fdleak:Inherited */
};

struct supp_entry {
	char *name;		/* owned */
	enum supp_type type;
	char *misuse;		/* owned pattern of the misuse type; NULL matches any */
	char *kind;		/* owned pattern; NULL matches any kind */
	char *fd;		/* owned pattern of the fd number in decimal; NULL: any */
	char *syscall;		/* owned pattern of the syscall's name; NULL: any */
	char *target;		/* owned pattern; NULL matches any target */
	struct supp_frame *frames;	/* owned */
	size_t nframes;
	char *file;		/* owned; where it was read */
	unsigned line;		/* the line of its '{' */
	bool builtin;		/* read from the default suppressions */
	size_t hits;		/* leaks, failed closes or inherited fds it suppressed */
};

struct suppress {
	struct supp_entry *entries;	/* owned */
	size_t n;
	/* Per-stack answers, so that 100 000 leaks of one site match once. */
	struct supp_cache *cache;	/* owned */
};

/*
 * Parse text[0..len) read from file (named in messages) and append its
 * entries to s, marked builtin if they are the default suppressions. 0,
 * or -1 with *err a malloc'd one-line message "FILE:LINE: what is wrong"
 * (and s unchanged).
 */
int suppress_parse(struct suppress *s, const char *file, const char *text,
    size_t len, bool builtin, char **err);
/* Read path and parse it; 0, or -1 with *err as above. */
int suppress_load(struct suppress *s, const char *path, bool builtin,
    char **err);
/*
 * Where the default suppressions are: beside the installed binary
 * (BINDIR/../share/fdleak/default.supp, or the build's DATADIR), or in
 * the source tree for a binary run from its build tree. exe is the path
 * of fdleak itself. Malloc'd; NULL if none is found.
 */
char *suppress_default_path(const char *exe);
/* Free everything s owns and zero it. */
void suppress_free(struct suppress *s);

/* One printed frame as entries see it. */
struct supp_sym {
	const char *function;	/* as the symbol table spells it; NULL if unknown */
	const char *demangled;	/* its demangled form; NULL if none */
	const char *module;	/* NULL for anonymous memory */
};

/* Whether e's frame lines match frames[0..n). Pure. */
bool suppress_match_frames(const struct supp_entry *e,
    const struct supp_sym *frames, size_t n);
/* What an entry is matched against, frames aside. */
struct supp_record {
	enum supp_type type;
	const char *misuse;	/* the misuse type; NULL unless a misuse */
	const char *kind;	/* its kind's name; NULL if unknown */
	const char *target;	/* NULL if unknown */
	int fd;			/* a misuse site: its first fd */
	const char *syscall;	/* that made the fd, or that failed; NULL if unknown */
};

/* Whether e matches record r, frames aside. Pure. */
bool suppress_match_record(const struct supp_entry *e,
    const struct supp_record *r);

/*
 * Drop from p the leaks, misuse sites and inherited fds an entry of s
 * matches (their strings freed), counting them in p (nsuppressed,
 * nsuppressed_misuse, nsuppressed_inherited, and nsuppressed_default for
 * builtin entries) and in each entry's hits; returns how many were
 * dropped. Frames are matched as r's store has them, leading libc frames
 * folded whatever --libc-frames says.
 */
size_t suppress_apply(struct suppress *s, const struct report *r,
    struct proc_report *p);
/*
 * --only-from: drop from p the leaks, misuse sites and inherited fds none
 * of whose frames lies in a module matching one of globs[0..n)
 * (fnmatch(3) patterns without flags), counting them in p->nonly_from.
 * Returns how many were dropped; n == 0 drops nothing.
 */
size_t suppress_only_from(const struct report *r, struct proc_report *p,
    const char *const *globs, size_t n);

/*
 * Write one entry named name of type (with the misuse type misuse, or
 * NULL) for records of kind (NULL when they are of several), frames[0..n)
 * and an optional comment line above it. Pure.
 */
void suppress_write_entry(FILE *f, const char *comment, const char *name,
    enum supp_type type, const char *misuse, const char *kind,
    const struct supp_sym *frames, size_t n);

/* --gen-suppressions: entries written so far, to write each site once. */
struct supp_writer {
	FILE *f;		/* borrowed */
	char **seen;		/* owned; the bodies written */
	size_t nseen;
	unsigned count;
};
/* Write an entry for each site, misuse site and inherited fd of p not written before. */
void suppress_write_process(struct supp_writer *w, const struct report *r,
    const struct proc_report *p);
void suppress_writer_free(struct supp_writer *w);

#endif
