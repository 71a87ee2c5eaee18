// SPDX-License-Identifier: MIT
/*
 * test_suppress.c - suppression files: the parser (good files, every
 * error with its line, garbage), frame matching with wildcards and "...",
 * kind and target, dropping leaks from a process, and the writer whose
 * entries, read back, match exactly the stacks they were written for.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "demangle.h"
#include "report.h"
#include "stack.h"
#include "suppress.h"
#include "symbolize.h"
#include "symstack.h"

#include "helpers.h"

static int
parse(struct suppress *s, const char *text, char **err)
{
	return suppress_parse(s, "t.supp", text, strlen(text), false, err);
}

static void
expect_error(const char *text, const char *msg)
{
	struct suppress s = { 0 };
	char *err = NULL;

	if (parse(&s, text, &err) != -1)
		fail_msg("parsed: %s", text);
	assert_non_null(err);
	if (strstr(err, msg) == NULL)
		fail_msg("error \"%s\", expected \"%s\"", err, msg);
	assert_null(strchr(err, '\n'));		/* one line */
	assert_int_equal(s.n, 0);
	free(err);
	suppress_free(&s);
}

static void
test_parse(void **state)
{
	struct suppress s = { 0 };
	char *err = NULL;
	const struct supp_entry *e;

	assert_int_equal(parse(&s,
	    "# leading comment\n"
	    "\n"
	    "{\n"
	    "   first one\n"
	    "   fdleak:Leak\n"
	    "   kind:file\n"
	    "   target:/etc/*\n"
	    "   fun:leak_file\n"
	    "   # a comment inside\n"
	    "   ...\n"
	    "\tobj:*/libfoo.so*  \r\n"
	    "   fun:main\n"
	    "}\n"
	    "{\n"
	    "second\n"
	    "fdleak:Leak\n"
	    "}", &err), 0);
	assert_null(err);
	assert_int_equal(s.n, 2);
	e = &s.entries[0];
	assert_string_equal(e->name, "first one");
	assert_string_equal(e->kind, "file");
	assert_string_equal(e->target, "/etc/*");
	assert_string_equal(e->file, "t.supp");
	assert_int_equal(e->line, 3);
	assert_int_equal(e->nframes, 4);
	assert_int_equal(e->frames[0].type, SUPP_FUN);
	assert_string_equal(e->frames[0].pattern, "leak_file");
	assert_int_equal(e->frames[1].type, SUPP_ANY);
	assert_null(e->frames[1].pattern);
	assert_int_equal(e->frames[2].type, SUPP_OBJ);
	assert_string_equal(e->frames[2].pattern, "*/libfoo.so*");
	assert_int_equal(e->frames[3].type, SUPP_FUN);
	e = &s.entries[1];
	assert_string_equal(e->name, "second");
	assert_null(e->kind);
	assert_null(e->target);
	assert_int_equal(e->nframes, 0);
	assert_int_equal(e->line, 14);

	/* A second file adds to the first; an empty one adds nothing. */
	assert_int_equal(parse(&s, "{\n third\n fdleak:Leak\n fun:x\n}\n", &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(parse(&s, "", &err), 0);
	assert_int_equal(parse(&s, "# only a comment", &err), 0);
	assert_int_equal(s.n, 3);
	/* A failing file leaves what was loaded alone. */
	assert_int_equal(parse(&s, "{\n fourth\n fdleak:Leak\n}\n{\n", &err), -1);
	free(err);
	assert_int_equal(s.n, 3);
	suppress_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.entries);
}

static void
test_parse_errors(void **state)
{
	expect_error("fun:main\n", "t.supp:1: expected '{'");
	expect_error("\n\n}\n", "t.supp:3: expected '{'");
	expect_error("{\n}\n", "t.supp:2: entry without a name");
	expect_error("{\n{\n", "t.supp:2: entry without a name");
	expect_error("{\nname\nmemcheck:Leak\n}\n",
	    "t.supp:3: unknown suppression type 'memcheck:Leak'");
	expect_error("{\nname\n}\n", "t.supp:3: unknown suppression type '}'");
	expect_error("{\nname\nfdleak:Leak\nfun:a\nsrc:x.c:3\n}\n",
	    "t.supp:5: unexpected line 'src:x.c:3' in entry 'name'");
	expect_error("{\nname\nfdleak:Leak\n{\n", "t.supp:4: '{' inside entry");
	expect_error("{\nname\nfdleak:Leak\nkind:file\nkind:dir\n}\n",
	    "t.supp:5: a second kind: line");
	expect_error("{\nname\nfdleak:Leak\ntarget:a\ntarget:b\n}\n",
	    "t.supp:5: a second target: line");
	expect_error("{\nname\nfdleak:Leak\nkind:fiel\n}\n",
	    "t.supp:4: unknown kind 'fiel'");
	expect_error("{\nname\nfdleak:Leak\nfun:\n}\n",
	    "t.supp:4: empty pattern after 'fun:'");
	expect_error("{\nname\nfdleak:Leak\nobj:   \n}\n",
	    "t.supp:4: empty pattern after 'obj:'");
	expect_error("{\nname\nfdleak:Leak\ntarget:\n}\n",
	    "t.supp:4: empty pattern after 'target:'");
	expect_error("# c\n{\nname\nfdleak:Leak\nfun:main\n",
	    "t.supp:2: entry 'name' has no closing '}'");
	expect_error("{\n", "t.supp:1: entry has no closing '}'");
	/* Control bytes do not reach the one-line message. */
	expect_error("\x1b[31m\n", "t.supp:1: expected '{' to begin an entry, found '?[31m'");
	{
		static const char nul[] = "{\nna\0me\nfdleak:Leak\n}\n";
		struct suppress s = { 0 };
		char *err = NULL;

		assert_int_equal(suppress_parse(&s, "n.supp", nul, sizeof nul - 1,
		    false, &err), -1);
		assert_string_equal(err, "n.supp:2: NUL byte in line");
		free(err);
	}
	/* Kind patterns with wildcards are not checked against the names. */
	{
		struct suppress s = { 0 };
		char *err = NULL;

		assert_int_equal(parse(&s, "{\nn\nfdleak:Leak\nkind:*fd\n}\n", &err), 0);
		suppress_free(&s);
	}
}

/* Garbage of every sort: an error or entries, never a crash. */
static void
test_parse_garbage(void **state)
{
	static const char alphabet[] = "{}\n \t#:.*?[]\\funobjkindtarget"
	    "fdleak:Leak\0\xff";
	unsigned seed = 12345;
	char buf[256];

	for (int round = 0; round < 20000; round++) {
		struct suppress s = { 0 };
		size_t len = (size_t)(seed % sizeof buf);
		char *err = NULL;
		int rc;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		seed = seed * 1103515245 + 12345;
		rc = suppress_parse(&s, "g", buf, len, (round & 1) != 0, &err);
		assert_true(rc == 0 || rc == -1);
		assert_true((rc == -1) == (err != NULL));
		free(err);
		suppress_free(&s);
	}
}

static struct supp_entry *
one_entry(struct suppress *s, const char *body)
{
	char *text, *err = NULL;

	assert_true(asprintf(&text, "{\n e\n fdleak:Leak\n%s\n}\n", body) > 0);
	if (parse(s, text, &err) != 0)
		fail_msg("%s: %s", body, err);
	free(text);
	return &s->entries[s->n - 1];
}

static bool
frames_match(const char *body, const struct supp_sym *f, size_t n)
{
	struct suppress s = { 0 };
	bool r = suppress_match_frames(one_entry(&s, body), f, n);

	suppress_free(&s);
	return r;
}

static void
test_match_frames(void **state)
{
	static const struct supp_sym st[] = {
		{ "leak_file", NULL, "/usr/bin/prog" },
		{ "_ZN2ns4openEv", "ns::open()", "/usr/lib/libfoo.so.1" },
		{ NULL, NULL, "/usr/lib/libbar.so" },
		{ NULL, NULL, NULL },
		{ "main", NULL, "/usr/bin/prog" },
		{ "__libc_start_main", NULL, "/lib/libc.so.6" },
	};
	size_t n = sizeof st / sizeof st[0];

	/* The entry's frames match the start of the stack. */
	assert_true(frames_match(" fun:leak_file", st, n));
	assert_true(frames_match(" fun:leak_file\n fun:ns::open()", st, n));
	assert_false(frames_match(" fun:main", st, n));
	assert_false(frames_match(" fun:leak", st, n));
	/* Mangled or demangled; wildcards. */
	assert_true(frames_match(" fun:leak_file\n fun:_ZN2ns4openEv", st, n));
	assert_true(frames_match(" fun:leak_*\n fun:ns::*", st, n));
	assert_true(frames_match(" fun:l?ak_fil?", st, n));
	assert_true(frames_match(" fun:[kl]eak_file", st, n));
	assert_false(frames_match(" fun:\\*", st, n));
	/* obj: on the module; "???" stands for what is unknown. */
	assert_true(frames_match(" obj:/usr/bin/prog\n obj:*/libfoo.so*\n obj:*libbar*", st, n));
	assert_true(frames_match(" fun:*\n fun:*\n fun:???\n obj:???", st, n));
	assert_false(frames_match(" fun:*\n fun:*\n obj:???", st, n));
	/* "..." matches any number of frames, none included. */
	assert_true(frames_match(" ...\n fun:main", st, n));
	assert_true(frames_match(" ...\n fun:leak_file", st, n));
	assert_true(frames_match(" fun:leak_file\n ...\n fun:main\n ...\n fun:__libc_start_main", st, n));
	assert_true(frames_match(" ...\n ...\n obj:*libc.so*\n ...", st, n));
	assert_false(frames_match(" ...\n fun:nowhere", st, n));
	assert_false(frames_match(" fun:main\n ...", st, n));
	/* Longer than the stack: no match; "..." at the end may be empty. */
	assert_false(frames_match(" fun:*\n fun:*\n fun:*\n fun:*\n fun:*\n fun:*\n fun:*", st, n));
	assert_true(frames_match(" fun:*\n fun:*\n fun:*\n fun:*\n fun:*\n fun:*\n ...", st, n));
	/* No frames: an empty entry matches any stack, even an empty one. */
	assert_true(frames_match(" kind:*", st, n));
	assert_true(frames_match(" kind:*", st, 0));
	assert_false(frames_match(" fun:*", st, 0));
	assert_true(frames_match(" ...", st, 0));
}

static void
test_match_leak(void **state)
{
	struct suppress s = { 0 };
	const struct supp_entry *e;

	e = one_entry(&s, " kind:file\n target:/etc/*");
	assert_true(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "file", "/etc/hostname", 3, NULL }));
	assert_true(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "file", "/etc/a/b", 3, NULL }));	/* '*' spans '/' */
	assert_false(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "dir", "/etc/hostname", 3, NULL }));
	assert_false(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "file", "/tmp/x", 3, NULL }));
	assert_false(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "file", NULL, 3, NULL }));
	e = one_entry(&s, " kind:*fd");
	assert_true(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "eventfd", NULL, 3, NULL }));
	assert_true(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "pidfd", "pidfd pid=3", 3, NULL }));
	assert_false(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "file", NULL, 3, NULL }));
	e = one_entry(&s, " fun:x");
	assert_true(suppress_match_record(e, &(struct supp_record){ SUPP_LEAK, NULL, "anything", NULL, 3, NULL }));
	suppress_free(&s);
}

/* Frames of this binary, symbolized for real. */
__attribute__((noinline)) void
supp_test_opener(void)
{
	__asm__ volatile("");
}

__attribute__((noinline)) void
supp_test_other(void)
{
	__asm__ volatile("");
}

static void
add(struct proc_report *p, int fd, uint32_t stack, enum fd_kind kind,
    const char *target)
{
	struct leak l = { .fd = fd, .kind = kind, .nr = SYS_openat, .stack = stack,
	    .serial = (uint64_t)fd };

	l.target = target ? strdup(target) : NULL;
	report_add_leak(p, &l);
}

static void
test_apply(void **state)
{
	struct frame a[2], b[2];
	uint32_t sa, sb;
	struct proc_report p = { .pid = 3 };
	struct report r = { .stacks = symstacks_new(NULL) };
	struct suppress s = { 0 };
	char *err = NULL;

	a[0] = self_frame((uint64_t)(uintptr_t)supp_test_opener);
	a[1] = self_frame((uint64_t)(uintptr_t)supp_test_opener + 1);
	b[0] = self_frame((uint64_t)(uintptr_t)supp_test_other);
	b[1] = a[1];
	sa = stack_intern(a, 2);
	sb = stack_intern(b, 2);
	for (int i = 0; i < 1000; i++)
		add(&p, 10 + i, sa, FDK_FILE, i % 2 ? "/etc/odd" : "/tmp/even");
	add(&p, 5, sb, FDK_FILE, "/etc/odd");
	add(&p, 6, sb, FDK_DIR, "/etc");
	add(&p, 7, 0, FDK_PIPE, NULL);		/* no stack */
	report_sort_leaks(&p);
	report_resolve_process(&r, &p);

	/* No suppressions: nothing changes. */
	assert_int_equal(suppress_apply(&s, &r, &p), 0);
	assert_int_equal(p.nleaks, 1003);
	assert_int_equal(parse(&s,
	    "{\n odd opener\n fdleak:Leak\n target:/etc/odd\n fun:supp_test_opener\n}\n"
	    "{\n dirs\n fdleak:Leak\n kind:dir\n}\n"
	    "{\n never\n fdleak:Leak\n fun:nothing\n}\n", &err), 0);
	assert_int_equal(suppress_apply(&s, &r, &p), 501);
	assert_int_equal(p.nleaks, 502);
	assert_int_equal(p.nsuppressed, 501);
	assert_int_equal(s.entries[0].hits, 500);
	assert_int_equal(s.entries[1].hits, 1);
	assert_int_equal(s.entries[2].hits, 0);
	/* What is left is still sorted, and is what no entry matched. */
	for (size_t i = 0; i < p.nleaks; i++) {
		if (i > 0)
			assert_true(p.leaks[i - 1].fd < p.leaks[i].fd);
		assert_true(p.leaks[i].kind != FDK_DIR);
		if (p.leaks[i].stack == sa)
			assert_string_equal(p.leaks[i].target, "/tmp/even");
	}
	/* Applied again (a second process, say): the cache answers the same. */
	assert_int_equal(suppress_apply(&s, &r, &p), 0);
	/* "..." and an empty stack. */
	assert_int_equal(parse(&s, "{\n all\n fdleak:Leak\n ...\n}\n", &err), 0);
	assert_int_equal(suppress_apply(&s, &r, &p), 502);
	assert_int_equal(p.nleaks, 0);
	assert_int_equal(p.nsuppressed, 1003);
	assert_int_equal(p.nsuppressed_default, 0);
	suppress_free(&s);
	report_proc_free(&p);
	report_free(&r);
}

/* Parse what suppress_write_entry wrote for frames and match it. */
static void
test_write_entry(void **state)
{
	static const struct supp_sym st[] = {
		{ "weird*name?[x]\\", NULL, "/x" },
		{ NULL, NULL, "/lib/a*b\nc.so" },
		{ NULL, NULL, NULL },
		{ "main", NULL, NULL },
	};
	static const struct supp_sym other[] = {
		{ "weirdXnameY[x]\\", NULL, "/x" },
		{ NULL, NULL, "/lib/a*b\nc.so" },
		{ NULL, NULL, NULL },
		{ "main", NULL, NULL },
	};
	struct suppress s = { 0 };
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	suppress_write_entry(f, "pid 1 /bin/x\ny: 3 fds", "{name", SUPP_LEAK, NULL,
	    "file", st, 4);
	fclose(f);
	assert_string_equal(buf,
	    "# pid 1 /bin/x?y: 3 fds\n"
	    "{\n"
	    "   _{name\n"
	    "   fdleak:Leak\n"
	    "   kind:file\n"
	    "   fun:weird\\*name\\?\\[x]\\\\\n"
	    "   obj:/lib/a\\*b?c.so\n"
	    "   fun:*\n"
	    "   fun:main\n"
	    "}\n");
	assert_int_equal(parse(&s, buf, &err), 0);
	assert_int_equal(s.n, 1);
	assert_true(suppress_match_frames(&s.entries[0], st, 4));
	/* The wildcards of the name were quoted: another name does not match. */
	assert_false(suppress_match_frames(&s.entries[0], other, 4));
	assert_true(suppress_match_record(&s.entries[0], &(struct supp_record){ SUPP_LEAK, NULL, "file", NULL, 3, NULL }));
	assert_false(suppress_match_record(&s.entries[0], &(struct supp_record){ SUPP_LEAK, NULL, "dir", NULL, 3, NULL }));
	free(buf);
	suppress_free(&s);

	/*
	 * What the parser trims must survive: trailing spaces in a pattern,
	 * and names that are blank or would read as a comment.
	 */
	{
		static const struct supp_sym sp[] = {
			{ "f  ", NULL, NULL }, { NULL, NULL, "/tmp/lib.so " },
		};
		static const char *const names[] = { "", "   ", " #x", "}" };

		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			buf = NULL;
			f = open_memstream(&buf, &len);
			suppress_write_entry(f, NULL, names[i], SUPP_LEAK, NULL,
			    NULL, sp, 2);
			fclose(f);
			if (parse(&s, buf, &err) != 0)
				fail_msg("\"%s\": %s in\n%s", names[i], err, buf);
			assert_int_equal(s.n, 1);
			assert_true(suppress_match_frames(&s.entries[0], sp, 2));
			assert_false(suppress_match_frames(&s.entries[0], other + 3, 1));
			if (i == 0)
				assert_non_null(strstr(buf, "   fun:f[ ][ ]\n   obj:/tmp/lib.so[ ]\n"));
			free(buf);
			suppress_free(&s);
		}
	}
}

static void
test_write_sites(void **state)
{
	struct frame a[2], b[1];
	struct proc_report p = { .pid = 9 }, q = { .pid = 10 };
	struct report r = { .stacks = symstacks_new(NULL) };
	struct supp_writer w = { 0 };
	struct suppress s = { 0 };
	char *buf = NULL, *err = NULL;
	size_t len = 0;

	a[0] = self_frame((uint64_t)(uintptr_t)supp_test_opener);
	a[1] = self_frame((uint64_t)(uintptr_t)supp_test_other + 1);
	b[0] = self_frame((uint64_t)(uintptr_t)supp_test_other);
	p.command = "/bin/prog";
	q.command = "/bin/prog";
	add(&p, 3, stack_intern(a, 2), FDK_FILE, "/x");
	add(&p, 4, stack_intern(a, 2), FDK_FILE, "/y");
	add(&p, 5, stack_intern(b, 1), FDK_FILE, "/z");
	add(&p, 6, stack_intern(b, 1), FDK_SOCKET, "s");
	add(&q, 3, stack_intern(a, 2), FDK_FILE, "/x");	/* a forked copy */
	report_sort_leaks(&p);
	report_resolve_process(&r, &p);
	report_resolve_process(&r, &q);
	w.f = open_memstream(&buf, &len);
	suppress_write_process(&w, &r, &p);
	suppress_write_process(&w, &r, &q);
	fclose(w.f);
	assert_int_equal(w.count, 2);
	/* Two sites, the second of two kinds (no kind: line), the copy once. */
	assert_non_null(strstr(buf, "# pid 9 /bin/prog: 2 fds from supp_test_opener\n"
	    "{\n   fdleak-prog-supp_test_opener-1\n   fdleak:Leak\n   kind:file\n"
	    "   fun:supp_test_opener\n   fun:supp_test_other\n}\n"));
	assert_non_null(strstr(buf, "{\n   fdleak-prog-supp_test_other-2\n"
	    "   fdleak:Leak\n   fun:supp_test_other\n}\n"));
	assert_null(strstr(buf, "pid 10"));
	/* Read back, they hide both sites of p and nothing of another stack. */
	assert_int_equal(parse(&s, buf, &err), 0);
	assert_int_equal(suppress_apply(&s, &r, &p), 4);
	add(&q, 7, stack_intern(a, 1), FDK_FILE, "/x");	/* a shorter stack */
	report_resolve_process(&r, &q);
	assert_int_equal(suppress_apply(&s, &r, &q), 1);
	assert_int_equal(q.nleaks, 1);
	assert_int_equal(q.leaks[0].fd, 7);
	free(buf);
	suppress_free(&s);
	suppress_writer_free(&w);
	p.command = q.command = NULL;
	report_proc_free(&p);
	report_proc_free(&q);
	report_free(&r);
}

/* A store with two hand-made stacks: 1 in libfoo (under libc's close), 2 in /usr/bin/prog. */
static void
two_stacks(struct report *r)
{
	static const struct report_frame s1[] = {
		{ .pc = 1, .module = "/lib/x86_64-linux-gnu/libc.so.6",
		  .function = "close", .name = "close", .libc = true },
		{ .pc = 2, .module = "/usr/lib/libfoo.so", .function = "foo_close",
		  .name = "foo_close" },
		{ .pc = 3, .module = "/usr/bin/prog", .function = "main",
		  .name = "main" },
	};
	static const struct report_frame s2[] = {
		{ .pc = 4, .offset = 0x44, .module = "/usr/bin/prog" },
		{ .pc = 5, .module = "/usr/bin/prog", .function = "main",
		  .name = "main" },
	};

	r->stacks = symstacks_new(NULL);
	symstacks_put(r->stacks, 1, s1, 3);
	symstacks_put(r->stacks, 2, s2, 2);
}

/*
 * Misuse and inherited entries: by type, misuse type, kind and frames
 * (libc folded, obj: for a frame without a name); builtin entries are
 * counted apart; a leak entry never hides a misuse.
 */
static void
test_apply_misuse_inherited(void **state)
{
	struct report r = { 0 };
	struct proc_report p = { .pid = 3 };
	struct suppress s = { 0 };
	struct misuse m = { .type = MISUSE_DOUBLE_CLOSE, .fd = 5, .nr = SYS_close,
	    .kind = FDK_PIPE, .stack = 1 };
	struct inherited in = { .fd = 6, .kind = FDK_SOCKET, .stack = 2 };
	char *err = NULL;

	two_stacks(&r);
	report_add_misuse(&p, &m);
	report_add_misuse(&p, &m);	/* count 2 */
	m = (struct misuse){ .type = MISUSE_BAD_CLOSE, .fd = -1, .nr = SYS_close,
	    .stack = 2 };
	report_add_misuse(&p, &m);
	in.program = strdup("/bin/child");
	report_add_inherited(&p, &in);

	assert_int_equal(suppress_parse(&s, "user.supp",
	    "{\n leak\n fdleak:Leak\n ...\n}\n"
	    "{\n bad in prog\n fdleak:Misuse\n misuse:bad-close\n fun:foo*\n}\n",
	    strlen("{\n leak\n fdleak:Leak\n ...\n}\n"
	    "{\n bad in prog\n fdleak:Misuse\n misuse:bad-close\n fun:foo*\n}\n"),
	    false, &err), 0);
	/* Neither matches: a Leak entry, and a bad-close one on the double close. */
	assert_int_equal(suppress_apply(&s, &r, &p), 0);
	assert_int_equal(p.nmisuse, 2);
	suppress_free(&s);

	assert_int_equal(suppress_parse(&s, "default.supp",
	    "{\n double in foo\n fdleak:Misuse\n misuse:double-*\n kind:pipe\n"
	    " fun:foo_close\n fun:main\n}\n"
	    "{\n stripped\n fdleak:Misuse\n obj:*/prog\n}\n"
	    "{\n inherited socket\n fdleak:Inherited\n kind:socket\n obj:*/prog\n}\n",
	    strlen("{\n double in foo\n fdleak:Misuse\n misuse:double-*\n kind:pipe\n"
	    " fun:foo_close\n fun:main\n}\n"
	    "{\n stripped\n fdleak:Misuse\n obj:*/prog\n}\n"
	    "{\n inherited socket\n fdleak:Inherited\n kind:socket\n obj:*/prog\n}\n"),
	    true, &err), 0);
	assert_int_equal(suppress_apply(&s, &r, &p), 4);
	assert_int_equal(p.nmisuse, 0);
	assert_int_equal(p.ninherited, 0);
	assert_int_equal(p.nsuppressed_misuse, 3);
	assert_int_equal(p.nsuppressed_inherited, 1);
	assert_int_equal(p.nsuppressed_default, 4);
	assert_int_equal(p.nsuppressed, 0);
	assert_int_equal(s.entries[0].hits, 2);
	assert_int_equal(s.entries[1].hits, 1);
	assert_int_equal(s.entries[2].hits, 1);
	/* fd: matches the fd number (a misuse site's first fd). */
	{
		struct supp_entry *e;
		struct suppress t = { 0 };

		e = one_entry(&t, " syscall:close_range");
		assert_true(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 1, "close_range" }));
		assert_false(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 1, "close" }));
		assert_false(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 1, NULL }));
		e = one_entry(&t, " fd:[01]");
		assert_true(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 1, NULL }));
		assert_false(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 11, NULL }));
		assert_false(suppress_match_record(e, &(struct supp_record){
		    SUPP_LEAK, NULL, "pipe", NULL, 2, NULL }));
		suppress_free(&t);
	}
	/* Parse errors of the new lines. */
	expect_error("{\nn\nfdleak:Leak\nmisuse:bad-close\n}\n",
	    "t.supp:4: a misuse: line in entry 'n', which is not of type fdleak:Misuse");
	expect_error("{\nn\nfdleak:Misuse\nmisuse:triple-close\n}\n",
	    "t.supp:4: unknown misuse type 'triple-close'");
	expect_error("{\nn\nfdleak:Misuse\nmisuse:bad-close\nmisuse:bad-close\n}\n",
	    "t.supp:5: a second misuse: line");
	expect_error("{\nn\nfdleak:Leak\nfd:one\n}\n",
	    "t.supp:4: fd pattern 'one' can match no fd number");
	expect_error("{\nn\nfdleak:Leak\nfd:1\nfd:2\n}\n",
	    "t.supp:5: a second fd: line");
	expect_error("{\nn\nfdleak:Leak\nsyscall:\n}\n",
	    "t.supp:4: empty pattern after 'syscall:'");
	suppress_free(&s);
	report_proc_free(&p);
	report_free(&r);
}

/* --only-from: an entry stays when a frame lies in a matching module. */
static void
test_only_from(void **state)
{
	struct report r = { 0 };
	struct proc_report p = { .pid = 3 };
	struct misuse m = { .type = MISUSE_BAD_CLOSE, .fd = -1, .stack = 2 };
	const char *lib[] = { "*/libfoo.so" }, *none[] = { "/x/*", "/y/*" };

	two_stacks(&r);
	add(&p, 3, 1, FDK_FILE, "/a");
	add(&p, 4, 2, FDK_FILE, "/b");
	add(&p, 5, 0, FDK_FILE, "/c");		/* no stack: never from anywhere */
	report_add_misuse(&p, &m);
	assert_int_equal(suppress_only_from(&r, &p, lib, 0), 0);
	assert_int_equal(suppress_only_from(&r, &p, lib, 1), 3);
	assert_int_equal(p.nleaks, 1);
	assert_int_equal(p.leaks[0].fd, 3);
	assert_int_equal(p.nmisuse, 0);
	assert_int_equal(p.nonly_from, 3);
	assert_int_equal(suppress_only_from(&r, &p, none, 2), 1);
	assert_int_equal(p.nleaks, 0);
	assert_int_equal(p.nonly_from, 4);
	report_proc_free(&p);
	report_free(&r);
}

/* Where the default suppressions are found, beside the binary or in the build tree. */
static void
test_default_path(void **state)
{
	char dir[] = "/tmp/fdleak-supp-XXXXXX", *path, *want;
	static const char *const mk[] = { "bin", "share", "share/fdleak", "src" };

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++) {
		assert_true(asprintf(&path, "%s/%s", dir, mk[i]) > 0);
		assert_int_equal(mkdir(path, 0700), 0);
		free(path);
	}
	assert_true(asprintf(&path, "%s/bin/fdleak", dir) > 0);
	fclose(fopen(path, "w"));
	free(path);
	/* Installed: BINDIR/../share/fdleak. */
	assert_true(asprintf(&want, "%s/share/fdleak/default.supp", dir) > 0);
	fclose(fopen(want, "w"));
	{
		char *exe;

		assert_true(asprintf(&exe, "%s/bin/fdleak", dir) > 0);
		path = suppress_default_path(exe);
		assert_non_null(path);
		assert_string_equal(path, want);
		free(path);
		unlink(want);
		/* The build tree: ./fdleak beside src/. */
		free(exe);
		assert_true(asprintf(&exe, "%s/fdleak", dir) > 0);
		fclose(fopen(exe, "w"));
		free(want);
		assert_true(asprintf(&want, "%s/src/default.supp", dir) > 0);
		fclose(fopen(want, "w"));
		path = suppress_default_path(exe);
		assert_non_null(path);
		assert_string_equal(path, want);
		free(path);
		unlink(want);
		unlink(exe);
		free(exe);
	}
	free(want);
	assert_true(asprintf(&path, "rm -rf %s", dir) > 0);
	assert_int_equal(system(path), 0);
	free(path);
}

static int
cleanup(void **state)
{
	demangle_cleanup();
	symbolize_cleanup();
	stack_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_match_frames),
		cmocka_unit_test(test_match_leak),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_write_entry),
		cmocka_unit_test(test_write_sites),
		cmocka_unit_test(test_apply_misuse_inherited),
		cmocka_unit_test(test_only_from),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
