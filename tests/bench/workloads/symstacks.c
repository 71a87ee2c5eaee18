// SPDX-License-Identifier: MIT
/*
 * symstacks.c - 10 000 leaked fds, each opened through a different call
 * path, so the report must symbolize 10 000 distinct stacks (and about
 * 10 000 distinct return addresses, not a few hundred reused ones).
 *
 * 100 "mid" functions each hold a switch of 100 call sites, one per
 * "leaf" function; leaf j opens the fd. Stack of fd (i, j):
 * open <- leaf_j <- mid_i (call site j) <- main. Every function stores
 * its own constant so that identical code folding cannot merge them.
 *
 *   symstacks [N]   leak the first N (default 10 000, at most 10 000)
 *
 * Before it exits it prints CLOCK_MONOTONIC in ns on stdout, so the
 * benchmark can time the tracer's work after the exit (the report).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile int sink;

/*
 * X100(M) expands M(a, b) for a, b in 0..9. Y100 is the same, for use
 * inside an X100 expansion (a macro cannot expand inside itself).
 */
#define X10(M, a) M(a, 0) M(a, 1) M(a, 2) M(a, 3) M(a, 4) \
	M(a, 5) M(a, 6) M(a, 7) M(a, 8) M(a, 9)
#define X100(M) X10(M, 0) X10(M, 1) X10(M, 2) X10(M, 3) X10(M, 4) \
	X10(M, 5) X10(M, 6) X10(M, 7) X10(M, 8) X10(M, 9)
#define Y10(M, a) M(a, 0) M(a, 1) M(a, 2) M(a, 3) M(a, 4) \
	M(a, 5) M(a, 6) M(a, 7) M(a, 8) M(a, 9)
#define Y100(M) Y10(M, 0) Y10(M, 1) Y10(M, 2) Y10(M, 3) Y10(M, 4) \
	Y10(M, 5) Y10(M, 6) Y10(M, 7) Y10(M, 8) Y10(M, 9)
#define NUM(a, b)	((a) * 10 + (b))

#define LEAF(a, b)						\
static __attribute__((noinline)) int				\
leaf_##a##b(void)						\
{								\
	int fd = open("/dev/null", O_RDONLY);			\
								\
	sink = NUM(a, b);						\
	return fd;						\
}
X100(LEAF)

/* One distinct call instruction per leaf, inside mid_i. */
#define CASE(a, b)	case NUM(a, b): fd = leaf_##a##b(); break;

#define MID(a, b)						\
static __attribute__((noinline)) int				\
mid_##a##b(int j)						\
{								\
	int fd = -1;						\
								\
	switch (j) {						\
	Y100(CASE)						\
	}							\
	sink = 1000 + NUM(a, b);					\
	return fd;						\
}
X100(MID)

#define PTR(a, b)	mid_##a##b,
static int (*const mids[100])(int) = { X100(PTR) };

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	struct timespec ts;

	if (n > 10000)
		n = 10000;
	for (long k = 0; k < n; k++) {
		if (mids[k / 100](k % 100) < 0) {
			perror("symstacks: open");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;	/* leaks all n */
}
