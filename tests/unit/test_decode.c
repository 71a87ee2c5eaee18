// SPDX-License-Identifier: MIT
/*
 * test_decode.c - syscall results -> fd events. The "tracee" is this very
 * process: process_vm_readv on our own pid reads the buffers we set up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <asm/unistd_64.h>
#include <linux/close_range.h>

#include "decode.h"

static struct fd_event
decode(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, int64_t ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	struct fd_event ev;

	decode_syscall(syscall_lookup(nr), getpid(), args, ret, &ev);
	return ev;
}

/* Must run first: the decoder's fd buffer starts empty and grows here. */
static void
test_pair_first(void **state)
{
	int pair[2] = { 7, 8 };
	struct fd_event ev;

	(void)state;
	ev = decode(__NR_pipe2, (uint64_t)(uintptr_t)pair, 0, 0, 0, 0);
	assert_int_equal(ev.nfds, 2);
	assert_non_null(ev.fds);
	assert_int_equal(ev.fds[0], 7);
	assert_int_equal(ev.fds[1], 8);
}

static void
test_ret_fd(void **state)
{
	struct fd_event ev = decode(__NR_openat, (uint64_t)AT_FDCWD, 0, 0, 0, 5);

	(void)state;
	assert_int_equal(ev.type, FDE_CREATE);
	assert_int_equal(ev.nfds, 1);
	assert_int_equal(ev.fds[0], 5);
	assert_int_equal(ev.nr, __NR_openat);
	ev = decode(__NR_socket, 2, 1, 0, 0, 4);
	assert_int_equal(ev.kind, FDK_SOCKET);
}

static void
test_failure_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(decode(__NR_openat, 0, 0, 0, 0, -2).type, FDE_NONE);
	assert_int_equal(decode(__NR_dup2, 3, 9, 0, 0, -9).type, FDE_NONE);
	assert_int_equal(decode(__NR_close_range, 3, 10, 0, 0, -22).type, FDE_NONE);
}

static void
test_dup_family(void **state)
{
	struct fd_event ev;

	(void)state;
	ev = decode(__NR_dup2, 3, 9, 0, 0, 9);
	assert_int_equal(ev.type, FDE_CREATE);
	assert_int_equal(ev.fds[0], 9);
	/* The copies say what they copy; other creations do not. */
	assert_true(ev.flags & FDE_DUP);
	assert_int_equal(ev.src, 3);
	ev = decode(__NR_dup, 5, 0, 0, 0, 6);
	assert_true((ev.flags & FDE_DUP) && ev.src == 5 && ev.fds[0] == 6);
	ev = decode(__NR_fcntl, 1, F_DUPFD, 10, 0, 12);
	assert_true((ev.flags & FDE_DUP) && ev.src == 1 && ev.fds[0] == 12);
	assert_false(decode(__NR_openat, 1, 0, 0, 0, 4).flags & FDE_DUP);
	/* ioctl makes an fd only as TIOCGPTPEER (0x5441), O_CLOEXEC as asked */
	ev = decode(__NR_ioctl, 3, 0x5441, O_RDWR | O_CLOEXEC, 0, 5);
	assert_true(ev.type == FDE_CREATE && ev.fds[0] == 5 &&
	    (ev.flags & FDE_CLOEXEC) && ev.kind == FDK_DEVICE);
	assert_int_equal(decode(__NR_ioctl, 3, 0x541B /* FIONREAD */, 0, 0, 0).type,
	    FDE_NONE);
	/* dup2(fd, fd) does nothing */
	assert_int_equal(decode(__NR_dup2, 4, 4, 0, 0, 4).type, FDE_NONE);
	assert_int_equal(decode(__NR_fcntl, 3, F_DUPFD, 10, 0, 10).type, FDE_CREATE);
	assert_int_equal(decode(__NR_fcntl, 3, F_DUPFD_CLOEXEC, 10, 0, 11).fds[0], 11);
	assert_int_equal(decode(__NR_fcntl, 3, F_GETFL, 0, 0, 2).type, FDE_NONE);
	/* signalfd on an existing fd changes its mask, makes nothing */
	assert_int_equal(decode(__NR_signalfd4, 7, 0, 8, 0, 7).type, FDE_NONE);
	assert_int_equal(decode(__NR_signalfd4, (uint64_t)-1, 0, 8, 0, 7).type, FDE_CREATE);
	/* bpf: only the fd-making commands */
	assert_int_equal(decode(__NR_bpf, 0 /* MAP_CREATE */, 0, 0, 0, 6).type, FDE_CREATE);
	assert_int_equal(decode(__NR_bpf, 1 /* MAP_LOOKUP_ELEM */, 0, 0, 0, 0).type, FDE_NONE);
}

static void
test_close_and_range(void **state)
{
	struct fd_event ev;

	(void)state;
	ev = decode(__NR_close, 8, 0, 0, 0, 0);
	assert_int_equal(ev.type, FDE_CLOSE);
	assert_int_equal(ev.fds[0], 8);
	ev = decode(__NR_close_range, 3, ~0u, 0, 0, 0);
	assert_int_equal(ev.type, FDE_CLOSE_RANGE);
	assert_int_equal(ev.lo, 3);
	assert_int_equal(ev.hi, ~0u);
	assert_int_equal(ev.flags & FDE_UNSHARE, 0);
	ev = decode(__NR_close_range, 3, 9, CLOSE_RANGE_UNSHARE, 0, 0);
	assert_true(ev.flags & FDE_UNSHARE);
	/* CLOSE_RANGE_CLOEXEC closes nothing now */
	assert_int_equal(decode(__NR_close_range, 3, 9, CLOSE_RANGE_CLOEXEC, 0, 0).type, FDE_NONE);
}

static void
test_pair_from_memory(void **state)
{
	int pair[2] = { 12, 13 };
	struct fd_event ev;

	(void)state;
	ev = decode(__NR_pipe2, (uint64_t)(uintptr_t)pair, 0, 0, 0, 0);
	assert_int_equal(ev.type, FDE_CREATE);
	assert_int_equal(ev.nfds, 2);
	assert_int_equal(ev.fds[0], 12);
	assert_int_equal(ev.fds[1], 13);
	ev = decode(__NR_socketpair, 1, 1, 0, (uint64_t)(uintptr_t)pair, 0);
	assert_int_equal(ev.nfds, 2);
	assert_int_equal(ev.kind, FDK_SOCKET);
	/* garbage pointer: degraded, not fatal */
	ev = decode(__NR_pipe2, 16, 0, 0, 0, 0);
	assert_int_equal(ev.type, FDE_NONE);
	assert_true(ev.flags & FDE_UNREADABLE);
}

static size_t
put_rights(unsigned char *buf, const int *fds, size_t n)
{
	struct cmsghdr h = { .cmsg_len = CMSG_LEN(n * sizeof(int)),
	    .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };

	memcpy(buf, &h, sizeof h);
	memcpy(buf + CMSG_LEN(0), fds, n * sizeof(int));
	return CMSG_SPACE(n * sizeof(int));
}

static void
test_scm_rights_pure(void **state)
{
	unsigned char buf[512];
	int in1[] = { 20, 21, 22 }, in2[] = { 30 }, out[16];
	struct cmsghdr cred = { .cmsg_len = CMSG_LEN(12), .cmsg_level = SOL_SOCKET,
	    .cmsg_type = SCM_CREDENTIALS };
	size_t len = 0, n;

	(void)state;
	memset(buf, 0, sizeof buf);
	len += put_rights(buf, in1, 3);
	memcpy(buf + len, &cred, sizeof cred);
	len += CMSG_SPACE(12);
	len += put_rights(buf + len, in2, 1);
	n = decode_scm_rights(buf, len, out, 16);
	assert_int_equal(n, 4);
	assert_int_equal(out[0], 20);
	assert_int_equal(out[2], 22);
	assert_int_equal(out[3], 30);
	/* max respected */
	assert_int_equal(decode_scm_rights(buf, len, out, 2), 2);
	/* truncated: the second header claims more than there is */
	assert_int_equal(decode_scm_rights(buf, CMSG_SPACE(12) + 4, out, 16), 3);
	/* a header with a huge or tiny length stops the walk */
	((struct cmsghdr *)(void *)buf)->cmsg_len = 1u << 30;
	assert_int_equal(decode_scm_rights(buf, len, out, 16), 0);
	((struct cmsghdr *)(void *)buf)->cmsg_len = 2;
	assert_int_equal(decode_scm_rights(buf, len, out, 16), 0);
	assert_int_equal(decode_scm_rights(buf, 3, out, 16), 0);
}

static void
test_recvmsg_from_memory(void **state)
{
	unsigned char control[CMSG_SPACE(2 * sizeof(int))] __attribute__((aligned(8)));
	int fds[] = { 40, 41 };
	struct msghdr mh = { .msg_control = control };
	struct fd_event ev;

	(void)state;
	mh.msg_controllen = put_rights(control, fds, 2);
	ev = decode(__NR_recvmsg, 3, (uint64_t)(uintptr_t)&mh, MSG_CMSG_CLOEXEC, 0, 1);
	assert_int_equal(ev.type, FDE_CREATE);
	assert_int_equal(ev.nfds, 2);
	assert_int_equal(ev.fds[1], 41);
	assert_true(ev.flags & FDE_CLOEXEC);
	/* control pointer into unmapped memory */
	mh.msg_control = (void *)16;
	ev = decode(__NR_recvmsg, 3, (uint64_t)(uintptr_t)&mh, 0, 0, 1);
	assert_int_equal(ev.type, FDE_NONE);
	assert_true(ev.flags & FDE_UNREADABLE);
}

static void
test_recvmmsg_from_memory(void **state)
{
	unsigned char c1[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	unsigned char c2[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	int a[] = { 50 }, b[] = { 51 };
	struct mmsghdr mm[2];
	struct fd_event ev;

	(void)state;
	memset(mm, 0, sizeof mm);
	mm[0].msg_hdr.msg_control = c1;
	mm[0].msg_hdr.msg_controllen = put_rights(c1, a, 1);
	mm[1].msg_hdr.msg_control = c2;
	mm[1].msg_hdr.msg_controllen = put_rights(c2, b, 1);
	ev = decode(__NR_recvmmsg, 3, (uint64_t)(uintptr_t)mm, 2, 0, 2);
	assert_int_equal(ev.nfds, 2);
	assert_int_equal(ev.fds[0], 50);
	assert_int_equal(ev.fds[1], 51);
	/* only as many messages as were received */
	ev = decode(__NR_recvmmsg, 3, (uint64_t)(uintptr_t)mm, 2, 0, 1);
	assert_int_equal(ev.nfds, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_first),
		cmocka_unit_test(test_ret_fd),
		cmocka_unit_test(test_failure_changes_nothing),
		cmocka_unit_test(test_dup_family),
		cmocka_unit_test(test_close_and_range),
		cmocka_unit_test(test_pair_from_memory),
		cmocka_unit_test(test_scm_rights_pure),
		cmocka_unit_test(test_recvmsg_from_memory),
		cmocka_unit_test(test_recvmmsg_from_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
