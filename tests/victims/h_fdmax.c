// SPDX-License-Identifier: MIT
/*
 * h_fdmax.c - fds at the highest numbers RLIMIT_NOFILE allows.
 *
 * Raises the soft limit to the hard one (capped at 1 << 20), then leaks
 * dup2(fd, limit - 1), fcntl(fd, F_DUPFD, limit - 2) and dup3 onto
 * limit - 3 with O_CLOEXEC, and prints "LIMIT n". A dup2 onto the limit
 * itself must fail with EBADF.
 */
#include "victim.h"

int
main(void)
{
	struct rlimit rl;
	int fd, hi, r;

	victim_proc();
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1 << 20)
		rl.rlim_cur = 1 << 20;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("setrlimit");
	hi = (int)rl.rlim_cur;
	victim_say("LIMIT %d", hi);
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		victim_die("open");
	if (dup2(fd, hi) >= 0 || errno != EBADF)
		victim_die("dup2 onto the limit did not fail with EBADF");
	if ((r = dup2(fd, hi - 1)) != hi - 1)
		victim_die("dup2");
	EXPECT(r, "file", "dup2", 0, "/etc/hostname");
	if ((r = fcntl(fd, F_DUPFD, hi - 2)) != hi - 2)
		victim_die("fcntl F_DUPFD");
	EXPECT(r, "file", "fcntl", 0, "/etc/hostname");
	if ((r = dup3(fd, hi - 3, O_CLOEXEC)) != hi - 3)
		victim_die("dup3");
	EXPECT(r, "file", "dup3", 1, "/etc/hostname");
	close(fd);
	victim_exit(0);
}
