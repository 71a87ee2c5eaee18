// SPDX-License-Identifier: MIT
/*
 * mtserver.c - threads in every state that attaching and detaching must
 * leave undisturbed, for attach mode (fdleak -p).
 *
 * usage: mtserver FIFO
 *
 * Runs until killed, with:
 *   - CHURNERS threads that open and close /dev/null (churn_file) or a pipe
 *     (churn_pipe) BURST times, then rest 1 ms, forever;
 *   - a reader thread blocked in read(2) on FIFO, opened O_RDWR so that it
 *     never sees end-of-file: a test writes to FIFO whenever it likes, and
 *     the reader prints "READ <data>" (trailing newline removed), or
 *     "READ-ERROR errno=N NAME" if read fails (EINTR included: this program
 *     has no signal handler, so read may never fail), and reads again;
 *   - a sleeper thread in nanosleep(SLEEP_S seconds) over and over, which
 *     prints "SLEPT n" after each full sleep, "SLEEP-ERROR errno=N NAME" if
 *     nanosleep returns -1 and "SLEEP-SHORT elapsed=S" if it returns 0
 *     early;
 *   - the main thread, in nanosleep too, printing "PROGRESS n" (churn
 *     operations so far) every 200 ms.
 * Before READY it prints "READER tid=T" and "SLEEPER tid=T". The FIFO fd is
 * its only fd beyond 0-2 that stays open; after READY nothing leaks.
 */
#include "victim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define CHURNERS	8
#define BURST		20
#define SLEEP_S		2

static atomic_long ops;
static pthread_barrier_t ready;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
churn_file(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		victim_die("open /dev/null");
	close(fd);
}

static void
churn_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		victim_die("pipe2");
	close(p[1]);
	close(p[0]);
}

static void *
churner(void *arg)
{
	struct timespec rest = { 0, 1000000 };
	long id = (long)arg;
	int i;

	pthread_barrier_wait(&ready);
	for (;;) {
		for (i = 0; i < BURST; i++) {
			if (id % 2 == 0)
				churn_file();
			else
				churn_pipe();
			atomic_fetch_add(&ops, 1);
		}
		nanosleep(&rest, NULL);
	}
	return NULL;
}

static void *
reader(void *arg)
{
	int fd = (int)(long)arg;
	char buf[512];
	ssize_t n;

	victim_say("READER tid=%d", (int)gettid());
	pthread_barrier_wait(&ready);
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			int err = errno;

			victim_say("READ-ERROR errno=%d %s", err, victim_errname(err));
			if (err != EINTR)
				return NULL;
			continue;
		}
		if (n == 0) {
			victim_say("READ-EOF");
			return NULL;
		}
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		buf[n] = '\0';
		victim_say("READ %s", buf);
	}
}

static void *
sleeper(void *arg)
{
	struct timespec req = { SLEEP_S, 0 }, rem;
	double t0, elapsed;
	long slept = 0;

	victim_say("SLEEPER tid=%d", (int)gettid());
	pthread_barrier_wait(&ready);
	for (;;) {
		t0 = now();
		if (nanosleep(&req, &rem) < 0) {
			int err = errno;

			victim_say("SLEEP-ERROR errno=%d %s", err, victim_errname(err));
			continue;
		}
		elapsed = now() - t0;
		/* CLOCK_REALTIME (nanosleep's) may be slewed a little. */
		if (elapsed < SLEEP_S - 0.01)
			victim_say("SLEEP-SHORT elapsed=%.6f", elapsed);
		else
			victim_say("SLEPT %ld", ++slept);
	}
	return arg;
}

int
main(int argc, char *argv[])
{
	struct timespec tick = { 0, 200 * 1000000L };
	pthread_t t;
	long i;
	int fd;

	victim_proc();
	if (argc != 2) {
		victim_say("ERROR usage: mtserver FIFO");
		return 2;
	}
	/* O_RDWR: a FIFO with a writer of our own never reads as EOF. */
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		victim_die("open FIFO");
	pthread_barrier_init(&ready, NULL, CHURNERS + 3);
	for (i = 0; i < CHURNERS; i++)
		if (pthread_create(&t, NULL, churner, (void *)i) != 0)
			victim_die("pthread_create");
	if (pthread_create(&t, NULL, reader, (void *)(long)fd) != 0 ||
	    pthread_create(&t, NULL, sleeper, NULL) != 0)
		victim_die("pthread_create");
	pthread_barrier_wait(&ready);
	victim_say("READY pid=%d threads=%d", (int)getpid(), CHURNERS + 3);
	for (;;) {
		nanosleep(&tick, NULL);
		victim_say("PROGRESS %ld", atomic_load(&ops));
	}
}
