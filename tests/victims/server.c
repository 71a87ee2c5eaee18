// SPDX-License-Identifier: MIT
/*
 * server.c - a long-running server that leaks one fd every Nth request,
 * for attach mode (fdleak -p).
 *
 * usage: server [N]        (N: leak on every Nth request, default 10;
 *                           0: never, a clean server)
 *
 * Before it prints READY it has leaked five fds from leak_at_startup():
 * /dev/null three times and both ends of a pipe (EXPECT lines), so that an
 * attach sees them as the baseline. Then, until it is killed, it handles a
 * "request" about every REQUEST_US microseconds:
 *
 *   - every Nth request, handle_request_leaky() opens /etc/hostname, reads
 *     it and never closes it, and says (one line, one write):
 *       LEAKED fd=F request=R time=T
 *     R counts requests from 1; T is CLOCK_MONOTONIC in seconds, the clock
 *     of Python's time.monotonic(), read right after the open;
 *   - any other request goes to handle_request(), which uses a file
 *     (serve_file: /etc/passwd), a pipe (serve_pipe) or a socketpair
 *     (serve_socket) in turn and closes every fd it made before it returns.
 *
 * Every PROGRESS_EVERY requests it prints "PROGRESS n" (n requests done),
 * so that a test can see it keeps working after fdleak detaches. Those two
 * functions make every fd it ever opens after READY; only
 * handle_request_leaky()'s stay open. It raises RLIMIT_NOFILE so that it
 * can leak for many minutes; near the limit it stops leaking (LEAK-CAP).
 */
#include "victim.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

#define STARTUP_DEVNULL	3
#define REQUEST_US	2000
#define PROGRESS_EVERY	50
#define WANT_NOFILE	65536

static long leak_cap;
static long leaked;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
leak_at_startup(void)
{
	int i, fd, p[2];

	for (i = 0; i < STARTUP_DEVNULL; i++) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			victim_die("open /dev/null");
		EXPECT(fd, "device", "openat", 0, "/dev/null");
	}
	if (pipe(p) < 0)
		victim_die("pipe");
	/* glibc's pipe() is the pipe2 syscall on x86_64. */
	EXPECT(p[0], "pipe", "pipe2", 0, victim_link(p[0]));
	EXPECT(p[1], "pipe", "pipe2", 0, victim_link(p[1]));
}

static void
handle_request_leaky(long request)
{
	char buf[256];
	double t;
	int fd;

	fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0)
		victim_die("open /etc/hostname");
	t = now();
	if (read(fd, buf, sizeof(buf)) < 0)
		victim_die("read /etc/hostname");
	/* The bug: fd is never closed. */
	leaked++;
	victim_say("LEAKED fd=%d request=%ld time=%.6f", fd, request, t);
}

static void
serve_file(void)
{
	char buf[256];
	int fd;

	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		victim_die("open /etc/passwd");
	if (read(fd, buf, sizeof(buf)) < 0)
		victim_die("read /etc/passwd");
	close(fd);
}

static void
serve_pipe(void)
{
	char c = 'x';
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		victim_die("pipe2");
	if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
		victim_die("pipe write/read");
	close(p[1]);
	close(p[0]);
}

static void
serve_socket(void)
{
	char c = 'y';
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		victim_die("socketpair");
	if (write(sv[0], &c, 1) != 1 || read(sv[1], &c, 1) != 1)
		victim_die("socketpair write/read");
	close(sv[0]);
	close(sv[1]);
}

static void
handle_request(long request)
{
	switch (request % 3) {
	case 0:
		serve_file();
		break;
	case 1:
		serve_pipe();
		break;
	default:
		serve_socket();
		break;
	}
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		victim_die("getrlimit");
	if (rl.rlim_max < WANT_NOFILE) {
		struct rlimit want = { WANT_NOFILE, WANT_NOFILE };

		/* Root may raise the hard limit; anyone else keeps it. */
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
	}
	if (rl.rlim_cur < WANT_NOFILE) {
		rl.rlim_cur = rl.rlim_max < WANT_NOFILE ? rl.rlim_max : WANT_NOFILE;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			victim_die("setrlimit");
	}
	leak_cap = (long)rl.rlim_cur - 100;
}

int
main(int argc, char *argv[])
{
	struct timespec pause = { 0, REQUEST_US * 1000L };
	long every = 10, request;
	int capped = 0;

	victim_proc();
	if (argc > 1 && (every = atol(argv[1])) < 0) {
		victim_say("ERROR usage: server [N >= 0]");
		return 2;
	}
	raise_nofile();
	leak_at_startup();
	victim_say("READY pid=%d every=%ld", (int)getpid(), every);
	for (request = 1;; request++) {
		bool leaky = every > 0 && request % every == 0;

		if (leaky && leaked < leak_cap)
			handle_request_leaky(request);
		else {
			if (leaky && !capped) {
				capped = 1;
				victim_say("LEAK-CAP %ld", leaked);
			}
			handle_request(request);
		}
		if (request % PROGRESS_EVERY == 0)
			victim_say("PROGRESS %ld", request);
		clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);
	}
}
