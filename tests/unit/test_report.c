// SPDX-License-Identifier: MIT
/*
 * test_report.c - the report records and the writers. The writers read
 * only the report's store of printed stacks, so most tests put frames
 * there by hand (no libdw involved); one frame points into this very
 * binary to check that symbols do reach the report when a process's
 * stacks are resolved.
 */
#include <errno.h>
#include <inttypes.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "procfs.h"
#include "report.h"
#include "util.h"
#include "stack.h"
#include "symbolize.h"
#include "symstack.h"

#include "helpers.h"

/* Stack ids of the hand-made printed stacks. */
#define STACK_LIB	101	/* a frame in a module without symbols, one in none */
#define STACK_ANON	102	/* three frames in anonymous memory */

/* A printed frame in anonymous memory at pc. */
static struct report_frame
anon_frame(uint64_t pc)
{
	return (struct report_frame){ .pc = pc };
}

/*
 * The report of the tests: pid 1234 leaks three fds (added out of order),
 * pid 1300 leaks nothing and was killed.
 */
static void
build_report(struct report *r)
{
	struct report_frame lib[2] = {
		{ .pc = 0x7f0000001000, .offset = 0x1000,
		  .module = "/nonexistent/libfoo.so" },
		{ .pc = 0x400000, .offset = 0 },
	};
	struct report_frame anon[3] = {
		anon_frame(0x1000), anon_frame(0x2000), anon_frame(0x3000),
	};
	struct proc_report *p;
	struct leak l;

	memset(r, 0, sizeof *r);
	r->stacks = symstacks_new(NULL);
	symstacks_put(r->stacks, STACK_LIB, lib, 2);
	symstacks_put(r->stacks, STACK_ANON, anon, 3);
	p = report_add_process(r);
	p->pid = 1234;
	p->ppid = 1200;
	p->command = strdup("/usr/bin/prog");
	p->argv = procfs_parse_cmdline("prog\0-v\0a \"b\"", 13);
	p->exited = true;
	p->exit_code = 0;

	l = (struct leak){ .fd = 5, .kind = FDK_FILE, .nr = SYS_openat,
	    .tid = 1235, .across_exec = true, .stack = STACK_ANON,
	    .serial = 2, .created_in = 1234 };
	l.target = strdup("/tmp/a\"b\nc\xff");
	report_add_leak(p, &l);
	l = (struct leak){ .fd = 7, .kind = FDK_PIPE, .nr = -1, .tid = 1234,
	    .unknown_origin = true, .serial = 3 };
	report_add_leak(p, &l);
	l = (struct leak){ .fd = 3, .kind = FDK_SOCKET, .nr = SYS_socket,
	    .tid = 1234, .cloexec = true, .stack = STACK_LIB,
	    .serial = 1, .created_in = 1200 };
	l.target = strdup("socket:[42]");
	report_add_leak(p, &l);
	report_sort_leaks(p);

	p = report_add_process(r);
	p->pid = 1300;
	p->ppid = 1234;
	p->command = strdup("/bin/true");
	p->exit_signal = SIGKILL;
	report_add_supp(r, "e1", "a \"b\".supp", 3, true, 2);
}

static void
write_text(FILE *f, void *arg)
{
	struct report *r = arg;

	for (size_t i = 0; i < r->nprocs; i++)
		report_text_process(f, r, &r->procs[i]);
	report_text_summary(f, r);
}

static void
write_summary(FILE *f, void *arg)
{
	report_text_summary(f, arg);
}

static void
write_json(FILE *f, void *arg)
{
	report_json(f, arg);
}

static void
test_records(void **state)
{
	struct report r = { 0 };
	struct proc_report *p;
	struct leak l = { 0 };

	assert_int_equal(report_total_leaks(&r), 0);
	report_free(&r);	/* an empty report is fine */
	for (int i = 0; i < 100; i++) {
		p = report_add_process(&r);
		/* A fresh record is empty. */
		assert_int_equal(p->nleaks, 0);
		assert_null(p->leaks);
		assert_null(p->command);
		assert_false(p->exited);
		p->pid = i;
		p->command = strdup("x");
		for (int j = 0; j < i % 7; j++) {
			l.fd = 50 - j;
			l.serial = (uint64_t)j;
			l.target = j % 2 ? strdup("t") : NULL;
			report_add_leak(p, &l);
		}
	}
	assert_int_equal(r.nprocs, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(r.procs[i].pid, i);
	/* sum over i < 100 of i % 7 */
	assert_int_equal(report_total_leaks(&r), 14 * 21 + (0 + 1));

	/* Sorted by fd, creation order among equal fds. */
	p = &r.procs[6];
	l = (struct leak){ .fd = 48, .serial = 100 };
	report_add_leak(p, &l);
	l = (struct leak){ .fd = 48, .serial = 0 };
	report_add_leak(p, &l);
	report_sort_leaks(p);
	assert_int_equal(p->nleaks, 8);
	for (size_t i = 1; i < p->nleaks; i++)
		assert_true(p->leaks[i - 1].fd <= p->leaks[i].fd);
	assert_int_equal(p->leaks[3].fd, 48);
	assert_int_equal(p->leaks[3].serial, 0);
	assert_int_equal(p->leaks[4].serial, 2);
	assert_int_equal(p->leaks[5].serial, 100);
	assert_int_equal(p->leaks[6].fd, 49);

	report_free(&r);
	assert_null(r.procs);
	assert_int_equal(r.nprocs, 0);
	assert_int_equal(report_total_leaks(&r), 0);
}

/*
 * Text output writes each process as it ends and then retires it: the
 * totals and the summary line must not change, however many are retired.
 */
static void
test_retire(void **state)
{
	struct report r;
	char *before, *after;
	size_t leaks, sites;

	build_report(&r);
	/* A third process with a misuse record and a suppressed count. */
	struct proc_report *p = report_add_process(&r);
	struct misuse m = { .fd = 9 };
	p->pid = 1400;
	p->command = strdup("/bin/x");
	report_add_misuse(p, &m);
	p->nsuppressed = 4;
	leaks = report_total_leaks(&r);
	sites = report_total_sites(&r);
	before = memstream_text(write_summary, &r);
	assert_non_null(strstr(before, "leaks=3 processes=3 leaking=1 sites=3 "
	    "misuse=1 inherited=0 suppressed=4"));
	for (int i = 3; i > 0; i--) {
		report_retire_last(&r);
		assert_int_equal(r.nprocs, (size_t)i - 1);
		assert_int_equal(report_total_procs(&r), 3);
		assert_int_equal(report_total_leaks(&r), leaks);
		assert_int_equal(report_total_sites(&r), sites);
		assert_int_equal(report_total_leaking(&r), 1);
		assert_int_equal(report_total_misuse(&r), 1);
		assert_int_equal(report_total_suppressed(&r), 4);
		after = memstream_text(write_summary, &r);
		assert_string_equal(after, before);
		free(after);
	}
	report_retire_last(&r);	/* nothing left: a no-op */
	assert_int_equal(report_total_procs(&r), 3);
	free(before);
	report_free(&r);
}

static void
test_signal_name(void **state)
{
	char buf[32];

	assert_string_equal(signal_name(SIGKILL, buf, sizeof buf), "SIGKILL");
	assert_string_equal(signal_name(SIGSEGV, buf, sizeof buf), "SIGSEGV");
	assert_string_equal(signal_name(SIGRTMIN, buf, sizeof buf), "SIGRTMIN");
	assert_string_equal(signal_name(SIGRTMIN + 2, buf, sizeof buf),
	    "SIGRTMIN+2");
	assert_string_equal(signal_name(999, buf, sizeof buf), "SIG999");
	assert_string_equal(signal_name(-1, buf, sizeof buf), "SIG-1");
}

static void
test_text(void **state)
{
	struct report r;
	char *out;

	build_report(&r);
	out = memstream_text(write_text, &r);
	/* One site per leak here (three stacks), the oldest first. */
	assert_string_equal(out,
	    "fdleak: process pid=1234 ppid=1200 exit=0 leaks=3 argv=\"prog\" \"-v\" \"a \\\"b\\\"\" command=\"/usr/bin/prog\"\n"
	    "fdleak: site pid=1234 count=1 kinds=socket:1 oldest-fd=3 newest-fd=3 targets=\"socket:[42]\"\n"
	    "fdleak:    at 0x7f0000001000: libfoo.so+0x1000 [/nonexistent/libfoo.so]\n"
	    "fdleak:    by 0x400000: ???\n"
	    "fdleak: leak pid=1234 fd=3 kind=socket syscall=socket tid=1234 created-in=1200 cloexec target=\"socket:[42]\"\n"
	    "fdleak: site pid=1234 count=1 kinds=file:1 oldest-fd=5 newest-fd=5 targets=\"/tmp/a\\\"b\\nc\\xff\"\n"
	    "fdleak:    at 0x1000: ???\n"
	    "fdleak:    by 0x2000: ???\n"
	    "fdleak:    by 0x3000: ???\n"
	    "fdleak: leak pid=1234 fd=5 kind=file syscall=openat tid=1235 across-exec target=\"/tmp/a\\\"b\\nc\\xff\"\n"
	    "fdleak: site pid=1234 count=1 kinds=pipe:1 oldest-fd=7 newest-fd=7 targets=?\n"
	    "fdleak:    (no stack)\n"
	    "fdleak: leak pid=1234 fd=7 kind=pipe syscall=? tid=1234 origin=unknown target=?\n"
	    "fdleak: hidden suppressed-leaks=0 suppressed-misuse=0 suppressed-inherited=0 default=0 only-from=0 min-age=0 fork-inherited=0\n"
	    "fdleak: summary leaks=3 processes=2 leaking=1 sites=3 misuse=0 inherited=0 suppressed=0\n");
	free(out);
	report_free(&r);
}

static void
text_process(FILE *f, void *arg)
{
	struct report r = { 0 };

	report_text_process(f, &r, arg);
}

static void
test_text_status_and_quoting(void **state)
{
	struct proc_report p = { .pid = 9, .ppid = 1, .nleaks = 1 };
	struct leak l = { .fd = 4, .kind = FDK_EVENTFD, .nr = 999999, .tid = 10 };
	char *out;

	p.leaks = &l;
	/* A process without leaks prints nothing at all. */
	p.nleaks = 0;
	out = memstream_text(text_process, &p);
	assert_string_equal(out, "");
	free(out);
	p.nleaks = 1;

	p.exit_signal = SIGSEGV;
	p.exited = true;	/* the signal wins */
	p.command = "tab\there\r\\ \x01\x7f caf\xc3\xa9 \xe2\x82 \xf0\x9f\x98\x80";
	l.target = "\xc0\x80";
	out = memstream_text(text_process, &p);
	assert_string_equal(out,
	    "fdleak: process pid=9 ppid=1 signal=SIGSEGV leaks=1 command="
	    "\"tab\\there\\r\\\\ \\x01\\x7f caf\xc3\xa9 \\xe2\\x82 \xf0\x9f\x98\x80\"\n"
	    "fdleak: site pid=9 count=1 kinds=eventfd:1 oldest-fd=4 newest-fd=4 targets=\"\\xc0\\x80\"\n"
	    "fdleak:    (no stack)\n"
	    "fdleak: leak pid=9 fd=4 kind=eventfd syscall=syscall_999999 tid=10 target=\"\\xc0\\x80\"\n");
	free(out);

	p.exit_signal = 0;
	p.exited = false;
	p.command = NULL;
	l.target = "";
	out = memstream_text(text_process, &p);
	assert_string_equal(out,
	    "fdleak: process pid=9 ppid=1 exit=? leaks=1 command=?\n"
	    "fdleak: site pid=9 count=1 kinds=eventfd:1 oldest-fd=4 newest-fd=4 targets=\"\"\n"
	    "fdleak:    (no stack)\n"
	    "fdleak: leak pid=9 fd=4 kind=eventfd syscall=syscall_999999 tid=10 target=\"\"\n");
	free(out);

	p.exited = true;
	p.exit_code = 3;
	out = memstream_text(text_process, &p);
	assert_non_null(strstr(out, "fdleak: process pid=9 ppid=1 exit=3 leaks=1 command=?\n"));
	free(out);
}

static const char json_script[] =
    "import json, sys\n"
    "d = json.load(sys.stdin)\n"
    "assert set(d) == {\"version\", \"options\", \"processes\", \"suppressions\", \"summary\"}, d.keys()\n"
    "assert d[\"options\"] == {\"depth\": 0, \"libc_frames\": False, \"attach\": False}, d[\"options\"]\n"
    "assert d[\"suppressions\"] == [{\"name\": \"e1\", \"file\": \"a \\\"b\\\".supp\", \"line\": 3, \"default\": True, \"hits\": 2}], d[\"suppressions\"]\n"
    "assert d[\"summary\"] == {\"leaks\": 3, \"processes\": 2, \"leaking\": 1, \"sites\": 3, \"misuse\": 0, \"inherited\": 0, \"suppressed\": 0, \"suppressed_misuse\": 0, \"suppressed_inherited\": 0, \"suppressed_default\": 0, \"only_from_hidden\": 0, \"min_age_hidden\": 0, \"fork_inherited_hidden\": 0, \"unopened_closes\": 0}, d[\"summary\"]\n"
    "p, q = d[\"processes\"]\n"
    "pk = {\"pid\", \"ppid\", \"command\", \"argv\", \"fork_inherited_hidden\", \"failures\", \"ran_out\", \"exit_code\", \"exit_signal\", \"leaks\", \"sites\", \"misuse\", \"inherited\", \"suppressed\", \"suppressed_misuse\", \"suppressed_inherited\", \"suppressed_default\", \"only_from_hidden\", \"min_age_hidden\", \"unopened_closes\", \"dumps_before\", \"ended\"}\n"
    "assert p[\"dumps_before\"] == 0 and p[\"ended\"] is None\n"
    "assert p[\"unopened_closes\"] == {\"count\": 0, \"lowest_fd\": None, \"highest_fd\": None}\n"
    "assert set(p) == pk and set(q) == pk\n"
    "assert (p[\"pid\"], p[\"ppid\"], p[\"command\"]) == (1234, 1200, \"/usr/bin/prog\")\n"
    "assert p[\"argv\"] == [\"prog\", \"-v\", \"a \\\"b\\\"\"] and q[\"argv\"] is None, p[\"argv\"]\n"
    "assert p[\"exit_code\"] == 0 and p[\"exit_signal\"] is None\n"
    "assert q[\"exit_code\"] is None and q[\"exit_signal\"] == \"SIGKILL\"\n"
    "assert q[\"leaks\"] == [] and q[\"sites\"] == [] and q[\"misuse\"] == [] and q[\"inherited\"] == []\n"
    "assert [s[\"fds\"] for s in p[\"sites\"]] == [[3], [5], [7]], p[\"sites\"]\n"
    "assert p[\"sites\"][1] == {\"count\": 1, \"stack\": p[\"leaks\"][1][\"stack\"], \"kinds\": {\"file\": 1}, \"fds\": [5], \"oldest_fd\": 5, \"newest_fd\": 5, \"targets\": [\"/tmp/a\\\"b\\nc\\ufffd\"], \"backtrace\": p[\"leaks\"][1][\"backtrace\"]}, p[\"sites\"][1]\n"
    "assert p[\"sites\"][2][\"targets\"] == [] and p[\"sites\"][2][\"backtrace\"] == []\n"
    "lk = {\"fd\", \"kind\", \"target\", \"syscall\", \"tid\", \"created_in\", \"cloexec\", \"across_exec\", \"origin\", \"serial\", \"stack\", \"backtrace\"}\n"
    "fk = {\"pc\", \"module\", \"offset\", \"function\", \"file\", \"line\", \"inlined\", \"symbol\", \"libc\"}\n"
    "assert [l[\"fd\"] for l in p[\"leaks\"]] == [3, 5, 7]\n"
    "for l in p[\"leaks\"]:\n"
    "    assert set(l) - {\"target_hex\"} == lk, l.keys()\n"
    "    for f in l[\"backtrace\"]:\n"
    "        assert set(f) == fk, f.keys()\n"
    "a, b, c = p[\"leaks\"]\n"
    "assert a[\"target\"] == \"socket:[42]\" and a[\"syscall\"] == \"socket\"\n"
    "assert a[\"cloexec\"] is True and a[\"across_exec\"] is False and a[\"origin\"] == \"syscall\"\n"
    "assert a[\"backtrace\"][0] == {\"pc\": \"0x7f0000001000\", \"module\": \"/nonexistent/libfoo.so\", \"offset\": \"0x1000\", \"function\": None, \"file\": None, \"line\": None, \"inlined\": False, \"symbol\": None, \"libc\": False}, a[\"backtrace\"][0]\n"
    "assert a[\"backtrace\"][1][\"module\"] is None and a[\"backtrace\"][1][\"pc\"] == \"0x400000\"\n"
    "assert b[\"target\"] == \"/tmp/a\\\"b\\nc\\ufffd\", repr(b[\"target\"])\n"
    "assert bytes.fromhex(b[\"target_hex\"]) == b\"/tmp/a\\\"b\\nc\\xff\" and \"target_hex\" not in a\n"
    "assert b[\"kind\"] == \"file\" and b[\"syscall\"] == \"openat\" and b[\"tid\"] == 1235\n"
    "assert b[\"across_exec\"] is True and b[\"cloexec\"] is False\n"
    "assert (a[\"created_in\"], b[\"created_in\"], c[\"created_in\"]) == (1200, 1234, None)\n"
    "assert [f[\"pc\"] for f in b[\"backtrace\"]] == [\"0x1000\", \"0x2000\", \"0x3000\"]\n"
    "assert c[\"target\"] is None and c[\"syscall\"] is None and c[\"origin\"] == \"unknown\"\n"
    "assert c[\"backtrace\"] == [] and c[\"kind\"] == \"pipe\"\n";

static void
test_json(void **state)
{
	struct report r;
	char *out;

	build_report(&r);
	out = memstream_text(write_json, &r);
	assert_int_equal(python_check(out, "import json,sys; json.load(sys.stdin)"), 0);
	assert_int_equal(python_check(out, json_script), 0);
	/* The checker can fail: a broken document is refused. */
	assert_int_equal(python_check("{\"a\": [}", "import json, sys\n"
	    "try:\n    json.load(sys.stdin)\nexcept ValueError:\n    sys.exit(3)"), 3);

	assert_non_null(strstr(out, "\"version\": \"" FDLEAK_VERSION "\""));
	assert_non_null(strstr(out,
	    "{\"pid\": 1234, \"ppid\": 1200, \"command\": \"/usr/bin/prog\", "
	    "\"argv\": [\"prog\", \"-v\", \"a \\\"b\\\"\"], "
	    "\"exit_code\": 0, \"exit_signal\": null,"));
	assert_non_null(strstr(out,
	    "{\"pid\": 1300, \"ppid\": 1234, \"command\": \"/bin/true\", "
	    "\"argv\": null, \"exit_code\": null, \"exit_signal\": \"SIGKILL\","));
	assert_non_null(strstr(out,
	    "{\"fd\": 5, \"kind\": \"file\", \"target\": \"/tmp/a\\\"b\\nc\\ufffd\", "
	    "\"target_hex\": \"2f746d702f6122620a63ff\", "
	    "\"syscall\": \"openat\", \"tid\": 1235, \"created_in\": 1234, "
	    "\"cloexec\": false, "
	    "\"across_exec\": true, \"origin\": \"syscall\", \"serial\": 2, "
	    "\"stack\": 102, \"backtrace\": "
	    "[{\"pc\": \"0x1000\", \"module\": null, \"offset\": \"0x0\", "
	    "\"function\": null, \"file\": null, \"line\": null, \"inlined\": false, "
	    "\"symbol\": null, \"libc\": false}, "));
	assert_non_null(strstr(out,
	    "{\"fd\": 7, \"kind\": \"pipe\", \"target\": null, \"syscall\": null, "
	    "\"tid\": 1234, \"created_in\": null, \"cloexec\": false, "
	    "\"across_exec\": false, \"origin\": \"unknown\", \"serial\": 3, \"stack\": 0, \"backtrace\": []}"));
	assert_non_null(strstr(out, "\"summary\": {\"leaks\": 3, \"processes\": 2, "
	    "\"leaking\": 1, \"sites\": 3, \"misuse\": 0, \"inherited\": 0, \"suppressed\": 0, "));
	/* One leak per line. */
	assert_non_null(strstr(out, "\"libc\": false}]},\n"));
	free(out);

	/* An empty report is a valid document too. */
	report_free(&r);
	out = memstream_text(write_json, &r);
	assert_int_equal(python_check(out, "import json,sys; d = json.load(sys.stdin); "
	    "assert d[\"processes\"] == [] and d[\"summary\"] == {\"leaks\": 0, "
	    "\"processes\": 0, \"leaking\": 0, \"sites\": 0, \"misuse\": 0, "
	    "\"inherited\": 0, \"suppressed\": 0, \"suppressed_misuse\": 0, "
	    "\"suppressed_inherited\": 0, \"suppressed_default\": 0, "
	    "\"only_from_hidden\": 0, \"min_age_hidden\": 0, "
	    "\"fork_inherited_hidden\": 0, \"unopened_closes\": 0}"), 0);
	free(out);
}

static void
add_leak(struct proc_report *p, int fd, uint32_t stack, uint64_t serial,
    enum fd_kind kind, const char *target)
{
	struct leak l = { .fd = fd, .kind = kind, .nr = SYS_openat, .tid = 1,
	    .stack = stack, .serial = serial };

	l.target = target != NULL ? strdup(target) : NULL;
	if (serial == 0) {
		l.nr = -1;
		l.unknown_origin = true;
	}
	report_add_leak(p, &l);
}

static void
test_sites(void **state)
{
	struct frame a = { .pc = 0xa000 }, b = { .pc = 0xb000 }, c = { .pc = 0xc000 };
	uint32_t sa = stack_intern(&a, 1), sb = stack_intern(&b, 1);
	uint32_t sc = stack_intern(&c, 1);
	struct proc_report p = { .pid = 1 };
	const char **t;
	struct site *sites;
	size_t n, nt;

	assert_null(report_sites(&p, &n));
	assert_int_equal(n, 0);
	/* A: four leaks, two kinds, targets x, y, x again and one unknown. */
	add_leak(&p, 10, sa, 5, FDK_FILE, "y");
	add_leak(&p, 4, sa, 9, FDK_FILE, NULL);
	add_leak(&p, 12, sa, 2, FDK_DIR, "x");
	add_leak(&p, 13, sa, 7, FDK_FILE, "x");
	/* B: as many, but its oldest is older: B comes first. */
	add_leak(&p, 20, sb, 1, FDK_SOCKET, "s0");
	add_leak(&p, 21, sb, 3, FDK_SOCKET, "s1");
	add_leak(&p, 22, sb, 4, FDK_SOCKET, "s2");
	add_leak(&p, 23, sb, 6, FDK_SOCKET, "s3");
	/* C: one leak. No stack: two of unknown origin (serial 0). */
	add_leak(&p, 30, sc, 8, FDK_PIPE, "p");
	add_leak(&p, 41, 0, 0, FDK_OTHER, NULL);
	add_leak(&p, 40, 0, 0, FDK_OTHER, NULL);
	report_sort_leaks(&p);

	sites = report_sites(&p, &n);
	assert_int_equal(n, 4);
	assert_int_equal(sites[0].stack, sb);
	assert_int_equal(sites[1].stack, sa);
	assert_int_equal(sites[2].stack, 0);
	assert_int_equal(sites[3].stack, sc);
	assert_int_equal(sites[0].count, 4);
	assert_int_equal(sites[1].count, 4);
	assert_int_equal(sites[2].count, 2);
	assert_int_equal(sites[3].count, 1);

	/* A's leaks in fd order; oldest and newest by serial. */
	assert_int_equal(p.leaks[sites[1].leaks[0]].fd, 4);
	assert_int_equal(p.leaks[sites[1].leaks[1]].fd, 10);
	assert_int_equal(p.leaks[sites[1].leaks[2]].fd, 12);
	assert_int_equal(p.leaks[sites[1].leaks[3]].fd, 13);
	assert_int_equal(p.leaks[sites[1].oldest].fd, 12);
	assert_int_equal(p.leaks[sites[1].newest].fd, 4);
	assert_int_equal(sites[1].kinds[FDK_FILE], 3);
	assert_int_equal(sites[1].kinds[FDK_DIR], 1);
	assert_int_equal(sites[1].kinds[FDK_SOCKET], 0);
	/* Distinct known targets, oldest first. */
	t = report_site_targets(&p, &sites[1], &nt);
	assert_int_equal(nt, 2);
	assert_string_equal(t[0], "x");
	assert_string_equal(t[1], "y");
	free(t);
	t = report_site_targets(&p, &sites[0], &nt);
	assert_int_equal(nt, 4);
	assert_string_equal(t[0], "s0");
	assert_string_equal(t[3], "s3");
	free(t);
	/* Same serial: the lower fd is the older. */
	assert_int_equal(p.leaks[sites[2].oldest].fd, 40);
	assert_int_equal(p.leaks[sites[2].newest].fd, 41);
	t = report_site_targets(&p, &sites[2], &nt);
	assert_null(t);
	assert_int_equal(nt, 0);
	report_sites_free(sites, n);
	report_proc_free(&p);
}

static void
text_process_opts(FILE *f, void *arg)
{
	struct report *r = arg;

	report_text_process(f, r, &r->procs[0]);
	report_text_summary(f, r);
}

#define STACK_OPEN	201
#define STACK_CLOSE1	202
#define STACK_CLOSE2	203
#define STACK_CLOSE3	204

/*
 * A process with a big site, a double close twice at one site (of two
 * fds), another at a site of its own, a bad close, closes of fds that
 * never existed, and an inherited fd.
 */
static void
build_sections(struct report *r)
{
	struct report_frame open_f = anon_frame(0x1100), close1 = anon_frame(0x2200);
	struct report_frame close2 = anon_frame(0x3300), close3 = anon_frame(0x4400);
	struct proc_report *p;
	struct misuse m;
	struct inherited in;
	char name[16];

	memset(r, 0, sizeof *r);
	r->stacks = symstacks_new(NULL);
	symstacks_put(r->stacks, STACK_OPEN, &open_f, 1);
	symstacks_put(r->stacks, STACK_CLOSE1, &close1, 1);
	symstacks_put(r->stacks, STACK_CLOSE2, &close2, 1);
	symstacks_put(r->stacks, STACK_CLOSE3, &close3, 1);
	p = report_add_process(r);
	p->pid = 77;
	p->ppid = 1;
	p->command = strdup("/bin/x");
	p->exited = true;
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "t%d", i);
		add_leak(p, 3 + i, STACK_OPEN, 10 + i, FDK_FILE, name);
	}
	report_sort_leaks(p);
	m = (struct misuse){ .type = MISUSE_DOUBLE_CLOSE, .fd = 9, .tid = 78,
	    .nr = SYS_close, .kind = FDK_PIPE, .stack = STACK_CLOSE2,
	    .prev_stack = STACK_CLOSE1, .open_stack = STACK_OPEN };
	report_add_misuse(p, &m);
	m.fd = 11;
	m.tid = 79;
	report_add_misuse(p, &m);
	m.fd = 9;
	report_add_misuse(p, &m);
	m = (struct misuse){ .type = MISUSE_DOUBLE_CLOSE, .fd = 12, .tid = 77,
	    .nr = SYS_close_range, .stack = STACK_CLOSE3,
	    .prev_stack = STACK_CLOSE1 };
	report_add_misuse(p, &m);
	m = (struct misuse){ .type = MISUSE_BAD_CLOSE, .fd = -1, .tid = 77,
	    .nr = SYS_close, .stack = STACK_CLOSE2 };
	report_add_misuse(p, &m);
	report_add_unopened_close(p, 20);
	report_add_unopened_close(p, 3);
	report_add_unopened_close(p, 1023);
	in = (struct inherited){ .fd = 5, .kind = FDK_SOCKET, .nr = SYS_socket,
	    .tid = 77, .stack = STACK_OPEN };
	in.target = strdup("tcp 0.0.0.0:80 (listening)");
	in.program = strdup("/usr/bin/child \"x\"");
	report_add_inherited(p, &in);
	p->nsuppressed = 6;
}

static const char sections_text[] =
    "fdleak: process pid=77 ppid=1 exit=0 leaks=5 command=\"/bin/x\"\n"
    "fdleak: site pid=77 count=5 kinds=file:5 oldest-fd=3 newest-fd=7 targets=\"t0\", \"t1\", \"t2\" and 2 more\n"
    "fdleak:    at 0x1100: ???\n"
    "fdleak: leak pid=77 fd=3 kind=file syscall=openat tid=1 target=\"t0\"\n"
    "fdleak: leak pid=77 fd=4 kind=file syscall=openat tid=1 target=\"t1\"\n"
    "fdleak: leak pid=77 fd=5 kind=file syscall=openat tid=1 target=\"t2\"\n"
    "fdleak: leak pid=77 fd=6 kind=file syscall=openat tid=1 target=\"t3\"\n"
    "fdleak: leak pid=77 fd=7 kind=file syscall=openat tid=1 target=\"t4\"\n"
    "fdleak: misuse pid=77 type=double-close fd=9 tid=78 count=3 fds=9,11 syscall=close kind=pipe\n"
    "fdleak:    at 0x3300: ???\n"
    "fdleak:    previous close:\n"
    "fdleak:    at 0x2200: ???\n"
    "fdleak:    created:\n"
    "fdleak:    at 0x1100: ???\n"
    "fdleak: misuse pid=77 type=double-close fd=12 tid=77 count=1 fds=12 syscall=close_range\n"
    "fdleak:    at 0x4400: ???\n"
    "fdleak:    previous close:\n"
    "fdleak:    at 0x2200: ???\n"
    "fdleak: misuse pid=77 type=bad-close fd=-1 tid=77 count=1 fds=-1 syscall=close\n"
    "fdleak:    at 0x3300: ???\n"
    "fdleak: unopened-closes pid=77 count=3 fds=3-1023\n"
    "fdleak: inherited pid=77 fd=5 kind=socket syscall=socket tid=77 program=\"/usr/bin/child \\\"x\\\"\" target=\"tcp 0.0.0.0:80 (listening)\"\n"
    "fdleak:    at 0x1100: ???\n"
    "fdleak: hidden suppressed-leaks=6 suppressed-misuse=0 suppressed-inherited=0 default=0 only-from=0 min-age=0 fork-inherited=0\n"
    "fdleak: summary leaks=5 processes=1 leaking=1 sites=1 misuse=5 inherited=1 suppressed=6\n";

/* out without its ANSI colour sequences, in place. */
static void
strip_ansi(char *out)
{
	char *w = out;

	for (char *r = out; *r != '\0';) {
		if (r[0] == '\033' && r[1] == '[') {
			r += 2;
			while (*r != '\0' && *r != 'm')
				r++;
			if (*r == 'm')
				r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static void
test_text_sections(void **state)
{
	struct report r;
	char *out;

	build_sections(&r);
	out = memstream_text(text_process_opts, &r);
	assert_string_equal(out, sections_text);
	free(out);

	/* Colours go around words only: without them the text is the same. */
	r.opts.color = true;
	out = memstream_text(text_process_opts, &r);
	assert_non_null(strstr(out, "fdleak: \033[1;31mleak\033[0m pid=77 fd=3"));
	assert_non_null(strstr(out, "fdleak: \033[1;33msite\033[0m pid=77"));
	assert_non_null(strstr(out, "fdleak: \033[1;35mmisuse\033[0m pid=77"));
	strip_ansi(out);
	assert_string_equal(out, sections_text);
	free(out);

	/* A process with nothing to say says nothing, suppressed leaks or not. */
	report_proc_free(&r.procs[0]);
	r.procs[0].nsuppressed = 3;
	r.procs[0].nsuppressed_misuse = 2;
	r.opts.color = false;
	out = memstream_text(text_process, &r.procs[0]);
	assert_string_equal(out, "");
	free(out);
	report_free(&r);
}

/* Failed closes group by type and stacks; fds beyond the kept ones are counted. */
static void
test_misuse_grouping(void **state)
{
	struct report r = { 0 };
	struct proc_report *p = report_add_process(&r);
	struct misuse m = { .type = MISUSE_DOUBLE_CLOSE, .tid = 5,
	    .nr = SYS_close, .stack = 1, .prev_stack = 2, .open_stack = 3 };

	for (int i = 0; i < 20; i++) {
		m.fd = 100 + i;
		report_add_misuse(p, &m);
		report_add_misuse(p, &m);	/* the same fd again */
	}
	m.prev_stack = 4;		/* another first close: the same site */
	report_add_misuse(p, &m);
	m.stack = 7;			/* another failing close: another site */
	report_add_misuse(p, &m);
	m.type = MISUSE_BAD_CLOSE;	/* another type */
	m.stack = 1;
	report_add_misuse(p, &m);
	assert_int_equal(p->nmisuse, 3);
	assert_int_equal(p->misuse[0].count, 41);
	assert_int_equal(p->misuse[0].prev_stack, 2);	/* the first one's */
	assert_int_equal(p->misuse[0].nfds, MISUSE_FDS_KEPT);
	assert_int_equal(p->misuse[0].more_fds, 2 * (20 - MISUSE_FDS_KEPT) + 1);
	assert_int_equal(p->misuse[0].fds[0], 100);
	assert_int_equal(p->misuse[0].fd, 100);
	assert_int_equal(p->misuse[1].count, 1);
	assert_int_equal(p->misuse[1].fd, 119);
	assert_int_equal(p->misuse[2].type, MISUSE_BAD_CLOSE);
	assert_int_equal(report_total_misuse(&r), 43);
	report_retire_last(&r);
	assert_int_equal(report_total_misuse(&r), 43);
	report_free(&r);
}

static const char sections_script[] =
    "import json, sys\n"
    "d = json.load(sys.stdin)\n"
    "assert d[\"summary\"] == {\"leaks\": 5, \"processes\": 1, \"leaking\": 1, \"sites\": 1, \"misuse\": 5, \"inherited\": 1, \"suppressed\": 6, \"suppressed_misuse\": 0, \"suppressed_inherited\": 0, \"suppressed_default\": 0, \"only_from_hidden\": 0, \"min_age_hidden\": 0, \"fork_inherited_hidden\": 0, \"unopened_closes\": 3}, d[\"summary\"]\n"
    "p = d[\"processes\"][0]\n"
    "assert p[\"suppressed\"] == 6\n"
    "s, = p[\"sites\"]\n"
    "assert s[\"count\"] == 5 and s[\"kinds\"] == {\"file\": 5} and s[\"fds\"] == [3, 4, 5, 6, 7]\n"
    "assert s[\"oldest_fd\"] == 3 and s[\"newest_fd\"] == 7\n"
    "assert s[\"targets\"] == [\"t0\", \"t1\", \"t2\", \"t3\", \"t4\"]\n"
    "assert [f[\"pc\"] for f in s[\"backtrace\"]] == [\"0x1100\"]\n"
    "a, c, b = p[\"misuse\"]\n"
    "assert set(a) == {\"type\", \"fd\", \"tid\", \"count\", \"fds\", \"more_fds\", \"syscall\", \"kind\", \"stack\", \"previous_close_stack\", \"created_stack\", \"backtrace\", \"previous_close\", \"created\"}\n"
    "assert (a[\"type\"], a[\"fd\"], a[\"tid\"], a[\"count\"], a[\"fds\"], a[\"more_fds\"]) == (\"double-close\", 9, 78, 3, [9, 11], 0)\n"
    "assert (a[\"syscall\"], a[\"kind\"]) == (\"close\", \"pipe\")\n"
    "assert [f[\"pc\"] for f in a[\"backtrace\"]] == [\"0x3300\"]\n"
    "assert [f[\"pc\"] for f in a[\"previous_close\"]] == [\"0x2200\"]\n"
    "assert [f[\"pc\"] for f in a[\"created\"]] == [\"0x1100\"]\n"
    "assert (c[\"syscall\"], c[\"count\"], c[\"created\"], c[\"kind\"]) == (\"close_range\", 1, None, None)\n"
    "assert (b[\"type\"], b[\"fd\"], b[\"previous_close\"], b[\"created\"]) == (\"bad-close\", -1, None, None)\n"
    "assert p[\"unopened_closes\"] == {\"count\": 3, \"lowest_fd\": 3, \"highest_fd\": 1023}\n"
    "i, = p[\"inherited\"]\n"
    "assert set(i) == {\"fd\", \"kind\", \"target\", \"syscall\", \"tid\", \"program\", \"stack\", \"backtrace\"}\n"
    "assert (i[\"fd\"], i[\"kind\"], i[\"syscall\"], i[\"tid\"]) == (5, \"socket\", \"socket\", 77)\n"
    "assert i[\"program\"] == \"/usr/bin/child \\\"x\\\"\" and i[\"target\"] == \"tcp 0.0.0.0:80 (listening)\"\n";

static void
test_json_sections(void **state)
{
	struct report r;
	char *out;

	build_sections(&r);
	out = memstream_text(write_json, &r);
	assert_int_equal(python_check(out, sections_script), 0);
	free(out);
	report_free(&r);
}

/* A function of this binary, for the one symbolized frame. */
__attribute__((noinline)) void
report_test_marker(void)
{
	__asm__ volatile("");
}

static void
test_symbolized(void **state)
{
	uint64_t pc = (uint64_t)(uintptr_t)report_test_marker;
	struct frame fr[2];
	struct report r = { 0 };
	struct proc_report *p;
	struct leak l = { .fd = 3, .kind = FDK_FILE, .nr = SYS_openat, .tid = 1 };
	char *out, want[256];

	/* First frame exact, second a return address just past the entry. */
	fr[0] = self_frame(pc);
	fr[1] = self_frame(pc + 1);
	l.stack = stack_intern(fr, 2);
	l.target = strdup("/x");
	p = report_add_process(&r);
	p->pid = 1;
	p->command = strdup("/self");
	report_add_leak(p, &l);
	r.stacks = symstacks_new(&r.opts);
	report_resolve_process(&r, p);

	out = memstream_text(write_text, &r);
	snprintf(want, sizeof want, "fdleak:    at 0x%" PRIx64 ": report_test_marker (", pc);
	if (strstr(out, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, out);
	snprintf(want, sizeof want, "fdleak:    by 0x%" PRIx64 ": report_test_marker (", pc + 1);
	if (strstr(out, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, out);
	assert_non_null(strstr(out, "test_report.c:"));
	free(out);

	out = memstream_text(write_json, &r);
	assert_non_null(strstr(out, "\"function\": \"report_test_marker\", \"file\": \""));
	assert_int_equal(python_check(out, "import json,sys; d = json.load(sys.stdin); "
	    "f = d[\"processes\"][0][\"leaks\"][0][\"backtrace\"][0]; "
	    "assert f[\"function\"] == \"report_test_marker\" and f[\"file\"].endswith(\"test_report.c\") "
	    "and isinstance(f[\"line\"], int) and f[\"line\"] > 0, f"), 0);
	free(out);
	report_free(&r);
}

static int
cleanup(void **state)
{
	symbolize_cleanup();
	stack_cleanup();
	return 0;
}

/* A process that ran out of fds: ran-out, holder and failed lines; JSON. */
static void
test_failures(void **state)
{
	struct report_frame lib[2] = {
		{ .pc = 0x7f0000001000, .offset = 0x1000,
		  .module = "/nonexistent/libfoo.so" },
		{ .pc = 0x400000, .offset = 0 },
	};
	struct report r;
	struct proc_report *p;
	struct ran_out *ro;
	char *out;

	(void)state;
	memset(&r, 0, sizeof r);
	r.stacks = symstacks_new(NULL);
	symstacks_put(r.stacks, STACK_LIB, lib, 2);
	p = report_add_process(&r);
	p->pid = 9;
	p->ppid = 8;
	p->command = strdup("/bin/x");
	p->exited = true;
	assert_true(report_add_failure(p, STACK_LIB, SYS_openat, EMFILE));
	report_add_failure(p, STACK_LIB, SYS_openat, EMFILE);
	report_add_failure(p, 0, SYS_openat, ENOENT);
	ro = report_add_ran_out(p, FAIL_EMFILE);
	ro->after = 1.25;
	ro->open = 64;
	ro->limit = 64;
	ro->nholders = 1;
	ro->holders[0] = (struct holder){ .stack = STACK_LIB, .count = 60,
	    .ntargets = 3, .more_targets = 2 };
	ro->holders[0].kinds[FDK_FILE] = 60;
	ro->holders[0].targets[0] = strdup("/var/log/a");
	ro->holders[0].targets[1] = strdup("/var/log/b");
	ro->holders[0].targets[2] = strdup("/var/log/c");
	out = memstream_text(write_text, &r);
	assert_string_equal(out,
	    "fdleak: process pid=9 ppid=8 exit=0 leaks=0 command=\"/bin/x\"\n"
	    "fdleak: ran-out pid=9 errno=EMFILE after=1.2 open=64 limit=64 failed=2 other-failed=1\n"
	    "fdleak: holder pid=9 count=60 kinds=file:60 targets=\"/var/log/a\", \"/var/log/b\", \"/var/log/c\" and 2 more\n"
	    "fdleak:    at 0x7f0000001000: libfoo.so+0x1000 [/nonexistent/libfoo.so]\n"
	    "fdleak:    by 0x400000: ???\n"
	    "fdleak: failed pid=9 errno=EMFILE count=2 syscall=openat\n"
	    "fdleak:    at 0x7f0000001000: libfoo.so+0x1000 [/nonexistent/libfoo.so]\n"
	    "fdleak:    by 0x400000: ???\n"
	    "fdleak: hidden suppressed-leaks=0 suppressed-misuse=0 suppressed-inherited=0 default=0 only-from=0 min-age=0 fork-inherited=0\n"
	    "fdleak: summary leaks=0 processes=1 leaking=0 sites=0 misuse=0 inherited=0 suppressed=0\n");
	free(out);
	out = memstream_text(write_json, &r);
	assert_int_equal(python_check(out, "import json, sys\n"
	    "p = json.load(sys.stdin)[\"processes\"][0]\n"
	    "f = p[\"failures\"]\n"
	    "assert (f[\"emfile\"], f[\"enfile\"], f[\"other\"]) == (2, 0, 1), f\n"
	    "assert [(s[\"errno\"], s[\"count\"], s[\"syscall\"]) for s in f[\"sites\"]] == [(\"EMFILE\", 2, \"openat\")]\n"
	    "assert len(f[\"sites\"][0][\"backtrace\"]) == 2\n"
	    "o, = p[\"ran_out\"]\n"
	    "assert (o[\"errno\"], o[\"after\"], o[\"open\"], o[\"limit\"]) == (\"EMFILE\", 1.25, 64, 64), o\n"
	    "h, = o[\"holders\"]\n"
	    "assert (h[\"count\"], h[\"kinds\"], h[\"targets\"], h[\"more_targets\"]) == (60, {\"file\": 60}, [\"/var/log/a\", \"/var/log/b\", \"/var/log/c\"], 2), h\n"), 0);
	free(out);
	report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_retire),
		cmocka_unit_test(test_signal_name),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_status_and_quoting),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_sites),
		cmocka_unit_test(test_text_sections),
		cmocka_unit_test(test_misuse_grouping),
		cmocka_unit_test(test_json_sections),
		cmocka_unit_test(test_symbolized),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
