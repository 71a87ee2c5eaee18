// SPDX-License-Identifier: MIT
/*
 * test_failures.c - failed fd creations: which errors count, their
 * classes, sites kept for EMFILE and ENFILE only, the first of each class
 * signalled, ran-out records and their holders freed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "report.h"
#include "util.h"

static void
test_classes(void **state)
{
	(void)state;
	assert_true(failure_counts(EMFILE));
	assert_true(failure_counts(ENOENT));
	/* How non-blocking and interrupted calls work, not failures. */
	assert_false(failure_counts(EAGAIN));
	assert_false(failure_counts(EINTR));
	assert_false(failure_counts(EINPROGRESS));
	assert_false(failure_counts(512));	/* ERESTARTSYS */
	assert_false(failure_counts(0));
	assert_int_equal(failure_class(EMFILE), FAIL_EMFILE);
	assert_int_equal(failure_class(ENFILE), FAIL_ENFILE);
	assert_int_equal(failure_class(EACCES), FAIL_OTHER);
	assert_string_equal(failure_class_name(FAIL_EMFILE), "EMFILE");
	assert_string_equal(failure_class_name(FAIL_ENFILE), "ENFILE");
	assert_string_equal(failure_class_name(FAIL_OTHER), "other");
}

static void
test_sites(void **state)
{
	struct proc_report p = { .pid = 5 };
	struct ran_out *ro;

	(void)state;
	/* Other errors: counted, no site, never "first". */
	assert_false(report_add_failure(&p, 0, SYS_openat, ENOENT));
	assert_false(report_add_failure(&p, 0, SYS_openat, EACCES));
	assert_int_equal(p.failed[FAIL_OTHER], 2);
	assert_int_equal(p.nfailures, 0);
	/* The first EMFILE is signalled once; sites by stack and syscall. */
	assert_true(report_add_failure(&p, 7, SYS_openat, EMFILE));
	assert_false(report_add_failure(&p, 7, SYS_openat, EMFILE));
	assert_false(report_add_failure(&p, 8, SYS_openat, EMFILE));
	assert_false(report_add_failure(&p, 7, SYS_socket, EMFILE));
	assert_true(report_add_failure(&p, 7, SYS_openat, ENFILE));
	assert_int_equal(p.failed[FAIL_EMFILE], 4);
	assert_int_equal(p.failed[FAIL_ENFILE], 1);
	assert_int_equal(p.nfailures, 4);
	assert_int_equal(p.failures[0].count, 2);
	assert_int_equal(p.failures[0].stack, 7);
	assert_int_equal(p.failures[3].class, FAIL_ENFILE);

	ro = report_add_ran_out(&p, FAIL_EMFILE);
	assert_non_null(ro);
	assert_int_equal(ro->open, -1);
	ro->nholders = 1;
	ro->holders[0].targets[0] = xstrdup("/dev/null");
	ro->holders[0].ntargets = 1;
	assert_non_null(report_add_ran_out(&p, FAIL_ENFILE));
	assert_null(report_add_ran_out(&p, FAIL_EMFILE));	/* one of each */
	report_failures_free(&p);
	assert_int_equal(p.nfailures, 0);
	assert_int_equal(p.nran_out, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_sites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
