// SPDX-License-Identifier: MIT
/*
 * stdfds.c - fds 0, 1 and 2: the ones a program makes itself are leaks
 * like any other (valgrind 3.25 reports them too); the ones it is given
 * across an exec are its stdio, reported only with --std-fds.
 *
 * The first image, give_stdin(), closes fd 0 and opens /etc/hostname,
 * which gets fd 0, without close-on-exec, and execs this program again
 * ("second"). The second image thus holds fd 0 across the exec (reported
 * with --std-fds only, as a leak and as an inherited fd), then
 * reopen_stderr() closes fd 2 and opens /dev/null, which gets fd 2 (a leak
 * by default), and leak_ordinary() leaks fd 3 or above. stdout is left
 * alone: it carries the EXPECT lines.
 */
#include "victim.h"

static void __attribute__((noinline))
give_stdin(char *self)
{
	char *argv[] = { self, "second", NULL };
	int fd;

	close(STDIN_FILENO);
	fd = open("/etc/hostname", O_RDONLY);
	if (fd != STDIN_FILENO)
		victim_die("reopen stdin");
	execv(self, argv);
	victim_die("execv");
}

static void
reopen_stderr(void)
{
	int fd;

	close(STDERR_FILENO);
	fd = open("/dev/null", O_WRONLY);
	if (fd != STDERR_FILENO)
		victim_die("reopen stderr");
	EXPECT(fd, "device", "openat", 0, "/dev/null");
}

static void
leak_ordinary(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open /etc/hostname");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		victim_proc();
		give_stdin(argv[0]);
	}
	victim_expect(STDIN_FILENO, "file", "openat", "give_stdin", 0, 0, 1,
	    "/etc/hostname");
	reopen_stderr();
	leak_ordinary();
	victim_exit(0);
}
