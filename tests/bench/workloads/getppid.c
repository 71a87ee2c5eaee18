// SPDX-License-Identifier: MIT
/*
 * getppid.c - a program whose system calls are mostly not about fds:
 * N getppid (default 1 000 000) with one open+close of /dev/null per
 * thousand. With a seccomp filter the tracer should never see getppid.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long every = argc > 2 ? atol(argv[2]) : 1000;

	for (long i = 0; i < n; i++) {
		syscall(SYS_getppid);	/* always a real system call */
		if (i % every == 0) {
			int fd = open("/dev/null", O_RDONLY);

			if (fd < 0) {
				perror("getppid: open");
				return 1;
			}
			close(fd);
		}
	}
	return 0;
}
