// SPDX-License-Identifier: MIT
/*
 * example.c - the leaky program of the README (make example).
 *
 * Leaks three fds, each the way real programs do:
 *   open_config()    opens /etc/hostname and returns early without closing;
 *   start_listener() makes a TCP socket listening on 127.0.0.1 that main
 *                    never closes;
 *   spawn_helper()   makes a pipe (glibc's pipe() calls pipe2), closes the write end, forgets the read end.
 * It also opens and properly closes an eventfd, a socketpair, /dev/null
 * and a second read of /etc/hostname: those must not be reported.
 */
#include "victim.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/* Read the host name; the early return on success forgets fd. */
static int
open_config(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0)
		victim_die("open /etc/hostname");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	n = read(fd, buf, len - 1);
	if (n >= 0) {
		buf[n] = '\0';
		return 0;	/* the leak: fd is never closed */
	}
	close(fd);
	return -1;
}

/* The same read, done right. */
static int
check_config(void)
{
	char buf[256];
	ssize_t n;
	int fd;

	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 0 : -1;
}

/* A listener on an ephemeral port of 127.0.0.1; the caller never closes it. */
static int
start_listener(void)
{
	struct sockaddr_in sin;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		victim_die("socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(s, 4) < 0)
		victim_die("bind/listen");
	EXPECT(s, "socket", "socket", 0, victim_inet_target(s, NULL));
	return s;
}

/* Talk to ourselves through a pipe; only the write end is closed. */
static int
spawn_helper(void)
{
	char buf[8];
	int p[2];

	if (pipe(p) < 0)
		victim_die("pipe");
	if (write(p[1], "ready", 5) != 5)
		victim_die("write");
	close(p[1]);
	EXPECT(p[0], "pipe", "pipe2", 0, victim_pipe_target(p[0], -1));
	if (read(p[0], buf, sizeof(buf)) != 5)
		victim_die("read");
	return p[0];	/* the leak: nobody closes the read end */
}

/* Things done right: every fd is closed. */
static void
tidy_work(void)
{
	uint64_t one = 1;
	int e, sv[2], null;

	e = eventfd(0, EFD_CLOEXEC);
	if (e >= 0) {
		if (write(e, &one, sizeof(one)) != sizeof(one))
			victim_die("eventfd write");
		close(e);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		close(sv[0]);
		close(sv[1]);
	}
	null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		close(null);
}

int
main(void)
{
	char host[256];
	int listener;

	victim_proc();
	if (open_config(host, sizeof(host)) < 0 || check_config() < 0)
		victim_die("config");
	listener = start_listener();
	spawn_helper();
	tidy_work();
	printf("example: host %s", host);
	printf("example: listening on fd %d\n", listener);
	victim_exit(0);
}
