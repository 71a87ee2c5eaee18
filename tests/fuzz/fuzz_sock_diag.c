// SPDX-License-Identifier: MIT
/*
 * fuzz_sock_diag.c - sockinfo_parse_diag on arbitrary NETLINK_SOCK_DIAG
 * answers. A unix socket's name attribute holds whatever bytes its owner
 * bound. On success: a known family, a C-string name, nothing read past
 * nlmsg_len (the message is parsed again from a buffer of exactly that
 * size, where ASan sees any over-read, and must give the same socket),
 * and the answer built back from the result parses to the same socket.
 * sockinfo_text must then describe it.
 */
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

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
	    strcmp(a->name, b->name) == 0;
}

static size_t
put_attr(unsigned char *p, unsigned short type, const void *v, size_t n)
{
	struct rtattr rta = { .rta_len = RTA_LENGTH(n), .rta_type = type };

	memcpy(p, &rta, sizeof rta);
	memcpy(p + RTA_LENGTH(0), v, n);
	return RTA_SPACE(n);
}

/* The answer the kernel would send for s. */
static size_t
build(const struct sock_entry *s, unsigned char *buf)
{
	struct nlmsghdr h = { .nlmsg_type = SOCK_DIAG_BY_FAMILY };
	size_t off = NLMSG_HDRLEN;

	if (s->family == AF_UNIX) {
		struct unix_diag_msg um = {
			.udiag_family = AF_UNIX, .udiag_type = s->type,
			.udiag_state = s->state, .udiag_ino = s->inode,
		};
		uint32_t peer = s->peer_inode;

		memcpy(buf + off, &um, sizeof um);
		off += NLMSG_ALIGN(sizeof um);
		if (s->name[0] != '\0')
			off += put_attr(buf + off, UNIX_DIAG_NAME, s->name,
			    strlen(s->name));
		if (peer != 0)
			off += put_attr(buf + off, UNIX_DIAG_PEER, &peer,
			    sizeof peer);
	} else {
		struct inet_diag_msg im = {
			.idiag_family = s->family, .idiag_state = s->state,
			.idiag_inode = s->inode,
		};

		im.id.idiag_sport = htons(s->lport);
		im.id.idiag_dport = htons(s->pport);
		memcpy(im.id.idiag_src, s->local, 16);
		memcpy(im.id.idiag_dst, s->peer, 16);
		memcpy(buf + off, &im, sizeof im);
		off += sizeof im;
	}
	h.nlmsg_len = off;
	memcpy(buf, &h, sizeof h);
	return off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_entry s, s2;
	struct nlmsghdr h;
	unsigned char *exact, buf[512];
	char *t;

	FUZZ_CHECK(sockinfo_parse_diag(NULL, size, IPPROTO_TCP, &s) == -1);
	if (sockinfo_parse_diag(data, size, IPPROTO_TCP, &s) != 0)
		return 0;
	FUZZ_CHECK(size >= NLMSG_HDRLEN);
	memcpy(&h, data, sizeof h);
	FUZZ_CHECK(h.nlmsg_len >= NLMSG_HDRLEN && h.nlmsg_len <= size);
	FUZZ_CHECK(s.family == AF_UNIX || s.family == AF_INET ||
	    s.family == AF_INET6);
	FUZZ_CHECK(s.protocol == (s.family == AF_UNIX ? 0 : IPPROTO_TCP));
	FUZZ_CHECK(strnlen(s.name, sizeof s.name) < sizeof s.name);
	FUZZ_CHECK(s.family == AF_UNIX || (s.name[0] == '\0' &&
	    s.peer_inode == 0));
	FUZZ_CHECK(s.lport <= 0xffff && s.pport <= 0xffff);

	/* Only nlmsg_len bytes belong to this message. */
	exact = malloc(h.nlmsg_len);
	FUZZ_CHECK(exact != NULL);
	memcpy(exact, data, h.nlmsg_len);
	FUZZ_CHECK(sockinfo_parse_diag(exact, h.nlmsg_len, IPPROTO_TCP,
	    &s2) == 0);
	FUZZ_CHECK(same_sock(&s, &s2) && s.connected == s2.connected);
	free(exact);

	/* Built back, it reads the same. */
	memset(buf, 0, sizeof buf);
	FUZZ_CHECK(sockinfo_parse_diag(buf, build(&s, buf), IPPROTO_TCP,
	    &s2) == 0);
	FUZZ_CHECK(same_sock(&s, &s2));

	t = sockinfo_text(&s, NULL, NULL, 0);
	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(strncmp(t, s.family == AF_UNIX ? "unix " : "tcp ",
	    s.family == AF_UNIX ? 5 : 4) == 0);
	free(t);
	return 0;
}
