// SPDX-License-Identifier: MIT
/*
 * many.c - N (default 50 000) fds outstanding at once, opened from two
 * call sites, all leaked: the tracer's memory must grow with distinct
 * stacks, not with opens.
 *
 *   many [N [NPROC]]
 *
 * RLIMIT_NOFILE may be below N and not raisable (no CAP_SYS_RESOURCE),
 * so NPROC (default 3) forked children each hold a share; they open
 * their share, report ready, and exit only when all are ready, so all
 * N are open at the same moment.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;

static __attribute__((noinline)) int
site_a(void)
{
	int fd = open("/dev/null", O_RDONLY);

	sink = 1;
	return fd;
}

static __attribute__((noinline)) int
site_b(void)
{
	int fd = open("/dev/zero", O_RDONLY);

	sink = 2;
	return fd;
}

static int
child(long count, int ready, int go)
{
	char c;

	for (long i = 0; i < count; i++) {
		int fd = (i & 1) ? site_b() : site_a();

		if (fd < 0) {
			fprintf(stderr, "many: open %ld of %ld: ", i, count);
			perror(NULL);
			return 1;
		}
	}
	if (write(ready, "r", 1) != 1)
		return 1;
	if (read(go, &c, 1) < 0)	/* EOF: everyone is ready */
		return 1;
	return 0;		/* leaks them all */
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50000;
	int nproc = argc > 2 ? atoi(argv[2]) : 3;
	int ready[2], go[2], status, fail = 0;
	struct rlimit rl;
	char c;

	if (nproc < 1 || pipe(ready) < 0 || pipe(go) < 0)
		return 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int p = 0; p < nproc; p++) {
		long share = n / nproc + (p < n % nproc);
		pid_t pid = fork();

		if (pid < 0) {
			perror("many: fork");
			return 2;
		}
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			_exit(child(share, ready[1], go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	for (int p = 0; p < nproc; p++) {
		if (read(ready[0], &c, 1) != 1) {
			fail = 1;	/* a child failed before it was ready */
			break;
		}
	}
	close(go[1]);
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail = 1;
	}
	return fail;
}
