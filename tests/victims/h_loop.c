// SPDX-License-Identifier: MIT
/*
 * h_loop.c - a program that leaks, says READY, and runs until something
 * from outside ends it: for the tests of harden.py that kill the tracee,
 * kill fdleak, or signal fdleak.
 *
 *   h_loop [--children=N] [--threads=N] [--stopped] [--ignore-term]
 *          [--count-int] [--seconds=S]
 *
 * Every process leaks a file, and the main one also a pipe (EXPECT lines;
 * children also say the ones they inherit).
 * --children=N forks N children that leak a file each and loop too;
 * --threads=N starts N threads in the main process that loop; --stopped
 * forks one more child that stops itself with SIGSTOP (it is in the
 * PROC lines, and says STOPPER pid=P). --ignore-term ignores SIGTERM in
 * every process. --count-int counts SIGINTs in the main process and exits
 * 10 + count 300 ms after the last one. --seconds=S exits 0 after S seconds
 * (default: never).
 *
 * Once every process and thread runs, the main process prints
 * "READY pid=P". The loops open and close /dev/null and sleep 1 ms, so
 * that the processes are often stopped at a traced syscall.
 */
#include "victim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t int_count;
static atomic_long ticks;
static int main_file = -1, main_pipe[2] = { -1, -1 };
static pid_t main_pid;

static void
on_int(int sig)
{
	(void)sig;
	int_count++;
}

static int
leak_file(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open /etc/hostname");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	return fd;
}

static void
leak_pipe(void)
{
	int p[2];

	if (pipe2(p, 0) < 0)
		victim_die("pipe2");
	EXPECT(p[0], "pipe", "pipe2", 0, victim_link(p[0]));
	EXPECT(p[1], "pipe", "pipe2", 0, victim_link(p[1]));
	main_pipe[0] = p[0];
	main_pipe[1] = p[1];
}

/* A child holds what the main process leaked before the fork, too. */
static void
expect_inherited(void)
{
	victim_expect(main_file, "file", "openat", "leak_file", main_pid, 0, 0,
	    "/etc/hostname");
	for (int i = 0; i < 2; i++)
		victim_expect(main_pipe[i], "pipe", "pipe2", "leak_pipe",
		    main_pid, 0, 0, victim_link(main_pipe[i]));
}

/* One round of the loops: a traced syscall pair, then a short sleep. */
static void
spin_once(void)
{
	struct timespec ts = { 0, 1000000 };
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	atomic_fetch_add(&ticks, 1);
	nanosleep(&ts, NULL);
}

static void *
thread_main(void *arg)
{
	(void)arg;
	for (;;)
		spin_once();
	return NULL;
}

static long
arg_value(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) == 0 && arg[n] == '=')
		return atol(arg + n + 1);
	return -1;
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
	long children = 0, threads = 0, seconds = -1, v;
	int stopped = 0, ignore_term = 0, count_int = 0;
	int ready[2];
	double start, last_int = 0;
	int seen = 0;
	char c;

	victim_nocore();
	for (int i = 1; i < argc; i++) {
		if ((v = arg_value(argv[i], "--children")) >= 0)
			children = v;
		else if ((v = arg_value(argv[i], "--threads")) >= 0)
			threads = v;
		else if ((v = arg_value(argv[i], "--seconds")) >= 0)
			seconds = v;
		else if (strcmp(argv[i], "--stopped") == 0)
			stopped = 1;
		else if (strcmp(argv[i], "--ignore-term") == 0)
			ignore_term = 1;
		else if (strcmp(argv[i], "--count-int") == 0)
			count_int = 1;
		else {
			victim_say("ERROR bad argument %s", argv[i]);
			return 99;
		}
	}
	victim_proc();
	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	main_pid = getpid();
	main_file = leak_file();
	leak_pipe();
	/* Children say they run by writing one byte; ready[] is closed after. */
	if (pipe2(ready, O_CLOEXEC) < 0)
		victim_die("pipe2");
	for (long i = 0; i < children + stopped; i++) {
		pid_t pid = fork();

		if (pid < 0)
			victim_die("fork");
		if (pid == 0) {
			victim_proc();
			close(ready[0]);
			expect_inherited();
			if (i == children) {
				victim_say("STOPPER pid=%d", (int)getpid());
				if (write(ready[1], "s", 1) != 1)
					_exit(98);
				close(ready[1]);
				raise(SIGSTOP);
			} else {
				leak_file();
				if (write(ready[1], "c", 1) != 1)
					_exit(98);
				close(ready[1]);
			}
			for (;;)
				spin_once();
		}
	}
	for (long i = 0; i < children + stopped; i++)
		if (read(ready[0], &c, 1) != 1)
			victim_die("read ready");
	close(ready[0]);
	close(ready[1]);
	for (long i = 0; i < threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, NULL) != 0)
			victim_die("pthread_create");
	}
	if (count_int) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_int;
		sigaction(SIGINT, &sa, NULL);
	}
	victim_say("READY pid=%d", (int)getpid());
	start = now();
	for (;;) {
		spin_once();
		if (count_int && int_count != seen) {
			seen = int_count;
			last_int = now();
		}
		if (count_int && seen > 0 && now() - last_int > 0.3) {
			victim_announce_exit(10 + seen, 0);
			fflush(NULL);
			_exit(10 + seen);
		}
		if (seconds >= 0 && now() - start >= seconds)
			break;
	}
	victim_exit(0);
}
