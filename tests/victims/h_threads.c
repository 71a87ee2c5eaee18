// SPDX-License-Identifier: MIT
/*
 * h_threads.c - many threads at once, each creating an fd.
 *
 *   h_threads [N]        (default 1000)
 *
 * N threads run at the same time (a barrier holds them); each opens
 * /dev/null, every even one leaks it (an EXPECT line with its tid), the
 * others close it; then all end and main exits 0.
 */
#include "victim.h"

#include <pthread.h>

static pthread_barrier_t all_here, all_opened;

static void *
thread_main(void *arg)
{
	long i = (long)arg;
	int fd;

	pthread_barrier_wait(&all_here);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		victim_die("open /dev/null");
	/* Every thread holds its fd at the same time. */
	pthread_barrier_wait(&all_opened);
	if (i % 2 == 0)
		EXPECT(fd, "device", "openat", 0, "/dev/null");
	else
		close(fd);
	return NULL;
}

int
main(int argc, char *argv[])
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	pthread_t *t = calloc(n, sizeof *t);
	pthread_attr_t attr;

	victim_proc();
	if (t == NULL)
		victim_die("calloc");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_barrier_init(&all_here, NULL, n);
	pthread_barrier_init(&all_opened, NULL, n);
	for (long i = 0; i < n; i++) {
		int err = pthread_create(&t[i], &attr, thread_main, (void *)i);

		if (err != 0) {
			errno = err;
			victim_die("pthread_create");
		}
	}
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	victim_say("THREADS %ld", n);
	free(t);
	victim_exit(0);
}
