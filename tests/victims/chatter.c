// SPDX-License-Identifier: MIT
/*
 * chatter.c - output that shares stderr with fdleak's report, for the test
 * that no report line is torn by other writers.
 *
 * usage: chatter talk [LINES [INTERVAL_US]]   (default 50 lines, 5000 us)
 *        chatter leak [N]                     (default 400 fds)
 *
 * talk writes LINES lines to stderr, INTERVAL_US apart, each with one
 * write(2):
 *   chatter line N: xxxx...x        (CHATTER_WIDTH x's)
 * leak leaks N fds of /dev/null from two sites (leak_a, leak_b) and
 * exits: a report of N leak lines for fdleak to write meanwhile.
 */
#include "victim.h"

#define CHATTER_WIDTH	150

static void __attribute__((noinline))
leak_a(void)
{
	if (open("/dev/null", O_RDONLY) < 0)
		victim_die("open");
}

static void __attribute__((noinline))
leak_b(void)
{
	if (open("/dev/null", O_WRONLY) < 0)
		victim_die("open");
}

static void
talk(long lines, long interval)
{
	char buf[64 + CHATTER_WIDTH];

	for (long i = 0; i < lines; i++) {
		int n = snprintf(buf, sizeof buf, "chatter line %ld: ", i);

		memset(buf + n, 'x', CHATTER_WIDTH);
		buf[n + CHATTER_WIDTH] = '\n';
		if (write(2, buf, (size_t)n + CHATTER_WIDTH + 1) < 0)
			victim_die("write");
		victim_sleep_us(interval);
	}
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "talk") == 0) {
		talk(argc > 2 ? atol(argv[2]) : 50,
		    argc > 3 ? atol(argv[3]) : 5000);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "leak") == 0) {
		long n = argc > 2 ? atol(argv[2]) : 400;

		for (long i = 0; i < n; i++) {
			if (i % 2)
				leak_a();
			else
				leak_b();
		}
		return 0;
	}
	victim_say("ERROR usage: chatter talk [LINES [US]] | leak [N]");
	return 2;
}
