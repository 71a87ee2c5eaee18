// SPDX-License-Identifier: MIT
/*
 * h_manyfds.c - tens of thousands of fds open at the same time.
 *
 *   h_manyfds [TOTAL [LEAK]]     (default 60000, and every fd leaked)
 *
 * RLIMIT_NOFILE may be lower than TOTAL and its hard limit cannot be
 * raised without CAP_SYS_RESOURCE, so the fds are spread over as many
 * children as the hard limit needs. Each child opens its share of
 * /dev/null, says so, and waits until all the others hold theirs: then
 * TOTAL fds are open at once ("PEAK total=N procs=P"). Each child then
 * closes all but LEAK of them (from open_many) and exits 0; the parent
 * leaks nothing. Prints SKIP if the hard limit is too low.
 */
#include "victim.h"

#include <sys/wait.h>

#define SPARE	64

static void
open_many(long count, int *fds)
{
	for (long i = 0; i < count; i++) {
		fds[i] = open("/dev/null", O_RDONLY);
		if (fds[i] < 0)
			victim_die("open /dev/null");
	}
}

int
main(int argc, char *argv[])
{
	long total = argc > 1 ? atol(argv[1]) : 60000;
	long leak = argc > 2 ? atol(argv[2]) : -1;
	long cap, nprocs, opened = 0;
	int ready[2], go[2], status;
	struct rlimit rl;
	char c;

	victim_proc();
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1 << 20)
		rl.rlim_cur = 1 << 20;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("setrlimit");
	cap = (long)rl.rlim_cur - SPARE;
	if (cap < 1000) {
		victim_skip("RLIMIT_NOFILE", EMFILE);
		victim_exit(0);
	}
	nprocs = (total + cap - 1) / cap;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		victim_die("pipe2");
	for (long k = 0; k < nprocs; k++) {
		long share = total / nprocs + (k < total % nprocs ? 1 : 0);
		pid_t pid = fork();

		if (pid < 0)
			victim_die("fork");
		if (pid == 0) {
			int *fds = calloc(share, sizeof *fds);
			long keep = leak < 0 || leak > share ? share : leak;

			victim_proc();
			close(ready[0]);
			close(go[1]);
			if (fds == NULL)
				victim_die("calloc");
			open_many(share, fds);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
				victim_die("barrier");
			for (long i = keep; i < share; i++)
				close(fds[i]);
			close(ready[1]);
			close(go[0]);
			if (keep > 0)
				victim_expect_count("open_many", keep, "device",
				    "openat");
			victim_child_exit(0);
		}
		opened += share;
	}
	close(ready[1]);
	close(go[0]);
	for (long k = 0; k < nprocs; k++)
		if (read(ready[0], &c, 1) != 1)
			victim_die("read ready");
	victim_say("PEAK total=%ld procs=%ld", opened, nprocs);
	/* Closing the write end releases every child at once. */
	close(go[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			victim_say("ERROR a child ended with status %#x", status);
	close(ready[0]);
	victim_exit(0);
}
