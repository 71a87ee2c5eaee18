// SPDX-License-Identifier: MIT
/*
 * suppress.c - suppression files (see suppress.h for the format): a pure
 * line parser, the matching of an entry against a symbolized stack, and
 * the writer of entries for --gen-suppressions.
 *
 * Frames are matched from the first frame outside libc, as the default
 * report prints them, so that an entry written by --gen-suppressions
 * matches with or without --libc-frames. An entry's frames need only
 * match the start of the stack (as in valgrind); "..." matches any
 * number of frames, so "...\nfun:main" matches any stack that reaches
 * main. fun: matches either spelling of a C++ name.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demangle.h"
#include "hash.h"
#include "report.h"
#include "suppress.h"
#include "syscall.h"
#include "util.h"

static const struct {
	const char *name;
	enum supp_type type;
} types[] = {
	{ "fdleak:Leak", SUPP_LEAK },
	{ "fdleak:Misuse", SUPP_MISUSE },
	{ "fdleak:Inherited", SUPP_INHERITED },
};
#define TYPE_NAMES	"fdleak:Leak, fdleak:Misuse or fdleak:Inherited"
#define SUPP_FILE_MAX	(16 << 20)	/* a suppression file larger than this is a mistake */

/* Per stack id: whether each entry's frames match. */
struct supp_cache {
	uint32_t *stacks;
	signed char **answers;	/* one per entry, for the stack of the same index */
	size_t n;
	struct hindex ix;	/* by stack id */
};

static void
cache_free(struct supp_cache *c)
{
	if (c == NULL)
		return;
	for (size_t k = 0; k < c->n; k++)
		free(c->answers[k]);
	free(c->answers);
	free(c->stacks);
	hindex_free(&c->ix);
	free(c);
}

/* ---- parsing ---- */

struct parser {
	const char *file;
	char **err;
};

/* A line's text for a message: at most 40 bytes, control bytes as '?'. */
static char *
quote_line(const char *s)
{
	size_t n = strlen(s);
	char *q;

	if (n > 40)
		n = 40;
	q = xstrndup(s, n);
	for (char *p = q; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	if (strlen(s) > 40) {
		char *t = xasprintf("%s...", q);

		free(q);
		q = t;
	}
	return q;
}

static int __attribute__((format(printf, 3, 4)))
parse_error(struct parser *ps, unsigned line, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	*ps->err = xasprintf("%s:%u: %s", ps->file, line,
	    msg != NULL ? msg : "out of memory");
	free(msg);
	return -1;
}

static void
entry_free(struct supp_entry *e)
{
	for (size_t i = 0; i < e->nframes; i++)
		free(e->frames[i].pattern);
	free(e->frames);
	free(e->name);
	free(e->misuse);
	free(e->fd);
	free(e->syscall);
	free(e->kind);
	free(e->target);
	free(e->file);
	memset(e, 0, sizeof *e);
}

static bool
has_wildcard(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static bool
known_kind(const char *name)
{
	for (int k = FDK_UNKNOWN + 1; k < FDK_COUNT; k++) {
		if (strcmp(fd_kind_name((enum fd_kind)k), name) == 0)
			return true;
	}
	return false;
}

/* A body line of entry e (trimmed, not "}"); 0 or -1 after the message. */
static int
parse_body_line(struct parser *ps, unsigned line, struct supp_entry *e,
    const char *s)
{
	static const struct {
		const char *prefix;
		enum supp_frame_type type;
	} frames[] = {
		{ "fun:", SUPP_FUN },
		{ "obj:", SUPP_OBJ },
	};
	char *q;

	if (strcmp(s, "...") == 0) {
		e->frames = xreallocarray(e->frames, e->nframes + 1, sizeof *e->frames);
		e->frames[e->nframes++] = (struct supp_frame){ SUPP_ANY, NULL };
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++) {
		size_t plen = strlen(frames[i].prefix);

		if (strncmp(s, frames[i].prefix, plen) != 0)
			continue;
		if (s[plen] == '\0')
			return parse_error(ps, line, "empty pattern after '%s'",
			    frames[i].prefix);
		e->frames = xreallocarray(e->frames, e->nframes + 1, sizeof *e->frames);
		e->frames[e->nframes++] = (struct supp_frame){ frames[i].type,
		    xstrdup(s + plen) };
		return 0;
	}
	if (strncmp(s, "kind:", 5) == 0) {
		if (e->kind != NULL)
			return parse_error(ps, line, "a second kind: line in entry '%s'",
			    e->name);
		if (s[5] == '\0')
			return parse_error(ps, line, "empty pattern after 'kind:'");
		if (!has_wildcard(s + 5) && !known_kind(s + 5)) {
			q = quote_line(s + 5);
			parse_error(ps, line, "unknown kind '%s' (see fdleak(1) for "
			    "the kinds)", q);
			free(q);
			return -1;
		}
		e->kind = xstrdup(s + 5);
		return 0;
	}
	if (strncmp(s, "misuse:", 7) == 0) {
		if (e->type != SUPP_MISUSE)
			return parse_error(ps, line, "a misuse: line in entry '%s', "
			    "which is not of type fdleak:Misuse", e->name);
		if (e->misuse != NULL)
			return parse_error(ps, line, "a second misuse: line in entry '%s'",
			    e->name);
		if (s[7] == '\0')
			return parse_error(ps, line, "empty pattern after 'misuse:'");
		if (!has_wildcard(s + 7) && strcmp(s + 7, "double-close") != 0 &&
		    strcmp(s + 7, "bad-close") != 0) {
			q = quote_line(s + 7);
			parse_error(ps, line, "unknown misuse type '%s' (expected "
			    "double-close or bad-close)", q);
			free(q);
			return -1;
		}
		e->misuse = xstrdup(s + 7);
		return 0;
	}
	if (strncmp(s, "fd:", 3) == 0) {
		if (e->fd != NULL)
			return parse_error(ps, line, "a second fd: line in entry '%s'",
			    e->name);
		if (s[3] == '\0')
			return parse_error(ps, line, "empty pattern after 'fd:'");
		if (strspn(s + 3, "0123456789*?[]-!") != strlen(s + 3)) {
			q = quote_line(s + 3);
			parse_error(ps, line, "fd pattern '%s' can match no fd number",
			    q);
			free(q);
			return -1;
		}
		e->fd = xstrdup(s + 3);
		return 0;
	}
	if (strncmp(s, "syscall:", 8) == 0) {
		if (e->syscall != NULL)
			return parse_error(ps, line, "a second syscall: line in entry "
			    "'%s'", e->name);
		if (s[8] == '\0')
			return parse_error(ps, line, "empty pattern after 'syscall:'");
		e->syscall = xstrdup(s + 8);
		return 0;
	}
	if (strncmp(s, "target:", 7) == 0) {
		if (e->target != NULL)
			return parse_error(ps, line, "a second target: line in entry '%s'",
			    e->name);
		if (s[7] == '\0')
			return parse_error(ps, line, "empty pattern after 'target:'");
		e->target = xstrdup(s + 7);
		return 0;
	}
	q = quote_line(s);
	if (strcmp(s, "{") == 0)
		parse_error(ps, line, "'{' inside entry '%s' (missing '}'?)", e->name);
	else
		parse_error(ps, line, "unexpected line '%s' in entry '%s' (expected "
		    "misuse:, kind:, target:, fd:, syscall:, fun:, obj:, ... or })",
		    q, e->name);
	free(q);
	return -1;
}

int
suppress_parse(struct suppress *s, const char *file, const char *text,
    size_t len, bool builtin, char **err)
{
	enum { OUTSIDE, NAME, TYPE, BODY } state = OUTSIDE;
	struct parser ps = { file, err };
	struct supp_entry e, *added = NULL;
	size_t nadded = 0, i = 0;
	unsigned line = 0, start = 0;
	int rc = -1;

	memset(&e, 0, sizeof e);
	*err = NULL;
	if (text == NULL)
		len = 0;
	while (i < len) {
		size_t eol = i, a, b;
		char *l;

		while (eol < len && text[eol] != '\n')
			eol++;
		line++;
		a = i;
		b = eol;
		i = eol + 1;
		if (memchr(text + a, '\0', b - a) != NULL) {
			parse_error(&ps, line, "NUL byte in line");
			goto out;
		}
		while (a < b && (text[a] == ' ' || text[a] == '\t'))
			a++;
		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' ||
		    text[b - 1] == '\r'))
			b--;
		if (a == b || text[a] == '#')
			continue;
		l = xstrndup(text + a, b - a);
		switch (state) {
		case OUTSIDE:
			if (strcmp(l, "{") != 0) {
				char *q = quote_line(l);

				parse_error(&ps, line, "expected '{' to begin an entry, "
				    "found '%s'", q);
				free(q);
				free(l);
				goto out;
			}
			start = line;
			state = NAME;
			break;
		case NAME:
			if (strcmp(l, "{") == 0 || strcmp(l, "}") == 0) {
				parse_error(&ps, line, "entry without a name");
				free(l);
				goto out;
			}
			e.name = l;
			l = NULL;
			state = TYPE;
			break;
		case TYPE: {
			size_t k;

			for (k = 0; k < ARRAY_SIZE(types); k++) {
				if (strcmp(l, types[k].name) == 0)
					break;
			}
			if (k == ARRAY_SIZE(types)) {
				char *q = quote_line(l);

				parse_error(&ps, line, "unknown suppression type '%s' in "
				    "entry '%s' (expected " TYPE_NAMES ")", q, e.name);
				free(q);
				free(l);
				goto out;
			}
			e.type = types[k].type;
			state = BODY;
			break;
		}
		case BODY:
			if (strcmp(l, "}") == 0) {
				e.file = xstrdup(file);
				e.line = start;
				e.builtin = builtin;
				added = xreallocarray(added, nadded + 1, sizeof *added);
				added[nadded++] = e;
				memset(&e, 0, sizeof e);
				state = OUTSIDE;
			} else if (parse_body_line(&ps, line, &e, l) < 0) {
				free(l);
				goto out;
			}
			break;
		}
		free(l);
	}
	if (state != OUTSIDE) {
		if (e.name != NULL)
			parse_error(&ps, start, "entry '%s' has no closing '}'", e.name);
		else
			parse_error(&ps, start, "entry has no closing '}'");
		goto out;
	}
	rc = 0;
	if (nadded == 0)
		goto out;
	s->entries = xreallocarray(s->entries, s->n + nadded, sizeof *s->entries);
	memcpy(s->entries + s->n, added, nadded * sizeof *added);
	s->n += nadded;
	nadded = 0;
	/* The per-stack answers were for fewer entries. */
	cache_free(s->cache);
	s->cache = NULL;
out:
	entry_free(&e);
	for (size_t k = 0; k < nadded; k++)
		entry_free(&added[k]);
	free(added);
	return rc;
}

int
suppress_load(struct suppress *s, const char *path, bool builtin, char **err)
{
	size_t cap = 4096, len = 0;
	char *buf;
	int fd, rc;

	*err = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= SUPP_FILE_MAX) {
				*err = xasprintf("%s: larger than %d MiB", path,
				    SUPP_FILE_MAX >> 20);
				close(fd);
				free(buf);
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	rc = suppress_parse(s, path, buf, len, builtin, err);
	free(buf);
	return rc;
}

void
suppress_free(struct suppress *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->entries[i]);
	free(s->entries);
	cache_free(s->cache);
	memset(s, 0, sizeof *s);
}

/* ---- matching ---- */

static bool
frame_match(const struct supp_frame *pf, const struct supp_sym *f)
{
	if (pf->type == SUPP_FUN) {
		const char *fn = f->function != NULL ? f->function : "???";

		return fnmatch(pf->pattern, fn, 0) == 0 ||
		    (f->demangled != NULL && fnmatch(pf->pattern, f->demangled, 0) == 0);
	}
	return fnmatch(pf->pattern, f->module != NULL ? f->module : "???", 0) == 0;
}

bool
suppress_match_frames(const struct supp_entry *e, const struct supp_sym *frames,
    size_t n)
{
	size_t np = e->nframes, cols = n + 1;
	unsigned char *ok;
	bool r;

	/*
	 * ok[i * cols + j]: patterns [i, np) match a prefix of frames [j, n).
	 * Filled from the end, so "..." costs no backtracking.
	 */
	ok = xcalloc((np + 1) * cols, 1);
	for (size_t j = 0; j <= n; j++)
		ok[np * cols + j] = 1;
	for (size_t i = np; i-- > 0;) {
		const struct supp_frame *pf = &e->frames[i];

		for (size_t j = n + 1; j-- > 0;) {
			unsigned char v;

			if (pf->type == SUPP_ANY)
				v = ok[(i + 1) * cols + j] ||
				    (j < n && ok[i * cols + j + 1]);
			else
				v = j < n && frame_match(pf, &frames[j]) &&
				    ok[(i + 1) * cols + j + 1];
			ok[i * cols + j] = v;
		}
	}
	r = ok[0] != 0;
	free(ok);
	return r;
}

bool
suppress_match_record(const struct supp_entry *e, const struct supp_record *r)
{
	char fd[16];

	if (e->type != r->type)
		return false;
	if (e->misuse != NULL && (r->misuse == NULL ||
	    fnmatch(e->misuse, r->misuse, 0) != 0))
		return false;
	if (e->kind != NULL && (r->kind == NULL ||
	    fnmatch(e->kind, r->kind, 0) != 0))
		return false;
	if (e->target != NULL && (r->target == NULL ||
	    fnmatch(e->target, r->target, 0) != 0))
		return false;
	snprintf(fd, sizeof fd, "%d", r->fd);
	if (e->fd != NULL && fnmatch(e->fd, fd, 0) != 0)
		return false;
	if (e->syscall != NULL && (r->syscall == NULL ||
	    fnmatch(e->syscall, r->syscall, 0) != 0))
		return false;
	return true;
}

/*
 * The frames of stack as entries see them: the printed ones, leading libc
 * frames folded whatever --libc-frames says. Malloc'd array of *n.
 */
static struct supp_sym *
stack_syms(const struct report *r, uint32_t stack, size_t *n)
{
	struct report_stack st = report_stack(r, stack);
	struct supp_sym *v;
	unsigned first = 0;

	while (first < st.n && st.frames[first].libc)
		first++;
	if (first == st.n)
		first = 0;
	*n = st.n - first;
	v = xreallocarray(NULL, *n ? *n : 1, sizeof *v);
	for (size_t i = 0; i < *n; i++) {
		const struct report_frame *f = &st.frames[first + i];

		v[i] = (struct supp_sym){ f->function,
		    f->name != f->function && f->name != NULL &&
		    (f->function == NULL || strcmp(f->name, f->function) != 0) ?
		    f->name : NULL, f->module };
	}
	return v;
}

struct stack_key {
	const struct supp_cache *c;
	uint32_t stack;
};

static bool
stack_eq(const void *arg, uint32_t entry)
{
	const struct stack_key *k = arg;

	return k->c->stacks[entry] == k->stack;
}

/* Whether each entry's frames match stack: an array of s->n answers, cached. */
static const signed char *
stack_answers(struct suppress *s, const struct report *r, uint32_t stack)
{
	struct supp_cache *c;
	struct stack_key k;
	struct supp_sym *syms;
	signed char *a;
	uint32_t e;
	size_t n;

	if (s->cache == NULL)
		s->cache = xcalloc(1, sizeof *s->cache);
	c = s->cache;
	k = (struct stack_key){ c, stack };
	if ((e = hindex_find(&c->ix, hash_int(stack), stack_eq, &k)) != HINDEX_NONE)
		return c->answers[e];
	syms = stack_syms(r, stack, &n);
	a = xmalloc(s->n ? s->n : 1);
	for (size_t i = 0; i < s->n; i++)
		a[i] = suppress_match_frames(&s->entries[i], syms, n);
	free(syms);
	c->stacks = xgrow(c->stacks, c->n, sizeof *c->stacks);
	c->answers = xgrow(c->answers, c->n, sizeof *c->answers);
	c->stacks[c->n] = stack;
	c->answers[c->n] = a;
	hindex_add(&c->ix, hash_int(stack), (uint32_t)c->n++);
	return a;
}

/* The name of syscall nr for matching; NULL when not known. */
static const char *
origin_name(int nr, bool unknown)
{
	return unknown || nr < 0 ? NULL : syscall_name(nr);
}

/* The entry of s that matches rec made at stack, or NULL; its hits count it. */
static struct supp_entry *
match(struct suppress *s, const struct report *r, uint32_t stack,
    const struct supp_record *rec, size_t times)
{
	const signed char *a = stack_answers(s, r, stack);

	for (size_t k = 0; k < s->n; k++) {
		struct supp_entry *e = &s->entries[k];

		if (a[k] && suppress_match_record(e, rec)) {
			e->hits += times;
			return e;
		}
	}
	return NULL;
}

size_t
suppress_apply(struct suppress *s, const struct report *r,
    struct proc_report *p)
{
	size_t kept = 0, dropped = 0;
	struct supp_entry *e;

	if (s == NULL || s->n == 0)
		return 0;
	for (size_t i = 0; i < p->nleaks; i++) {
		struct leak *l = &p->leaks[i];

		e = match(s, r, l->stack, &(struct supp_record){ SUPP_LEAK, NULL,
		    fd_kind_name(l->kind), l->target, l->fd, origin_name(l->nr,
		    l->unknown_origin) }, 1);
		if (e == NULL) {
			p->leaks[kept++] = *l;
			continue;
		}
		free(l->target);
		p->nsuppressed++;
		p->nsuppressed_default += e->builtin;
		dropped++;
	}
	p->nleaks = kept;
	kept = 0;
	for (size_t i = 0; i < p->nmisuse; i++) {
		struct misuse *m = &p->misuse[i];

		e = match(s, r, m->stack, &(struct supp_record){ SUPP_MISUSE,
		    report_misuse_name(m->type), m->kind != FDK_UNKNOWN ?
		    fd_kind_name(m->kind) : NULL, NULL, m->fd,
		    origin_name(m->nr, false) }, m->count);
		if (e == NULL) {
			p->misuse[kept++] = *m;
			continue;
		}
		p->nsuppressed_misuse += m->count;
		if (e->builtin)
			p->nsuppressed_default += m->count;
		dropped += m->count;
	}
	p->nmisuse = kept;
	kept = 0;
	for (size_t i = 0; i < p->ninherited; i++) {
		struct inherited *in = &p->inherited[i];

		e = match(s, r, in->stack, &(struct supp_record){ SUPP_INHERITED,
		    NULL, fd_kind_name(in->kind), in->target, in->fd,
		    origin_name(in->nr, false) }, 1);
		if (e == NULL) {
			p->inherited[kept++] = *in;
			continue;
		}
		free(in->target);
		free(in->program);
		p->nsuppressed_inherited++;
		p->nsuppressed_default += e->builtin;
		dropped++;
	}
	p->ninherited = kept;
	return dropped;
}

/* Whether a frame of stack lies in a module one of globs[0..n) matches. */
static bool
from_modules(const struct report *r, uint32_t stack, const char *const *globs,
    size_t n)
{
	struct report_stack st = report_stack(r, stack);

	for (unsigned i = 0; i < st.n; i++) {
		if (st.frames[i].module == NULL)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (fnmatch(globs[k], st.frames[i].module, 0) == 0)
				return true;
		}
	}
	return false;
}

size_t
suppress_only_from(const struct report *r, struct proc_report *p,
    const char *const *globs, size_t n)
{
	size_t kept = 0, dropped = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < p->nleaks; i++) {
		if (from_modules(r, p->leaks[i].stack, globs, n)) {
			p->leaks[kept++] = p->leaks[i];
			continue;
		}
		free(p->leaks[i].target);
		dropped++;
	}
	p->nleaks = kept;
	kept = 0;
	for (size_t i = 0; i < p->nmisuse; i++) {
		if (from_modules(r, p->misuse[i].stack, globs, n)) {
			p->misuse[kept++] = p->misuse[i];
			continue;
		}
		dropped += p->misuse[i].count;
	}
	p->nmisuse = kept;
	kept = 0;
	for (size_t i = 0; i < p->ninherited; i++) {
		if (from_modules(r, p->inherited[i].stack, globs, n)) {
			p->inherited[kept++] = p->inherited[i];
			continue;
		}
		free(p->inherited[i].target);
		free(p->inherited[i].program);
		dropped++;
	}
	p->ninherited = kept;
	p->nonly_from += dropped;
	return dropped;
}

/* ---- writing ---- */

/*
 * A pattern that matches exactly s: wildcards quoted, control bytes as
 * '?' (which matches them), trailing spaces as "[ ]" (the parser trims
 * blanks at the end of a line).
 */
static void
write_literal(FILE *f, const char *s)
{
	size_t len = strlen(s), body = len;

	while (body > 0 && s[body - 1] == ' ')
		body--;
	for (size_t i = 0; i < body; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			fputc('?', f);
		else {
			if (c == '*' || c == '?' || c == '[' || c == '\\')
				fputc('\\', f);
			fputc(c, f);
		}
	}
	for (size_t i = body; i < len; i++)
		fputs("[ ]", f);
}

/* Text for a comment or a name: one line, no braces at the start. */
static void
write_plain(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

static const char *
type_name(enum supp_type type)
{
	for (size_t k = 0; k < ARRAY_SIZE(types); k++) {
		if (types[k].type == type)
			return types[k].name;
	}
	return types[0].name;
}

void
suppress_write_entry(FILE *f, const char *comment, const char *name,
    enum supp_type type, const char *misuse, const char *kind,
    const struct supp_sym *frames, size_t n)
{
	size_t nlen;
	char *copy;

	if (comment != NULL) {
		fputs("# ", f);
		write_plain(f, comment);
		fputc('\n', f);
	}
	/* The name line as the parser will read it: trimmed, not empty, not a comment. */
	while (*name == ' ' || *name == '\t')
		name++;
	nlen = strlen(name);
	while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t' ||
	    name[nlen - 1] == '\r'))
		nlen--;
	copy = xstrndup(name, nlen);
	fputs("{\n   ", f);
	if (nlen == 0)
		fputs("unnamed", f);
	else if (copy[0] == '{' || copy[0] == '}' || copy[0] == '#')
		fputc('_', f);
	write_plain(f, copy);
	free(copy);
	fprintf(f, "\n   %s\n", type_name(type));
	if (type == SUPP_MISUSE && misuse != NULL) {
		fputs("   misuse:", f);
		write_literal(f, misuse);
		fputc('\n', f);
	}
	if (kind != NULL) {
		fputs("   kind:", f);
		write_literal(f, kind);
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		if (frames[i].function != NULL) {
			fputs("   fun:", f);
			write_literal(f, frames[i].function);
		} else if (frames[i].module != NULL) {
			fputs("   obj:", f);
			write_literal(f, frames[i].module);
		} else {
			fputs("   fun:*", f);	/* nothing known: any one frame */
		}
		fputc('\n', f);
	}
	fputs("}\n", f);
}

/* The entry's name: letters, digits, '_', '-', '.' and ':' kept; the rest '_'. */
static char *
entry_name(const char *command, const char *what, const char *function,
    unsigned n)
{
	const char *base = command != NULL ? path_base(command) : "?";
	char *s;

	s = xasprintf("fdleak-%s-%s%s-%u", base, what, function != NULL ?
	    function : "unknown", n);
	for (char *p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_-.:", *p) != NULL))
			*p = '_';
	}
	return s;
}

/* What the generator writes one entry for. */
struct gen_record {
	enum supp_type type;
	const char *misuse;	/* the misuse type, or NULL */
	const char *kind;	/* NULL when of several kinds */
	uint32_t stack;
	const char *what;	/* "5 fds from", "double-close in", ... */
};

/* Write the entry for g unless one with the same body was written. */
static void
gen_entry(struct supp_writer *w, const struct report *r,
    const struct proc_report *p, const struct gen_record *g)
{
	struct supp_sym *syms;
	char *body = NULL, *name, *comment;
	const char *fn;
	size_t n, blen = 0;
	FILE *m;

	syms = stack_syms(r, g->stack, &n);
	/* The same site in a forked child: one entry. */
	m = open_memstream(&body, &blen);
	if (m == NULL) {
		free(syms);
		return;
	}
	suppress_write_entry(m, NULL, "", g->type, g->misuse, g->kind, syms, n);
	fclose(m);
	for (size_t k = 0; k < w->nseen; k++) {
		if (strcmp(w->seen[k], body) == 0) {
			free(body);
			free(syms);
			return;
		}
	}
	w->seen = xreallocarray(w->seen, w->nseen + 1, sizeof *w->seen);
	w->seen[w->nseen++] = body;
	fn = n > 0 && syms[0].function != NULL ? syms[0].function : NULL;
	name = entry_name(p->command, g->type == SUPP_LEAK ? "" :
	    g->type == SUPP_INHERITED ? "inherited-" :
	    g->misuse != NULL && g->misuse[0] == 'd' ? "double-close-" :
	    "bad-close-", fn, ++w->count);
	comment = xasprintf("pid %d %s: %s %s", p->pid,
	    p->command != NULL ? p->command : "?", g->what, fn == NULL ?
	    "an unknown function" : syms[0].demangled != NULL ?
	    syms[0].demangled : fn);
	suppress_write_entry(w->f, comment, name, g->type, g->misuse, g->kind,
	    syms, n);
	fflush(w->f);
	free(comment);
	free(name);
	free(syms);
}

void
suppress_write_process(struct supp_writer *w, const struct report *r,
    const struct proc_report *p)
{
	struct site *sites;
	size_t nsites;

	if (w == NULL || w->f == NULL)
		return;
	sites = report_sites(p, &nsites);
	for (size_t i = 0; i < nsites; i++) {
		const struct site *st = &sites[i];
		struct gen_record g = { SUPP_LEAK, NULL, NULL, st->stack, NULL };
		size_t nkinds = 0;
		char *what;

		for (unsigned k = 0; k < FDK_COUNT; k++) {
			if (st->kinds[k] != 0) {
				nkinds++;
				g.kind = fd_kind_name((enum fd_kind)k);
			}
		}
		if (nkinds != 1)
			g.kind = NULL;
		what = xasprintf("%zu fd%s from", st->count, st->count == 1 ?
		    "" : "s");
		g.what = what;
		gen_entry(w, r, p, &g);
		free(what);
	}
	report_sites_free(sites, nsites);
	for (size_t i = 0; i < p->nmisuse; i++) {
		const struct misuse *m = &p->misuse[i];
		struct gen_record g = { SUPP_MISUSE, report_misuse_name(m->type),
		    NULL, m->stack, NULL };
		char *what = xasprintf("%s of fd %d in", g.misuse, m->fd);

		g.what = what;
		gen_entry(w, r, p, &g);
		free(what);
	}
	for (size_t i = 0; i < p->ninherited; i++) {
		const struct inherited *in = &p->inherited[i];
		struct gen_record g = { SUPP_INHERITED, NULL,
		    fd_kind_name(in->kind), in->stack, NULL };
		char *what = xasprintf("fd %d inherited across exec, made in",
		    in->fd);

		g.what = what;
		gen_entry(w, r, p, &g);
		free(what);
	}
}

/* dir/rel, resolved, if it can be read; malloc'd, or NULL. */
static char *
readable(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), *real = NULL;

	if (access(path, R_OK) == 0)
		real = realpath(path, NULL);
	free(path);
	return real;
}

char *
suppress_default_path(const char *exe)
{
	static const char *const beside[] = {
		"../share/fdleak/default.supp",	/* installed: BINDIR/.. */
		"src/default.supp",		/* ./fdleak in the build tree */
		"../../src/default.supp",	/* build/asan/fdleak */
	};
	char *dir, *slash, *path = NULL;

	if (exe != NULL && (dir = realpath(exe, NULL)) != NULL) {
		slash = strrchr(dir, '/');
		if (slash != NULL)
			*slash = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(beside) && path == NULL; i++)
			path = readable(dir, beside[i]);
		free(dir);
	}
	if (path == NULL)
		path = readable(FDLEAK_DATADIR, "default.supp");
	return path;
}

void
suppress_writer_free(struct supp_writer *w)
{
	for (size_t i = 0; i < w->nseen; i++)
		free(w->seen[i]);
	free(w->seen);
	w->seen = NULL;
	w->nseen = 0;
}
