// SPDX-License-Identifier: MIT
/*
 * h_badmem.c - fd syscalls given bad memory, for a tracer that must read
 * what the tracee points at.
 *
 *   h_badmem efault        deterministic bad pointers (see bad_pointers)
 *   h_badmem race-control  recvmsg into a control buffer that another
 *                          thread scribbles on, protects and unmaps
 *   h_badmem race-msghdr   the same, but the msghdr itself is protected
 *                          and unmapped by the other thread
 *   h_badmem race-mmsg     recvmmsg, its mmsghdr array and control buffers
 *                          in the page the other thread abuses
 *
 * The program's own output does not depend on the races. In the race
 * modes the number of fds that arrive cannot be known in advance: every
 * fd but the received eventfds is closed before the end, and with
 * FDLEAK_SELFCHECK=1 the OPEN lines say which are left.
 */
#include "victim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define PAGE	4096

static atomic_int stop;
static char *page;		/* the page the abuser thread plays with */
static char databuf[64];

static void *
map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		victim_die("mmap");
	return p;
}

/* An address nothing is mapped at. */
static void *
unmapped(void)
{
	void *p = map(PAGE, PROT_READ | PROT_WRITE);

	munmap(p, PAGE);
	return p;
}

static int
count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

static void
send_fds(int sock, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { "x", 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(&u, 0, sizeof u);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	if (sendmsg(sock, &mh, 0) != 1)
		victim_die("sendmsg");
}

/* recvmsg with control at ctl (controllen bytes); the result and flags. */
static ssize_t
recv_into(int sock, void *ctl, size_t controllen, int *flags)
{
	struct iovec iov = { databuf, sizeof(databuf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = controllen,
	};
	ssize_t n = recvmsg(sock, &mh, 0);

	*flags = mh.msg_flags;
	return n;
}

/* The fds in the first SCM_RIGHTS message at ctl, which must be readable. */
static int
fds_in(const void *ctl, int *fds, int max)
{
	const struct cmsghdr *c = ctl;
	int n;

	if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return 0;
	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (n > max)
		n = max;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return n;
}

static void
bad_pointers(void)
{
	char *ro = map(PAGE, PROT_READ);
	char *two = map(2 * PAGE, PROT_READ | PROT_WRITE);
	int sv[2], ev[3], got[8], before, flags, n;
	ssize_t r;

	/* pipe2 and socketpair into unmapped and read-only memory: EFAULT. */
	before = count_fds();
	r = syscall(SYS_pipe2, unmapped(), 0);
	printf("pipe2 unmapped: %zd %s\n", r, r < 0 ? victim_errname(errno) : "");
	r = syscall(SYS_pipe2, ro, 0);
	printf("pipe2 read-only: %zd %s\n", r, r < 0 ? victim_errname(errno) : "");
	r = syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, unmapped());
	printf("socketpair unmapped: %zd %s\n", r,
	    r < 0 ? victim_errname(errno) : "");
	r = syscall(SYS_pipe2, (void *)(ro + PAGE - 4), 0);
	printf("pipe2 half in a read-only page: %zd %s\n", r,
	    r < 0 ? victim_errname(errno) : "");
	printf("fds created by the failed calls: %d\n", count_fds() - before);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		victim_die("socketpair");
	for (int i = 0; i < 3; i++)
		if ((ev[i] = eventfd(0, EFD_CLOEXEC)) < 0)
			victim_die("eventfd");

	/* The msghdr itself unmapped: EFAULT, the message stays queued. */
	send_fds(sv[0], ev, 2);
	r = syscall(SYS_recvmsg, sv[1], unmapped(), 0);
	printf("recvmsg msghdr unmapped: %zd %s\n", r,
	    r < 0 ? victim_errname(errno) : "");
	/* The control buffer unmapped: the data arrives, the fds do not. */
	before = count_fds();
	r = recv_into(sv[1], unmapped(), CMSG_SPACE(sizeof(int) * 2), &flags);
	printf("recvmsg control unmapped: %zd%s, fds installed %d\n", r,
	    flags & MSG_CTRUNC ? " MSG_CTRUNC" : "", count_fds() - before);

	/* The control buffer runs into an unmapped page: 2 of 3 fds fit. */
	munmap(two + PAGE, PAGE);
	send_fds(sv[0], ev, 3);
	before = count_fds();
	r = recv_into(sv[1], two + PAGE - CMSG_LEN(2 * sizeof(int)), 64, &flags);
	n = fds_in(two + PAGE - CMSG_LEN(2 * sizeof(int)), got, 8);
	printf("recvmsg control across a page end: %zd%s, fds installed %d, "
	    "in the cmsg %d\n", r, flags & MSG_CTRUNC ? " MSG_CTRUNC" : "",
	    count_fds() - before, n);
	for (int i = 0; i < n; i++)
		victim_expect(got[i], "eventfd", "recvmsg", "recv_into", gettid(),
		    0, 0, "anon_inode:[eventfd]");

	/* A huge msg_controllen over a small buffer: the kernel writes only
	 * what it needs, at the end of a mapping. */
	{
		char *end = map(PAGE, PROT_READ | PROT_WRITE);
		char *ctl = end + PAGE - CMSG_SPACE(sizeof(int));

		send_fds(sv[0], ev + 2, 1);
		r = recv_into(sv[1], ctl, 1 << 30, &flags);
		n = fds_in(ctl, got, 8);
		printf("recvmsg huge controllen: %zd%s, fds %d\n", r,
		    flags & MSG_CTRUNC ? " MSG_CTRUNC" : "", n);
		for (int i = 0; i < n; i++)
			victim_expect(got[i], "eventfd", "recvmsg", "recv_into",
			    gettid(), 0, 0, "anon_inode:[eventfd]");
	}

	/* recvmmsg whose second mmsghdr is unmapped: one message arrives. */
	{
		char *pair = map(2 * PAGE, PROT_READ | PROT_WRITE);
		struct mmsghdr *m = (struct mmsghdr *)(pair + PAGE - sizeof(*m));
		char ctl[CMSG_SPACE(sizeof(int) * 2)] __attribute__((aligned(8)));
		struct iovec iov = { databuf, 1 };
		int dsv[2];

		munmap(pair + PAGE, PAGE);
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dsv) < 0)
			victim_die("socketpair dgram");
		send_fds(dsv[0], ev, 1);
		send_fds(dsv[0], ev + 1, 1);
		memset(m, 0, sizeof(*m));
		m->msg_hdr.msg_iov = &iov;
		m->msg_hdr.msg_iovlen = 1;
		m->msg_hdr.msg_control = ctl;
		m->msg_hdr.msg_controllen = sizeof(ctl);
		r = syscall(SYS_recvmmsg, dsv[1], m, 2, 0, NULL);
		printf("recvmmsg second header unmapped: %zd %s\n", r,
		    r < 0 ? victim_errname(errno) : "");
		if (r >= 1) {
			n = fds_in(ctl, got, 8);
			for (int i = 0; i < n; i++)
				victim_expect(got[i], "eventfd", "recvmmsg",
				    "bad_pointers", gettid(), 0, 0,
				    "anon_inode:[eventfd]");
		}
		/* The second message is still queued; drop it with the socket. */
		close(dsv[0]);
		close(dsv[1]);
	}
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 3; i++)
		close(ev[i]);
}

/* The other thread: scribble on the page, protect it, unmap and remap it. */
static void *
abuser(void *arg)
{
	unsigned seed = 1;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (mprotect(page, PAGE, PROT_NONE) < 0)
			victim_die("mprotect none");
		for (volatile int i = 0; i < 200; i++)
			;
		if (munmap(page, PAGE) < 0)
			victim_die("munmap");
		for (volatile int i = 0; i < 200; i++)
			;
		if (mmap(page, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			victim_die("mmap fixed");
		/* Garbage where the control data goes (not the msghdr). */
		for (int i = 2048; i < PAGE; i += 4) {
			seed = seed * 1103515245 + 12345;
			*(unsigned *)(page + i) = seed % 7 == 0 ? seed % 64 : seed;
		}
		for (volatile int i = 0; i < 200; i++)
			;
	}
	return NULL;
}

/* Copy into the page, which may be gone or protected: then nothing. */
static void
put_in_page(size_t off, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len };
	struct iovec remote = { page + off, len };

	process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
}

static void
race(const char *mode, int iterations)
{
	struct iovec iov = { databuf, sizeof(databuf) };
	char safe_ctl[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	struct msghdr safe = { 0 };
	int sv[2], ev;
	pthread_t t;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		victim_die("socketpair");
	if ((ev = eventfd(0, EFD_CLOEXEC)) < 0)
		victim_die("eventfd");
	page = map(PAGE, PROT_READ | PROT_WRITE);
	if (pthread_create(&t, NULL, abuser, NULL) != 0)
		victim_die("pthread_create");
	safe.msg_iov = &iov;
	safe.msg_iovlen = 1;
	safe.msg_control = safe_ctl;
	safe.msg_controllen = sizeof(safe_ctl);
	for (int i = 0; i < iterations; i++) {
		struct msghdr mh = safe;
		struct mmsghdr mm;

		mh.msg_control = page + 2048;
		mh.msg_controllen = 256;
		send_fds(sv[0], &ev, 1);
		/* The results depend on the race: never looked at. */
		if (strcmp(mode, "race-control") == 0) {
			(void)recvmsg(sv[1], &mh, MSG_DONTWAIT);
		} else if (strcmp(mode, "race-msghdr") == 0) {
			put_in_page(0, &mh, sizeof(mh));
			(void)syscall(SYS_recvmsg, sv[1], page, MSG_DONTWAIT);
		} else {
			memset(&mm, 0, sizeof(mm));
			mm.msg_hdr = mh;
			put_in_page(0, &mm, sizeof(mm));
			(void)syscall(SYS_recvmmsg, sv[1], page, 1, MSG_DONTWAIT,
			    NULL);
		}
		/* What did not arrive is received safely here and closed. */
		for (;;) {
			struct msghdr drop = safe;

			if (recvmsg(sv[1], &drop, MSG_DONTWAIT) < 0)
				break;
			if (drop.msg_controllen >= CMSG_LEN(sizeof(int))) {
				int fd;

				memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&drop)),
				    sizeof(int));
				close(fd);
			}
		}
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
	close(ev);
	printf("%s: %d iterations done\n", mode, iterations);
}

int
main(int argc, char *argv[])
{
	const char *mode = argc > 1 ? argv[1] : "efault";
	int iterations = argc > 2 ? atoi(argv[2]) : 2000;

	victim_proc();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "efault") == 0)
		bad_pointers();
	else if (strncmp(mode, "race-", 5) == 0)
		race(mode, iterations);
	else {
		victim_say("ERROR unknown mode %s", mode);
		return 99;
	}
	victim_exit(0);
}
