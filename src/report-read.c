// SPDX-License-Identifier: MIT
/*
 * report-read.c - the output of --format=json read back into the report
 * model, for --from: every field a writer prints is in the file (the
 * options, each leak's creation serial, each backtrace's stack id, the
 * raw bytes of strings that are not UTF-8, where each process ended among
 * the dumps), so that a format written from the file equals what the live
 * run wrote in it.
 *
 * Parsed with jansson, chosen over json-c by measurement on the report of
 * build/victims/many (50 000 leaks, 77 MB of JSON; medians of 7
 * alternating runs on a 2-core VM with other jobs running; the whole file
 * in memory, then parsed and walked): jansson 2.14 parsed it in 1.41 s
 * with a peak of 539 MB above the file, json-c 0.16 in strict mode (as
 * --from needs) in 1.05 s with 620 MB. On the 62 MB of JSON before the
 * fields --from needs were added: 1.24 s and 417 MB against 0.88 s and
 * 517 MB. Memory is what a big report runs out of first, not seconds;
 * and jansson is strict by default, says where a document breaks (and
 * whether it ended early), and reads a FILE one value at a time
 * (json_loadf stops after the value's last byte), which a stream of dump
 * lines followed by the report needs, with no copy of the file: fdleak
 * --from of that report takes 2.4 s and 557 MB at its peak.
 *
 * The fields are read through tables (struct field): each names a key,
 * how to check and convert its value, and where it goes.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dump.h"
#include "report-read.h"
#include "report.h"
#include "symstack.h"
#include "syscall.h"
#include "util.h"

struct reader {
	const char *name;
	struct report *r;
	char *err;		/* the first problem, malloc'd */
	char where[128];	/* "process 2, leak 5" */
};

/* Record the first problem (later ones follow from it); -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct reader *rd, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	if (rd->err != NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rd->err = xasprintf("%s: %s%s%s", rd->name, rd->where,
	    rd->where[0] ? ": " : "", msg != NULL ? msg : "out of memory");
	free(msg);
	/* One line whatever the file held: jansson quotes the bad token. */
	for (char *p = rd->err; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return -1;
}

enum ftype {
	F_INT,		/* int */
	F_LONG,		/* long */
	F_UINT,		/* unsigned */
	F_U32,		/* uint32_t */
	F_U64,		/* uint64_t */
	F_SIZE,		/* size_t */
	F_BOOL,		/* bool */
	F_REAL,		/* double; null (or absent, if optional) -> -1 */
	F_HEX64,	/* uint64_t written as a "0x..." string */
	F_INT0,		/* int; null -> 0 */
	F_LONGN,	/* long; null -> -1 */
	F_U64N,		/* uint64_t; null -> 0 */
	F_CLASS,	/* enum fail_class, by failure_class_name */
	F_STR,		/* char *, owned; null -> NULL; KEY_hex has the bytes */
	F_KIND,		/* enum fd_kind; null -> FDK_UNKNOWN */
	F_SYSCALL,	/* int syscall number; null -> -1 */
	F_STACK,	/* uint32_t stack id; aux names its frames */
};

struct field {
	const char *key;
	const char *aux;	/* F_STACK: the key of the backtrace */
	size_t off;		/* where the value goes */
	enum ftype type;
	bool optional;		/* the key may be absent */
};

#define FIELD(s, k, t, m) \
	{ .key = (k), .type = (t), .off = offsetof(struct s, m) }
#define OPTIONAL(s, k, t, m) \
	{ .key = (k), .type = (t), .off = offsetof(struct s, m), .optional = true }
#define STACK(s, k, m, bt) \
	{ .key = (k), .type = F_STACK, .off = offsetof(struct s, m), .aux = (bt) }

/* A frame as the file has it, before symstacks_put copies it. */
struct frame_in {
	uint64_t pc, offset;
	char *module, *name, *function, *file;
	int line;
	bool inlined, libc;
};

static const struct field frame_fields[] = {
	FIELD(frame_in, "pc", F_HEX64, pc),
	FIELD(frame_in, "module", F_STR, module),
	FIELD(frame_in, "offset", F_HEX64, offset),
	FIELD(frame_in, "function", F_STR, name),
	FIELD(frame_in, "file", F_STR, file),
	FIELD(frame_in, "line", F_INT0, line),
	FIELD(frame_in, "inlined", F_BOOL, inlined),
	FIELD(frame_in, "symbol", F_STR, function),
	FIELD(frame_in, "libc", F_BOOL, libc),
};

static const struct field leak_fields[] = {
	FIELD(leak, "fd", F_INT, fd),
	FIELD(leak, "kind", F_KIND, kind),
	FIELD(leak, "target", F_STR, target),
	FIELD(leak, "syscall", F_SYSCALL, nr),
	FIELD(leak, "tid", F_INT, tid),
	FIELD(leak, "created_in", F_INT0, created_in),
	FIELD(leak, "cloexec", F_BOOL, cloexec),
	OPTIONAL(leak, "unconfirmed", F_BOOL, unconfirmed),
	FIELD(leak, "across_exec", F_BOOL, across_exec),
	OPTIONAL(leak, "age", F_REAL, age),
	FIELD(leak, "serial", F_U64, serial),
	STACK(leak, "stack", stack, "backtrace"),
};

static const struct field misuse_fields[] = {
	FIELD(misuse, "fd", F_INT, fd),
	FIELD(misuse, "tid", F_INT, tid),
	FIELD(misuse, "count", F_SIZE, count),
	FIELD(misuse, "more_fds", F_SIZE, more_fds),
	FIELD(misuse, "syscall", F_SYSCALL, nr),
	FIELD(misuse, "kind", F_KIND, kind),
	STACK(misuse, "stack", stack, "backtrace"),
	STACK(misuse, "previous_close_stack", prev_stack, "previous_close"),
	STACK(misuse, "created_stack", open_stack, "created"),
};

static const struct field inherited_fields[] = {
	FIELD(inherited, "fd", F_INT, fd),
	FIELD(inherited, "kind", F_KIND, kind),
	FIELD(inherited, "target", F_STR, target),
	FIELD(inherited, "syscall", F_SYSCALL, nr),
	FIELD(inherited, "tid", F_INT, tid),
	FIELD(inherited, "program", F_STR, program),
	STACK(inherited, "stack", stack, "backtrace"),
};

static const struct field process_fields[] = {
	FIELD(proc_report, "pid", F_INT, pid),
	FIELD(proc_report, "ppid", F_INT, ppid),
	FIELD(proc_report, "command", F_STR, command),
	OPTIONAL(proc_report, "running", F_BOOL, running),
	FIELD(proc_report, "dumps_before", F_UINT, dumps_before),
	FIELD(proc_report, "ended", F_REAL, ended),
	FIELD(proc_report, "suppressed", F_SIZE, nsuppressed),
	FIELD(proc_report, "suppressed_misuse", F_SIZE, nsuppressed_misuse),
	FIELD(proc_report, "suppressed_inherited", F_SIZE, nsuppressed_inherited),
	FIELD(proc_report, "suppressed_default", F_SIZE, nsuppressed_default),
	FIELD(proc_report, "only_from_hidden", F_SIZE, nonly_from),
	FIELD(proc_report, "min_age_hidden", F_SIZE, nyoung),
	FIELD(proc_report, "fork_inherited_hidden", F_SIZE, nforked),
};

static const struct field failure_fields[] = {
	FIELD(failure, "errno", F_CLASS, class),
	FIELD(failure, "count", F_SIZE, count),
	FIELD(failure, "syscall", F_SYSCALL, nr),
	STACK(failure, "stack", stack, "backtrace"),
};

static const struct field ran_out_fields[] = {
	FIELD(ran_out, "errno", F_CLASS, class),
	FIELD(ran_out, "after_exact", F_REAL, after),
	FIELD(ran_out, "open", F_LONGN, open),
	FIELD(ran_out, "limit", F_U64N, limit),
};

static const struct field holder_fields[] = {
	FIELD(holder, "count", F_SIZE, count),
	FIELD(holder, "more_targets", F_SIZE, more_targets),
	STACK(holder, "stack", stack, "backtrace"),
};

static const struct field sampling_fields[] = {
	FIELD(sampling, "attached_exact", F_REAL, attached),
	FIELD(sampling, "wall_exact", F_REAL, wall),
	FIELD(sampling, "windows", F_UINT, windows),
	FIELD(sampling, "seen", F_SIZE, seen),
	FIELD(sampling, "unsampled", F_SIZE, unsampled),
	FIELD(sampling, "gone", F_SIZE, gone),
	FIELD(sampling, "changed", F_SIZE, changed),
	FIELD(sampling, "lost", F_BOOL, lost),
};

static const struct field supp_fields[] = {
	FIELD(report_supp, "name", F_STR, name),
	FIELD(report_supp, "file", F_STR, file),
	FIELD(report_supp, "line", F_UINT, line),
	FIELD(report_supp, "default", F_BOOL, builtin),
	FIELD(report_supp, "hits", F_SIZE, hits),
};

static const struct field option_fields[] = {
	FIELD(report_opts, "depth", F_UINT, depth),
	FIELD(report_opts, "libc_frames", F_BOOL, libc_frames),
	FIELD(report_opts, "attach", F_BOOL, attach),
};

static const struct field dump_fields[] = {
	FIELD(dump, "dump", F_UINT, n),
	FIELD(dump, "elapsed_exact", F_REAL, elapsed),
};

static const struct field dump_proc_fields[] = {
	FIELD(dump_proc, "pid", F_INT, pid),
	FIELD(dump_proc, "fds", F_LONG, fds),
	FIELD(dump_proc, "outstanding", F_SIZE, outstanding),
	OPTIONAL(dump_proc, "share_exact", F_REAL, share),
	OPTIONAL(dump_proc, "attached_exact", F_REAL, attached),
	OPTIONAL(dump_proc, "unsampled", F_SIZE, unsampled),
};

static const struct field dump_site_fields[] = {
	FIELD(dump_site, "count", F_SIZE, count),
	FIELD(dump_site, "growth", F_LONG, growth),
	FIELD(dump_site, "more_targets", F_SIZE, more_targets),
	STACK(dump_site, "stack", stack, "backtrace"),
};

/* The bytes of a "KEY_hex" string: malloc'd, or NULL after fail(). */
static char *
unhex(struct reader *rd, const char *key, const char *hex)
{
	size_t n = strlen(hex);
	char *s;

	if (n % 2 != 0 || n == 0)
		goto bad;
	s = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v == 0 ||
		    strchr("0123456789abcdef", hex[2 * i]) == NULL ||
		    strchr("0123456789abcdef", hex[2 * i + 1]) == NULL) {
			free(s);
			goto bad;
		}
		s[i] = (char)v;
	}
	s[n / 2] = '\0';
	return s;
bad:
	fail(rd, "\"%s_hex\" is not the hexadecimal bytes of a string", key);
	return NULL;
}

/* A string or null, the bytes of KEY_hex if there is one: into *out (owned). */
static int
read_string(struct reader *rd, const json_t *v, const json_t *hex,
    const char *key, char **out)
{
	*out = NULL;
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(rd, "\"%s\" is not a string", key);
	if (hex != NULL) {
		if (!json_is_string(hex))
			return fail(rd, "\"%s_hex\" is not a string", key);
		*out = unhex(rd, key, json_string_value(hex));
		return *out != NULL ? 0 : -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* The number of a name syscall_name() gives, or -2. */
static int
syscall_parse(const char *name)
{
	char *end;
	long nr;

	for (unsigned i = 0; i < syscall_count(); i++) {
		if (strcmp(syscall_at(i)->name, name) == 0)
			return syscall_at(i)->nr;
	}
	if (strncmp(name, "syscall_", 8) != 0)
		return -2;
	errno = 0;
	nr = strtol(name + 8, &end, 10);
	if (errno != 0 || end == name + 8 || *end != '\0' || nr < 0 || nr > INT_MAX)
		return -2;
	return (int)nr;
}

/* The integer v in [lo, hi] into *out, or fail(). */
static int
read_int(struct reader *rd, const json_t *v, const char *key, json_int_t lo,
    json_int_t hi, json_int_t *out)
{
	*out = 0;
	if (!json_is_integer(v))
		return fail(rd, "\"%s\" is not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return fail(rd, "\"%s\" is out of range", key);
	return 0;
}

static int read_stack(struct reader *rd, const json_t *obj, const struct field *fl,
    uint32_t *id);

/* One field of obj into base, as fl says. */
static int
read_field(struct reader *rd, const json_t *obj, const struct field *fl,
    void *base)
{
	const json_t *v = json_object_get(obj, fl->key);
	char *p = (char *)base + fl->off, *hexkey, *s;
	json_int_t i;
	int k;

	if (v == NULL) {
		if (!fl->optional)
			return fail(rd, "no \"%s\"", fl->key);
		if (fl->type == F_REAL)
			*(double *)(void *)p = -1;
		return 0;
	}
	switch (fl->type) {
	case F_INT:
	case F_INT0:
		if (fl->type == F_INT0 && json_is_null(v)) {
			*(int *)(void *)p = 0;
			return 0;
		}
		if (read_int(rd, v, fl->key, INT_MIN, INT_MAX, &i) < 0)
			return -1;
		*(int *)(void *)p = (int)i;
		return 0;
	case F_LONG:
	case F_LONGN:
		if (fl->type == F_LONGN && json_is_null(v)) {
			*(long *)(void *)p = -1;
			return 0;
		}
		if (read_int(rd, v, fl->key, LONG_MIN, LONG_MAX, &i) < 0)
			return -1;
		*(long *)(void *)p = (long)i;
		return 0;
	case F_U64N:
		if (json_is_null(v)) {
			*(uint64_t *)(void *)p = 0;
			return 0;
		}
		if (read_int(rd, v, fl->key, 0, LLONG_MAX, &i) < 0)
			return -1;
		*(uint64_t *)(void *)p = (uint64_t)i;
		return 0;
	case F_CLASS:
		for (k = 0; k < FAIL_CLASSES; k++) {
			if (json_is_string(v) && strcmp(json_string_value(v),
			    failure_class_name((enum fail_class)k)) == 0)
				break;
		}
		if (k == FAIL_CLASSES)
			return fail(rd, "\"%s\" is not EMFILE, ENFILE or other",
			    fl->key);
		*(enum fail_class *)(void *)p = (enum fail_class)k;
		return 0;
	case F_UINT:
		if (read_int(rd, v, fl->key, 0, UINT_MAX, &i) < 0)
			return -1;
		*(unsigned *)(void *)p = (unsigned)i;
		return 0;
	case F_U32:
		if (read_int(rd, v, fl->key, 0, UINT32_MAX, &i) < 0)
			return -1;
		*(uint32_t *)(void *)p = (uint32_t)i;
		return 0;
	case F_U64:
	case F_SIZE:
		if (read_int(rd, v, fl->key, 0, LLONG_MAX, &i) < 0)
			return -1;
		if (fl->type == F_U64)
			*(uint64_t *)(void *)p = (uint64_t)i;
		else
			*(size_t *)(void *)p = (size_t)i;
		return 0;
	case F_BOOL:
		if (!json_is_boolean(v))
			return fail(rd, "\"%s\" is not true or false", fl->key);
		*(bool *)(void *)p = json_is_true(v);
		return 0;
	case F_REAL:
		if (json_is_null(v)) {
			*(double *)(void *)p = -1;
			return 0;
		}
		if (!json_is_number(v))
			return fail(rd, "\"%s\" is not a number", fl->key);
		*(double *)(void *)p = json_number_value(v);
		return 0;
	case F_HEX64: {
		const char *t = json_string_value(v);
		char *end;

		errno = 0;
		if (t == NULL || strncmp(t, "0x", 2) != 0 || t[2] == '\0' ||
		    strchr("0123456789abcdef", t[2]) == NULL ||
		    (*(uint64_t *)(void *)p = strtoull(t + 2, &end, 16),
		    errno != 0 || *end != '\0'))
			return fail(rd, "\"%s\" is not a 0x hexadecimal string",
			    fl->key);
		return 0;
	}
	case F_STR:
		hexkey = xasprintf("%s_hex", fl->key);
		k = read_string(rd, v, json_object_get(obj, hexkey), fl->key,
		    (char **)(void *)p);
		free(hexkey);
		return k;
	case F_KIND:
		if (json_is_null(v)) {
			*(enum fd_kind *)(void *)p = FDK_UNKNOWN;
			return 0;
		}
		if (!json_is_string(v) ||
		    (k = fd_kind_parse(json_string_value(v))) < 0)
			return fail(rd, "\"%s\" is not a kind of fd", fl->key);
		*(enum fd_kind *)(void *)p = (enum fd_kind)k;
		return 0;
	case F_SYSCALL:
		if (json_is_null(v)) {
			*(int *)(void *)p = -1;
			return 0;
		}
		s = (char *)json_string_value(v);
		if (s == NULL || (k = syscall_parse(s)) < -1)
			return fail(rd, "\"%s\" is not a syscall fdleak names",
			    fl->key);
		*(int *)(void *)p = k;
		return 0;
	case F_STACK:
		return read_stack(rd, obj, fl, (uint32_t *)(void *)p);
	}
	return fail(rd, "\"%s\": no such field type", fl->key);
}

static int
read_fields(struct reader *rd, const json_t *obj, const struct field *fields,
    size_t n, void *base)
{
	if (!json_is_object(obj))
		return fail(rd, "not an object");
	for (size_t i = 0; i < n; i++) {
		if (read_field(rd, obj, &fields[i], base) < 0)
			return -1;
	}
	return 0;
}

static void
frames_in_free(struct frame_in *fi, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(fi[i].module);
		free(fi[i].name);
		free(fi[i].function);
		free(fi[i].file);
	}
	free(fi);
}

/*
 * The stack id of fl and, the first time the id is seen, its frames (from
 * fl->aux) into the report's store. Every backtrace of an id printed the
 * same in the live run (one store entry per id), so the first one is it.
 */
static int
read_stack(struct reader *rd, const json_t *obj, const struct field *fl,
    uint32_t *id)
{
	const json_t *bt = json_object_get(obj, fl->aux);
	struct report_frame *rf;
	struct report_stack have;
	struct frame_in *fi;
	json_int_t i;
	size_t n;
	int rc = 0;

	if (read_int(rd, json_object_get(obj, fl->key), fl->key, 0, UINT32_MAX,
	    &i) < 0)
		return -1;
	*id = (uint32_t)i;
	if (bt == NULL || (!json_is_array(bt) && !json_is_null(bt)))
		return fail(rd, "\"%s\" is not an array of frames", fl->aux);
	if (*id == 0 || symstacks_get(rd->r->stacks, *id, &have))
		return 0;
	if (json_is_null(bt))
		return fail(rd, "\"%s\" %" PRIu32 " has no frames", fl->key, *id);
	n = json_array_size(bt);
	if (n > UINT_MAX)
		return fail(rd, "\"%s\" has too many frames", fl->aux);
	fi = xcalloc(n ? n : 1, sizeof *fi);
	rf = xcalloc(n ? n : 1, sizeof *rf);
	for (size_t k = 0; k < n && rc == 0; k++) {
		rc = read_fields(rd, json_array_get(bt, k), frame_fields,
		    ARRAY_SIZE(frame_fields), &fi[k]);
		rf[k] = (struct report_frame){ fi[k].pc, fi[k].offset,
		    fi[k].module, fi[k].function, fi[k].name, fi[k].file,
		    fi[k].line, fi[k].inlined, fi[k].libc };
	}
	if (rc == 0)
		symstacks_put(rd->r->stacks, *id, rf, (unsigned)n);
	free(rf);
	frames_in_free(fi, n);
	return rc;
}

/* The array at key of obj, or NULL after fail(). */
static const json_t *
get_array(struct reader *rd, const json_t *obj, const char *key)
{
	const json_t *a = json_object_get(obj, key);

	if (!json_is_array(a)) {
		fail(rd, "\"%s\" is not an array", key);
		return NULL;
	}
	return a;
}

/* {"file": 3, "pipe": 2} into kinds[FDK_COUNT]. */
static int
read_kinds(struct reader *rd, const json_t *obj, unsigned *kinds)
{
	const json_t *o = json_object_get(obj, "kinds"), *v;
	const char *key;
	json_int_t i;
	int k;

	if (!json_is_object(o))
		return fail(rd, "\"kinds\" is not an object");
	json_object_foreach((json_t *)o, key, v) {
		if ((k = fd_kind_parse(key)) < 0)
			return fail(rd, "\"kinds\" holds \"%s\", not a kind of fd",
			    key);
		if (read_int(rd, v, key, 0, UINT_MAX, &i) < 0)
			return -1;
		kinds[k] = (unsigned)i;
	}
	return 0;
}

/*
 * The targets array of o (with "targets_hex"), at most max, into the
 * strings v (owned by the caller's record); their number or -1.
 */
static long
read_targets(struct reader *rd, const json_t *o, char **v, size_t max)
{
	const json_t *targets = get_array(rd, o, "targets");
	const json_t *hex = json_object_get(o, "targets_hex");
	size_t n;

	if (targets == NULL)
		return -1;
	if ((n = json_array_size(targets)) > max)
		return fail(rd, "more than %zu \"targets\"", max);
	if (hex != NULL && (!json_is_array(hex) || json_array_size(hex) != n))
		return fail(rd, "\"targets_hex\" is not an array as long as "
		    "\"targets\"");
	for (size_t i = 0; i < n; i++) {
		const json_t *h = hex != NULL ? json_array_get(hex, i) : NULL;

		if (read_string(rd, json_array_get(targets, i),
		    json_is_null(h) ? NULL : h, "targets", &v[i]) < 0)
			return -1;
		if (v[i] == NULL)
			return fail(rd, "a target is null");
	}
	return (long)n;
}

/* Strings a temporary dump borrows, freed once it is copied. */
struct borrowed {
	char **v;
	size_t n;
};

static int
read_dump_site(struct reader *rd, const json_t *o, struct dump_proc *p,
    struct borrowed *keep)
{
	struct dump_site s = { 0 };
	char *t[DUMP_TARGETS_KEPT] = { NULL };
	long n;

	if (read_fields(rd, o, dump_site_fields, ARRAY_SIZE(dump_site_fields),
	    &s) < 0 || read_kinds(rd, o, s.kinds) < 0)
		return -1;
	n = read_targets(rd, o, t, DUMP_TARGETS_KEPT);
	/* The strings stay until the dump is copied, whatever happens. */
	for (size_t i = 0; i < DUMP_TARGETS_KEPT && t[i] != NULL; i++) {
		keep->v = xgrow(keep->v, keep->n, sizeof *keep->v);
		keep->v[keep->n++] = t[i];
		s.targets[s.ntargets++] = t[i];
	}
	if (n < 0)
		return -1;
	p->sites = xgrow(p->sites, p->nsites, sizeof *p->sites);
	p->sites[p->nsites++] = s;
	return 0;
}

/* Dump object o, read into a dump of its own, then kept by the report. */
static int
read_dump(struct reader *rd, const json_t *o, size_t n)
{
	struct dump d = { 0 };
	struct borrowed keep = { NULL, 0 };
	const json_t *procs;
	int rc = 0;

	snprintf(rd->where, sizeof rd->where, "dump %zu", n);
	if (read_fields(rd, o, dump_fields, ARRAY_SIZE(dump_fields), &d) < 0 ||
	    (procs = get_array(rd, o, "processes")) == NULL)
		return -1;
	if (d.elapsed < 0)
		return fail(rd, "\"elapsed_exact\" is not a time");
	for (size_t i = 0; rc == 0 && i < json_array_size(procs); i++) {
		const json_t *po = json_array_get(procs, i), *sites;
		struct dump_proc *p = dump_add_proc(&d, 0, 0);

		snprintf(rd->where, sizeof rd->where, "dump %zu, process %zu", n,
		    i + 1);
		if (read_fields(rd, po, dump_proc_fields,
		    ARRAY_SIZE(dump_proc_fields), p) < 0 ||
		    (sites = get_array(rd, po, "sites")) == NULL) {
			rc = -1;
			break;
		}
		for (size_t j = 0; rc == 0 && j < json_array_size(sites); j++) {
			snprintf(rd->where, sizeof rd->where,
			    "dump %zu, process %zu, site %zu", n, i + 1, j + 1);
			rc = read_dump_site(rd, json_array_get(sites, j), p, &keep);
		}
	}
	if (rc == 0)
		report_add_dump(rd->r, &d);
	dump_free(&d);
	for (size_t i = 0; i < keep.n; i++)
		free(keep.v[i]);
	free(keep.v);
	return rc;
}

/* The records of array key of process po, each read by fn into p. */
static int
read_records(struct reader *rd, const json_t *po, const char *key,
    size_t proc, struct proc_report *p,
    int (*fn)(struct reader *, const json_t *, struct proc_report *))
{
	const json_t *a = get_array(rd, po, key);

	if (a == NULL)
		return -1;
	for (size_t i = 0; i < json_array_size(a); i++) {
		snprintf(rd->where, sizeof rd->where, "process %zu, %s %zu", proc,
		    key, i + 1);
		if (fn(rd, json_array_get(a, i), p) < 0)
			return -1;
	}
	return 0;
}

static int
read_leak(struct reader *rd, const json_t *o, struct proc_report *p)
{
	struct leak l = { 0 };
	const char *origin = json_string_value(json_object_get(o, "origin"));
	int rc = read_fields(rd, o, leak_fields, ARRAY_SIZE(leak_fields), &l);

	if (origin != NULL && strcmp(origin, "unknown") == 0)
		l.unknown_origin = true;
	else if (origin == NULL || strcmp(origin, "syscall") != 0)
		rc = fail(rd, "\"origin\" is not \"syscall\" or \"unknown\"");
	report_add_leak(p, &l);		/* p frees its target either way */
	return rc;
}

static int
read_misuse(struct reader *rd, const json_t *o, struct proc_report *p)
{
	struct misuse m = { 0 };
	const char *type = json_string_value(json_object_get(o, "type"));
	const json_t *fds = get_array(rd, o, "fds");

	if (fds == NULL || read_fields(rd, o, misuse_fields,
	    ARRAY_SIZE(misuse_fields), &m) < 0)
		return -1;
	if (type != NULL && strcmp(type, report_misuse_name(MISUSE_DOUBLE_CLOSE)) == 0)
		m.type = MISUSE_DOUBLE_CLOSE;
	else if (type != NULL && strcmp(type, report_misuse_name(MISUSE_BAD_CLOSE)) == 0)
		m.type = MISUSE_BAD_CLOSE;
	else
		return fail(rd, "\"type\" is not \"double-close\" or \"bad-close\"");
	if (json_array_size(fds) > MISUSE_FDS_KEPT)
		return fail(rd, "more than %d \"fds\"", MISUSE_FDS_KEPT);
	for (size_t i = 0; i < json_array_size(fds); i++) {
		json_int_t fd;

		if (read_int(rd, json_array_get(fds, i), "fds", INT_MIN, INT_MAX,
		    &fd) < 0)
			return -1;
		m.fds[m.nfds++] = (int)fd;
	}
	p->misuse = xgrow(p->misuse, p->nmisuse, sizeof *p->misuse);
	p->misuse[p->nmisuse++] = m;
	return 0;
}

static int
read_inherited(struct reader *rd, const json_t *o, struct proc_report *p)
{
	struct inherited in = { 0 };
	int rc = read_fields(rd, o, inherited_fields,
	    ARRAY_SIZE(inherited_fields), &in);

	report_add_inherited(p, &in);	/* p frees its strings either way */
	return rc;
}

/* A name signal_name() gives back into its number; 0 if none. */
static int
signal_parse(const char *name)
{
	char buf[32];

	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if (strcmp(signal_name(sig, buf, sizeof buf), name) == 0)
			return sig;
	}
	return 0;
}

/* exit_code, exit_signal and unopened_closes of process o into p. */
static int
read_ending(struct reader *rd, const json_t *o, struct proc_report *p)
{
	const json_t *code = json_object_get(o, "exit_code");
	const json_t *sig = json_object_get(o, "exit_signal");
	const json_t *u = json_object_get(o, "unopened_closes");
	json_int_t i;

	if (code == NULL || sig == NULL)
		return fail(rd, "no \"exit_code\" or \"exit_signal\"");
	if (!json_is_null(code)) {
		if (read_int(rd, code, "exit_code", INT_MIN, INT_MAX, &i) < 0)
			return -1;
		p->exited = true;
		p->exit_code = (int)i;
	}
	if (!json_is_null(sig)) {
		if (!json_is_string(sig) ||
		    (p->exit_signal = signal_parse(json_string_value(sig))) == 0)
			return fail(rd, "\"exit_signal\" is not a signal's name");
		p->exited = true;
	}
	if (!json_is_object(u) || read_int(rd, json_object_get(u, "count"),
	    "unopened_closes count", 0, LLONG_MAX, &i) < 0)
		return fail(rd, "\"unopened_closes\" is not an object with a count");
	p->unopened_closes = (size_t)i;
	if (i == 0)
		return 0;
	if (read_int(rd, json_object_get(u, "lowest_fd"), "lowest_fd", INT_MIN,
	    INT_MAX, &i) < 0)
		return -1;
	p->unopened_lo = (int)i;
	if (read_int(rd, json_object_get(u, "highest_fd"), "highest_fd",
	    INT_MIN, INT_MAX, &i) < 0)
		return -1;
	p->unopened_hi = (int)i;
	return 0;
}

/*
 * "argv": null, or strings (with "argv_hex" for bytes that are not
 * UTF-8) into p->argv, one allocation as the tracer makes it.
 */
static int
read_argv(struct reader *rd, const json_t *o, struct proc_report *p)
{
	const json_t *a = json_object_get(o, "argv");
	const json_t *hex = json_object_get(o, "argv_hex");
	size_t n, size;
	char **s, *at;
	int rc = 0;

	if (json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return fail(rd, "\"argv\" is not an array or null");
	n = json_array_size(a);
	if (hex != NULL && (!json_is_array(hex) || json_array_size(hex) != n))
		return fail(rd, "\"argv_hex\" is not an array as long as \"argv\"");
	s = xcalloc(n + 1, sizeof *s);
	size = (n + 1) * sizeof *s;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *h = hex != NULL ? json_array_get(hex, i) : NULL;

		rc = read_string(rd, json_array_get(a, i),
		    json_is_null(h) ? NULL : h, "argv", &s[i]);
		if (rc == 0 && s[i] == NULL)
			rc = fail(rd, "an argument is null");
		else if (rc == 0)
			size += strlen(s[i]) + 1;
	}
	if (rc == 0) {
		p->argv = xmalloc(size);
		at = (char *)(p->argv + n + 1);
		for (size_t i = 0; i < n; i++) {
			size_t len = s[i] != NULL ? strlen(s[i]) + 1 : 0;

			memcpy(at, s[i] != NULL ? s[i] : "", len);
			p->argv[i] = at;
			at += len;
		}
		p->argv[n] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
	return rc;
}

/* "failures" and "ran_out": failed fd creations and what ran out. */
static int
read_failures(struct reader *rd, const json_t *o, struct proc_report *p)
{
	static const char *const counts[FAIL_CLASSES] = { "emfile", "enfile",
	    "other" };
	const json_t *fo = json_object_get(o, "failures"), *sites, *ro;
	json_int_t n;

	if (!json_is_object(fo) || (sites = get_array(rd, fo, "sites")) == NULL)
		return fail(rd, "\"failures\" is not an object with sites");
	for (size_t c = 0; c < FAIL_CLASSES; c++) {
		if (read_int(rd, json_object_get(fo, counts[c]), counts[c], 0,
		    LLONG_MAX, &n) < 0)
			return -1;
		p->failed[c] = (size_t)n;
	}
	for (size_t i = 0; i < json_array_size(sites); i++) {
		struct failure fl = { 0 };

		if (read_fields(rd, json_array_get(sites, i), failure_fields,
		    ARRAY_SIZE(failure_fields), &fl) < 0)
			return -1;
		p->failures = xgrow(p->failures, p->nfailures, sizeof *p->failures);
		p->failures[p->nfailures++] = fl;
	}
	if ((ro = get_array(rd, o, "ran_out")) == NULL)
		return -1;
	if (json_array_size(ro) > ARRAY_SIZE(p->ran_out))
		return fail(rd, "more than %zu \"ran_out\"", ARRAY_SIZE(p->ran_out));
	for (size_t i = 0; i < json_array_size(ro); i++) {
		const json_t *e = json_array_get(ro, i), *hs;
		struct ran_out *r = &p->ran_out[p->nran_out++];

		memset(r, 0, sizeof *r);
		if (read_fields(rd, e, ran_out_fields, ARRAY_SIZE(ran_out_fields),
		    r) < 0 || (hs = get_array(rd, e, "holders")) == NULL)
			return -1;
		if (json_array_size(hs) > HOLDERS_KEPT)
			return fail(rd, "more than %d \"holders\"", HOLDERS_KEPT);
		for (size_t j = 0; j < json_array_size(hs); j++) {
			const json_t *ho = json_array_get(hs, j);
			struct holder *h = &r->holders[r->nholders++];
			long nt;

			/* The holder is p's now: p frees its targets either way. */
			memset(h, 0, sizeof *h);
			if (read_fields(rd, ho, holder_fields,
			    ARRAY_SIZE(holder_fields), h) < 0 ||
			    read_kinds(rd, ho, h->kinds) < 0)
				return -1;
			nt = read_targets(rd, ho, h->targets, HOLDER_TARGETS_KEPT);
			for (h->ntargets = 0; h->ntargets < HOLDER_TARGETS_KEPT &&
			    h->targets[h->ntargets] != NULL; h->ntargets++)
				;
			if (nt < 0)
				return -1;
		}
	}
	return 0;
}

/* "sampling", present for a process of a sampled attach only. */
static int
read_sampling(struct reader *rd, const json_t *o, struct proc_report *p)
{
	const json_t *sm = json_object_get(o, "sampling");

	if (sm == NULL)
		return 0;
	p->sampling.on = true;
	return read_fields(rd, sm, sampling_fields, ARRAY_SIZE(sampling_fields),
	    &p->sampling);
}

static int
read_process(struct reader *rd, const json_t *o, size_t n)
{
	struct proc_report *p = report_add_process(rd->r);

	snprintf(rd->where, sizeof rd->where, "process %zu", n);
	if (read_fields(rd, o, process_fields, ARRAY_SIZE(process_fields), p) < 0 ||
	    read_ending(rd, o, p) < 0 || read_argv(rd, o, p) < 0 ||
	    read_sampling(rd, o, p) < 0 || read_failures(rd, o, p) < 0 ||
	    read_records(rd, o, "leaks", n, p, read_leak) < 0 ||
	    read_records(rd, o, "misuse", n, p, read_misuse) < 0 ||
	    read_records(rd, o, "inherited", n, p, read_inherited) < 0)
		return -1;
	return 0;
}

/* The major version of "X.Y.Z"; -1 if it is not one. */
static long
major_version(const char *v)
{
	char *end;
	long m;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	m = strtol(v, &end, 10);
	return errno == 0 && *end == '.' ? m : -1;
}

/* The report document: version first, then what --from needs, then the rest. */
static int
read_report(struct reader *rd, const json_t *o)
{
	const char *version = json_string_value(json_object_get(o, "version"));
	const json_t *procs, *supps, *opts = json_object_get(o, "options");

	if (major_version(version) != major_version(FDLEAK_VERSION))
		return fail(rd, "written by fdleak %s, whose JSON fdleak %s cannot "
		    "read (another major version)", version != NULL ? version : "?",
		    FDLEAK_VERSION);
	if (opts == NULL)
		return fail(rd, "written by fdleak %s, which did not save what "
		    "--from needs (no \"options\"): trace again with fdleak %s",
		    version, FDLEAK_VERSION);
	snprintf(rd->where, sizeof rd->where, "options");
	if (read_fields(rd, opts, option_fields, ARRAY_SIZE(option_fields),
	    &rd->r->opts) < 0)
		return -1;
	rd->where[0] = '\0';
	if ((procs = get_array(rd, o, "processes")) == NULL ||
	    (supps = get_array(rd, o, "suppressions")) == NULL)
		return -1;
	for (size_t i = 0; i < json_array_size(procs); i++) {
		if (read_process(rd, json_array_get(procs, i), i + 1) < 0)
			return -1;
	}
	for (size_t i = 0; i < json_array_size(supps); i++) {
		struct report_supp *e;

		rd->r->supps = xgrow(rd->r->supps, rd->r->nsupps,
		    sizeof *rd->r->supps);
		e = &rd->r->supps[rd->r->nsupps++];
		memset(e, 0, sizeof *e);
		snprintf(rd->where, sizeof rd->where, "suppression %zu", i + 1);
		if (read_fields(rd, json_array_get(supps, i), supp_fields,
		    ARRAY_SIZE(supp_fields), e) < 0)
			return -1;
	}
	rd->where[0] = '\0';
	return 0;
}

/* The next byte that is not JSON white space, left unread; EOF at the end. */
static int
skip_space(FILE *f)
{
	int c;

	while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	if (c != EOF)
		ungetc(c, f);
	return c;
}

/*
 * The values of the stream: dump objects, then the report; any other
 * value, or anything after the report, is not fdleak's output. The
 * dumps are converted after the report's version has been checked.
 */
static int
read_stream(struct reader *rd, FILE *f, json_t **report, json_t **dumps)
{
	json_error_t e;
	json_t *v;
	long at;

	*dumps = json_array();
	while (skip_space(f) != EOF) {
		if (*report != NULL)
			return fail(rd, "data after the report (at byte %ld)",
			    ftell(f));
		at = ftell(f);
		v = json_loadf(f, JSON_DISABLE_EOF_CHECK, &e);
		if (v == NULL && json_error_code(&e) ==
		    json_error_premature_end_of_input)
			return fail(rd, "truncated: the JSON ends inside a value "
			    "(byte %ld)", at + (long)e.position);
		if (v == NULL)
			return fail(rd, "not JSON at byte %ld: %s",
			    at + (long)e.position, e.text);
		if (json_is_object(v) && json_object_get(v, "dump") != NULL)
			json_array_append_new(*dumps, v);
		else if (json_is_object(v) && json_object_get(v, "processes") != NULL)
			*report = v;
		else {
			json_decref(v);
			return fail(rd, "not an fdleak JSON report: a value at byte "
			    "%ld is neither a dump nor the report", at);
		}
	}
	if (*report == NULL && json_array_size(*dumps) > 0)
		return fail(rd, "truncated: %zu dumps and no report after them",
		    json_array_size(*dumps));
	if (*report == NULL)
		return fail(rd, "not an fdleak JSON report: no JSON in it");
	return 0;
}

int
report_read(FILE *f, const char *name, struct report *r, char **err)
{
	struct reader rd = { .name = name, .r = r };
	json_t *report = NULL, *dumps = NULL;
	int rc;

	r->stacks = symstacks_new(NULL);
	rc = read_stream(&rd, f, &report, &dumps);
	if (rc == 0)
		rc = read_report(&rd, report);
	for (size_t i = 0; rc == 0 && i < json_array_size(dumps); i++)
		rc = read_dump(&rd, json_array_get(dumps, i), i + 1);
	json_decref(report);
	json_decref(dumps);
	*err = rd.err;
	return rc;
}
