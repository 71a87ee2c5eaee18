// SPDX-License-Identifier: MIT
/*
 * floor.c - the ptrace floor under fdleak: a tracer that stops the program
 * exactly where fdleak does (fdleak's own seccomp filter, an exit stop for
 * the syscalls that create fds, the entry alone for close) and does
 * nothing there: one PTRACE_PEEKUSER for the syscall number, no registers,
 * no stack, no model. What fdleak costs above this is fdleak's own work;
 * what this costs is the price of a ptrace stop on the machine.
 *
 *   floor -- command [args...]
 *   floor --seccomp-only -- command [args...]
 *	no tracer: a one-instruction allow-all filter, what entering the
 *	kernel through seccomp costs every syscall (the kernel caches the
 *	verdict of fdleak's filter for the syscalls it allows, so they cost
 *	the same)
 *   floor --wake-latency
 *	median microseconds for a sleeping process to run after a pipe
 *	write, on the other CPU and on the same one: a ptrace stop is two
 *	such wakeups, and on a virtual machine whose idle CPUs halt at once
 *	the cross-CPU one decides the floor
 *
 * Built by `make bench` against build/libfdleak.a (for the filter and the
 * syscall table); not installed, not part of make check.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscall.h"

#define OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

static int
seccomp_only(char *argv[])
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog filter = { 1, &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_SPEC_ALLOW, &filter) < 0)
		return perror("floor: seccomp"), 126;
	execvp(argv[0], argv);
	return perror(argv[0]), 127;
}

static long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Median wake latency (ns) of a child pinned to cpu, 1 ms between wakes. */
static long
wake_median(int cpu)
{
	enum { N = 200 };
	int ping[2], pong[2];
	long lat[N];
	pid_t child;

	if (pipe(ping) < 0 || pipe(pong) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		long sent, d;

		close(ping[1]);
		pin(cpu);
		while (read(ping[0], &sent, sizeof sent) == sizeof sent) {
			d = now_ns() - sent;
			if (write(pong[1], &d, sizeof d) != sizeof d)
				break;
		}
		_exit(0);
	}
	pin(0);
	for (int i = 0; i < N; i++) {
		struct timespec gap = { 0, 1000000 };
		long sent;

		nanosleep(&gap, NULL);
		sent = now_ns();
		if (write(ping[1], &sent, sizeof sent) != sizeof sent ||
		    read(pong[0], &lat[i], sizeof lat[i]) != sizeof lat[i])
			return -1;
	}
	close(ping[1]);
	waitpid(child, NULL, 0);
	close(ping[0]);
	close(pong[0]);
	close(pong[1]);
	qsort(lat, N, sizeof lat[0], cmp_long);
	return lat[N / 2];
}

static int
wake_latency(void)
{
	long other = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? wake_median(1) : -1;
	long same = wake_median(0);

	printf("%.1f %.1f\n", other / 1000.0, same / 1000.0);
	return other < 0 && same < 0;
}

int
main(int argc, char *argv[])
{
	struct sock_fprog filter;
	int status, main_status = 0;
	pid_t child, pid;

	if (argc == 2 && strcmp(argv[1], "--wake-latency") == 0)
		return wake_latency();
	if (argc >= 4 && strcmp(argv[1], "--seccomp-only") == 0 &&
	    strcmp(argv[2], "--") == 0)
		return seccomp_only(argv + 3);
	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		fprintf(stderr, "usage: floor -- command [args...]\n"
		    "       floor --seccomp-only -- command [args...]\n"
		    "       floor --wake-latency\n");
		return 2;
	}
	syscall_seccomp_filter(&filter);
	child = fork();
	if (child < 0)
		return perror("fork"), 125;
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0L, 0L, 0L);
		raise(SIGSTOP);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_SPEC_ALLOW, &filter) < 0)
			_exit(126);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, child, 0L, (long)OPTIONS) < 0)
		return perror("floor: attach"), 125;
	ptrace(PTRACE_CONT, child, 0L, 0L);
	while ((pid = waitpid(-1, &status, __WALL)) > 0) {
		int sig = 0, req = PTRACE_CONT;

		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == child)
				main_status = status;
			continue;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			/* Entry: the creates want their exit stop, as in fdleak. */
			long nr = ptrace(PTRACE_PEEKUSER, pid,
			    (long)offsetof(struct user_regs_struct, orig_rax), 0L);
			const struct syscall_desc *d = syscall_lookup(nr);

			if (d != NULL && !d->entry_only)
				req = PTRACE_SYSCALL;
		} else if (WSTOPSIG(status) == (SIGTRAP | 0x80) ||
		    status >> 16 != 0 || WSTOPSIG(status) == SIGSTOP) {
			/* An exit stop, an event, a new thread's first stop. */
		} else {
			sig = WSTOPSIG(status);
		}
		ptrace(req, pid, 0L, (long)sig);
	}
	if (errno != ECHILD)
		perror("floor: waitpid");
	if (WIFSIGNALED(main_status))
		return 128 + WTERMSIG(main_status);
	return WEXITSTATUS(main_status);
}
