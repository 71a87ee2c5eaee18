/* SPDX-License-Identifier: MIT */
/*
 * suppress.h - suppression files: valgrind-like entries naming leaks not
 * to report, by kind, target and call stack; and writing such entries
 * for the sites a run reported (--gen-suppressions).
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
 * kind: and target: are optional; frame lines (fun:, obj:, ...) match the
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

enum supp_frame_type {
	SUPP_FUN,		/* fun:PATTERN, the function (mangled or demangled) */
	SUPP_OBJ,		/* obj:PATTERN, the module path */
	SUPP_ANY,		/* "...": any number of frames, none included */
};

struct supp_frame {
	enum supp_frame_type type;
	char *pattern;		/* owned; NULL for SUPP_ANY */
};

struct supp_entry {
	char *name;		/* owned */
	char *kind;		/* owned pattern; NULL matches any kind */
	char *target;		/* owned pattern; NULL matches any target */
	struct supp_frame *frames;	/* owned */
	size_t nframes;
	char *file;		/* owned; where it was read */
	unsigned line;		/* the line of its '{' */
	size_t hits;		/* leaks it suppressed */
};

struct suppress {
	struct supp_entry *entries;	/* owned */
	size_t n;
	/* Per-stack answers, so that 100 000 leaks of one site match once. */
	struct supp_cache *cache;	/* owned */
};

/*
 * Parse text[0..len) read from file (named in messages) and append its
 * entries to s. 0, or -1 with *err a malloc'd one-line message
 * "FILE:LINE: what is wrong" (and s unchanged).
 */
int suppress_parse(struct suppress *s, const char *file, const char *text,
    size_t len, char **err);
/* Read path and parse it; 0, or -1 with *err as above. */
int suppress_load(struct suppress *s, const char *path, char **err);
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
/* Whether e matches a leak of kind (its name) and target (NULL if unknown). Pure. */
bool suppress_match_leak(const struct supp_entry *e, const char *kind,
    const char *target);

/*
 * Drop from p the leaks an entry of s matches (their targets freed),
 * counting them in p->nsuppressed and in each entry's hits; returns how
 * many were dropped. Frames are symbolized as the report prints them with
 * libc frames folded, whatever o->libc_frames says.
 */
size_t suppress_apply(struct suppress *s, struct proc_report *p,
    const struct report_opts *o);

/*
 * Write one entry named name for a site of kind (NULL when the site has
 * several), frames[0..n) and an optional comment line above it. Pure.
 */
void suppress_write_entry(FILE *f, const char *comment, const char *name,
    const char *kind, const struct supp_sym *frames, size_t n);

/* --gen-suppressions: entries written so far, to write each site once. */
struct supp_writer {
	FILE *f;		/* borrowed */
	char **seen;		/* owned; the bodies written */
	size_t nseen;
	unsigned count;
};
/* Write an entry for each site of p not written before. */
void suppress_write_sites(struct supp_writer *w, const struct proc_report *p,
    const struct report_opts *o);
void suppress_writer_free(struct supp_writer *w);

#endif
