// SPDX-License-Identifier: MIT
/*
 * test_sockinfo.c - sockets: the pure parsers of /proc/PID/net lines and
 * of sock_diag answers, the text made of them, and the tables of this
 * very process looked up by inode.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockinfo.h"

/* The text of s alone (no peer, no other fds) is want. */
static void
expect_text(const struct sock_entry *s, const char *want)
{
	char *t = sockinfo_text(s, NULL, NULL, 0);

	assert_string_equal(t, want);
	free(t);
}

static void
test_proc_inet(void **state)
{
	struct sock_entry s;

	assert_int_equal(sockinfo_parse_proc_inet("  sl  local_address rem_address"
	    "   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
	    AF_INET, IPPROTO_TCP, &s), -1);
	assert_int_equal(sockinfo_parse_proc_inet("   0: 0100007F:1F90 00000000:0000"
	    " 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1"
	    " 0000000000000000 100 0 0 10 0", AF_INET, IPPROTO_TCP, &s), 0);
	assert_int_equal(s.inode, 12345);
	assert_int_equal(s.state, TCP_LISTEN);
	assert_int_equal(s.lport, 8080);
	expect_text(&s, "tcp 127.0.0.1:8080 (listening)");
	assert_int_equal(sockinfo_parse_proc_inet("  12: 0100007F:1F90 0200007F:D0B4"
	    " 08 00000000:00000000 00:00000000 00000000  1000        0 777",
	    AF_INET, IPPROTO_TCP, &s), 0);
	expect_text(&s, "tcp 127.0.0.1:8080 -> 127.0.0.2:53428 (close-wait)");
	assert_int_equal(sockinfo_parse_proc_inet(" 1017: 00000000000000000000000001000000:0035"
	    " 00000000000000000000000000000000:0000 07 00000000:00000000"
	    " 00:00000000 00000000   101        0 555 2 0000000000000000 0",
	    AF_INET6, IPPROTO_UDP, &s), 0);
	expect_text(&s, "udp [::1]:53");
	/* v4-mapped, connected UDP. */
	assert_int_equal(sockinfo_parse_proc_inet(" 3: 0000000000000000FFFF00000100007F:0035"
	    " 0000000000000000FFFF00000200007F:1000 01 0:0 0:0 0 0 0 99",
	    AF_INET6, IPPROTO_UDP, &s), 0);
	expect_text(&s, "udp [::ffff:127.0.0.1]:53 -> [::ffff:127.0.0.2]:4096");
	/* Garbage: wrong widths, bad hex, missing fields, inode 0. */
	static const char *const bad[] = {
		"", "0:", "   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0",
		"   0: 100007F:1F90 00000000:0000 0A a b c d e 5",
		"   0: 0100007G:1F90 00000000:0000 0A a b c d e 5",
		"   0: 0100007F-1F90 00000000:0000 0A a b c d e 5",
		"   0: 0100007F:1F90 00000000:0000 0AB a b c d e 5",
		"   0: 0100007F:1F90 00000000:0000 0A a b c d e 0",
		"   0: 0100007F:1F90 00000000:0000 0A a b c d e 5x",
		"   x: 0100007F:1F90 00000000:0000 0A a b c d e 5",
		"   0: 0100007F:1F90 00000000:0000 0A a b c d e 99999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (sockinfo_parse_proc_inet(bad[i], AF_INET, IPPROTO_TCP, &s) != -1)
			fail_msg("parsed: \"%s\"", bad[i]);
	}
	assert_int_equal(sockinfo_parse_proc_inet(NULL, AF_INET, IPPROTO_TCP, &s), -1);
	assert_int_equal(sockinfo_parse_proc_inet("   0: 0100007F:1F90 00000000:0000"
	    " 0A a b c d e 5", AF_UNIX, IPPROTO_TCP, &s), -1);
}

static void
test_proc_unix(void **state)
{
	struct sock_entry s;

	assert_int_equal(sockinfo_parse_proc_unix("Num       RefCount Protocol Flags"
	    "    Type St Inode Path", &s), -1);
	assert_int_equal(sockinfo_parse_proc_unix("0000000000000000: 00000002 00000000"
	    " 00010000 0001 01 21870 /run/my socket.sock", &s), 0);
	assert_int_equal(s.inode, 21870);
	expect_text(&s, "unix stream /run/my socket.sock (listening)");
	assert_int_equal(sockinfo_parse_proc_unix("0000000000000000: 00000003 00000000"
	    " 00000000 0001 03 21871", &s), 0);
	expect_text(&s, "unix stream unnamed (connected)");
	assert_int_equal(sockinfo_parse_proc_unix("0000000000000000: 00000002 00000000"
	    " 00000000 0002 01 21872 @abstract@name\n", &s), 0);
	expect_text(&s, "unix dgram @abstract@name");
	assert_int_equal(sockinfo_parse_proc_unix("0000000000000000: 00000002 00000000"
	    " 00000000 0005 01 21873", &s), 0);
	expect_text(&s, "unix seqpacket unnamed");
	static const char *const bad[] = {
		"", "0000000000000000: 00000002 00000000 00010000 0001 01",
		"0000000000000000: 00000002 00000000 0001000 0001 01 5",
		"0000000000000000: 00000002 00000000 00010000 001 01 5",
		"0000000000000000: 00000002 00000000 00010000 0001 1 5",
		"0000000000000000: 00000002 00000000 00010000 0001 01 0",
		"0000000000000000: 00000002 00000000 00010000 0001 01 5a",
		"000000000000000x: 00000002 00000000 00010000 0001 01 5",
		"0000000000000000 00000002 00000000 00010000 0001 01 5",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (sockinfo_parse_proc_unix(bad[i], &s) != -1)
			fail_msg("parsed: \"%s\"", bad[i]);
	}
	/* A path as long as the kernel allows, and longer garbage: cut, not overrun. */
	{
		char line[512];

		memset(line, 0, sizeof line);
		snprintf(line, sizeof line, "0000000000000000: 00000002 00000000"
		    " 00000000 0001 01 9 /");
		memset(line + strlen(line), 'a', 300);
		assert_int_equal(sockinfo_parse_proc_unix(line, &s), 0);
		assert_int_equal(strlen(s.name), sizeof s.name - 1);
	}
	assert_int_equal(sockinfo_parse_proc_unix(NULL, &s), -1);
}

/* Build one sock_diag answer in buf; its length. */
static size_t
diag_unix_msg(unsigned char *buf, size_t size, unsigned ino, int state,
    const void *name, size_t nlen, unsigned peer)
{
	struct nlmsghdr h = { .nlmsg_type = SOCK_DIAG_BY_FAMILY };
	struct unix_diag_msg m = { .udiag_family = AF_UNIX, .udiag_type = SOCK_STREAM,
	    .udiag_state = (unsigned char)state, .udiag_ino = ino };
	size_t off = NLMSG_HDRLEN;
	struct rtattr rta;

	memset(buf, 0, size);
	memcpy(buf + off, &m, sizeof m);
	off += NLMSG_ALIGN(sizeof m);
	if (name != NULL) {
		rta.rta_type = UNIX_DIAG_NAME;
		rta.rta_len = (unsigned short)RTA_LENGTH(nlen);
		memcpy(buf + off, &rta, sizeof rta);
		memcpy(buf + off + RTA_LENGTH(0), name, nlen);
		off += RTA_ALIGN(rta.rta_len);
	}
	if (peer != 0) {
		rta.rta_type = UNIX_DIAG_PEER;
		rta.rta_len = RTA_LENGTH(4);
		memcpy(buf + off, &rta, sizeof rta);
		memcpy(buf + off + RTA_LENGTH(0), &peer, 4);
		off += RTA_ALIGN(rta.rta_len);
	}
	h.nlmsg_len = (unsigned)off;
	memcpy(buf, &h, sizeof h);
	return off;
}

static void
test_diag(void **state)
{
	unsigned char buf[512];
	struct sock_entry s, peer;
	struct inet_diag_msg im = { .idiag_family = AF_INET, .idiag_state = TCP_ESTABLISHED,
	    .idiag_inode = 4242 };
	struct nlmsghdr h = { .nlmsg_type = SOCK_DIAG_BY_FAMILY };
	int others[] = { 7, 9 };
	size_t n;
	char *t;

	/* inet: network order in, host order out. */
	im.id.idiag_sport = htons(22);
	im.id.idiag_dport = htons(50000);
	im.id.idiag_src[0] = htonl(0x0a000001);
	im.id.idiag_dst[0] = htonl(0x0a000002);
	h.nlmsg_len = NLMSG_LENGTH(sizeof im);
	memcpy(buf, &h, sizeof h);
	memcpy(buf + NLMSG_HDRLEN, &im, sizeof im);
	assert_int_equal(sockinfo_parse_diag(buf, h.nlmsg_len, IPPROTO_TCP, &s), 0);
	assert_int_equal(s.inode, 4242);
	assert_int_equal(s.lport, 22);
	expect_text(&s, "tcp 10.0.0.1:22 -> 10.0.0.2:50000");
	/* Short, wrong type, longer than the buffer, unknown family. */
	assert_int_equal(sockinfo_parse_diag(buf, h.nlmsg_len - 1, IPPROTO_TCP, &s), -1);
	assert_int_equal(sockinfo_parse_diag(buf, 8, IPPROTO_TCP, &s), -1);
	((struct nlmsghdr *)buf)->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(sockinfo_parse_diag(buf, h.nlmsg_len, IPPROTO_TCP, &s), -1);
	((struct nlmsghdr *)buf)->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(sockinfo_parse_diag(buf, sizeof buf, IPPROTO_TCP, &s), -1);
	buf[NLMSG_HDRLEN] = AF_PACKET;
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_LENGTH(sizeof im);
	assert_int_equal(sockinfo_parse_diag(buf, sizeof buf, IPPROTO_TCP, &s), -1);
	assert_int_equal(sockinfo_parse_diag(NULL, 100, IPPROTO_TCP, &s), -1);

	/* unix: a path, an abstract name with a NUL inside, a peer. */
	n = diag_unix_msg(buf, sizeof buf, 100, TCP_LISTEN, "/run/x.sock\0", 12, 0);
	assert_int_equal(sockinfo_parse_diag(buf, n, 0, &s), 0);
	expect_text(&s, "unix stream /run/x.sock (listening)");
	n = diag_unix_msg(buf, sizeof buf, 101, TCP_ESTABLISHED, "\0ab\0c", 5, 100);
	assert_int_equal(sockinfo_parse_diag(buf, n, 0, &peer), 0);
	assert_string_equal(peer.name, "@ab@c");
	assert_int_equal(peer.peer_inode, 100);
	n = diag_unix_msg(buf, sizeof buf, 102, TCP_ESTABLISHED, NULL, 0, 101);
	assert_int_equal(sockinfo_parse_diag(buf, n, 0, &s), 0);
	assert_string_equal(s.name, "");
	t = sockinfo_text(&s, &peer, others, 2);
	assert_string_equal(t, "unix stream unnamed -> @ab@c, other end fds 7, 9");
	free(t);
	expect_text(&s, "unix stream unnamed -> socket:[101]");
	/* An attribute running past the message is refused. */
	n = diag_unix_msg(buf, sizeof buf, 103, TCP_CLOSE, "/x", 2, 0);
	((struct rtattr *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct unix_diag_msg))))->rta_len = 200;
	assert_int_equal(sockinfo_parse_diag(buf, n, 0, &s), -1);
	((struct rtattr *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct unix_diag_msg))))->rta_len = 2;
	assert_int_equal(sockinfo_parse_diag(buf, n, 0, &s), -1);

	/* Random bytes: refused or parsed, never a crash (ASan watches). */
	{
		unsigned seed = 7;

		for (int round = 0; round < 20000; round++) {
			size_t len = (seed >> 4) % sizeof buf;

			for (size_t i = 0; i < sizeof buf; i++) {
				seed = seed * 1103515245 + 12345;
				buf[i] = (unsigned char)(seed >> 16);
			}
			((struct nlmsghdr *)buf)->nlmsg_type = SOCK_DIAG_BY_FAMILY;
			((struct nlmsghdr *)buf)->nlmsg_len = (unsigned)len;
			buf[NLMSG_HDRLEN] = round % 2 ? AF_UNIX : AF_INET6;
			if (sockinfo_parse_diag(buf, len, IPPROTO_UDP, &s) == 0) {
				t = sockinfo_text(&s, NULL, others, 1);
				assert_non_null(t);
				free(t);
			}
		}
	}
}

static void
test_sock_text(void **state)
{
	struct sock_entry s = { .family = AF_INET6, .protocol = IPPROTO_TCP,
	    .state = TCP_CLOSE, .lport = 80 };
	int others[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	char *t;

	expect_text(&s, "tcp [::]:80 (bound)");
	s.state = 13;		/* TCP_BOUND_INACTIVE, Linux 6.8 */
	expect_text(&s, "tcp [::]:80 (bound)");
	s.state = TCP_SYN_SENT;
	s.pport = 443;
	s.peer[15] = 1;
	expect_text(&s, "tcp [::]:80 -> [::1]:443 (syn-sent)");
	s.state = 99;
	expect_text(&s, "tcp [::]:80 -> [::1]:443 (?)");
	s = (struct sock_entry){ .family = AF_INET, .protocol = IPPROTO_UDPLITE,
	    .lport = 5 };
	expect_text(&s, "udplite 0.0.0.0:5");
	s = (struct sock_entry){ .family = AF_UNIX, .type = 99, .peer_inode = 5 };
	t = sockinfo_text(&s, &s, others, 10);
	assert_string_equal(t, "unix unnamed -> unnamed, other end fds 1, 2, 3, 4, "
	    "5, 6, 7, 8, ...");
	free(t);
	s = (struct sock_entry){ .family = AF_PACKET, .inode = 77 };
	expect_text(&s, "socket:[77]");
}

/* For sockinfo_describe: the peer is held by "fd 42". */
static size_t
fake_peer_fds(void *arg, unsigned long peer_inode, int **fds)
{
	unsigned long *asked = arg;

	*asked = peer_inode;
	*fds = malloc(sizeof **fds);
	assert_non_null(*fds);
	(*fds)[0] = 42;
	return 1;
}

static unsigned long
inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* This process's own tables, by inode and protocol name. */
static void
test_describe(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	struct sockinfo *t = sockinfo_new(getpid());
	unsigned long asked = 0;
	char *s, want[64];
	int lfd, sv[2];

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);

	s = sockinfo_describe(t, "TCP", inode_of(lfd), NULL, NULL);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%u (listening)",
	    ntohs(sin.sin_port));
	assert_string_equal(s, want);
	free(s);
	/* A unix socket's peer, and the fds that hold it. */
	s = sockinfo_describe(t, "UNIX-STREAM", inode_of(sv[0]), fake_peer_fds,
	    &asked);
	assert_string_equal(s, "unix stream unnamed -> unnamed, other end fd 42");
	assert_int_equal(asked, inode_of(sv[1]));
	free(s);
	s = sockinfo_describe(t, "UNIX", inode_of(sv[1]), NULL, NULL);
	assert_string_equal(s, "unix stream unnamed -> unnamed");
	free(s);
	/* Not in the table; no table for the protocol. */
	s = sockinfo_describe(t, "TCPv6", inode_of(lfd), NULL, NULL);
	assert_string_equal(s, "tcp6 (no address)");
	free(s);
	s = sockinfo_describe(t, "NETLINK", 1, NULL, NULL);
	assert_string_equal(s, "netlink");
	free(s);
	s = sockinfo_describe(t, "Odd Name\x7f", 1, NULL, NULL);
	assert_string_equal(s, "odd_name_");
	free(s);
	sockinfo_free(t);
	sockinfo_free(NULL);
	close(lfd);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_inet),
		cmocka_unit_test(test_proc_unix),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_sock_text),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
