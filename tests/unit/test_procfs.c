// SPDX-License-Identifier: MIT
/*
 * test_procfs.c - the bounded reader (a file longer than the bound, a
 * missing or unreadable one), the status and stat parsers, and cmdline
 * both parsed and read from live and dead processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "procfs.h"

#define BIG	10000

static char path[64];

static int
setup_file(void **state)
{
	char buf[BIG];
	int fd;

	(void)state;
	snprintf(path, sizeof path, "/tmp/test_procfs.%d", (int)getpid());
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
		return -1;
	close(fd);
	return 0;
}

static int
teardown_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Longer than the bound: refused whole, cut as a head; never past the bound. */
static void
test_bound(void **state)
{
	char *t, *buf = NULL;
	size_t len = 7, cap = 0;
	ssize_t n;

	(void)state;
	errno = 0;
	assert_null(procfs_read(path, 4096, PROCFS_WHOLE, &len));
	assert_int_equal(errno, EFBIG);
	assert_int_equal(len, 7);
	t = procfs_read(path, 4096, PROCFS_HEAD, &len);
	assert_non_null(t);
	assert_int_equal(len, 4096);
	assert_int_equal(strlen(t), 4096);
	assert_memory_equal(t, "abcdefgh", 8);
	free(t);
	/* Exactly the bound fits; one byte less does not. */
	t = procfs_read(path, BIG, PROCFS_WHOLE, &len);
	assert_non_null(t);
	assert_int_equal(len, BIG);
	assert_int_equal(t[BIG - 1], (char)('a' + (BIG - 1) % 26));
	free(t);
	assert_null(procfs_read(path, BIG - 1, PROCFS_WHOLE, &len));
	assert_int_equal(errno, EFBIG);
	t = procfs_read(path, 0, PROCFS_HEAD, &len);
	assert_non_null(t);
	assert_int_equal(len, 0);
	assert_string_equal(t, "");
	free(t);

	/* A reused buffer grows to the bound and no further. */
	assert_int_equal(procfs_read_into(path, 5000, PROCFS_HEAD, &buf, &cap), 5000);
	assert_true(cap <= 5001);
	assert_int_equal(procfs_read_into(path, 1u << 20, PROCFS_WHOLE, &buf,
	    &cap), BIG);
	assert_true(cap <= (1u << 20) + 1);
	assert_int_equal(procfs_read_into(path, 100, PROCFS_WHOLE, &buf, &cap), -1);
	assert_int_equal(errno, EFBIG);
	n = procfs_read_into("/proc/self/status", 1u << 16, PROCFS_WHOLE, &buf,
	    &cap);
	assert_int_equal(n, (ssize_t)strlen(buf));
	assert_non_null(strstr(buf, "\nPid:"));
	free(buf);
}

static void
test_unreadable(void **state)
{
	struct proc_status st;
	size_t len;

	(void)state;
	errno = 0;
	assert_null(procfs_read("/nonexistent/file", 4096, PROCFS_HEAD, &len));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(procfs_read("/proc/self", 4096, PROCFS_HEAD, &len));
	assert_int_equal(errno, EISDIR);
	errno = 0;
	assert_int_equal(procfs_read_status(0x3ffffff0, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(procfs_read_cmdline(0x3ffffff0));
	assert_int_equal(errno, ENOENT);
}

static void
test_status(void **state)
{
	struct proc_status st;

	(void)state;
	assert_int_equal(procfs_parse_status("Name:\tsleep\nState:\tS (sleeping)\n"
	    "PPid:\t12\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\n", &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 12);
	assert_int_equal(st.tracer, 0);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.tgid, 0);	/* absent */
	assert_int_equal(st.seccomp, -1);	/* absent */
	assert_int_equal(procfs_parse_status("State:\tZ (zombie)\nTgid:\t4242\nPPid:\t1\n"
	    "TracerPid:\t77\nUid:\t0\t0\t0\t0\nNoNewPrivs:\t1\nSeccomp:\t2\n"
	    "Seccomp_filters:\t1\n", &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.tracer, 77);
	assert_int_equal(st.tgid, 4242);
	assert_int_equal(st.seccomp, 2);
	/* a repeated field does not stand in for a missing one */
	assert_int_equal(procfs_parse_status("State:\tS\nState:\tS\nTracerPid:\t0\n"
	    "Uid:\t0\n", &st), -1);
	assert_int_equal(procfs_parse_status("", &st), -1);
}

static void
test_stat_flags(void **state)
{
	(void)state;
	assert_int_equal(procfs_parse_stat_flags("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0"),
	    2129984);
	/* comm with spaces and parentheses */
	assert_int_equal(procfs_parse_stat_flags("7 (a) b) (c) R 1 7 7 0 -1 4194560 1"),
	    4194560);
	assert_int_equal(procfs_parse_stat_flags("7 (x) R 1 7 7 0 -1 -2 1"), -1);
	assert_int_equal(procfs_parse_stat_flags("7 (x) R 1"), -1);
	assert_int_equal(procfs_parse_stat_flags("no paren"), -1);
}

/* A child that installs an allow-all seccomp filter, then waits. */
static pid_t
seccomp_child(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
			_exit(1);
		close(p[1]);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	return pid;
}

static void
test_read_status(void **state)
{
	struct proc_status st;
	pid_t child;

	(void)state;
	assert_int_equal(procfs_read_status(getpid(), &st), 0);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.tgid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.uid, (long)getuid());
	assert_true(st.seccomp >= 0);
	child = seccomp_child();
	assert_int_equal(procfs_read_status(child, &st), 0);
	assert_int_equal(st.seccomp, 2);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* argv[0..n) equals want[0..n) and ends there. */
static void
expect_argv(char **argv, const char *const *want, size_t n)
{
	assert_non_null(argv);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[n]);
	free(argv);
}

static void
test_cmdline_parse(void **state)
{
	static const char *const three[] = { "sh", "", "b" };
	static const char *const one_empty[] = { "" };
	static const char *const two_empty[] = { "a", "" };
	static const char *const plain[] = { "abc" };

	(void)state;
	expect_argv(procfs_parse_cmdline("sh\0\0b\0", 6), three, 3);
	/* No NUL at the end (a program that rewrote its argv): still the last one. */
	expect_argv(procfs_parse_cmdline("sh\0\0b", 5), three, 3);
	expect_argv(procfs_parse_cmdline("", 0), NULL, 0);
	expect_argv(procfs_parse_cmdline("\0", 1), one_empty, 1);
	expect_argv(procfs_parse_cmdline("a\0\0", 3), two_empty, 2);
	expect_argv(procfs_parse_cmdline("abc", 3), plain, 1);
}

/*
 * The argv fdleak reads of a live sh run with args (waiting on a pipe,
 * which *w holds open; the caller closes it and reaps *child).
 */
static char **
live_argv(char *const args[], pid_t *child, int *w)
{
	char **argv = NULL;
	int p[2];

	assert_int_equal(pipe(p), 0);
	*child = fork();
	assert_true(*child >= 0);
	if (*child == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execv("/bin/sh", args);
		_exit(127);
	}
	close(p[0]);
	*w = p[1];
	for (int i = 0; i < 500; i++) {
		argv = procfs_read_cmdline(*child);
		assert_non_null(argv);
		if (argv[0] != NULL && strcmp(argv[0], "sh") == 0)
			break;
		free(argv);
		argv = NULL;
		usleep(10000);
	}
	return argv;
}

static void
test_cmdline_read(void **state)
{
	static const char *const want[] = { "sh", "-c", "read x", "x", "", "b" };
	char *run[] = { "sh", "-c", "read x", "x", "", "b", NULL };
	char *padded[] = { "sh", "-c", "read x", "x", "", "b", "", "", NULL };
	struct proc_status st;
	pid_t child;
	int w;

	(void)state;
	/* A live process whose argv holds an empty argument. */
	expect_argv(live_argv(run, &child, &w), want, 6);
	close(w);
	waitpid(child, NULL, 0);
	/* Empty arguments at the end (a title padded with NULs) are left out. */
	expect_argv(live_argv(padded, &child, &w), want, 6);
	close(w);
	waitpid(child, NULL, 0);

	/* A zombie has no arguments left. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 500; i++) {
		assert_int_equal(procfs_read_status(child, &st), 0);
		if (st.state == 'Z')
			break;
		usleep(10000);
	}
	assert_int_equal(st.state, 'Z');
	expect_argv(procfs_read_cmdline(child), NULL, 0);
	waitpid(child, NULL, 0);
}

static void
test_list_fds(void **state)
{
	int *fds, n, fd;
	bool seen = false;

	(void)state;
	fd = dup2(0, 77);
	assert_int_equal(fd, 77);
	n = procfs_list_fds(getpid(), &fds);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			assert_true(fds[i - 1] < fds[i]);
		seen = seen || fds[i] == 77;
	}
	assert_true(seen);
	free(fds);
	close(fd);
	errno = 0;
	assert_int_equal(procfs_list_fds(0x3ffffff0, &fds), -1);
	assert_int_equal(errno, ENOENT);
}

/* An fd's identity from fdinfo text, and read live (sampling). */
static void
test_fd_ident(void **state)
{
	static const char file[] = "pos:\t0\nflags:\t0100002\nmnt_id:\t29\n"
	    "ino:\t1234567\n";
	static const char efd[] = "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n"
	    "eventfd-count:                0\neventfd-id: 42\n";
	struct fd_ident a, b;
	int sv[2], e1, e2;

	(void)state;
	assert_int_equal(procfs_parse_fd_ident(file, strlen(file), &a), 0);
	assert_int_equal(a.ino, 1234567);
	assert_int_equal(a.mnt_id, 29);
	assert_int_equal(a.accmode, O_RDWR);
	assert_int_equal(a.xid, 0);
	assert_int_equal(procfs_parse_fd_ident(efd, strlen(efd), &a), 0);
	assert_int_equal(a.xid, 42);
	assert_int_equal(a.accmode, O_RDWR);
	/* Cut before ino, or garbage: no identity. */
	assert_int_equal(procfs_parse_fd_ident(file, 26, &a), -1);
	assert_int_equal(a.ino, 0);
	assert_int_equal(procfs_parse_fd_ident("ino: x\nflags: 0\n", 16, &a), -1);
	assert_int_equal(procfs_parse_fd_ident("", 0, &a), -1);

	/* Live: a socketpair's ends are two objects; a dup is the same one. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(procfs_fd_ident(getpid(), sv[0], &a), 0);
	assert_int_equal(procfs_fd_ident(getpid(), sv[1], &b), 0);
	assert_false(fd_ident_same(&a, &b));
	e1 = dup(sv[0]);
	assert_int_equal(procfs_fd_ident(getpid(), e1, &b), 0);
	assert_true(fd_ident_same(&a, &b));
	close(e1);
	/* Two eventfds share the anon inode; their ids tell them apart. */
	e1 = eventfd(0, 0);
	e2 = eventfd(0, 0);
	assert_int_equal(procfs_fd_ident(getpid(), e1, &a), 0);
	assert_int_equal(procfs_fd_ident(getpid(), e2, &b), 0);
	assert_int_equal(a.ino, b.ino);
	assert_true(a.xid != 0 && b.xid != 0);
	assert_false(fd_ident_same(&a, &b));
	close(e1);
	close(e2);
	close(sv[0]);
	close(sv[1]);
	errno = 0;
	assert_int_equal(procfs_fd_ident(getpid(), sv[1], &a), -1);
	assert_int_equal(errno, ENOENT);
}

/* Field 22 of stat, past a comm with spaces and parentheses. */
static void
test_start_time(void **state)
{
	static const char text[] = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 "
	    "100 0 0 0 5 3 0 0 20 0 1 0 987654 12345678 200\n";
	pid_t child;
	unsigned long long mine, theirs;

	(void)state;
	assert_int_equal(procfs_parse_start_time(text), 987654);
	assert_int_equal(procfs_parse_start_time("4242 (x) S 1 2 3"), 0);
	assert_int_equal(procfs_parse_start_time("no parens"), 0);
	assert_int_equal(procfs_parse_start_time("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 "
	    "0 0 0 20 0 1 0 abc 5"), 0);
	mine = procfs_start_time(getpid());
	assert_true(mine > 0);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	theirs = procfs_start_time(child);
	assert_true(theirs >= mine);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(procfs_start_time(child), 0);
}

/* The children of every thread, sorted. */
static void
test_children(void **state)
{
	pid_t kids[3], *v;
	int n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	n = procfs_children(getpid(), &v);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		bool found = false;

		for (int j = 0; j < n; j++)
			found = found || v[j] == kids[i];
		assert_true(found);
		if (i > 0)
			assert_true(v[i - 1] < v[i]);
	}
	free(v);
	for (int i = 0; i < 3; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	n = procfs_children(getpid(), &v);
	assert_int_equal(n, 0);
	free(v);
	errno = 0;
	assert_int_equal(procfs_children(0x3ffffff0, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bound, setup_file,
		    teardown_file),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_stat_flags),
		cmocka_unit_test(test_read_status),
		cmocka_unit_test(test_cmdline_parse),
		cmocka_unit_test(test_cmdline_read),
		cmocka_unit_test(test_list_fds),
		cmocka_unit_test(test_fd_ident),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
