// SPDX-License-Identifier: MIT
/*
 * sockets.c - sockets, pipes and a FIFO whose targets say what they are
 * connected to. Each is leaked by the function that makes it:
 *   leak_tcp()          a TCP listener on 127.0.0.1, a client connected to
 *                       it and the accepted end: "tcp A (listening)",
 *                       "tcp B -> A", "tcp A -> B";
 *   leak_udp6()         a UDP socket bound to [::1] (SKIP without IPv6);
 *   leak_unix_path()    a unix stream listener bound to a path, a client
 *                       and the accepted end, each naming the other's fd;
 *   leak_unix_pair()    a socketpair;
 *   leak_unix_abstract() an unconnected datagram socket with an abstract name;
 *   leak_pipe()         both ends of a pipe, each naming the other's fd;
 *   leak_pipe_read()    the read end of a pipe whose write end is closed;
 *   leak_fifo()         both ends of a FIFO.
 * The targets are computed here (victim.h) from getsockname, getpeername,
 * fstat and F_GETFL, not read from /proc.
 */
#include "victim.h"

#include <sys/socket.h>
#include <sys/un.h>

static void
must(int ok, const char *what)
{
	if (!ok)
		victim_die(what);
}

static void
leak_tcp(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int l, c, a;

	l = socket(AF_INET, SOCK_STREAM, 0);
	must(l >= 0, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	must(bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0, "bind");
	must(listen(l, 4) == 0, "listen");
	must(getsockname(l, (struct sockaddr *)&sin, &len) == 0, "getsockname");
	c = socket(AF_INET, SOCK_STREAM, 0);
	must(c >= 0, "socket");
	must(connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0, "connect");
	a = accept(l, NULL, NULL);
	must(a >= 0, "accept");
	EXPECT(l, "socket", "socket", 0, victim_inet_target(l, NULL));
	EXPECT(c, "socket", "socket", 0, victim_inet_target(c, NULL));
	EXPECT(a, "socket", "accept", 0, victim_inet_target(a, NULL));
}

static void
leak_udp6(void)
{
	struct sockaddr_in6 sin6;
	int s = socket(AF_INET6, SOCK_DGRAM, 0);

	if (s < 0) {
		victim_skip("socket(AF_INET6)", errno);
		return;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if (bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		victim_skip("bind([::1])", errno);
		close(s);
		return;
	}
	EXPECT(s, "socket", "socket", 0, victim_inet_target(s, NULL));
}

static void
leak_unix_path(void)
{
	struct sockaddr_un sun;
	int l, c, a;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", victim_path("sock"));
	unlink(sun.sun_path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	must(l >= 0, "socket");
	must(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0, "bind unix");
	must(listen(l, 4) == 0, "listen unix");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	must(c >= 0, "socket");
	must(connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0, "connect");
	a = accept(l, NULL, NULL);
	must(a >= 0, "accept");
	EXPECT(l, "socket", "socket", 0, victim_unix_target(l, -1));
	EXPECT(c, "socket", "socket", 0, victim_unix_target(c, a));
	EXPECT(a, "socket", "accept", 0, victim_unix_target(a, c));
}

static void
leak_unix_pair(void)
{
	int sv[2];

	must(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair");
	EXPECT(sv[0], "socket", "socketpair", 0, victim_unix_target(sv[0], sv[1]));
	EXPECT(sv[1], "socket", "socketpair", 0, victim_unix_target(sv[1], sv[0]));
}

static void
leak_unix_abstract(void)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, n;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	n = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "fdleak-test.%d", (int)getpid());
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	must(s >= 0, "socket");
	must(bind(s, (struct sockaddr *)&sun, len) == 0, "bind abstract");
	EXPECT(s, "socket", "socket", 0, victim_unix_target(s, -1));
}

static void
leak_pipe(void)
{
	int p[2];

	must(pipe(p) == 0, "pipe");
	EXPECT(p[0], "pipe", "pipe2", 0, victim_pipe_target(p[0], p[1]));
	EXPECT(p[1], "pipe", "pipe2", 0, victim_pipe_target(p[1], p[0]));
}

static void
leak_pipe_read(void)
{
	int p[2];

	must(pipe(p) == 0, "pipe");
	close(p[1]);
	EXPECT(p[0], "pipe", "pipe2", 0, victim_pipe_target(p[0], -1));
}

static void
leak_fifo(void)
{
	char path[PATH_MAX], target[PATH_MAX + 64], real[PATH_MAX];
	int r, w;

	snprintf(path, sizeof(path), "%s", victim_path("fifo"));
	unlink(path);
	must(mkfifo(path, 0600) == 0, "mkfifo");
	must(realpath(path, real) != NULL, "realpath");
	r = open(path, O_RDONLY | O_NONBLOCK);
	must(r >= 0, "open fifo");
	w = open(path, O_WRONLY);
	must(w >= 0, "open fifo");
	snprintf(target, sizeof(target), "%s (read end, other end fd %d)", real, w);
	EXPECT(r, "fifo", "openat", 0, target);
	snprintf(target, sizeof(target), "%s (write end, other end fd %d)", real, r);
	EXPECT(w, "fifo", "openat", 0, target);
}

int
main(void)
{
	victim_proc();
	leak_tcp();
	leak_udp6();
	leak_unix_path();
	leak_unix_pair();
	leak_unix_abstract();
	leak_pipe();
	leak_pipe_read();
	leak_fifo();
	victim_exit(0);
}
