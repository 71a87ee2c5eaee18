// SPDX-License-Identifier: MIT
/*
 * h_children.c - many short-lived child processes.
 *
 *   h_children [N]       (default 500)
 *
 * Forks N children, at most 8 alive at a time. Child i leaks /dev/null if
 * i % 5 == 0, exits with i % 4, except every 50th, which kills itself with
 * SIGKILL. The parent reaps them all and exits 0, leaking nothing.
 */
#include "victim.h"

#include <sys/wait.h>

int
main(int argc, char *argv[])
{
	long n = argc > 1 ? atol(argv[1]) : 500;
	long alive = 0;
	int status;

	victim_nocore();
	victim_proc();
	for (long i = 0; i < n; i++) {
		pid_t pid;

		while (alive >= 8) {
			if (wait(&status) < 0)
				victim_die("wait");
			alive--;
		}
		pid = fork();
		if (pid < 0)
			victim_die("fork");
		if (pid == 0) {
			victim_proc();
			if (i % 5 == 0) {
				int fd = open("/dev/null", O_RDONLY);

				if (fd < 0)
					victim_die("open");
				EXPECT(fd, "device", "openat", 0, "/dev/null");
			}
			if (i % 50 == 49) {
				victim_announce_exit(0, SIGKILL);
				kill(getpid(), SIGKILL);
			}
			victim_child_exit(i % 4);
		}
		alive++;
	}
	while (alive > 0) {
		if (wait(&status) < 0)
			victim_die("wait");
		alive--;
	}
	victim_say("CHILDREN %ld", n);
	victim_exit(0);
}
