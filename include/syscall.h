/* SPDX-License-Identifier: MIT */
/* syscall.h - the table of traced syscalls (rows in syscalls.def). */
#ifndef FDLEAK_SYSCALL_H
#define FDLEAK_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>

#include "fdkind.h"

/* How a syscall's arguments and result change the fd table. */
enum sc_class {
	SC_RET_FD,	/* the result is a new fd */
	SC_DUP,		/* the result is a new fd, a copy of args[0] */
	SC_PAIR,	/* two new fds written to the int[2] at args[pair_arg] */
	SC_DUP2,	/* result fd = args[1], a copy of args[0]; an fd open there was closed first */
	SC_FCNTL,	/* F_DUPFD* create a copy of args[0], others do not matter */
	SC_SIGNALFD,	/* creates only when args[0] == -1 */
	SC_BPF,		/* creates for the fd-returning commands */
	SC_CLONE,	/* CLONE_PIDFD: pidfd written to *args[2] */
	SC_CLONE3,	/* CLONE_PIDFD: pidfd written to *clone_args.pidfd */
	SC_RECVMSG,	/* SCM_RIGHTS in the msghdr at args[1] */
	SC_RECVMMSG,	/* SCM_RIGHTS in each mmsghdr of args[1] */
	SC_IOCTL,	/* TIOCGPTPEER: the result is a new fd (a pty slave) */
	SC_CLOSE,	/* args[0] closed; decided at entry */
	SC_CLOSE_RANGE,	/* [args[0], args[1]] closed unless CLOSE_RANGE_CLOEXEC */
};

/* Calls of a row that matter, as the seccomp filter tests their argument. */
enum sc_filter {
	FILTER_NONE,		/* every call */
	FILTER_FCNTL_DUP,	/* fcntl F_DUPFD, F_DUPFD_CLOEXEC */
	FILTER_CLONE_PIDFD,	/* clone with CLONE_PIDFD */
	FILTER_IOCTL_PTPEER,	/* ioctl TIOCGPTPEER */
};

struct syscall_desc {
	int nr;			/* x86_64 number */
	const char *name;
	enum sc_class class;
	enum fd_kind kind;	/* kind of the fd it makes, FDK_UNKNOWN if it varies */
	int pair_arg;		/* SC_PAIR: index of the int[2] argument */
	bool entry_only;	/* all we need is at the entry stop */
	enum sc_filter filter;	/* which calls matter */
	int filter_arg;		/* the argument the filter tests */
};

/* The row for nr, or NULL when fdleak does not trace it. O(1). */
const struct syscall_desc *syscall_lookup(long nr);
/* Row i of the table, 0 <= i < syscall_count(). */
const struct syscall_desc *syscall_at(unsigned i);
unsigned syscall_count(void);
/*
 * Whether a call of d with args can make or close an fd: the argument
 * tests of the seccomp filter (fcntl F_DUPFD*, clone with CLONE_PIDFD,
 * ioctl TIOCGPTPEER), for tracing without it. Pure.
 */
bool syscall_wanted(const struct syscall_desc *d, const uint64_t args[6]);
/* Name of nr for reports; "syscall_N" in a static buffer when not traced. */
const char *syscall_name(long nr);

/*
 * Build the seccomp-bpf program that sends the traced set (and any
 * non-x86_64 syscall) to the tracer and lets everything else run.
 * The filter array is malloc'd; the caller frees prog->filter.
 */
void syscall_seccomp_filter(struct sock_fprog *prog);

#endif
