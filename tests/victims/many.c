// SPDX-License-Identifier: MIT
/*
 * many.c - 50 000 leaks from two sites, for scale.
 *
 * Raises RLIMIT_NOFILE, then leaks 30 000 fds of /dev/null from
 * leak_site_a() and 20 000 eventfds from leak_site_b(). Too many for EXPECT
 * lines: it prints one EXPECT_COUNT per site and process instead. Where the
 * hard limit is lower and cannot be raised (no CAP_SYS_RESOURCE, as in some
 * containers), forked children each leak a share from the same two sites,
 * so the total stays 50 000; below MIN_TOTAL per process it prints SKIP.
 */
#include "victim.h"

#include <sys/eventfd.h>
#include <sys/wait.h>

#define COUNT_A		30000
#define COUNT_B		20000
#define SPARE		100	/* fds for everything else */
#define MIN_TOTAL	1000

/*
 * As many fds as the test wants, or as the hard limit allows: the soft
 * limit is raised to COUNT_A + COUNT_B + SPARE, or to the hard limit.
 * The number of fds that may be leaked; -1 if too few.
 */
static long
raise_nofile(void)
{
	rlim_t need = COUNT_A + COUNT_B + SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_max < need) {
		struct rlimit more = { need, need };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return COUNT_A + COUNT_B;
	}
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur < MIN_TOTAL + SPARE) {
		errno = EPERM;
		return -1;
	}
	return rl.rlim_cur - SPARE;
}

static void
leak_site_a(long count)
{
	long i;

	for (i = 0; i < count; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			victim_die("open /dev/null");
	victim_expect_count(__func__, count, "device", "openat");
}

static void
leak_site_b(long count)
{
	long i;

	for (i = 0; i < count; i++)
		if (eventfd(0, 0) < 0)
			victim_die("eventfd");
	victim_expect_count(__func__, count, "eventfd", "eventfd2");
}

/* One process's share of the leaks: a from site a, b from site b. */
static void
leak_share(long a, long b)
{
	if (a > 0)
		leak_site_a(a);
	if (b > 0)
		leak_site_b(b);
}

int
main(void)
{
	long room, left_a = COUNT_A, left_b = COUNT_B;
	int status;

	victim_proc();
	room = raise_nofile();
	if (room < 0) {
		victim_skip("setrlimit", errno);
		victim_exit(0);
	}
	/* Where one process cannot hold all 50 000, children take a share each. */
	while (left_a + left_b > room) {
		long a = left_a < room ? left_a : room;
		long b = left_b < room - a ? left_b : room - a;
		pid_t pid = fork();

		if (pid < 0)
			victim_die("fork");
		if (pid == 0) {
			victim_proc();
			leak_share(a, b);
			victim_exit(0);
		}
		left_a -= a;
		left_b -= b;
	}
	leak_share(left_a, left_b);
	while (wait(&status) > 0)
		;
	victim_exit(0);
}
