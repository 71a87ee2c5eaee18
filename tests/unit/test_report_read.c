// SPDX-License-Identifier: MIT
/*
 * test_report_read.c - the saved JSON report read back (report-read.c),
 * and the writers that only --from and the pictures use (folded, HTML,
 * the flame tree). A hand-made report with every kind of record (two
 * stacks that print alike, inline and libc frames, a mangled name, bytes
 * that are not UTF-8, misuse, inherited fds, dumps) is written as JSON,
 * read back, and every format written from both must be the same bytes.
 * Bad input gets one line naming the problem.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "dump.h"
#include "flame.h"
#include "report-read.h"
#include "report.h"
#include "stack.h"
#include "symstack.h"

#include "helpers.h"

#define STACK_A		7	/* main -> open_a (inline in main) */
#define STACK_A2	8	/* prints as STACK_A: another site all the same */
#define STACK_B		9	/* a mangled name, a module without symbols */
#define STACK_BAD	10	/* names that need escaping */

static const struct report_frame frames_a[] = {
	{ .pc = 0x7f00000010, .offset = 0x10, .module = "/lib/libc.so.6",
	  .function = "open64", .name = "open64", .libc = true },
	{ .pc = 0x401000, .offset = 0x1000, .module = "/bin/prog",
	  .function = "open_a", .name = "open_a", .file = "prog.c", .line = 12,
	  .inlined = true },
	{ .pc = 0x401000, .offset = 0x1000, .module = "/bin/prog",
	  .function = "main", .name = "main", .file = "prog.c", .line = 30 },
};

static const struct report_frame frames_b[] = {
	{ .pc = 0x402000, .offset = 0x2000, .module = "/bin/pr\xffog",
	  .function = "_ZN3foo3barEv", .name = "foo::bar()", .file = "b.cc",
	  .line = 4 },
	{ .pc = 0x7f00002000, .offset = 0x2000, .module = "/lib/libx.so" },
	{ .pc = 0x1234 },
};

static const struct report_frame frames_bad[] = {
	{ .pc = 0x403000, .offset = 0x3000, .module = "/tmp/<script>x;y",
	  .function = "<script>alert(1)</script>",
	  .name = "<script>alert(1)</script>", .file = "a&b.c", .line = 1 },
};

static void
add_leak(struct proc_report *p, int fd, uint32_t stack, uint64_t serial,
    enum fd_kind kind, const char *target, double age)
{
	struct leak l = { .fd = fd, .kind = kind, .nr = SYS_openat, .tid = p->pid,
	    .stack = stack, .serial = serial, .age = age };

	l.target = target != NULL ? strdup(target) : NULL;
	report_add_leak(p, &l);
}

/* Site s (its targets borrowed) appended to p. */
static void
add_site(struct dump_proc *p, const struct dump_site *s)
{
	p->sites = realloc(p->sites, (p->nsites + 1) * sizeof *p->sites);
	assert_non_null(p->sites);
	p->sites[p->nsites++] = *s;
}

/*
 * Two dumps of pid 50: site STACK_A grows, STACK_B appears; pid 70 is
 * sampled in the second.
 */
static void
add_dumps(struct report *r)
{
	struct dump d = { .n = 1, .elapsed = 0.30000001 };
	struct dump_proc *p = dump_add_proc(&d, 50, 12);
	struct dump_site s = { .stack = STACK_A, .count = 2, .growth = 2,
	    .targets = { "/a", "/b\xfe" }, .ntargets = 2 };

	s.kinds[FDK_FILE] = 2;
	p->outstanding = 2;
	add_site(p, &s);
	report_add_dump(r, &d);
	dump_free(&d);
	d = (struct dump){ .n = 2, .elapsed = 0.6500000001 };
	p = dump_add_proc(&d, 50, 20);
	p->outstanding = 9;
	s.count = 8;
	s.growth = 6;
	s.more_targets = 3;
	add_site(p, &s);
	s = (struct dump_site){ .stack = STACK_B, .count = 1, .growth = 1 };
	s.kinds[FDK_SOCKET] = 1;
	add_site(p, &s);
	p = dump_add_proc(&d, 70, -1);
	p->share = 0.123456789;
	p->attached = 0.0777777;
	p->unsampled = 4;
	p->outstanding = 1;
	add_site(p, &s);
	report_add_dump(r, &d);
	dump_free(&d);
}

/* The report of the tests: an attach run with one process, another exited. */
static void
build(struct report *r)
{
	struct proc_report *p;
	struct ran_out *ro;
	struct misuse m;
	struct inherited in = { .fd = 4, .kind = FDK_PIPE, .nr = SYS_pipe2,
	    .tid = 51, .stack = STACK_B };

	memset(r, 0, sizeof *r);
	r->opts = (struct report_opts){ .depth = 16, .libc_frames = true,
	    .attach = true };
	r->stacks = symstacks_new(&r->opts);
	symstacks_put(r->stacks, STACK_A, frames_a, 3);
	symstacks_put(r->stacks, STACK_A2, frames_a, 3);
	symstacks_put(r->stacks, STACK_B, frames_b, 3);
	symstacks_put(r->stacks, STACK_BAD, frames_bad, 1);
	add_dumps(r);

	p = report_add_process(r);
	p->pid = 50;
	p->ppid = 1;
	p->command = strdup("/bin/pr\xffog");
	p->argv = malloc(3 * sizeof(char *) + 16);
	assert_non_null(p->argv);
	p->argv[0] = strcpy((char *)(p->argv + 3), "pr\xffog");
	p->argv[1] = strcpy(p->argv[0] + 7, "-x y");
	p->argv[2] = NULL;
	p->running = true;
	p->sampling = (struct sampling){ .on = true, .attached = 0.333333333,
	    .wall = 1.0000001, .windows = 3, .seen = 9, .unsampled = 2,
	    .gone = 1, .changed = 1 };
	p->dumps_before = 2;
	p->ended = 1.25;
	add_leak(p, 3, STACK_A, 5, FDK_FILE, "/a", 1.04);
	add_leak(p, 4, STACK_A2, 2, FDK_OTHER, NULL, 0.5);
	add_leak(p, 6, STACK_A, 9, FDK_FILE, "/b\xfe", -1);
	add_leak(p, 8, STACK_B, 1, FDK_SOCKET, "tcp 1.2.3.4:5 -> 6.7.8.9:10", 3);
	add_leak(p, 9, STACK_BAD, 3, FDK_FILE, "<script>alert(1)</script>", 3);
	add_leak(p, 11, 0, 0, FDK_PIPE, NULL, -1);
	p->leaks[1].created_in = 40;
	p->leaks[2].unconfirmed = true;
	p->leaks[p->nleaks - 1].unknown_origin = true;
	p->leaks[p->nleaks - 1].nr = -1;
	m = (struct misuse){ .type = MISUSE_DOUBLE_CLOSE, .fd = 12, .tid = 50,
	    .nr = SYS_close, .kind = FDK_PIPE, .stack = STACK_B,
	    .prev_stack = STACK_A, .open_stack = STACK_A2 };
	report_add_misuse(p, &m);
	m.fd = 13;
	report_add_misuse(p, &m);
	m = (struct misuse){ .type = MISUSE_BAD_CLOSE, .fd = -1, .tid = 50,
	    .nr = SYS_close, .stack = STACK_A };
	report_add_misuse(p, &m);
	report_add_unopened_close(p, 40);
	report_add_unopened_close(p, 7);
	in.target = strdup("pipe:[9] write end");
	in.program = strdup("/usr/bin/child \"x\"");
	report_add_inherited(p, &in);
	p->nsuppressed = 2;
	p->nsuppressed_default = 1;
	p->nyoung = 4;
	p->nforked = 5;
	report_add_failure(p, STACK_B, SYS_openat, EMFILE);
	report_add_failure(p, STACK_B, SYS_openat, EMFILE);
	report_add_failure(p, STACK_A, SYS_socket, ENFILE);
	report_add_failure(p, STACK_A, SYS_openat, ENOENT);
	ro = report_add_ran_out(p, FAIL_EMFILE);
	*ro = (struct ran_out){ .class = FAIL_EMFILE, .after = 0.2549999,
	    .open = 1024, .limit = 1024, .nholders = 1 };
	ro->holders[0] = (struct holder){ .stack = STACK_A, .count = 1000,
	    .ntargets = 2, .more_targets = 4 };
	ro->holders[0].kinds[FDK_FILE] = 1000;
	ro->holders[0].targets[0] = strdup("/x");
	ro->holders[0].targets[1] = strdup("/y\xff");

	p = report_add_process(r);
	p->pid = 60;
	p->ppid = 50;
	p->command = strdup("/bin/true");
	p->exit_signal = SIGRTMIN + 2;
	p->exited = true;
	p->dumps_before = 2;
	report_add_supp(r, "e\xff", "x.supp", 3, false, 2);
}

typedef void (*write_fn)(FILE *, const struct report *);

/* What --format=text writes: dumps and processes in order, then the summary. */
static void
write_text_all(FILE *f, const struct report *r)
{
	size_t d = 0;

	for (size_t i = 0; i <= r->nprocs; i++) {
		for (; d < r->ndumps && (i == r->nprocs ||
		    r->dumps[d].n <= r->procs[i].dumps_before); d++)
			dump_write_text(f, r, &r->dumps[d]);
		if (i < r->nprocs)
			report_text_process(f, r, &r->procs[i]);
	}
	report_text_summary(f, r);
}

/* What --format=json writes: a line per dump, then the report. */
static void
write_json_all(FILE *f, const struct report *r)
{
	for (size_t d = 0; d < r->ndumps; d++)
		dump_write_json(f, r, &r->dumps[d]);
	report_json(f, r);
}

/* Read text as a saved report into r; the message or NULL. */
static char *
read_text(const char *text, struct report *r)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char *err = NULL;
	int rc;

	assert_non_null(f);
	memset(r, 0, sizeof *r);
	rc = report_read(f, "t.json", r, &err);
	fclose(f);
	assert_int_equal(rc == 0, err == NULL);
	return err;
}

static void
test_round_trip(void **state)
{
	static const write_fn writers[] = {
		write_text_all, write_json_all, report_sarif, report_html,
		report_folded,
	};
	struct report r, back;
	char *json, *err;

	build(&r);
	json = report_written(write_json_all, &r);
	err = read_text(json, &back);
	if (err != NULL)
		fail_msg("%s", err);
	assert_int_equal(back.nprocs, 2);
	assert_int_equal(back.ndumps, 2);
	assert_true(back.opts.attach && back.opts.libc_frames);
	assert_int_equal(back.opts.depth, 16);
	assert_string_equal(back.procs[0].command, "/bin/pr\xffog");
	assert_int_equal(back.procs[1].exit_signal, SIGRTMIN + 2);
	assert_int_equal(back.procs[0].leaks[1].kind, FDK_OTHER);
	assert_string_equal(back.procs[0].argv[0], "pr\xffog");
	assert_string_equal(back.procs[0].argv[1], "-x y");
	assert_null(back.procs[0].argv[2]);
	assert_true(back.procs[0].sampling.on && !back.procs[1].sampling.on);
	assert_true(back.dumps[1].procs[1].attached == 0.0777777);
	assert_int_equal(back.procs[0].nfailures, 2);
	assert_int_equal(back.procs[0].failed[FAIL_OTHER], 1);
	assert_string_equal(back.procs[0].ran_out[0].holders[0].targets[1],
	    "/y\xff");
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		char *a = report_written(writers[i], &r), *b = report_written(writers[i], &back);

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	report_free(&back);
	report_free(&r);
	free(json);
}

/* Two stacks that print alike are two sites, in every format. */
static void
test_same_print_two_sites(void **state)
{
	struct report r;
	char *text;

	build(&r);
	text = report_written(write_text_all, &r);
	assert_non_null(strstr(text, "fdleak: site pid=50 count=2 kinds=file:2 "
	    "oldest-fd=3 newest-fd=6 rate=6/s targets=\"/a\", \"/b\\xfe\"\n"));
	assert_non_null(strstr(text, "fdleak: site pid=50 count=1 kinds=other:1 "
	    "oldest-fd=4 newest-fd=4 rate=3/s targets=?\n"));
	free(text);
	report_free(&r);
}

static void
test_folded(void **state)
{
	struct report r;
	char *out;

	build(&r);
	out = report_written(report_folded, &r);
	/* The most fds first, then the oldest (origin unknown: serial 0). */
	assert_string_equal(out,
	    "pr?og;main;open_a;open64 2\n"
	    "pr?og;(no stack) 1\n"
	    "pr?og;???;libx.so+0x2000;foo::bar() 1\n"
	    "pr?og;main;open_a;open64 1\n"
	    "pr?og;<script>alert(1)</script> 1\n");
	free(out);
	report_free(&r);
}

static void
test_flame_tree(void **state)
{
	struct report r;
	struct flame fl;
	uint32_t *kids;
	size_t n;

	build(&r);
	flame_build(&fl, &r);
	assert_string_equal(fl.nodes[0].name, "all");
	assert_int_equal(fl.nodes[0].count, 6);
	kids = flame_children(&fl, 0, &n);
	assert_int_equal(n, 1);
	assert_string_equal(fl.nodes[kids[0]].name, "pr?og");
	free(kids);
	kids = flame_children(&fl, 1, &n);
	/* main (3, both A sites merged), then by name among the ones. */
	assert_int_equal(n, 4);
	assert_string_equal(fl.nodes[kids[0]].name, "main");
	assert_int_equal(fl.nodes[kids[0]].count, 3);
	assert_string_equal(fl.nodes[kids[1]].name, "(no stack)");
	free(kids);
	flame_free(&fl);
	report_free(&r);
}

static void
test_html(void **state)
{
	struct report r;
	char *out;

	build(&r);
	out = report_written(report_html, &r);
	assert_null(strstr(out, "<script>alert"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "a&amp;b.c:1"));
	assert_non_null(strstr(out, "/bin/pr\\xffog"));
	/* One script element, and the CSP names its hash. */
	assert_non_null(strstr(out, "<script>(function(){"));
	assert_null(strstr(strstr(out, "<script>(function(){") + 1, "<script"));
	assert_non_null(strstr(out, "script-src 'sha256-"));
	/* Six sites, most fds first; the flame graph and the timeline. */
	assert_non_null(strstr(out, "<summary><b>2</b>"));
	assert_true(strstr(out, "<summary><b>2</b>") <
	    strstr(out, "<summary><b>1</b>"));
	assert_non_null(strstr(out, "<svg id=flame-svg"));
	assert_non_null(strstr(out, "<svg class=timeline"));
	assert_non_null(strstr(out, "growing site <b>+6</b>"));
	assert_non_null(strstr(out, "double-close of fd 12 (pipe)"));
	free(out);
	report_free(&r);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "t.json: not an fdleak JSON report: no JSON in it" },
		{ "  \n", "no JSON in it" },
		{ "hello", "t.json: not JSON at byte " },
		{ "{\"version\": \"0.2.0\", \"processes\": [", "t.json: truncated" },
		{ "{\"dump\": 1, \"processes\": []}\n", "truncated: 1 dumps and no report" },
		{ "[1, 2]", "neither a dump nor the report" },
		{ "{\"version\": \"1.0.0\", \"processes\": []}", "another major version" },
		{ "{\"version\": \"x\", \"processes\": []}", "another major version" },
		{ "{\"version\": \"0.1.0\", \"processes\": []}", "did not save" },
		{ "{\"version\": \"0.2.0\", \"options\": {\"depth\": 1, \"libc_frames\": 1, "
		  "\"attach\": false}, \"processes\": []}", "options: \"libc_frames\" is not true or false" },
		{ "{\"version\": \"0.2.0\", \"options\": {\"depth\": 1, \"libc_frames\": true, "
		  "\"attach\": false}, \"processes\": [], \"suppressions\": []} {}",
		  "data after the report" },
		{ "{\"version\": \"0.2.0\", \"options\": {\"depth\": 1, \"libc_frames\": true, "
		  "\"attach\": false}, \"processes\": [{\"pid\": 1}], \"suppressions\": []}",
		  "process 1: no \"ppid\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct report r;
		char *err = read_text(cases[i].text, &r);

		if (err == NULL || strstr(err, cases[i].want) == NULL ||
		    strchr(err, '\n') != NULL)
			fail_msg("case %zu: %s, expected %s", i, err, cases[i].want);
		free(err);
		report_free(&r);
	}
}

/* Every field's damage is named, never a crash: each key of a real report dropped. */
static void
test_missing_fields(void **state)
{
	struct report r;
	char *json, *p;
	size_t tried = 0;

	build(&r);
	json = report_written(write_json_all, &r);
	report_free(&r);
	for (p = json; (p = strstr(p, "\": ")) != NULL; p++) {
		char *copy = strdup(json), *key = copy + (p - json), *err;
		struct report back;

		/* Rename the key: "fd": -> "fd"x */
		key[1] = 'x';
		err = read_text(copy, &back);
		if (err != NULL && strchr(err, '\n') != NULL)
			fail_msg("a message of two lines: %s", err);
		free(err);
		report_free(&back);
		free(copy);
		tried++;
	}
	assert_true(tried > 100);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_same_print_two_sites),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_flame_tree),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
