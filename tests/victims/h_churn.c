// SPDX-License-Identifier: MIT
/*
 * h_churn.c - a long-running program that opens and closes fds all the
 * time while the number it holds stays the same: for fdleak's memory use
 * over a long trace (--interval).
 *
 *   h_churn SECONDS
 *
 * Leaks 64 fds at the start (hold_fds), then until SECONDS have passed
 * opens and closes files, pipes, sockets, eventfds and dups from a few
 * call sites, starts a short-lived thread every 100 ms and forks a
 * short-lived child every 100 ms, each of which churns a little too (the
 * child first closes what it inherited, so it leaks nothing).
 * Prints "ROUNDS n children=C threads=T" at the end and exits 0.
 */
#include "victim.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define HOLD	64

static void
hold_fds(void)
{
	for (int i = 0; i < HOLD; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			victim_die("open");
	victim_expect_count(__func__, HOLD, "device", "openat");
}

static void
churn(int n)
{
	for (int i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY), p[2], s, e, d;

		if (fd < 0 || pipe(p) < 0)
			victim_die("open/pipe");
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		e = eventfd(0, 0);
		d = dup(fd);
		if (s < 0 || e < 0 || d < 0)
			victim_die("socket/eventfd/dup");
		close(d);
		close(e);
		close(s);
		close(p[0]);
		close(p[1]);
		close(fd);
	}
}

static void *
thread_main(void *arg)
{
	(void)arg;
	churn(5);
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	double seconds = argc > 1 ? atof(argv[1]) : 10, start = now();
	double next_thread = start, next_child = start;
	struct timespec ms = { 0, 2000000 };
	long rounds = 0, children = 0, threads = 0;

	victim_proc();
	hold_fds();
	while (now() - start < seconds) {
		churn(4);
		rounds++;
		if (now() >= next_thread) {
			pthread_t t;

			if (pthread_create(&t, NULL, thread_main, NULL) != 0)
				victim_die("pthread_create");
			pthread_join(t, NULL);
			threads++;
			next_thread += 0.1;
		}
		if (now() >= next_child) {
			pid_t pid = fork();

			if (pid < 0)
				victim_die("fork");
			if (pid == 0) {
				/* Not the held fds it inherited: they would be its leaks. */
				syscall(SYS_close_range, 3, ~0U, 0);
				churn(5);
				_exit(0);
			}
			waitpid(pid, NULL, 0);
			children++;
			next_child += 0.1;
		}
		nanosleep(&ms, NULL);
	}
	victim_say("ROUNDS %ld children=%ld threads=%ld", rounds, children,
	    threads);
	victim_exit(0);
}
