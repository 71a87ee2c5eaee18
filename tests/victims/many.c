// SPDX-License-Identifier: MIT
/*
 * many.c - 50 000 leaks from two sites, for scale.
 *
 * Raises RLIMIT_NOFILE, then leaks 30 000 fds of /dev/null from
 * leak_site_a() and 20 000 eventfds from leak_site_b(). Too many for EXPECT
 * lines: it prints one EXPECT_COUNT per site instead. Where the hard limit
 * is lower and cannot be raised (no CAP_SYS_RESOURCE, as in some
 * containers), both counts shrink in proportion to fit under it; below
 * MIN_TOTAL it prints SKIP setrlimit.
 */
#include "victim.h"

#include <sys/eventfd.h>

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

int
main(void)
{
	long room, a;

	victim_proc();
	room = raise_nofile();
	if (room < 0) {
		victim_skip("setrlimit", errno);
		victim_exit(0);
	}
	a = room * COUNT_A / (COUNT_A + COUNT_B);
	leak_site_a(a);
	leak_site_b(room - a);
	victim_exit(0);
}
