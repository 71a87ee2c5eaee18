// SPDX-License-Identifier: MIT
/*
 * emfile.c - a program that runs out of fds ("Too many open files").
 *
 * With RLIMIT_NOFILE at LIMIT it leaks HOARD fds of /dev/null from
 * hoard_files() and PIPES pipes from hoard_pipes(), then try_open()
 * opens /etc/hostname until open fails with EMFILE, and tries AFTER
 * times more (all fail). A missing file is opened once from
 * open_missing() (ENOENT: another error, counted apart). Every fd it made
 * stays open to the end.
 *
 * Besides its EXPECT lines it says (one line each):
 *   FAILED function=try_open errno=EMFILE count=N   the failed opens
 *   RANOUT open=N limit=L                          fds open at the first
 * so the test checks the report's "failed" and "ran-out" lines.
 */
#include "victim.h"

#define LIMIT	40
#define HOARD	20
#define PIPES	4
#define AFTER	5

static void
hoard_files(void)
{
	for (int i = 0; i < HOARD; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			victim_die("open /dev/null");
	victim_expect_count(__func__, HOARD, "device", "openat");
}

static void
hoard_pipes(void)
{
	int p[2];

	for (int i = 0; i < PIPES; i++)
		if (pipe(p) < 0)
			victim_die("pipe");
	victim_expect_count(__func__, 2 * PIPES, "pipe", "pipe2");
}

static void
open_missing(void)
{
	if (open("/nonexistent/fdleak-emfile", O_RDONLY) >= 0 || errno != ENOENT)
		victim_die("open of a missing file");
}

/* Opens until EMFILE, then AFTER more attempts; the fds made, in *made. */
static int
try_open(long *made)
{
	int failed = 0, fd;

	*made = 0;
	while (failed < AFTER + 1) {
		fd = open("/etc/hostname", O_RDONLY);
		if (fd >= 0) {
			(*made)++;
		} else if (errno == EMFILE) {
			failed++;
		} else {
			victim_die("open /etc/hostname");
		}
	}
	return failed;
}

int
main(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	int failed;
	long made;

	victim_proc();
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("setrlimit");
	hoard_files();
	hoard_pipes();
	open_missing();
	failed = try_open(&made);
	victim_expect_count("try_open", made, "file", "openat");
	victim_say("FAILED function=try_open errno=EMFILE count=%d", failed);
	/* When it ran out, every number below the limit was taken. */
	victim_say("RANOUT open=%d limit=%d", LIMIT, LIMIT);
	victim_announce_exit(0, 0);
	return 0;
}
