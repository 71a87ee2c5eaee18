// SPDX-License-Identifier: MIT
/*
 * h_progress.c - a target for attach mode that shows it makes progress.
 *
 *   h_progress [THREADS]
 *
 * THREADS threads (default 4) loop opening and closing /dev/null and
 * sleeping 1 ms; one more thread blocks in read(2) on a pipe that the main
 * thread writes to every 200 ms, and one sleeps in nanosleep(2) for 150 ms
 * at a time. The main thread prints "TICK N" every 50 ms, N the number of
 * rounds of all loops so far. Any syscall that fails in a way the program
 * never asked for (EINTR: it has no signal handlers) prints an ERROR line
 * and exits 99. It prints "READY pid=P" once everything runs, and stops
 * after 120 s in case it is forgotten.
 */
#include "victim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_long ticks;
static int wake[2];

static void *
spinner(void *arg)
{
	struct timespec ts = { 0, 1000000 };

	(void)arg;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0)
			victim_die("open /dev/null");
		if (close(fd) < 0)
			victim_die("close");
		if (nanosleep(&ts, NULL) < 0)
			victim_die("nanosleep 1ms");
		atomic_fetch_add(&ticks, 1);
	}
	return NULL;
}

static void *
reader(void *arg)
{
	char c;

	(void)arg;
	for (;;) {
		ssize_t n = read(wake[0], &c, 1);

		if (n != 1)
			victim_die("read");
		atomic_fetch_add(&ticks, 1);
	}
	return NULL;
}

static void *
sleeper(void *arg)
{
	struct timespec ts = { 0, 150000000 };

	(void)arg;
	for (;;) {
		if (nanosleep(&ts, NULL) < 0)
			victim_die("nanosleep 150ms");
		atomic_fetch_add(&ticks, 1);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	struct timespec ts = { 0, 50000000 };
	pthread_t t;

	if (pipe(wake) < 0)
		victim_die("pipe");
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t, NULL, spinner, NULL) != 0)
			victim_die("pthread_create");
	if (pthread_create(&t, NULL, reader, NULL) != 0 ||
	    pthread_create(&t, NULL, sleeper, NULL) != 0)
		victim_die("pthread_create");
	victim_say("READY pid=%d", (int)getpid());
	for (int round = 0; round < 2400; round++) {
		if (nanosleep(&ts, NULL) < 0)
			victim_die("nanosleep 50ms");
		if (round % 4 == 0 && write(wake[1], "w", 1) != 1)
			victim_die("write");
		victim_say("TICK %ld", atomic_load(&ticks));
	}
	return 0;
}
