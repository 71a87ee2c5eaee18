// SPDX-License-Identifier: MIT
/*
 * decode.c - turn one syscall (number, arguments, result) into a neutral
 * struct fd_event. Reads tracee memory for the fds a syscall writes there
 * (pipe, socketpair, SCM_RIGHTS, CLONE_PIDFD); never touches the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/close_range.h>

#include "decode.h"
#include "umem.h"
#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif

/* The kernel caps a control buffer it fills, so this bounds our read. */
#define CONTROL_MAX	((size_t)64 * 1024)
/* Messages of one recvmmsg we look at. */
#define MMSG_MAX	1024

/* Reused across calls: the hot path allocates only when it must grow. */
static int *fd_buf;
static size_t fd_cap;

static void
fd_reserve(size_t n)
{
	if (n > fd_cap) {
		fd_cap = n < 64 ? 64 : n;
		fd_buf = xreallocarray(fd_buf, fd_cap, sizeof *fd_buf);
	}
}

static void
create_one(struct fd_event *ev, long fd)
{
	fd_reserve(1);
	fd_buf[0] = (int)fd;
	ev->type = FDE_CREATE;
	ev->nfds = 1;
	ev->fds = fd_buf;
}

size_t
decode_scm_rights(const void *control, size_t len, int *fds, size_t max)
{
	const unsigned char *p = control;
	size_t off = 0, n = 0;

	/* Walk cmsghdrs by hand: CMSG_NXTHDR trusts lengths we cannot trust. */
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		size_t data, count;

		memcpy(&h, p + off, sizeof h);
		if (h.cmsg_len < sizeof h || h.cmsg_len > len - off)
			break;
		data = h.cmsg_len - CMSG_LEN(0);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			count = data / sizeof(int);
			for (size_t i = 0; i < count && n < max; i++)
				memcpy(&fds[n++], p + off + CMSG_LEN(0) + i * sizeof(int),
				    sizeof(int));
		}
		off += CMSG_ALIGN(h.cmsg_len);
		if (off > len)
			break;
	}
	return n;
}

/* Append the SCM_RIGHTS fds of the msghdr at addr to the event. */
static void
decode_msghdr(pid_t tid, uint64_t addr, struct fd_event *ev)
{
	static unsigned char control[CONTROL_MAX];
	struct msghdr mh;
	size_t len, max;

	if (umem_read_all(tid, addr, &mh, sizeof mh) < 0) {
		ev->flags |= FDE_UNREADABLE;
		return;
	}
	if (mh.msg_control == NULL || mh.msg_controllen < sizeof(struct cmsghdr))
		return;
	len = mh.msg_controllen > CONTROL_MAX ? CONTROL_MAX : mh.msg_controllen;
	if (umem_read_all(tid, (uint64_t)(uintptr_t)mh.msg_control, control, len) < 0) {
		ev->flags |= FDE_UNREADABLE;
		return;
	}
	max = len / sizeof(int);
	fd_reserve(ev->nfds + max);
	ev->nfds += decode_scm_rights(control, len, fd_buf + ev->nfds, max);
	ev->fds = fd_buf;
	if (ev->nfds > 0)
		ev->type = FDE_CREATE;
}

/* fd, a copy of src. */
static void
create_dup(struct fd_event *ev, long fd, uint64_t src)
{
	create_one(ev, fd);
	ev->flags |= FDE_DUP;
	ev->src = (int)src;
}

static bool
bpf_cmd_makes_fd(unsigned cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE:
	case BPF_PROG_LOAD:
	case BPF_OBJ_GET:
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_MAP_GET_FD_BY_ID:
	case BPF_RAW_TRACEPOINT_OPEN:
	case BPF_BTF_LOAD:
	case BPF_BTF_GET_FD_BY_ID:
	case BPF_LINK_CREATE:
	case BPF_LINK_GET_FD_BY_ID:
	case BPF_ENABLE_STATS:
	case BPF_ITER_CREATE:
		return true;
	default:
		return cmd == 36;	/* BPF_TOKEN_CREATE, newer than our headers */
	}
}

/* The pidfd of clone/clone3 with CLONE_PIDFD, written to *where. */
static void
decode_pidfd(pid_t tid, uint64_t where, struct fd_event *ev)
{
	int pidfd;

	if (umem_read_all(tid, where, &pidfd, sizeof pidfd) < 0) {
		ev->flags |= FDE_UNREADABLE;
		return;
	}
	create_one(ev, pidfd);
	ev->flags |= FDE_CLOEXEC;	/* pidfds are always close-on-exec */
}

void
decode_syscall(const struct syscall_desc *d, pid_t tid,
    const uint64_t args[6], int64_t ret, struct fd_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->nr = d->nr;
	ev->kind = d->kind;
	ev->fds = fd_buf;

	switch (d->class) {
	case SC_CLOSE:
		ev->type = FDE_CLOSE;
		ev->lo = ev->hi = (unsigned)args[0];
		fd_reserve(1);
		fd_buf[0] = (int)args[0];
		ev->fds = fd_buf;
		ev->nfds = 1;
		return;
	case SC_CLOSE_RANGE:
		if (ret != 0 || (args[2] & CLOSE_RANGE_CLOEXEC))
			return;
		ev->type = FDE_CLOSE_RANGE;
		ev->lo = (unsigned)args[0];
		ev->hi = (unsigned)args[1];
		if (args[2] & CLOSE_RANGE_UNSHARE)
			ev->flags |= FDE_UNSHARE;
		return;
	default:
		break;
	}
	if (ret < 0)
		return;		/* a failed syscall changes nothing */

	switch (d->class) {
	case SC_RET_FD:
		create_one(ev, ret);
		break;
	case SC_DUP:
		create_dup(ev, ret, args[0]);
		break;
	case SC_DUP2:
		if ((int)args[0] != (int)args[1])
			create_dup(ev, ret, args[0]);
		break;
	case SC_FCNTL:
		if ((int)args[1] == F_DUPFD || (int)args[1] == F_DUPFD_CLOEXEC)
			create_dup(ev, ret, args[0]);
		break;
	case SC_SIGNALFD:
		if ((int)args[0] == -1)
			create_one(ev, ret);
		break;
	case SC_IOCTL:
		if (syscall_wanted(d, args)) {
			create_one(ev, ret);
			if (args[2] & O_CLOEXEC)
				ev->flags |= FDE_CLOEXEC;
		}
		break;
	case SC_BPF:
		if (bpf_cmd_makes_fd((unsigned)args[0]))
			create_one(ev, ret);
		break;
	case SC_PAIR: {
		int pair[2];

		if (umem_read_all(tid, args[d->pair_arg], pair, sizeof pair) < 0) {
			ev->flags |= FDE_UNREADABLE;
			break;
		}
		fd_reserve(2);
		memcpy(fd_buf, pair, sizeof pair);
		ev->fds = fd_buf;
		ev->type = FDE_CREATE;
		ev->nfds = 2;
		break;
	}
	case SC_CLONE:
		if (ret > 0 && (args[0] & CLONE_PIDFD))
			decode_pidfd(tid, args[2], ev);
		break;
	case SC_CLONE3: {
		uint64_t ca[2];	/* struct clone_args: flags, pidfd */

		if (ret <= 0)
			break;
		if (umem_read_all(tid, args[0], ca, sizeof ca) < 0) {
			ev->flags |= FDE_UNREADABLE;
			break;
		}
		if (ca[0] & CLONE_PIDFD)
			decode_pidfd(tid, ca[1], ev);
		break;
	}
	case SC_RECVMSG:
		if (args[2] & MSG_CMSG_CLOEXEC)
			ev->flags |= FDE_CLOEXEC;
		decode_msghdr(tid, args[1], ev);
		break;
	case SC_RECVMMSG: {
		size_t count = (size_t)ret > MMSG_MAX ? MMSG_MAX : (size_t)ret;

		if (args[3] & MSG_CMSG_CLOEXEC)
			ev->flags |= FDE_CLOEXEC;
		for (size_t i = 0; i < count; i++)
			decode_msghdr(tid, args[1] + i * sizeof(struct mmsghdr), ev);
		break;
	}
	case SC_CLOSE:
	case SC_CLOSE_RANGE:
		break;
	}
	ev->fds = fd_buf;	/* the buffer may have moved while it grew */
}
