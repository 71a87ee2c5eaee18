// SPDX-License-Identifier: MIT
/*
 * churn.c - fd churn: N open+close pairs of /dev/null, nothing leaked.
 *
 *   churn N        open and close from main()
 *   churn N D      the open happens D frames deep, below D recursive
 *                  calls of descend(), for the depth-30 vs depth-1 cost
 *
 * Every open creates an fd, so a stack tracer captures N stacks.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int sink;

/* Open D frames below the caller; the work after the call keeps each frame. */
static __attribute__((noinline)) int
descend(int d)
{
	int fd;

	if (d <= 1)
		fd = open("/dev/null", O_RDONLY);
	else
		fd = descend(d - 1);
	sink += fd;	/* no tail call, no loop: one real frame per level */
	__asm__ volatile("" ::: "memory");
	return fd;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int depth = argc > 2 ? atoi(argv[2]) : 0;

	for (long i = 0; i < n; i++) {
		int fd = depth > 0 ? descend(depth) : open("/dev/null", O_RDONLY);

		if (fd < 0) {
			perror("churn: open");
			return 1;
		}
		close(fd);
	}
	return 0;
}
