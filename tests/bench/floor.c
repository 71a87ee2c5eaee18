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
 *
 * Built by `make bench` against build/libfdleak.a (for the filter and the
 * syscall table); not installed, not part of make check.
 */
#include <errno.h>
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
#include <unistd.h>

#include "syscall.h"

#define OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

int
main(int argc, char *argv[])
{
	struct sock_fprog filter;
	int status, main_status = 0;
	pid_t child, pid;

	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		fprintf(stderr, "usage: floor -- command [args...]\n");
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
