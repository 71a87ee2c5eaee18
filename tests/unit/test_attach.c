// SPDX-License-Identifier: MIT
/* test_attach.c - the /proc parsers behind attach's checks, and the checks on real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"

static void
test_status(void **state)
{
	struct proc_status st;

	(void)state;
	assert_int_equal(attach_parse_status("Name:\tsleep\nState:\tS (sleeping)\n"
	    "PPid:\t12\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\n", &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 12);
	assert_int_equal(st.tracer, 0);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.tgid, 0);	/* absent */
	assert_int_equal(attach_parse_status("State:\tZ (zombie)\nTgid:\t4242\nPPid:\t1\n"
	    "TracerPid:\t77\nUid:\t0\t0\t0\t0\n", &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.tracer, 77);
	assert_int_equal(st.tgid, 4242);
	/* a repeated field does not stand in for a missing one */
	assert_int_equal(attach_parse_status("State:\tS\nState:\tS\nTracerPid:\t0\n"
	    "Uid:\t0\n", &st), -1);
	assert_int_equal(attach_parse_status("", &st), -1);
}

static void
test_stat_flags(void **state)
{
	(void)state;
	assert_int_equal(attach_parse_stat_flags("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0"),
	    2129984);
	/* comm with spaces and parentheses */
	assert_int_equal(attach_parse_stat_flags("7 (a) b) (c) R 1 7 7 0 -1 4194560 1"),
	    4194560);
	assert_int_equal(attach_parse_stat_flags("7 (x) R 1 7 7 0 -1 -2 1"), -1);
	assert_int_equal(attach_parse_stat_flags("7 (x) R 1"), -1);
	assert_int_equal(attach_parse_stat_flags("no paren"), -1);
}

static void
test_checks(void **state)
{
	pid_t child;

	(void)state;
	assert_int_equal(attach_check(0), -1);
	assert_int_equal(attach_check(getpid()), -1);		/* itself */
	assert_int_equal(attach_check(getppid()), -1);		/* an ancestor */
	assert_int_equal(attach_check(2), -1);			/* kthreadd */
	assert_int_equal(attach_check(0x3ffffff0), -1);		/* no such process */
	child = fork();
	if (child == 0)
		_exit(0);
	/* a zombie until reaped */
	usleep(100000);
	assert_int_equal(attach_check(child), -1);
	waitpid(child, NULL, 0);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(attach_check(child), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_stat_flags),
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
