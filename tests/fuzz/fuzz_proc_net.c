// SPDX-License-Identifier: MIT
/*
 * fuzz_proc_net.c - lines of /proc/PID/net/{tcp,tcp6,udp,...} and
 * /proc/PID/net/unix. A unix socket's path is printed raw, so any local
 * user chooses part of these lines. Every input goes through all three
 * parsers. On success: the fields are in range, a unix name is a C
 * string without a newline, and the line printed back the kernel's way
 * parses to the same socket. Then sockinfo_text and fdinfo_pipe_text
 * describe what was parsed, in the forms their header gives.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "fdinfo.h"
#include "sockinfo.h"
#include "fuzz.h"

static bool
same_sock(const struct sock_entry *a, const struct sock_entry *b)
{
	return a->inode == b->inode && a->family == b->family &&
	    a->type == b->type && a->protocol == b->protocol &&
	    a->state == b->state && memcmp(a->local, b->local, 16) == 0 &&
	    memcmp(a->peer, b->peer, 16) == 0 && a->lport == b->lport &&
	    a->pport == b->pport && a->peer_inode == b->peer_inode &&
	    a->connected == b->connected && strcmp(a->name, b->name) == 0;
}

/* An address as the kernel prints it: host-order 32-bit words in hex. */
static void
print_addr(char *buf, const unsigned char *addr, int family)
{
	int words = family == AF_INET ? 1 : 4;

	for (int i = 0; i < words; i++) {
		uint32_t w;

		memcpy(&w, addr + 4 * i, 4);
		sprintf(buf + 8 * i, "%08" PRIX32, w);
	}
}

static const char *
unix_type(int type)
{
	switch (type) {
	case SOCK_STREAM: return "stream ";
	case SOCK_DGRAM: return "dgram ";
	case SOCK_SEQPACKET: return "seqpacket ";
	default: return "";
	}
}

/*
 * t is ", other end fd 3" or ", other end fds 3, 4, ..." naming the
 * first of others[0..n) = 3, 4, ... in order, "..." if not all; or ""
 * when n == 0.
 */
static bool
others_ok(const char *t, size_t n)
{
	size_t m = 0;
	char *end;

	if (n == 0)
		return *t == '\0';
	if (strncmp(t, n > 1 ? ", other end fds " : ", other end fd ",
	    n > 1 ? 16 : 15) != 0)
		return false;
	t += n > 1 ? 16 : 15;
	for (;;) {
		if (strtol(t, &end, 10) != (long)(3 + m) || end == t)
			return false;
		t = end;
		m++;
		if (*t == '\0')
			return m == n;
		if (strcmp(t, ", ...") == 0)
			return m < n;
		if (strncmp(t, ", ", 2) != 0 || m == n)
			return false;
		t += 2;
	}
}

/* A unix socket's text: "unix TYPE NAME" and the tail for its state. */
static void
check_unix_text(const struct sock_entry *s, const struct sock_entry *peer,
    const int *others, size_t n)
{
	const char *name = s->name[0] != '\0' ? s->name : "unnamed";
	char *t = sockinfo_text(s, peer, others, n), *head, *rest;

	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(asprintf(&head, "unix %s%s", unix_type(s->type), name) > 0);
	FUZZ_CHECK(strncmp(t, head, strlen(head)) == 0);
	rest = t + strlen(head);
	if (s->state == TCP_LISTEN)
		FUZZ_CHECK(strcmp(rest, " (listening)") == 0);
	else if (s->peer_inode != 0) {
		char *arrow;

		if (peer != NULL)
			FUZZ_CHECK(asprintf(&arrow, " -> %s", peer->name[0] ?
			    peer->name : "unnamed") > 0);
		else
			FUZZ_CHECK(asprintf(&arrow, " -> socket:[%lu]",
			    s->peer_inode) > 0);
		FUZZ_CHECK(strncmp(rest, arrow, strlen(arrow)) == 0);
		FUZZ_CHECK(others_ok(rest + strlen(arrow), n));
		free(arrow);
	} else if (s->connected)
		FUZZ_CHECK(strcmp(rest, " (connected)") == 0);
	else
		FUZZ_CHECK(*rest == '\0');
	free(head);
	free(t);
}

static void
check_text(const struct sock_entry *s, const uint8_t *data, size_t size)
{
	int others[12];
	size_t n = size % 13;
	const char *want;
	char *t;

	for (size_t i = 0; i < 12; i++)
		others[i] = (int)(3 + i);
	if (s->family == AF_UNIX) {
		struct sock_entry c = *s;

		check_unix_text(s, NULL, others, n);
		/* As if the diag table had named a peer. */
		c.peer_inode = s->inode;
		check_unix_text(&c, NULL, others, n);
		check_unix_text(&c, s, others, n);
	} else {
		if (s->protocol == IPPROTO_TCP)
			want = "tcp ";
		else if (s->protocol == IPPROTO_UDP)
			want = "udp ";
		else
			want = "udplite ";
		t = sockinfo_text(s, NULL, others, n);
		FUZZ_CHECK(t != NULL && strncmp(t, want, strlen(want)) == 0);
		FUZZ_CHECK(strchr(t, '\n') == NULL);
		free(t);
	}

	/* A pipe or FIFO named like this socket. */
	t = fdinfo_pipe_text(s->name, data[0] & 1, s->inode & 3, others, n);
	FUZZ_CHECK(t != NULL && strncmp(t, s->name, strlen(s->name)) == 0);
	switch (s->inode & 3) {
	case 0:
		FUZZ_CHECK(strncmp(t + strlen(s->name),
		    data[0] & 1 ? " (read end" : " read end", 9) == 0);
		break;
	case 1:
		FUZZ_CHECK(strncmp(t + strlen(s->name),
		    data[0] & 1 ? " (write end" : " write end", 10) == 0);
		break;
	default:
		FUZZ_CHECK(strcmp(t + strlen(s->name),
		    data[0] & 1 ? " (read-write)" : " read-write") == 0);
		break;
	}
	FUZZ_CHECK(!(data[0] & 1) || t[strlen(t) - 1] == ')');
	free(t);
}

static void
check_inet(const char *line, int family, int protocol, const uint8_t *data,
    size_t size)
{
	struct sock_entry s, s2;
	char loc[40], rem[40], *again;

	if (sockinfo_parse_proc_inet(line, family, protocol, &s) != 0)
		return;
	FUZZ_CHECK(s.family == family && s.protocol == protocol);
	FUZZ_CHECK(s.inode != 0 && s.state <= 0xff);
	FUZZ_CHECK(s.lport <= 0xffff && s.pport <= 0xffff);
	FUZZ_CHECK(s.name[0] == '\0' && s.peer_inode == 0 && !s.connected);
	if (family == AF_INET) {
		static const unsigned char zero[12];

		FUZZ_CHECK(memcmp(s.local + 4, zero, 12) == 0);
		FUZZ_CHECK(memcmp(s.peer + 4, zero, 12) == 0);
	}
	print_addr(loc, s.local, family);
	print_addr(rem, s.peer, family);
	FUZZ_CHECK(asprintf(&again, "%4d: %s:%04X %s:%04X %02X "
	    "00000000:00000000 00:00000000 00000000  1000        0 %lu 1 "
	    "0000000000000000 100 0 0 10 0\n", 7, loc, s.lport, rem, s.pport,
	    (unsigned)s.state, s.inode) > 0);
	FUZZ_CHECK(sockinfo_parse_proc_inet(again, family, protocol, &s2) == 0);
	FUZZ_CHECK(same_sock(&s, &s2));
	free(again);
	check_text(&s, data, size);
}

static void
check_unix(const char *line, const uint8_t *data, size_t size)
{
	struct sock_entry s, s2;
	char *again;

	if (sockinfo_parse_proc_unix(line, &s) != 0)
		return;
	FUZZ_CHECK(s.family == AF_UNIX && s.inode != 0);
	FUZZ_CHECK(s.type >= 0 && s.type <= 0xffff);
	FUZZ_CHECK(s.state == TCP_LISTEN || s.state == TCP_ESTABLISHED ||
	    s.state == TCP_CLOSE);
	FUZZ_CHECK(s.connected == (s.state == TCP_ESTABLISHED) ||
	    s.state == TCP_LISTEN);
	FUZZ_CHECK(strnlen(s.name, sizeof s.name) < sizeof s.name);
	FUZZ_CHECK(strchr(s.name, '\n') == NULL);
	FUZZ_CHECK(asprintf(&again,
	    "%016x: %08X %08X %08X %04X %02X %5lu%s%s\n", 0, 2, 0,
	    s.state == TCP_LISTEN ? 0x10000 : 0, (unsigned)s.type,
	    s.connected ? 3 : 1, s.inode, s.name[0] != '\0' ? " " : "",
	    s.name) > 0);
	FUZZ_CHECK(sockinfo_parse_proc_unix(again, &s2) == 0);
	FUZZ_CHECK(same_sock(&s, &s2));
	free(again);
	check_text(&s, data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_entry s;
	char *line;

	if (size == 0) {
		FUZZ_CHECK(sockinfo_parse_proc_inet(NULL, AF_INET, 6, &s) == -1);
		FUZZ_CHECK(sockinfo_parse_proc_unix(NULL, &s) == -1);
		return 0;
	}
	line = malloc(size + 1);
	FUZZ_CHECK(line != NULL);
	memcpy(line, data, size);
	line[size] = '\0';
	check_inet(line, AF_INET, IPPROTO_TCP, data, size);
	check_inet(line, AF_INET6, IPPROTO_UDP, data, size);
	check_unix(line, data, size);
	FUZZ_CHECK(sockinfo_parse_proc_inet(line, AF_UNIX, 0, &s) == -1);
	free(line);
	return 0;
}
