// SPDX-License-Identifier: MIT
/*
 * test_report_sarif.c - the SARIF writer: the structure SARIF 2.1.0
 * requires (checked by python3), one result per site, misuse and inherited
 * fd, each located at the innermost named frame outside libc and start-up
 * code, at its source line, or in its module at its offset when it has no
 * source; never at a libc start-up frame.
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
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "symstack.h"

#include "helpers.h"

/* A function of this binary, for the frames that have source. */
__attribute__((noinline)) void
sarif_test_marker(void)
{
	__asm__ volatile("");
}

/* The structure every SARIF consumer relies on. */
static const char structure[] =
    "import json, sys\n"
    "d = json.load(sys.stdin)\n"
    "assert d[\"version\"] == \"2.1.0\" and d[\"$schema\"].startswith(\"https://\")\n"
    "run, = d[\"runs\"]\n"
    "drv = run[\"tool\"][\"driver\"]\n"
    "assert drv[\"name\"] == \"fdleak\"\n"
    "ids = [r[\"id\"] for r in drv[\"rules\"]]\n"
    "assert ids == [\"fd-leak\", \"fd-double-close\", \"fd-bad-close\", \"fd-inherited\"], ids\n"
    "for r in drv[\"rules\"]:\n"
    "    assert r[\"shortDescription\"][\"text\"] and r[\"defaultConfiguration\"][\"level\"] in (\"note\", \"warning\", \"error\")\n"
    "for r in run[\"results\"]:\n"
    "    assert ids[r[\"ruleIndex\"]] == r[\"ruleId\"]\n"
    "    assert isinstance(r[\"message\"][\"text\"], str)\n"
    "    loc, = r[\"locations\"]\n"
    "    assert loc[\"physicalLocation\"][\"artifactLocation\"][\"uri\"]\n"
    "    for s in r[\"stacks\"]:\n"
    "        assert s[\"message\"][\"text\"]\n"
    "        for f in s[\"frames\"]:\n"
    "            assert f[\"location\"][\"physicalLocation\"][\"address\"][\"absoluteAddress\"] > 0\n";

static void
test_sarif(void **state)
{
	uint64_t pc = (uint64_t)(uintptr_t)sarif_test_marker;
	struct frame src[2], anon[2] = { { .pc = 0x1000 }, { .pc = 0x2000 } };
	struct sym_frame sf;
	struct report r = { 0 };
	struct proc_report *p;
	struct leak l;
	struct misuse m;
	struct inherited in;
	char *out, *script;

	src[0] = self_frame(pc);
	src[1] = self_frame(pc + 1);
	assert_int_equal(symbolize_frame(&src[0], false, &sf, 1), 1);
	assert_non_null(sf.file);

	r.stacks = symstacks_new(NULL);
	p = report_add_process(&r);
	p->pid = 50;
	p->command = strdup("/usr/bin/my prog");
	/* Site one: two fds, located in this file. */
	for (int i = 0; i < 2; i++) {
		l = (struct leak){ .fd = 3 + i, .kind = FDK_FILE, .nr = SYS_openat,
		    .tid = 50, .stack = stack_intern(src, 2), .serial = 1 + i };
		l.target = strdup(i ? "/etc/a \"quoted\"" : "/etc/b");
		report_add_leak(p, &l);
	}
	/* Site two: no source anywhere, so the program is the location. */
	l = (struct leak){ .fd = 9, .kind = FDK_PIPE, .nr = SYS_pipe2,
	    .tid = 50, .stack = stack_intern(anon, 2), .serial = 5 };
	report_add_leak(p, &l);
	report_sort_leaks(p);
	m = (struct misuse){ .type = MISUSE_DOUBLE_CLOSE, .fd = 7, .tid = 51,
	    .nr = SYS_close, .stack = stack_intern(src, 2),
	    .prev_stack = stack_intern(anon, 2) };
	report_add_misuse(p, &m);
	/* Site three: a stripped binary under libc's start-up frames. */
	{
		static const struct report_frame stripped[] = {
			{ .pc = 0x7f0000000100, .offset = 0x100, .libc = true,
			  .module = "/lib/x86_64-linux-gnu/libc.so.6",
			  .function = "pipe", .name = "pipe" },
			{ .pc = 0x555500006571, .offset = 0x6571,
			  .module = "/usr/bin/dash" },
			{ .pc = 0x7f000002724a, .offset = 0x2724a, .libc = true,
			  .module = "/lib/x86_64-linux-gnu/libc.so.6",
			  .function = "__libc_start_call_main",
			  .name = "__libc_start_call_main" },
			{ .pc = 0x555500004781, .offset = 0x4781,
			  .module = "/usr/bin/dash", .function = "_start",
			  .name = "_start" },
		};

		symstacks_put(r.stacks, 999, stripped, 4);
		l = (struct leak){ .fd = 10, .kind = FDK_PIPE, .nr = SYS_pipe2,
		    .tid = 50, .stack = 999, .serial = 6 };
		report_add_leak(p, &l);
	}
	in = (struct inherited){ .fd = 4, .kind = FDK_FILE, .nr = SYS_openat,
	    .tid = 50, .stack = stack_intern(src, 1) };
	in.target = strdup("/etc/b");
	in.program = strdup("/bin/child");
	report_add_inherited(p, &in);
	report_resolve_process(&r, p);

	out = report_written(report_sarif, &r);
	assert_int_equal(python_check(out, structure), 0);
	assert_true(asprintf(&script,
	    "import json, sys\n"
	    "d = json.load(sys.stdin)\n"
	    "rs = d[\"runs\"][0][\"results\"]\n"
	    "assert [r[\"ruleId\"] for r in rs] == [\"fd-leak\", \"fd-leak\", \"fd-leak\", \"fd-double-close\", \"fd-inherited\"]\n"
	    "a, b, e, c, i = rs\n"
	    "assert \"__libc_start\" not in json.dumps([r[\"message\"] for r in rs] + [r[\"locations\"] for r in rs])\n"
	    "assert \" in dash+0x6571\" in e[\"message\"][\"text\"], e[\"message\"]\n"
	    "el, = e[\"locations\"]\n"
	    "assert el[\"physicalLocation\"] == {\"artifactLocation\": {\"uri\": \"file:///usr/bin/dash\"}, \"address\": {\"relativeAddress\": 25969, \"absoluteAddress\": 93823560607089}}, el\n"
	    "assert el[\"logicalLocations\"] == [{\"fullyQualifiedName\": \"dash+0x6571\", \"kind\": \"address\"}], el\n"
	    "assert \" in ???\" not in b[\"message\"][\"text\"], b[\"message\"]\n"
	    "pl = a[\"locations\"][0][\"physicalLocation\"]\n"
	    "file = \"%s\"\n"
	    "if file.startswith(\"/\"):\n"
	    "    assert pl[\"artifactLocation\"] == {\"uri\": \"file://\" + file}, pl\n"
	    "else:\n"
	    "    assert pl[\"artifactLocation\"] == {\"uri\": file, \"uriBaseId\": \"%%SRCROOT%%\"}, pl\n"
	    "assert pl[\"region\"] == {\"startLine\": %d}, pl\n"
	    "assert a[\"level\"] == \"warning\"\n"
	    "assert a[\"message\"][\"text\"].startswith(\"2 file descriptors leaked (2 file), opened in sarif_test_marker (\"), a[\"message\"]\n"
	    "assert \"/etc/a \\\"quoted\\\"\" in a[\"message\"][\"text\"]\n"
	    "assert a[\"properties\"] == {\"pid\": 50, \"count\": 2, \"fds\": [3, 4], \"targets\": [\"/etc/b\", \"/etc/a \\\"quoted\\\"\"]}, a[\"properties\"]\n"
	    "fr = a[\"stacks\"][0][\"frames\"]\n"
	    "assert [f[\"location\"][\"message\"][\"text\"] for f in fr] == [\"sarif_test_marker\", \"sarif_test_marker\"]\n"
	    "assert fr[0][\"location\"][\"physicalLocation\"][\"address\"][\"absoluteAddress\"] == %" PRIu64 "\n"
	    "assert b[\"locations\"][0][\"physicalLocation\"] == {\"artifactLocation\": {\"uri\": \"file:///usr/bin/my%%20prog\"}}, b[\"locations\"]\n"
	    "assert \"region\" not in b[\"stacks\"][0][\"frames\"][0][\"location\"][\"physicalLocation\"]\n"
	    "assert c[\"level\"] == \"error\" and len(c[\"stacks\"]) == 2\n"
	    "assert c[\"properties\"] == {\"pid\": 50, \"fd\": 7, \"tid\": 51, \"count\": 1}\n"
	    "assert [s[\"message\"][\"text\"] for s in c[\"stacks\"]] == [\"the failing close\", \"the previous close\"]\n"
	    "assert c[\"message\"][\"text\"].startswith(\"close(7) in sarif_test_marker\")\n"
	    "assert i[\"level\"] == \"note\" and \"/bin/child\" in i[\"message\"][\"text\"]\n",
	    sf.file, sf.line, pc) > 0);
	assert_int_equal(python_check(out, script), 0);
	free(script);
	free(out);

	/* Nothing to say: still a valid log, with no results. */
	report_free(&r);
	out = report_written(report_sarif, &r);
	assert_int_equal(python_check(out, "import json, sys\n"
	    "d = json.load(sys.stdin)\n"
	    "assert d[\"runs\"][0][\"results\"] == []\n"), 0);
	assert_int_equal(python_check(out, structure), 0);
	free(out);
}

static int
cleanup(void **state)
{
	symbolize_cleanup();
	stack_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sarif),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
