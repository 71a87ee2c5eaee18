// SPDX-License-Identifier: MIT
/*
 * threads.c - eight threads churn fds while a ninth leaks five.
 *
 * Eight threads each open and close /dev/null or a pipe ITERATIONS times at
 * once, so fd numbers are reused across threads all the time; none of that
 * leaks. A ninth thread, started in the middle of the churn, opens
 * /etc/hostname five times in leak_in_thread() and never closes it: the
 * only leaks, all of pid getpid() and of that thread's tid.
 */
#include "victim.h"

#include <pthread.h>

#define CHURNERS	8
#define ITERATIONS	2000
#define LEAKS		5

static pthread_barrier_t start;

static void *
churn(void *arg)
{
	long id = (long)arg;
	int i, fd, p[2];

	pthread_barrier_wait(&start);
	for (i = 0; i < ITERATIONS; i++) {
		if (id % 2 == 0) {
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				victim_die("open /dev/null");
			close(fd);
		} else {
			if (pipe2(p, O_CLOEXEC) < 0)
				victim_die("pipe2");
			close(p[1]);
			close(p[0]);
		}
	}
	return NULL;
}

static void *
leak_in_thread(void *arg)
{
	int i, fd;

	pthread_barrier_wait(&start);
	for (i = 0; i < LEAKS; i++) {
		fd = open("/etc/hostname", O_RDONLY);
		if (fd < 0)
			victim_die("open /etc/hostname");
		EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	}
	return arg;
}

int
main(void)
{
	pthread_t t[CHURNERS + 1];
	long i;

	victim_proc();
	pthread_barrier_init(&start, NULL, CHURNERS + 1);
	for (i = 0; i < CHURNERS; i++)
		if (pthread_create(&t[i], NULL, churn, (void *)i) != 0)
			victim_die("pthread_create");
	if (pthread_create(&t[CHURNERS], NULL, leak_in_thread, NULL) != 0)
		victim_die("pthread_create");
	for (i = 0; i <= CHURNERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	victim_exit(0);
}
