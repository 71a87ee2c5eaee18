// SPDX-License-Identifier: MIT
/*
 * test_attach.c - the checks before attaching, on real processes (the
 * /proc parsers behind them are tested in test_procfs.c).
 */
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
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
