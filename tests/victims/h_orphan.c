// SPDX-License-Identifier: MIT
/*
 * h_orphan.c - a child that outlives its parent.
 *
 * The parent leaks a file and exits 2 at once; the child leaks a pipe,
 * waits until its parent has gone, sleeps 300 ms more and exits 0. Both
 * must be reported, and fdleak must wait for the child. The parent says
 * "CHILD pid=P" before it exits.
 */
#include "victim.h"

#include <time.h>

int
main(void)
{
	pid_t parent, pid;
	int fd, p[2];

	victim_proc();
	parent = getpid();
	fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0)
		victim_die("open");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		struct timespec ts = { 0, 300000000 };
		int n = 0;

		/* Said with the parent's pid: it may be gone already. */
		if (victim_expecting())
			victim_say("PROC pid=%d ppid=%d", (int)getpid(),
			    (int)parent);
		/* The file above is this process's too: it inherited it. */
		victim_expect(fd, "file", "openat", "main", parent, 0, 0,
		    "/etc/hostname");
		if (pipe2(p, 0) < 0)
			victim_die("pipe2");
		EXPECT(p[0], "pipe", "pipe2", 0, victim_link(p[0]));
		EXPECT(p[1], "pipe", "pipe2", 0, victim_link(p[1]));
		while (getppid() == parent && n++ < 5000) {
			struct timespec ms = { 0, 1000000 };

			nanosleep(&ms, NULL);
		}
		nanosleep(&ts, NULL);
		victim_say("ORPHAN pid=%d outlived=%d", (int)getpid(),
		    getppid() != parent);
		victim_child_exit(0);
	}
	victim_say("CHILD pid=%d", (int)pid);
	victim_exit(2);
}
