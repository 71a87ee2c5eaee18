// SPDX-License-Identifier: MIT
/*
 * test_dump.c - live dumps: sites counted with their distinct targets,
 * growth against the previous dump, and the two writers, with and
 * without sampling (share, unsampled fds, a rate per site).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dump.h"
#include "report.h"

static char *
text_of(const struct report *r, const struct dump *d, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		dump_write_json(f, r, d);
	else
		dump_write_text(f, r, d);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * Process 10 (plain attach): 3 fds from stack 7 (2 targets), 1 from
 * stack 8. Process 20 (sampled, 2 s attached of 8): 4 fds from stack 9.
 */
static void
first_dump(struct dump *d)
{
	struct dump_proc *p = dump_add_proc(d, 10, 40);

	dump_add_fd(p, 7, FDK_FILE, "/a");
	dump_add_fd(p, 7, FDK_FILE, "/b");
	dump_add_fd(p, 7, FDK_FILE, "/a");
	dump_add_fd(p, 8, FDK_SOCKET, NULL);
	p = dump_add_proc(d, 20, 9);
	p->share = 0.25;
	p->attached = 2.0;
	p->unsampled = 3;
	for (int i = 0; i < 4; i++)
		dump_add_fd(p, 9, FDK_PIPE, "pipe:[5]");
	dump_finish(d);
}

static void
test_first(void **state)
{
	struct report r = { 0 };
	struct dump d = { 0 };
	char *text, *json, *p10, *p20;

	(void)state;
	first_dump(&d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.procs[0].outstanding, 4);
	assert_int_equal(d.procs[0].nsites, 2);
	/* Sorted by growth, then count: stack 7 first. */
	assert_int_equal(d.procs[0].sites[0].stack, 7);
	assert_int_equal(d.procs[0].sites[0].count, 3);
	assert_int_equal(d.procs[0].sites[0].ntargets, 2);
	assert_int_equal(d.procs[0].sites[0].growth, 3);
	assert_true(dump_site_rate(&d.procs[1], &d.procs[1].sites[0]) == 2.0);

	text = text_of(&r, &d, false);
	assert_string_equal(text,
	    "fdleak: dump n=1 elapsed=0.0\n"
	    "fdleak: dump-process pid=10 fds=40 outstanding=4\n"
	    "fdleak: dump-site pid=10 count=3 growth=+3 kinds=file:3 targets=\"/a\", \"/b\"\n"
	    "fdleak:    (no stack)\n"
	    "fdleak: dump-site pid=10 count=1 growth=+1 kinds=socket:1 targets=?\n"
	    "fdleak:    (no stack)\n"
	    "fdleak: dump-process pid=20 fds=9 outstanding=4 sampled=25.0% unsampled=3\n"
	    "fdleak: dump-site pid=20 count=4 growth=+4 rate=2/s kinds=pipe:4 targets=\"pipe:[5]\"\n"
	    "fdleak:    (no stack)\n");
	json = text_of(&r, &d, true);
	assert_non_null(strstr(json, "{\"pid\": 10, \"fds\": 40, \"outstanding\": 4, \"sites\": [{\"count\": 3, \"growth\": 3, \"kinds\": {\"file\": 3}"));
	assert_non_null(strstr(json, "{\"pid\": 20, \"fds\": 9, \"outstanding\": 4, \"sampled_share\": 0.2500, \"unsampled\": 3, \"share_exact\": 0.25, \"attached_exact\": 2, \"sites\": [{\"count\": 4, \"growth\": 4, \"rate\": 2, \"kinds\": {\"pipe\": 4}"));
	/* Not sampled: no rate in process 10's section. One line. */
	p10 = strstr(json, "{\"pid\": 10");
	p20 = strstr(json, "{\"pid\": 20");
	assert_true(p10 != NULL && p20 > p10);
	assert_true(strstr(p10, "\"rate\"") > p20);
	assert_ptr_equal(strchr(json, '\n'), json + strlen(json) - 1);
	free(text);
	free(json);
	dump_free(&d);
	dump_cleanup();
}

/* The second dump counts growth against the first, per process and site. */
static void
test_growth(void **state)
{
	struct dump d = { 0 }, e = { 0 };
	struct dump_proc *p;

	(void)state;
	first_dump(&d);
	p = dump_add_proc(&e, 10, 41);
	dump_add_fd(p, 7, FDK_FILE, "/a");
	dump_add_fd(p, 8, FDK_SOCKET, NULL);
	dump_add_fd(p, 8, FDK_SOCKET, NULL);
	dump_add_fd(p, 11, FDK_FILE, "/c");
	dump_finish(&e);
	assert_int_equal(e.n, d.n + 1);
	dump_free(&d);
	assert_int_equal(e.procs[0].nsites, 3);
	/* Growth first: 8 (+1) and 11 (+1, new), then 7 (-2). */
	assert_int_equal(e.procs[0].sites[0].growth, 1);
	assert_int_equal(e.procs[0].sites[2].stack, 7);
	assert_int_equal(e.procs[0].sites[2].growth, -2);
	dump_free(&e);
	dump_cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
