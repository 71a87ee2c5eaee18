// SPDX-License-Identifier: MIT
/* test_fdtab.c - the fd model: add, close, close_range, dup2 over, fork, exec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <asm/unistd_64.h>

#include "fdevent.h"
#include "fdtab.h"

static struct fd_record
rec(int fd, uint32_t stack)
{
	struct fd_record r = { .fd = fd, .stack = stack, .tid = 1, .nr = 2 };

	return r;
}

static struct fd_event
create(int nr, int *fds, unsigned n)
{
	struct fd_event ev = { .type = FDE_CREATE, .nr = nr, .nfds = n, .fds = fds };

	return ev;
}

static void
test_add_lookup_close(void **state)
{
	struct fdtab *t = fdtab_new();
	struct fd_record r = rec(3, 7);

	(void)state;
	fdtab_add(t, &r);
	assert_int_equal(fdtab_count(t), 1);
	assert_non_null(fdtab_lookup(t, 3));
	assert_int_equal(fdtab_lookup(t, 3)->stack, 7);
	assert_null(fdtab_lookup(t, 4));
	assert_null(fdtab_lookup(t, -1));
	assert_true(fdtab_close(t, 3));
	assert_false(fdtab_close(t, 3));
	assert_int_equal(fdtab_count(t), 0);
	fdtab_unref(t);
}

/* Many fds, including huge numbers, survive growth and deletion shifting. */
static void
test_many_and_sparse(void **state)
{
	struct fdtab *t = fdtab_new();

	(void)state;
	for (int fd = 0; fd < 60000; fd++) {
		struct fd_record r = rec(fd, (uint32_t)fd + 1);

		fdtab_add(t, &r);
	}
	for (int fd = 1000000; fd < 1000000 + 64 * 4096; fd += 4096) {
		struct fd_record r = rec(fd, 9);

		fdtab_add(t, &r);
	}
	assert_int_equal(fdtab_count(t), 60000 + 64);
	for (int fd = 0; fd < 60000; fd += 2)
		assert_true(fdtab_close(t, fd));
	for (int fd = 0; fd < 60000; fd++) {
		struct fd_record *r = fdtab_lookup(t, fd);

		if (fd % 2 == 0) {
			assert_null(r);
		} else {
			assert_non_null(r);
			assert_int_equal(r->stack, (uint32_t)fd + 1);
		}
	}
	assert_non_null(fdtab_lookup(t, 1000000 + 4096 * 63));
	fdtab_unref(t);
}

static void
test_close_range(void **state)
{
	struct fdtab *t = fdtab_new();
	struct fd_event ev = { .type = FDE_CLOSE_RANGE, .nr = __NR_close_range };

	(void)state;
	for (int fd = 3; fd < 200; fd++) {
		struct fd_record r = rec(fd, 1);

		fdtab_add(t, &r);
	}
	/* small range: fd by fd */
	assert_int_equal(fdtab_close_range(t, 10, 19), 10);
	assert_null(fdtab_lookup(t, 10));
	assert_non_null(fdtab_lookup(t, 20));
	/* huge range: scan, as close_range(50, ~0U) does */
	ev.lo = 50;
	ev.hi = ~0u;
	t = fdtab_apply(t, &ev, 0, 1, 1000, 0);
	assert_int_equal(fdtab_count(t), 200 - 3 - 10 - 150);
	assert_non_null(fdtab_lookup(t, 49));
	assert_null(fdtab_lookup(t, 50));
	assert_null(fdtab_lookup(t, 199));
	assert_int_equal(fdtab_close_range(t, 5, 4), 0);
	fdtab_unref(t);
}

/* dup2 onto an open fd replaces its record: the old one is closed. */
static void
test_dup2_over_open(void **state)
{
	struct fdtab *t = fdtab_new();
	int a[] = { 5 }, b[] = { 5 };
	struct fd_event ev = create(__NR_openat, a, 1);

	(void)state;
	t = fdtab_apply(t, &ev, 11, 100, 1000, 0);
	ev = create(__NR_dup2, b, 1);
	t = fdtab_apply(t, &ev, 22, 101, 1000, 0);
	assert_int_equal(fdtab_count(t), 1);
	assert_int_equal(fdtab_lookup(t, 5)->stack, 22);
	assert_int_equal(fdtab_lookup(t, 5)->nr, __NR_dup2);
	assert_int_equal(fdtab_lookup(t, 5)->tid, 101);
	fdtab_unref(t);
}

/* fork copies: later changes in one table do not show in the other. */
static void
test_fork_copy(void **state)
{
	struct fdtab *parent = fdtab_new(), *child;
	struct fd_record r3 = rec(3, 1), r4 = rec(4, 2), r5 = rec(5, 3);

	(void)state;
	fdtab_add(parent, &r3);
	child = fdtab_copy(parent);
	fdtab_add(parent, &r4);
	fdtab_add(child, &r5);
	fdtab_close(child, 3);
	assert_non_null(fdtab_lookup(parent, 3));
	assert_non_null(fdtab_lookup(parent, 4));
	assert_null(fdtab_lookup(parent, 5));
	assert_null(fdtab_lookup(child, 3));
	assert_null(fdtab_lookup(child, 4));
	assert_non_null(fdtab_lookup(child, 5));
	assert_int_equal(fdtab_users(child), 1);
	fdtab_unref(parent);
	fdtab_unref(child);
}

/* CLONE_FILES shares: one table, changes seen by all, freed with the last user. */
static void
test_clone_files_shares(void **state)
{
	struct fdtab *t = fdtab_new(), *thread = fdtab_ref(t);
	struct fd_record r = rec(7, 1);

	(void)state;
	assert_ptr_equal(t, thread);
	assert_int_equal(fdtab_users(t), 2);
	fdtab_add(thread, &r);
	assert_non_null(fdtab_lookup(t, 7));
	fdtab_unref(thread);
	assert_int_equal(fdtab_users(t), 1);
	assert_non_null(fdtab_lookup(t, 7));
	fdtab_unref(t);
	fdtab_unref(NULL);
}

/* close_range(CLOSE_RANGE_UNSHARE) on a shared table gives the caller a copy. */
static void
test_close_range_unshare(void **state)
{
	struct fdtab *t = fdtab_new(), *other = fdtab_ref(t), *after;
	struct fd_record r = rec(8, 1);
	struct fd_event ev = { .type = FDE_CLOSE_RANGE, .flags = FDE_UNSHARE,
	    .lo = 3, .hi = 100 };

	(void)state;
	fdtab_add(t, &r);
	after = fdtab_apply(t, &ev, 0, 1, 1000, 0);
	assert_ptr_not_equal(after, other);
	assert_null(fdtab_lookup(after, 8));
	assert_non_null(fdtab_lookup(other, 8));
	assert_int_equal(fdtab_users(other), 1);
	fdtab_unref(after);
	fdtab_unref(other);
}

/* exec: fds the kernel dropped (close-on-exec) vanish; the rest cross exec. */
static void
test_exec(void **state)
{
	struct fdtab *t = fdtab_new();
	struct fd_record base = rec(0, 0), plain = rec(3, 1), cloexec = rec(4, 2);
	int open_after[] = { 9, 3, 0 };
	size_t pos = 0, n = 0;

	(void)state;
	base.flags = FDREC_BASELINE;
	fdtab_add(t, &base);
	fdtab_add(t, &plain);
	fdtab_add(t, &cloexec);
	fdtab_exec(t, open_after, 3, FDREC_UNKNOWN_ORIGIN);
	assert_null(fdtab_lookup(t, 4));
	assert_true(fdtab_lookup(t, 3)->flags & FDREC_ACROSS_EXEC);
	assert_int_equal(fdtab_lookup(t, 3)->stack, 1);
	assert_false(fdtab_lookup(t, 0)->flags & FDREC_ACROSS_EXEC);
	assert_true(fdtab_lookup(t, 0)->flags & FDREC_BASELINE);
	assert_true(fdtab_lookup(t, 9)->flags & FDREC_UNKNOWN_ORIGIN);
	while (fdtab_next(t, &pos) != NULL)
		n++;
	assert_int_equal(n, 3);
	fdtab_unref(t);
}

/*
 * A closed fd keeps its record in the closed table, with the close's
 * stack, until the number is made again; close_range closes the same way;
 * exec forgets what the old program closed.
 */
static void
test_closed_records(void **state)
{
	struct fdtab *t = fdtab_new();
	int a[] = { 5 }, b[] = { 7 };
	struct fd_event open5 = create(__NR_openat, a, 1);
	struct fd_event open7 = create(__NR_socket, b, 1);
	struct fd_event close5 = { .type = FDE_CLOSE, .nr = __NR_close,
	    .nfds = 1, .fds = a };
	struct fd_event range = { .type = FDE_CLOSE_RANGE,
	    .nr = __NR_close_range, .lo = 6, .hi = 9 };
	const struct fd_record *c;
	struct fd_record *recs;
	size_t n;
	int open_after[] = { 0 };

	(void)state;
	open7.kind = FDK_SOCKET;
	t = fdtab_apply(t, &open5, 11, 100, 90, 0);
	t = fdtab_apply(t, &open7, 12, 101, 90, 0);
	assert_null(fdtab_closed(t, 5));
	assert_int_equal(fdtab_lookup(t, 5)->pid, 90);
	t = fdtab_apply(t, &close5, 21, 100, 90, 0);
	c = fdtab_closed(t, 5);
	assert_non_null(c);
	assert_int_equal(c->stack, 11);
	assert_int_equal(c->close_stack, 21);
	assert_null(fdtab_lookup(t, 5));
	/* Closing what is not open records nothing: fd 6 never existed. */
	t = fdtab_apply(t, &range, 22, 100, 90, 0);
	assert_null(fdtab_closed(t, 6));
	c = fdtab_closed(t, 7);
	assert_non_null(c);
	assert_int_equal(c->kind, FDK_SOCKET);
	assert_int_equal(c->close_stack, 22);
	recs = fdtab_closed_range(t, 0, 100, &n);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0].fd, 5);
	assert_int_equal(recs[1].fd, 7);
	free(recs);
	assert_null(fdtab_closed_range(t, 8, 100, &n));
	assert_int_equal(n, 0);
	/* Made again: no longer closed. */
	t = fdtab_apply(t, &open5, 13, 100, 90, 0);
	assert_null(fdtab_closed(t, 5));
	/* The table of a fork keeps what was closed, marked; exec forgets it. */
	{
		struct fdtab *child = fdtab_fork(t);

		assert_non_null(fdtab_closed(child, 7));
		assert_true(fdtab_closed(child, 7)->flags & FDREC_CLOSED_IN_PARENT);
		assert_false(fdtab_closed(t, 7)->flags & FDREC_CLOSED_IN_PARENT);
		fdtab_exec(child, open_after, 1, FDREC_UNKNOWN_ORIGIN);
		assert_null(fdtab_closed(child, 7));
		fdtab_unref(child);
	}
	assert_non_null(fdtab_closed(t, 7));
	fdtab_unref(t);
}

/*
 * A dup of an fd open before tracing (or of such a dup) is marked: it is
 * the same open file (a shell restoring its stdout), unlike what the
 * program opened itself or a dup of that.
 */
static void
test_inherited_copy(void **state)
{
	struct fdtab *t = fdtab_new();
	int open_before[] = { 0, 1, 2 }, twelve[] = { 12 }, one[] = { 1 };
	int three[] = { 3 }, seven[] = { 7 };
	struct fd_event save = create(__NR_fcntl, twelve, 1);
	struct fd_event restore = create(__NR_dup2, one, 1);
	struct fd_event opened = create(__NR_openat, three, 1);
	struct fd_event dup_opened = create(__NR_dup, seven, 1);

	(void)state;
	fdtab_baseline(t, open_before, 3);
	save.flags = FDE_DUP;
	save.src = 1;
	t = fdtab_apply(t, &save, 1, 1, 1, 0);
	assert_true(fdtab_lookup(t, 12)->flags & FDREC_INHERITED_COPY);
	restore.flags = FDE_DUP;
	restore.src = 12;
	t = fdtab_apply(t, &restore, 2, 1, 1, 0);
	assert_true(fdtab_lookup(t, 1)->flags & FDREC_INHERITED_COPY);
	assert_false(fdtab_lookup(t, 1)->flags & FDREC_BASELINE);
	t = fdtab_apply(t, &opened, 3, 1, 1, 0);
	assert_false(fdtab_lookup(t, 3)->flags & FDREC_INHERITED_COPY);
	dup_opened.flags = FDE_DUP;
	dup_opened.src = 3;
	t = fdtab_apply(t, &dup_opened, 4, 1, 1, 0);
	assert_false(fdtab_lookup(t, 7)->flags & FDREC_INHERITED_COPY);
	/* Without FDE_DUP, src means nothing (fd 0 is open before tracing). */
	opened.fds = seven;
	opened.src = 0;
	t = fdtab_apply(t, &opened, 5, 1, 1, 0);
	assert_false(fdtab_lookup(t, 7)->flags & FDREC_INHERITED_COPY);
	fdtab_unref(t);
}

/* A failed syscall decodes to FDE_NONE and changes nothing. */
static void
test_apply_none_and_pair(void **state)
{
	struct fdtab *t = fdtab_new();
	struct fd_event none = { .type = FDE_NONE };
	int pair[] = { 6, 7 };
	struct fd_event ev = create(__NR_pipe2, pair, 2);

	(void)state;
	t = fdtab_apply(t, &none, 1, 1, 1000, 0);
	assert_int_equal(fdtab_count(t), 0);
	ev.flags = FDE_CLOEXEC;
	t = fdtab_apply(t, &ev, 3, 1, 1000, 0);
	assert_int_equal(fdtab_count(t), 2);
	assert_true(fdtab_lookup(t, 6)->flags & FDREC_CLOEXEC);
	assert_true(fdtab_lookup(t, 7)->serial > fdtab_lookup(t, 6)->serial);
	fdtab_unref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lookup_close),
		cmocka_unit_test(test_many_and_sparse),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_dup2_over_open),
		cmocka_unit_test(test_fork_copy),
		cmocka_unit_test(test_clone_files_shares),
		cmocka_unit_test(test_close_range_unshare),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_apply_none_and_pair),
		cmocka_unit_test(test_closed_records),
		cmocka_unit_test(test_inherited_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
