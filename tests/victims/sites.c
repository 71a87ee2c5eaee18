// SPDX-License-Identifier: MIT
/*
 * sites.c - leaks from three call sites, for the grouping of leaks by
 * site (the text report, JSON "sites", SARIF results, suppressions):
 *   leak_many()  a thousand memfds named site-0 ... site-999 from one
 *                memfd_create call: one site, 1000 fds, 1000 targets;
 *   leak_paths() /etc/hostname, /dev/null and the victim directory from
 *                one open call: one site of three kinds;
 *   leak_one()   one eventfd.
 * They run in the order leak_one, leak_many, leak_paths, so that the
 * report's order (most fds first) is not the order of creation. With the
 * argument "skip-one", leak_one is not called.
 *
 * Besides EXPECT (EXPECT_COUNT for leak_many) lines, each site says
 *   SITE pid=P function=F count=N first=FD last=FD line=L
 * with the first and last fd it created and L the line of the call that
 * created them, where the report must locate the site.
 */
#include "victim.h"

#include <sys/eventfd.h>
#include <sys/mman.h>

#define MANY	1000

static void
site_say(const char *function, int count, int first, int last, int line)
{
	if (victim_expecting())
		victim_say("SITE pid=%d function=%s count=%d first=%d last=%d "
		    "line=%d", (int)getpid(), function, count, first, last, line);
}

static void
leak_many(void)
{
	int fd = -1, first = -1, line = 0;
	char name[32];

	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "site-%d", i);
		fd = memfd_create(name, 0); line = __LINE__;
		if (fd < 0)
			victim_die("memfd_create");
		if (first < 0)
			first = fd;
	}
	victim_expect_count(__func__, MANY, "memfd", "memfd_create");
	site_say(__func__, MANY, first, fd, line);
}

static void
leak_paths(void)
{
	const char *paths[] = { "/etc/hostname", "/dev/null", victim_dir() };
	const char *kinds[] = { "file", "device", "dir" };
	int fd = -1, first = -1, line = 0;

	for (int i = 0; i < 3; i++) {
		fd = open(paths[i], O_RDONLY); line = __LINE__;
		if (fd < 0)
			victim_die("open");
		if (first < 0)
			first = fd;
		EXPECT(fd, kinds[i], "openat", 0, paths[i]);
	}
	site_say(__func__, 3, first, fd, line);
}

static void
leak_one(void)
{
	int fd, line;

	fd = eventfd(0, 0); line = __LINE__;
	if (fd < 0)
		victim_die("eventfd");
	EXPECT(fd, "eventfd", "eventfd2", 0, "eventfd count=0");
	site_say(__func__, 1, fd, fd, line);
}

int
main(int argc, char *argv[])
{
	struct rlimit rl;

	victim_proc();
	/* A thousand and some fds: more than a soft limit of 1024 allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc < 2 || strcmp(argv[1], "skip-one") != 0)
		leak_one();
	leak_many();
	leak_paths();
	victim_exit(0);
}
