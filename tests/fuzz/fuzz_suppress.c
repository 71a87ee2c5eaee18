// SPDX-License-Identifier: MIT
/*
 * fuzz_suppress.c - suppress_parse on arbitrary text (not NUL-terminated:
 * ASan sees any read past it), appended to a set that already holds one
 * entry. On failure: -1, one "FILE:LINE: what" line in *err with LINE in
 * the text, and the set unchanged. On success: no message, the old entry
 * untouched, and each new entry well formed (a name, the line of its '{',
 * patterns that are not empty, a kind that is known or a pattern). Then,
 * for each new entry whose patterns are literal: it matches the stack its
 * frame lines spell (with or without more frames after it), "..." lines
 * match nothing or anything, and the entry --gen-suppressions would write
 * for that stack parses back and matches it too.
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fdkind.h"
#include "fuzz.h"
#include "suppress.h"

#define BASE	"{\n  base\n  fdleak:Leak\n  fun:main\n}\n"
#define MAXF	32	/* frames per entry that are checked */

static bool
literal(const char *p)
{
	return p == NULL || strpbrk(p, "*?[\\") == NULL;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
has_ctl(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* Line number n (from 1) of t[0..len), trimmed as the parser trims. */
static bool
line_is(const char *t, size_t len, unsigned n, const char *want)
{
	size_t i = 0, a, b;

	for (unsigned k = 1; k < n; k++) {
		const char *nl = memchr(t + i, '\n', len - i);

		if (nl == NULL)
			return false;
		i = (size_t)(nl - t) + 1;
	}
	a = i;
	b = a;
	while (b < len && t[b] != '\n')
		b++;
	while (a < b && blank(t[a]))
		a++;
	while (b > a && (blank(t[b - 1]) || t[b - 1] == '\r'))
		b--;
	return b - a == strlen(want) && memcmp(t + a, want, b - a) == 0;
}

static void
check_error(const char *err, const char *t, size_t len)
{
	unsigned long line;
	size_t lines = 1;
	char *end;

	FUZZ_CHECK(err != NULL);
	FUZZ_CHECK(strncmp(err, "fuzz.supp:", 10) == 0);
	line = strtoul(err + 10, &end, 10);
	FUZZ_CHECK(end > err + 10 && strncmp(end, ": ", 2) == 0 && end[2]);
	for (size_t i = 0; i < len; i++)
		lines += t[i] == '\n';
	FUZZ_CHECK(line >= 1 && line <= lines);
	FUZZ_CHECK(strchr(err, '\n') == NULL);
}

static void
check_base(const struct suppress *s)
{
	FUZZ_CHECK(s->n >= 1);
	FUZZ_CHECK(strcmp(s->entries[0].name, "base") == 0);
	FUZZ_CHECK(s->entries[0].nframes == 1 &&
	    s->entries[0].frames[0].type == SUPP_FUN &&
	    strcmp(s->entries[0].frames[0].pattern, "main") == 0);
	FUZZ_CHECK(s->entries[0].kind == NULL && s->entries[0].target == NULL);
}

static bool
known_kind(const char *k)
{
	for (int i = FDK_UNKNOWN + 1; i < FDK_COUNT; i++) {
		if (strcmp(fd_kind_name((enum fd_kind)i), k) == 0)
			return true;
	}
	return false;
}

/* The entry --gen-suppressions writes for syms parses back and matches. */
static void
check_written(const struct supp_entry *e, const struct supp_sym *syms,
    size_t n)
{
	struct suppress s2 = { 0 };
	char *buf = NULL, *err = (char *)1;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);

	FUZZ_CHECK(f != NULL);
	suppress_write_entry(f, e->name, e->name, e->type, e->misuse, e->kind,
	    syms, n);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(suppress_parse(&s2, "gen.supp", buf, blen, false, &err) == 0);
	FUZZ_CHECK(s2.entries[0].type == e->type);
	FUZZ_CHECK(err == NULL && s2.n == 1);
	FUZZ_CHECK(suppress_match_frames(&s2.entries[0], syms, n));
	FUZZ_CHECK(e->kind == NULL || (s2.entries[0].kind != NULL &&
	    suppress_match_record(&s2.entries[0], &(struct supp_record){
	    e->type, e->misuse, e->kind, NULL, 3, NULL })));
	/* A name the writer need not change comes back as it was. */
	if (!has_ctl(e->name) && strchr("{}#", e->name[0]) == NULL)
		FUZZ_CHECK(strcmp(s2.entries[0].name, e->name) == 0);
	suppress_free(&s2);
	free(buf);
}

static void
check_entry(const struct supp_entry *e, const char *t, size_t len)
{
	struct supp_sym syms[MAXF + 1];
	size_t n = 0;
	bool all_any = true, lit = literal(e->kind) && literal(e->target) &&
	    literal(e->misuse) && literal(e->syscall) && (e->fd == NULL || (literal(e->fd) &&
	    strspn(e->fd, "0123456789") == strlen(e->fd) &&
	    strlen(e->fd) <= 9));

	FUZZ_CHECK(e->name != NULL && e->name[0] != '\0');
	FUZZ_CHECK(!blank(e->name[0]) && !blank(e->name[strlen(e->name) - 1]));
	FUZZ_CHECK(e->file != NULL && strcmp(e->file, "fuzz.supp") == 0);
	FUZZ_CHECK(line_is(t, len, e->line, "{"));
	FUZZ_CHECK(e->hits == 0);
	FUZZ_CHECK(e->kind == NULL || (e->kind[0] != '\0' &&
	    (!literal(e->kind) || known_kind(e->kind))));
	FUZZ_CHECK(e->target == NULL || e->target[0] != '\0');
	for (size_t i = 0; i < e->nframes; i++) {
		const struct supp_frame *f = &e->frames[i];

		FUZZ_CHECK(f->type == SUPP_FUN || f->type == SUPP_OBJ ||
		    f->type == SUPP_ANY);
		FUZZ_CHECK((f->pattern == NULL) == (f->type == SUPP_ANY));
		FUZZ_CHECK(f->pattern == NULL || f->pattern[0] != '\0');
		if (f->type == SUPP_ANY)
			continue;
		all_any = false;
		lit = lit && literal(f->pattern);
		if (n == MAXF) {
			lit = false;
			continue;
		}
		syms[n].function = f->type == SUPP_FUN ? f->pattern : NULL;
		syms[n].demangled = NULL;
		syms[n++].module = f->type == SUPP_OBJ ? f->pattern : "m";
	}

	/* An empty stack: only "..." lines (or none) match it. */
	FUZZ_CHECK(suppress_match_frames(e, syms, 0) == all_any);
	/* An unknown kind or target is matched only by an entry without one. */
	FUZZ_CHECK(suppress_match_record(e, &(struct supp_record){ e->type,
	    NULL, NULL, NULL, -1, NULL }) == (e->kind == NULL && e->target == NULL &&
	    e->misuse == NULL && e->syscall == NULL &&
	    (e->fd == NULL || fnmatch(e->fd, "-1", 0) == 0)));
	if (e->target != NULL)
		FUZZ_CHECK(!suppress_match_record(e, &(struct supp_record){
		    e->type, "bad-close", "file", NULL, 3, NULL }));
	/* An entry matches records of its own type only. */
	FUZZ_CHECK(!suppress_match_record(e, &(struct supp_record){
	    e->type == SUPP_LEAK ? SUPP_INHERITED : SUPP_LEAK, NULL, NULL, NULL, 3, NULL }));
	FUZZ_CHECK(e->misuse == NULL || (e->type == SUPP_MISUSE &&
	    e->misuse[0] != '\0'));
	if (!lit)
		return;

	/* The stack the frame lines spell, and with more frames after it. */
	FUZZ_CHECK(suppress_match_frames(e, syms, n));
	syms[n] = (struct supp_sym){ "more", NULL, "/lib/more.so" };
	FUZZ_CHECK(suppress_match_frames(e, syms, n + 1));
	FUZZ_CHECK(e->misuse == NULL || literal(e->misuse));
	FUZZ_CHECK(e->fd == NULL || literal(e->fd));
	FUZZ_CHECK(suppress_match_record(e, &(struct supp_record){ e->type,
	    e->misuse != NULL ? e->misuse : "double-close",
	    e->kind != NULL ? e->kind : "pipe",
	    e->target != NULL ? e->target : "pipe:[1]",
	    e->fd != NULL ? atoi(e->fd) : 7,
	    e->syscall != NULL ? e->syscall : "close" }) ==
	    (e->fd == NULL || e->fd[0] != '0' || e->fd[1] == '\0'));
	/* fun: matches the demangled spelling too. */
	for (size_t i = 0; i < n; i++) {
		if (syms[i].function != NULL) {
			syms[i].demangled = syms[i].function;
			syms[i].function = "_Zmangled";
		}
	}
	FUZZ_CHECK(suppress_match_frames(e, syms, n));
	for (size_t i = 0; i < n; i++) {
		if (syms[i].demangled != NULL) {
			syms[i].function = syms[i].demangled;
			syms[i].demangled = NULL;
		}
	}
	check_written(e, syms, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suppress s = { 0 };
	const char *t = (const char *)data;
	char *err = NULL;
	size_t before;
	int r;

	FUZZ_CHECK(suppress_parse(&s, "base.supp", BASE, strlen(BASE),
	    true, &err) == 0 && err == NULL && s.n == 1 && s.entries[0].builtin);
	before = s.n;
	err = (char *)1;
	r = suppress_parse(&s, "fuzz.supp", t, size, false, &err);
	FUZZ_CHECK(r == 0 || r == -1);
	check_base(&s);
	if (r == -1) {
		check_error(err, t, size);
		FUZZ_CHECK(s.n == before);
		free(err);
	} else {
		FUZZ_CHECK(err == NULL);
		for (size_t i = before; i < s.n; i++)
			check_entry(&s.entries[i], t, size);
	}
	suppress_free(&s);
	FUZZ_CHECK(s.n == 0 && s.entries == NULL);
	return 0;
}
