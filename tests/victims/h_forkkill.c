// SPDX-License-Identifier: MIT
/*
 * h_forkkill.c - parents SIGKILLed while they fork.
 *
 *   h_forkkill [ROUNDS] [--subreaper]
 *
 * Each round starts a "parent" that forks children as fast as it can
 * (each child sleeps 20 ms and exits), and SIGKILLs it a few hundred
 * microseconds later. Now and then the kill lands between the kernel
 * creating a child and the parent's fork event reaching the tracer: the
 * event never comes, and the child, stopped for its tracer, must not be
 * held forever (nor fdleak wait for it forever). With --subreaper this
 * process is a child subreaper: such a child's new parent is then a live,
 * traced process, which will never send the event either; it reaps every
 * orphan before it exits. Prints "DONE rounds=N".
 */
#include "victim.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static void
forker(void)
{
	for (;;) {
		pid_t pid = fork();

		if (pid == 0) {
			victim_sleep_us(20000);
			_exit(0);
		}
	}
}

int
main(int argc, char *argv[])
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	bool subreaper = argc > 2 && strcmp(argv[2], "--subreaper") == 0;

	victim_proc();
	if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) < 0)
		victim_die("prctl PR_SET_CHILD_SUBREAPER");
	for (int i = 0; i < rounds; i++) {
		pid_t pid = fork();

		if (pid < 0)
			victim_die("fork");
		if (pid == 0)
			forker();
		victim_sleep_us(200 + (i * 37) % 600);
		kill(pid, SIGKILL);
		if (waitpid(pid, NULL, 0) < 0)
			victim_die("waitpid");
	}
	/* The orphans this subreaper inherited: a held one blocks here. */
	while (subreaper && (waitpid(-1, NULL, 0) > 0 || errno == EINTR))
		;
	victim_say("DONE rounds=%d", rounds);
	victim_exit(0);
}
