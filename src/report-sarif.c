// SPDX-License-Identifier: MIT
/*
 * report-sarif.c - the report as a SARIF 2.1.0 log, the format code
 * scanning services (GitHub's upload-sarif among them) read. One result
 * per call site of each process (rule fd-leak), per close misuse
 * (fd-double-close, fd-bad-close) and per fd inherited across an exec
 * (fd-inherited).
 *
 * A result is located at the innermost frame outside libc that has a name
 * and is not start-up code (report_user_frame), the line a developer
 * fixes: at its file and line when known, else in its module at its
 * offset ("dash+0x7571"); the whole stack follows as a SARIF stack. File names are written as DWARF gives them: a relative name is a
 * URI reference relative to %SRCROOT% (the compilation directory, usually
 * the checkout), an absolute one a file: URI.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "syscall.h"
#include "util.h"

#define SARIF_SCHEMA	"https://json.schemastore.org/sarif-2.1.0.json"
#define TARGETS_SHOWN	3	/* targets named in a message */

enum rule { RULE_LEAK, RULE_DOUBLE_CLOSE, RULE_BAD_CLOSE, RULE_INHERITED };

static const struct {
	const char *id, *name, *level, *short_text, *full_text;
} rules[] = {
	[RULE_LEAK] = { "fd-leak", "FdLeak", "warning",
	    "File descriptor leaked",
	    "A file descriptor created here was still open when its process "
	    "exited: nothing closed it." },
	[RULE_DOUBLE_CLOSE] = { "fd-double-close", "FdDoubleClose", "error",
	    "File descriptor closed twice",
	    "close() was called on a file descriptor that this process had "
	    "already closed; had another thread reused the number in between, "
	    "an unrelated file would have been closed." },
	[RULE_BAD_CLOSE] = { "fd-bad-close", "FdBadClose", "warning",
	    "Close of a file descriptor that is not open",
	    "close() failed with EBADF: the file descriptor was never open in "
	    "this process." },
	[RULE_INHERITED] = { "fd-inherited", "FdInherited", "note",
	    "File descriptor inherited across exec",
	    "A file descriptor created without close-on-exec survived an "
	    "execve() into another program." },
};

/* A URI reference for a file name: unreserved bytes and '/' kept, the rest %XX. */
static void
sarif_uri(FILE *f, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char *buf, *q;

	buf = xmalloc(strlen(path) * 3 + 8);
	q = buf;
	if (path[0] == '/') {
		memcpy(q, "file://", 7);
		q += 7;
	}
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL) {
			*q++ = (char)*p;
		} else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	json_cstring(f, buf);
	free(buf);
}

static void
sarif_physical(FILE *f, const struct report_frame *fr, bool address)
{
	fputs("\"physicalLocation\": {", f);
	if (fr->file != NULL) {
		fputs("\"artifactLocation\": {\"uri\": ", f);
		sarif_uri(f, fr->file);
		if (fr->file[0] != '/')
			fputs(", \"uriBaseId\": \"%SRCROOT%\"", f);
		fputc('}', f);
		if (fr->line > 0)
			fprintf(f, ", \"region\": {\"startLine\": %d}", fr->line);
		if (address)
			fputs(", ", f);
	}
	if (address)
		fprintf(f, "\"address\": {\"absoluteAddress\": %" PRIu64 "}", fr->pc);
	fputc('}', f);
}

static void
sarif_stack(FILE *f, const struct report_stack *st, const char *what)
{
	char label[512];

	fputs("{\"message\": {\"text\": ", f);
	json_cstring(f, what);
	fputs("}, \"frames\": [", f);
	for (unsigned i = 0; i < st->n; i++) {
		const struct report_frame *fr = &st->frames[i];

		fputs(i ? ", " : "", f);
		fputs("{\"location\": {", f);
		sarif_physical(f, fr, true);
		fputs(", \"message\": {\"text\": ", f);
		json_cstring(f, report_frame_label(fr, label, sizeof label));
		fputs("}}", f);
		if (fr->module != NULL) {
			fputs(", \"module\": ", f);
			json_cstring(f, fr->module);
		}
		if (fr->inlined)
			fputs(", \"properties\": {\"inlined\": true}", f);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* " in FUNC (FILE:LINE)", " in FUNC", " in dash+0x7571" of the anchor; "" for none. */
static char *
sarif_where(const struct report_stack *st, long anchor)
{
	const struct report_frame *a;
	const char *label;
	char buf[512];

	if (anchor < 0)
		return xstrdup("");
	a = &st->frames[anchor];
	if (a->name == NULL && a->module == NULL)
		return xstrdup("");	/* anonymous memory: nothing to name */
	label = report_frame_label(a, buf, sizeof buf);
	if (a->file != NULL && a->line > 0)
		return xasprintf(" in %s (%s:%d)", label, a->file, a->line);
	return xasprintf(" in %s", label);
}

/*
 * The locations array: the anchor frame at its source line, or in its
 * module at its offset; without either, the program itself (GitHub
 * wants a location for every result).
 */
static void
sarif_locations(FILE *f, const struct report_stack *st, long anchor,
    const char *program)
{
	const struct report_frame *a = anchor >= 0 ? &st->frames[anchor] : NULL;
	char label[512];

	fputs(", \"locations\": [{", f);
	if (a != NULL && a->file != NULL) {
		sarif_physical(f, a, false);
	} else {
		fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", f);
		sarif_uri(f, a != NULL && a->module != NULL ? a->module :
		    program != NULL ? program : "unknown");
		fputc('}', f);
		if (a != NULL && a->module != NULL)
			fprintf(f, ", \"address\": {\"relativeAddress\": %" PRIu64
			    ", \"absoluteAddress\": %" PRIu64 "}", a->offset, a->pc);
		fputc('}', f);
	}
	if (a != NULL && (a->name != NULL || a->module != NULL)) {
		fputs(", \"logicalLocations\": [{\"fullyQualifiedName\": ", f);
		json_cstring(f, report_frame_label(a, label, sizeof label));
		fprintf(f, ", \"kind\": \"%s\"}]", a->name != NULL ? "function" :
		    "address");
	}
	fputc('}', f);
	fputc(']', f);
}

static void
sarif_result_head(FILE *f, enum rule rule, bool *first, const char *message)
{
	fputs(*first ? "\n    " : ",\n    ", f);
	*first = false;
	fprintf(f, "{\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\", "
	    "\"message\": {\"text\": ", rules[rule].id, (int)rule,
	    rules[rule].level);
	json_cstring(f, message);
	fputc('}', f);
}

/* "2 file, 1 socket" */
static char *
kinds_text(const unsigned *kinds)
{
	char *s = xstrdup(""), *t;

	for (unsigned k = 0; k < FDK_COUNT; k++) {
		if (kinds[k] == 0)
			continue;
		t = xasprintf("%s%s%u %s", s, s[0] ? ", " : "", kinds[k],
		    fd_kind_name((enum fd_kind)k));
		free(s);
		s = t;
	}
	return s;
}

/* "; targets: \"a\", \"b\" and 3 more" (JSON-free: the caller escapes the lot). */
static char *
targets_text(const char **targets, size_t n)
{
	char *s, *t;

	if (n == 0)
		return xstrdup("");
	s = xstrdup("; targets: ");
	for (size_t i = 0; i < n && i < TARGETS_SHOWN; i++) {
		t = xasprintf("%s%s\"%s\"", s, i ? ", " : "", targets[i]);
		free(s);
		s = t;
	}
	if (n > TARGETS_SHOWN) {
		t = xasprintf("%s and %zu more", s, n - TARGETS_SHOWN);
		free(s);
		s = t;
	}
	return s;
}

static void
sarif_site(FILE *f, const struct report *r, const struct proc_report *p,
    const struct site *s, bool *first)
{
	struct report_stack st = report_stack(r, s->stack);
	const char **targets;
	size_t nt;
	long anchor;
	char *where, *kinds, *tt, *msg;

	anchor = report_user_frame(&st);
	where = sarif_where(&st, anchor);
	kinds = kinds_text(s->kinds);
	targets = report_site_targets(p, s, &nt);
	tt = targets_text(targets, nt);
	msg = xasprintf("%zu file descriptor%s leaked (%s), opened%s by %s "
	    "(pid %d)%s", s->count, s->count == 1 ? "" : "s", kinds, where,
	    p->command != NULL ? p->command : "?", p->pid, tt);
	sarif_result_head(f, RULE_LEAK, first, msg);
	sarif_locations(f, &st, anchor, p->command);
	fputs(", \"stacks\": [", f);
	sarif_stack(f, &st, "where the file descriptors were created");
	fprintf(f, "], \"properties\": {\"pid\": %d, \"count\": %zu, \"fds\": [",
	    p->pid, s->count);
	for (size_t i = 0; i < s->count; i++)
		fprintf(f, "%s%d", i ? ", " : "", p->leaks[s->leaks[i]].fd);
	fputs("], \"targets\": [", f);
	for (size_t i = 0; i < nt; i++) {
		fputs(i ? ", " : "", f);
		json_cstring(f, targets[i]);
	}
	fputs("]}}", f);
	free(msg);
	free(tt);
	free(targets);
	free(kinds);
	free(where);
}

static void
sarif_misuse(FILE *f, const struct report *r, const struct proc_report *p,
    const struct misuse *m, bool *first)
{
	enum rule rule = m->type == MISUSE_DOUBLE_CLOSE ? RULE_DOUBLE_CLOSE :
	    RULE_BAD_CLOSE;
	struct report_stack st = report_stack(r, m->stack);
	long anchor;
	char *where, *msg, *times;

	anchor = report_user_frame(&st);
	where = sarif_where(&st, anchor);
	times = m->count > 1 ? xasprintf(" (%zu times)", m->count) : xstrdup("");
	msg = xasprintf("%s(%d)%s by %s (pid %d, thread %d): %s%s",
	    m->nr >= 0 ? syscall_name(m->nr) : "close", m->fd, where,
	    p->command != NULL ? p->command : "?", p->pid, m->tid,
	    rule == RULE_DOUBLE_CLOSE ? "the fd was already closed" :
	    "the fd was not open", times);
	sarif_result_head(f, rule, first, msg);
	sarif_locations(f, &st, anchor, p->command);
	fputs(", \"stacks\": [", f);
	sarif_stack(f, &st, "the failing close");
	if (rule == RULE_DOUBLE_CLOSE) {
		struct report_stack prev = report_stack(r, m->prev_stack);

		fputs(", ", f);
		sarif_stack(f, &prev, "the previous close");
		if (m->open_stack != 0) {
			struct report_stack made = report_stack(r, m->open_stack);

			fputs(", ", f);
			sarif_stack(f, &made, "where the file descriptor was created");
		}
	}
	fprintf(f, "], \"properties\": {\"pid\": %d, \"fd\": %d, \"tid\": %d, "
	    "\"count\": %zu}}", p->pid, m->fd, m->tid, m->count);
	free(times);
	free(msg);
	free(where);
}

static void
sarif_inherited(FILE *f, const struct report *r, const struct proc_report *p,
    const struct inherited *in, bool *first)
{
	struct report_stack st = report_stack(r, in->stack);
	long anchor;
	char *where, *msg;

	anchor = report_user_frame(&st);
	where = sarif_where(&st, anchor);
	msg = xasprintf("fd %d (%s%s%s%s), created without close-on-exec%s, "
	    "was inherited by %s (pid %d)", in->fd, fd_kind_name(in->kind),
	    in->target != NULL ? " \"" : "", in->target != NULL ? in->target : "",
	    in->target != NULL ? "\"" : "", where,
	    in->program != NULL ? in->program : "?", p->pid);
	sarif_result_head(f, RULE_INHERITED, first, msg);
	sarif_locations(f, &st, anchor, in->program);
	fputs(", \"stacks\": [", f);
	sarif_stack(f, &st, "where the file descriptor was created");
	fprintf(f, "], \"properties\": {\"pid\": %d, \"fd\": %d}}", p->pid, in->fd);
	free(msg);
	free(where);
}

void
report_sarif(FILE *f, const struct report *r)
{
	bool first = true;

	fputs("{\n  \"version\": \"2.1.0\",\n  \"$schema\": \"" SARIF_SCHEMA
	    "\",\n  \"runs\": [{\n   \"tool\": {\"driver\": {\"name\": \"fdleak\", "
	    "\"version\": ", f);
	json_cstring(f, FDLEAK_VERSION);
	fputs(", \"rules\": [", f);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		fprintf(f, "%s\n    {\"id\": \"%s\", \"name\": \"%s\", "
		    "\"shortDescription\": {\"text\": ", i ? "," : "",
		    rules[i].id, rules[i].name);
		json_cstring(f, rules[i].short_text);
		fputs("}, \"fullDescription\": {\"text\": ", f);
		json_cstring(f, rules[i].full_text);
		fprintf(f, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
		    rules[i].level);
	}
	fputs("]}},\n   \"results\": [", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc_report *p = &r->procs[i];
		struct site *sites;
		size_t nsites;

		sites = report_sites(p, &nsites);
		for (size_t j = 0; j < nsites; j++)
			sarif_site(f, r, p, &sites[j], &first);
		report_sites_free(sites, nsites);
		for (size_t j = 0; j < p->nmisuse; j++)
			sarif_misuse(f, r, p, &p->misuse[j], &first);
		for (size_t j = 0; j < p->ninherited; j++)
			sarif_inherited(f, r, p, &p->inherited[j], &first);
	}
	fputs(first ? "]\n  }]\n}\n" : "\n   ]\n  }]\n}\n", f);
}
