// SPDX-License-Identifier: MIT
/*
 * scm_rights.c - fds received over a unix socket (SCM_RIGHTS).
 *
 * A child opens fds in send_fds() and sends them to the parent in two
 * datagrams, then closes its own copies and exits cleanly: no leaks in the
 * child. The parent receives the first three (/etc/hostname, /dev/null, a
 * pipe read end) with recvmsg in recv_with_recvmsg() and the other two (a
 * memfd and an eventfd) with recvmmsg and MSG_CMSG_CLOEXEC in
 * recv_with_recvmmsg(), and never closes them: five leaks, created by
 * recvmsg / recvmmsg in the parent.
 */
#include "victim.h"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAX_FDS	3

union cmsg_space {
	char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	struct cmsghdr align;
};

static void
send_batch(int sock, const int *fds, int n)
{
	union cmsg_space u;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte = 'x';

	memset(&msg, 0, sizeof(msg));
	memset(&u, 0, sizeof(u));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
	if (sendmsg(sock, &msg, 0) != 1)
		victim_die("sendmsg");
}

/* In the child: open, send, close. */
static void
send_fds(int sock)
{
	int fds[MAX_FDS], p[2], i;

	fds[0] = open("/etc/hostname", O_RDONLY);
	fds[1] = open("/dev/null", O_RDONLY);
	if (fds[0] < 0 || fds[1] < 0 || pipe(p) < 0)
		victim_die("open");
	close(p[1]);
	fds[2] = p[0];
	send_batch(sock, fds, 3);
	for (i = 0; i < 3; i++)
		close(fds[i]);

	fds[0] = memfd_create("scm", MFD_CLOEXEC);
	fds[1] = eventfd(0, 0);
	if (fds[0] < 0 || fds[1] < 0)
		victim_die("memfd/eventfd");
	send_batch(sock, fds, 2);
	for (i = 0; i < 2; i++)
		close(fds[i]);
}

/* The fds of the SCM_RIGHTS message in msg; their count. */
static int
received_fds(struct msghdr *msg, int *fds)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			int n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * n);
			return n;
		}
	}
	return 0;
}

static void
prepare(struct msghdr *msg, struct iovec *iov, char *byte,
    union cmsg_space *u)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = u->buf;
	msg->msg_controllen = sizeof(u->buf);
}

static void
recv_with_recvmsg(int sock)
{
	union cmsg_space u;
	struct msghdr msg;
	struct iovec iov;
	int fds[MAX_FDS];
	char byte;

	prepare(&msg, &iov, &byte, &u);
	if (recvmsg(sock, &msg, 0) != 1 || received_fds(&msg, fds) != 3)
		victim_die("recvmsg");
	EXPECT(fds[0], "file", "recvmsg", 0, "/etc/hostname");
	EXPECT(fds[1], "device", "recvmsg", 0, "/dev/null");
	EXPECT(fds[2], "pipe", "recvmsg", 0, victim_pipe_target(fds[2], -1));
}

static void
recv_with_recvmmsg(int sock)
{
	union cmsg_space u;
	struct mmsghdr mm;
	struct iovec iov;
	int fds[MAX_FDS];
	char byte;

	memset(&mm, 0, sizeof(mm));
	prepare(&mm.msg_hdr, &iov, &byte, &u);
	if (recvmmsg(sock, &mm, 1, MSG_CMSG_CLOEXEC, NULL) != 1 ||
	    received_fds(&mm.msg_hdr, fds) != 2)
		victim_die("recvmmsg");
	EXPECT(fds[0], "memfd", "recvmmsg", 1, "memfd:scm");
	EXPECT(fds[1], "eventfd", "recvmmsg", 1, "eventfd count=0");
}

int
main(void)
{
	int sv[2], status;
	pid_t pid;

	victim_proc();
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		victim_die("socketpair");
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_proc();
		close(sv[0]);
		send_fds(sv[1]);
		close(sv[1]);
		victim_child_exit(0);
	}
	close(sv[1]);
	recv_with_recvmsg(sv[0]);
	recv_with_recvmmsg(sv[0]);
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		victim_die("child");
	victim_exit(0);
}
