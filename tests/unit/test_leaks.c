// SPDX-License-Identifier: MIT
/*
 * test_leaks.c - the leak model on made-up tables: what is a leak
 * (baseline never; fds 0-2 only when made by the program, or with
 * --std-fds), --min-age, fds being closed while detaching, the records
 * made from the model and the kernel's descriptions, leaks from the model
 * alone, and the fds inherited across an exec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "fdevent.h"
#include "leaks.h"
#include "stack.h"

#define SEC	1000000000ull

static struct fd_record
rec(int fd, unsigned flags, uint64_t time_ns)
{
	return (struct fd_record){ .fd = fd, .stack = 100 + (uint32_t)fd,
	    .tid = 7, .pid = 7, .nr = SYS_openat, .kind = FDK_FILE,
	    .flags = (uint8_t)flags, .serial = (uint64_t)fd,
	    .time_ns = time_ns };
}

/* A table: 0-2 given (baseline), 3 baseline, 4 made, 1 made again (dup2
 * onto stdout), 2 restored from a copy of the given one, 5 across exec,
 * 6 of unknown origin, 7 made a second ago. */
static struct fdtab *
table(uint64_t now)
{
	struct fdtab *t = fdtab_new();
	struct fd_record r;

	r = rec(0, FDREC_BASELINE, 1);
	fdtab_add(t, &r);
	r = rec(3, FDREC_BASELINE, 1);
	fdtab_add(t, &r);
	r = rec(4, 0, 1);
	fdtab_add(t, &r);
	r = rec(1, 0, 1);
	fdtab_add(t, &r);
	r = rec(2, FDREC_INHERITED_COPY, 1);
	fdtab_add(t, &r);
	r = rec(5, FDREC_ACROSS_EXEC, 1);
	fdtab_add(t, &r);
	r = rec(6, FDREC_UNKNOWN_ORIGIN, 1);
	fdtab_add(t, &r);
	r = rec(7, 0, now - SEC);
	fdtab_add(t, &r);
	return t;
}

static void
test_reportable(void **state)
{
	struct leak_rules plain = { .std_fds = false }, std = { .std_fds = true };
	struct fd_record base = rec(9, FDREC_BASELINE, 1), made = rec(1, 0, 1);
	struct fd_record given = rec(1, FDREC_ACROSS_EXEC, 1);
	struct fd_record copy = rec(1, FDREC_INHERITED_COPY, 1);
	struct fd_record young = rec(9, 0, 10 * SEC);
	struct leak_rules aged = { .min_age_ns = 2 * SEC };

	(void)state;
	assert_false(leaks_reportable(&plain, &base, 9));
	assert_false(leaks_reportable(&std, &base, 9));
	assert_true(leaks_reportable(&plain, NULL, 9));	/* origin unknown */
	assert_true(leaks_reportable(&plain, &made, 1));
	assert_false(leaks_reportable(&plain, &given, 1));
	assert_true(leaks_reportable(&std, &given, 1));
	assert_false(leaks_reportable(&plain, &copy, 1));
	assert_false(leaks_reportable(&plain, NULL, 1));
	assert_true(leaks_reportable(&std, NULL, 1));
	assert_true(leaks_too_young(&aged, &young, 11 * SEC));
	assert_false(leaks_too_young(&aged, &young, 13 * SEC));
	assert_false(leaks_too_young(&plain, &young, 11 * SEC));
	assert_false(leaks_too_young(&aged, NULL, 11 * SEC));
	assert_true(leaks_age(SEC, 3 * SEC) == 2.0);
	assert_true(leaks_age(0, 3 * SEC) < 0);
}

static bool
closing_six(int fd, void *arg)
{
	(void)arg;
	return fd == 6 || fd == 8;
}

static void
test_select(void **state)
{
	uint64_t now = 100 * SEC;
	struct fdtab *t = table(now);
	struct leak_rules lr = { .min_age_ns = 2 * SEC };
	/* The kernel has 8 too (unknown to the model) but not 4 (closed). */
	int open[] = { 0, 1, 2, 3, 5, 6, 7, 8 }, want[] = { 1, 5, 6, 8 };
	int fds[8];
	struct leak_hidden hidden = { 0 };
	size_t n;

	(void)state;
	memcpy(fds, open, sizeof open);
	n = leaks_select(&lr, t, fds, 8, NULL, NULL, now, &hidden);
	assert_int_equal(n, 4);
	assert_memory_equal(fds, want, sizeof want);
	assert_int_equal(hidden.young, 1);		/* fd 7 */
	/* Detaching: 6 is of unknown origin (has a record), 8 is being closed. */
	memcpy(fds, open, sizeof open);
	n = leaks_select(&lr, t, fds, 8, closing_six, NULL, now, NULL);
	assert_int_equal(n, 3);
	assert_int_equal(fds[2], 6);
	fdtab_unref(t);
}

static void
test_make(void **state)
{
	uint64_t now = 100 * SEC;
	struct fd_record r = rec(5, FDREC_ACROSS_EXEC, 98 * SEC);
	struct fd_desc d = { FDK_SOCKET, strdup("tcp 1.2.3.4:5"), true };
	struct fd_desc none = { FDK_UNKNOWN, NULL, false };
	struct leak l;

	(void)state;
	leaks_make(&l, 5, &r, &d, 9, now);
	assert_int_equal(l.fd, 5);
	assert_int_equal(l.kind, FDK_SOCKET);
	assert_string_equal(l.target, "tcp 1.2.3.4:5");
	assert_null(d.target);			/* moved */
	assert_true(l.cloexec && l.across_exec && !l.unknown_origin);
	assert_int_equal(l.nr, SYS_openat);
	assert_int_equal(l.tid, 7);
	assert_int_equal(l.stack, 105);
	assert_true(l.age == 2.0);
	free(l.target);
	/* The kernel could not tell: the model's kind stands. */
	leaks_make(&l, 5, &r, &none, 9, now);
	assert_int_equal(l.kind, FDK_FILE);
	/* No record: origin unknown, the last thread's. */
	leaks_make(&l, 8, NULL, &none, 9, now);
	assert_true(l.unknown_origin && l.nr == -1 && l.tid == 9 &&
	    l.stack == 0 && l.age < 0 && l.kind == FDK_OTHER);
}

static void
test_from_model(void **state)
{
	uint64_t now = 100 * SEC;
	struct fdtab *t = table(now);
	struct leak_rules lr = { .min_age_ns = 2 * SEC };
	struct proc_report p = { .pid = 7 };
	struct leak_hidden hidden = { 0 };

	(void)state;
	/* 1, 4, 5, 6 (7 is young; 0, 3 baseline; 2 a copy of stdio). */
	assert_int_equal(leaks_from_model(&lr, t, 7, now, &p, &hidden), 4);
	assert_int_equal(hidden.young, 1);
	assert_int_equal(p.leaks[0].created_in, 7);
	report_sort_leaks(&p);
	assert_int_equal(p.leaks[0].fd, 1);
	assert_int_equal(p.leaks[3].fd, 6);
	assert_true(p.leaks[3].unknown_origin && p.leaks[3].nr == -1);
	assert_true(p.leaks[2].across_exec);
	report_proc_free(&p);
	fdtab_unref(t);
}

static void
test_inherited(void **state)
{
	struct fdtab *t = fdtab_new();
	struct leak_rules plain = { .std_fds = false }, std = { .std_fds = true };
	struct proc_report p = { .pid = 7 };
	struct fd_record r;

	(void)state;
	r = rec(1, FDREC_ACROSS_EXEC, 1);	/* stdout made before the exec */
	fdtab_add(t, &r);
	r = rec(5, FDREC_ACROSS_EXEC, 1);
	fdtab_add(t, &r);
	r = rec(6, 0, 1);			/* made after the exec */
	fdtab_add(t, &r);
	r = rec(7, FDREC_ACROSS_EXEC | FDREC_BASELINE, 1);
	fdtab_add(t, &r);
	r = rec(8, FDREC_ACROSS_EXEC | FDREC_UNKNOWN_ORIGIN, 1);
	fdtab_add(t, &r);
	assert_int_equal(leaks_inherited(&plain, t, "/bin/x", &p), 1);
	assert_int_equal(p.inherited[0].fd, 5);
	assert_string_equal(p.inherited[0].program, "/bin/x");
	assert_int_equal(p.inherited[0].stack, 105);
	assert_int_equal(leaks_inherited(&std, t, NULL, &p), 2);
	assert_int_equal(p.ninherited, 3);
	report_proc_free(&p);
	fdtab_unref(t);
}

/* A failed close: closed before by this process, impossible, or of nothing. */
static void
test_failed_close(void **state)
{
	struct frame in_loader = { .pc = 0x7f00, .offset = 0x100,
	    .module = module_intern("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") };
	struct frame in_prog = { .pc = 0x5500, .offset = 0x500,
	    .module = module_intern("/usr/bin/prog") };
	struct fd_record c = rec(5, 0, 1);

	(void)state;
	c.close_stack = stack_intern(&in_prog, 1);
	assert_int_equal(leaks_failed_close(&c, 5, 1024), CLOSE_DOUBLE);
	/* The parent closed it before the fork: the child never had it. */
	c.flags = FDREC_CLOSED_IN_PARENT;
	assert_int_equal(leaks_failed_close(&c, 5, 1024), CLOSE_UNOPENED);
	/* The dynamic loader closed it (reading a library). */
	c.flags = 0;
	c.close_stack = stack_intern(&in_loader, 1);
	assert_false(leaks_closed_by_program(&c));
	assert_int_equal(leaks_failed_close(&c, 5, 1024), CLOSE_UNOPENED);
	assert_int_equal(leaks_failed_close(NULL, 5, 1024), CLOSE_UNOPENED);
	assert_int_equal(leaks_failed_close(NULL, -1, 1024), CLOSE_BAD);
	assert_int_equal(leaks_failed_close(NULL, 1024, 1024), CLOSE_BAD);
	assert_int_equal(leaks_failed_close(NULL, 1023, 1024), CLOSE_UNOPENED);
	assert_false(leaks_closed_by_program(NULL));
	stack_cleanup();
}

static struct fd_ident
ident(uint64_t ino)
{
	return (struct fd_ident){ .ino = ino, .mnt_id = 15, .accmode = 2 };
}

static void
add_ident(struct fdtab *t, int fd, unsigned flags, enum fd_kind kind,
    uint64_t ino)
{
	struct fd_record r = rec(fd, flags, 1);

	r.kind = (uint8_t)kind;
	r.ident = ident(ino);
	fdtab_add(t, &r);
}

/*
 * Sampling: a window starts, and the model meets the kernel's table.
 * Kept: what is still the same object (confirmed only when the identity
 * is unique: a socket yes, a file no). Dropped: what went, and what is
 * now another object (then unsampled, never with the old stack). New
 * fds: unsampled. Closes seen before the gap are forgotten.
 */
static void
test_reconcile(void **state)
{
	struct fdtab *t = fdtab_new();
	struct leak_rules lr = { .std_fds = false };
	struct reconcile_counts c = { 0 };
	const struct fd_record *r;
	int ten = 10;
	struct fd_event close10 = { .type = FDE_CLOSE, .nr = SYS_close,
	    .nfds = 1, .fds = &ten };
	struct kernel_fd k[] = {
		{ 3, { 0 } },		/* baseline: its identity is not read */
		{ 4, ident(20) },	/* made, same socket */
		{ 5, ident(30) },	/* made, same file inode: maybe reopened */
		{ 6, ident(41) },	/* made as 40: another socket now */
		{ 8, ident(50) },	/* made while away */
		{ 9, ident(60) },	/* made, identity never read */
	};

	(void)state;
	add_ident(t, 3, FDREC_BASELINE, FDK_SOCKET, 10);
	add_ident(t, 4, 0, FDK_SOCKET, 20);
	add_ident(t, 5, 0, FDK_FILE, 30);
	add_ident(t, 6, 0, FDK_SOCKET, 40);
	add_ident(t, 7, 0, FDK_PIPE, 70);	/* closed while away */
	add_ident(t, 9, 0, FDK_FILE, 0);
	add_ident(t, 10, 0, FDK_FILE, 80);
	t = fdtab_apply(t, &close10, 555, 7, 7, 2);
	assert_non_null(fdtab_closed(t, 10));

	leaks_reconcile(t, k, sizeof k / sizeof k[0], true, &c);
	assert_int_equal(c.gone, 1);
	assert_int_equal(c.changed, 1);
	assert_int_equal(c.appeared, 1);
	assert_int_equal(c.unconfirmed, 2);
	assert_int_equal(fdtab_count(t), 6);
	assert_null(fdtab_lookup(t, 7));
	assert_null(fdtab_closed(t, 10));

	r = fdtab_lookup(t, 3);
	assert_int_equal(r->flags, FDREC_BASELINE);
	assert_false(leaks_verified(r));
	assert_true(leaks_verified(fdtab_lookup(t, 4)));
	r = fdtab_lookup(t, 4);
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->stack, 104);
	assert_true(leaks_reportable(&lr, r, 4));
	/* A file may have been reopened in the gap: held back for now. */
	r = fdtab_lookup(t, 5);
	assert_int_equal(r->flags, FDREC_UNCONFIRMED);
	assert_true(leaks_held_back(r));
	assert_false(leaks_reportable(&lr, r, 5));
	r = fdtab_lookup(t, 9);
	assert_int_equal(r->flags, FDREC_UNCONFIRMED);
	assert_int_equal(r->ident.ino, 60);	/* known from now on */
	/* Another object now: no stack, never a leak. */
	r = fdtab_lookup(t, 6);
	assert_int_equal(r->flags, FDREC_UNSAMPLED);
	assert_int_equal(r->stack, 0);
	assert_int_equal(r->ident.ino, 41);
	assert_false(leaks_reportable(&lr, r, 6));
	r = fdtab_lookup(t, 8);
	assert_int_equal(r->flags, FDREC_UNSAMPLED);
	assert_false(leaks_reportable(&lr, r, 8));

	/* A dump's look in the middle of the gap: no gap is over yet. */
	leaks_reconcile(t, k, sizeof k / sizeof k[0], false, &c);
	assert_true(leaks_held_back(fdtab_lookup(t, 5)));
	memset(&c, 0, sizeof c);
	/* Next window, nothing changed: nothing counted twice. */
	memset(&c, 0, sizeof c);
	k[3].ident = ident(41);
	leaks_reconcile(t, k, sizeof k / sizeof k[0], true, &c);
	assert_int_equal(c.gone + c.changed + c.appeared + c.unconfirmed, 0);
	assert_int_equal(fdtab_count(t), 6);
	/* The same after a second gap: reported, as unconfirmed. */
	r = fdtab_lookup(t, 5);
	assert_false(leaks_held_back(r));
	assert_true(leaks_reportable(&lr, r, 5));
	assert_false(leaks_held_back(fdtab_lookup(t, 4)));
	/*
	 * An fd whose identity could not be read (closed between the listing
	 * and the read): not known to be the same, so its stack goes.
	 */
	k[1].ident.ino = 0;
	leaks_reconcile(t, k, sizeof k / sizeof k[0], true, &c);
	assert_int_equal(c.changed, 1);
	assert_false(leaks_reportable(&lr, fdtab_lookup(t, 4), 4));
	fdtab_unref(t);
}

static void
test_ident(void **state)
{
	struct fd_ident a = ident(5), b = ident(5), none = { 0 };

	(void)state;
	assert_true(fd_ident_same(&a, &b));
	b.accmode = 0;		/* reopened read-only */
	assert_false(fd_ident_same(&a, &b));
	b = a;
	b.mnt_id = 16;		/* same inode number, other filesystem */
	assert_false(fd_ident_same(&a, &b));
	assert_false(fd_ident_same(&none, &none));
	assert_true(fd_ident_unique(FDK_SOCKET, &a));
	assert_true(fd_ident_unique(FDK_PIPE, &a));
	assert_false(fd_ident_unique(FDK_FILE, &a));
	assert_false(fd_ident_unique(FDK_DEVICE, &a));
	/* anon inodes share one inode: only an eventfd's id tells them apart */
	assert_false(fd_ident_unique(FDK_EVENTFD, &a));
	a.xid = 3;
	assert_true(fd_ident_unique(FDK_EVENTFD, &a));
	assert_false(fd_ident_unique(FDK_SOCKET, &none));
}

/*
 * A child (pid 9) forked from 7 holds 7's records: with
 * --skip-fork-inherited they are left out and counted, but not the one
 * it made itself, nor one of unknown origin.
 */
static void
test_fork_inherited(void **state)
{
	uint64_t now = 100 * SEC;
	struct fdtab *t = table(now);
	struct leak_rules lr = { .skip_fork_inherited = true, .pid = 9 };
	struct fd_record own = rec(10, 0, 1);
	struct proc_report p = { .pid = 9 };
	struct leak_hidden hidden = { 0 };

	(void)state;
	own.pid = 9;
	fdtab_add(t, &own);
	assert_true(leaks_fork_inherited(&lr, fdtab_lookup(t, 4)));
	assert_false(leaks_fork_inherited(&lr, fdtab_lookup(t, 10)));
	assert_false(leaks_fork_inherited(&lr, fdtab_lookup(t, 6)));	/* unknown origin */
	assert_false(leaks_fork_inherited(&lr, fdtab_lookup(t, 3)));	/* baseline */
	/* 10 and 6 stay; 1, 4, 5, 7 were made by 7. */
	assert_int_equal(leaks_from_model(&lr, t, 9, now, &p, &hidden), 2);
	assert_int_equal(hidden.forked, 4);
	report_sort_leaks(&p);
	assert_int_equal(p.leaks[1].fd, 10);
	assert_int_equal(p.leaks[1].created_in, 9);
	report_proc_free(&p);
	/* Without the option, all are leaks, marked with their creator. */
	memset(&p, 0, sizeof p);
	lr.skip_fork_inherited = false;
	assert_int_equal(leaks_from_model(&lr, t, 9, now, &p, NULL), 6);
	report_sort_leaks(&p);
	assert_int_equal(p.leaks[1].fd, 4);
	assert_int_equal(p.leaks[1].created_in, 7);
	report_proc_free(&p);
	fdtab_unref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reportable),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_from_model),
		cmocka_unit_test(test_fork_inherited),
		cmocka_unit_test(test_inherited),
		cmocka_unit_test(test_failed_close),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_ident),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
