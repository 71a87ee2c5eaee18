// SPDX-License-Identifier: MIT
/*
 * stdfds.c - leaks on fds 0, 1 and 2 count only with --std-fds.
 *
 * reopen_stdin() closes fd 0 and opens /etc/hostname, which gets fd 0;
 * redirect_stderr() dup2s /dev/null onto fd 2. Both stay open at exit,
 * leaks that fdleak reports only with --std-fds. leak_ordinary() leaks
 * fd 3 or above, reported either way. stdout is left alone: it carries
 * the EXPECT lines.
 */
#include "victim.h"

static void
reopen_stdin(void)
{
	int fd;

	close(STDIN_FILENO);
	fd = open("/etc/hostname", O_RDONLY);
	if (fd != STDIN_FILENO)
		victim_die("reopen stdin");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

static void
redirect_stderr(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDERR_FILENO) != STDERR_FILENO)
		victim_die("redirect stderr");
	close(fd);
	EXPECT(STDERR_FILENO, "device", "dup2", 0, "/dev/null");
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
main(void)
{
	victim_proc();
	reopen_stdin();
	redirect_stderr();
	leak_ordinary();
	victim_exit(0);
}
