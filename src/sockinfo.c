// SPDX-License-Identifier: MIT
/*
 * sockinfo.c - sockets as the kernel's tables describe them, as strace's
 * socketutils.c: addresses, state and unix peer of a socket inode from
 * NETLINK_SOCK_DIAG (inet_diag, unix_diag), or from the /proc/TID/net
 * tables when the process lives in another network namespace (a netlink
 * socket answers for the namespace of its creator) or sock_diag is
 * missing; and the text a report shows for a socket. The tables of a
 * process are loaded one protocol at a time, when a socket of that
 * protocol is first described. Every parser of kernel text or netlink
 * data is a pure function.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"
#include "sockinfo.h"
#include "util.h"

/* TCP states the libc header may not know yet. */
#ifndef SI_TCP_NEW_SYN_RECV
#define SI_TCP_NEW_SYN_RECV	12
#define SI_TCP_BOUND_INACTIVE	13
#endif

#define PROC_NET_MAX	(64 << 20)	/* a /proc/TID/net table we still read */
#define OTHERS_SHOWN	8		/* "other end fds 4, 5, ..." */

/* ---- parsers and text (pure) ---- */

/* Exactly n hex digits at s into *v; -1 if not. */
static int
hex_exact(const char *s, size_t n, unsigned long long *v)
{
	unsigned long long x = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		x = x * 16 + d;
	}
	*v = x;
	return 0;
}

/* Split line into at most max blank-separated words: (start, length) pairs. */
static size_t
split_words(const char *line, const char **w, size_t *wl, size_t max,
    const char **rest)
{
	const char *p = line;
	size_t n = 0;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		w[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	if (rest != NULL)
		*rest = p;
	return n;
}

/* "0100007F:1F90": an address the kernel printed as host-order words, and a port. */
static int
parse_proc_addr(const char *w, size_t len, int family, unsigned char *addr,
    unsigned *port)
{
	size_t alen = family == AF_INET ? 8 : 32;
	unsigned long long v;

	if (len != alen + 5 || w[alen] != ':')
		return -1;
	for (size_t i = 0; i < alen / 8; i++) {
		uint32_t word;

		if (hex_exact(w + i * 8, 8, &v) < 0)
			return -1;
		word = (uint32_t)v;
		memcpy(addr + i * 4, &word, 4);
	}
	if (hex_exact(w + alen + 1, 4, &v) < 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* A decimal number filling w[0..len); -1 if not. */
static int
dec_exact(const char *w, size_t len, unsigned long long *v)
{
	unsigned long long x = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(w[i] - '0');
	}
	*v = x;
	return 0;
}

int
sockinfo_parse_proc_inet(const char *line, int family, int protocol,
    struct sock_entry *out)
{
	const char *w[10];
	size_t wl[10];
	unsigned long long v;
	struct sock_entry s;

	if (line == NULL || (family != AF_INET && family != AF_INET6))
		return -1;
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (split_words(line, w, wl, 10, NULL) != 10)
		return -1;
	if (wl[0] < 2 || w[0][wl[0] - 1] != ':' || dec_exact(w[0], wl[0] - 1, &v) < 0)
		return -1;
	memset(&s, 0, sizeof s);
	s.family = family;
	s.protocol = protocol;
	if (parse_proc_addr(w[1], wl[1], family, s.local, &s.lport) < 0 ||
	    parse_proc_addr(w[2], wl[2], family, s.peer, &s.pport) < 0 ||
	    wl[3] != 2 || hex_exact(w[3], 2, &v) < 0)
		return -1;
	s.state = (int)v;
	if (dec_exact(w[9], wl[9], &v) < 0 || v == 0 || v > ULONG_MAX)
		return -1;
	s.inode = (unsigned long)v;
	*out = s;
	return 0;
}

int
sockinfo_parse_proc_unix(const char *line, struct sock_entry *out)
{
	const char *w[7], *rest;
	size_t wl[7], plen;
	unsigned long long flags, type, st, ino;
	struct sock_entry s;

	if (line == NULL)
		return -1;
	/* Num: RefCount Protocol Flags Type St Inode [Path] */
	if (split_words(line, w, wl, 7, &rest) != 7 || wl[0] < 2 ||
	    w[0][wl[0] - 1] != ':' || hex_exact(w[0], wl[0] - 1, &flags) < 0 ||
	    wl[3] != 8 || hex_exact(w[3], 8, &flags) < 0 ||
	    wl[4] != 4 || hex_exact(w[4], 4, &type) < 0 ||
	    wl[5] != 2 || hex_exact(w[5], 2, &st) < 0 ||
	    dec_exact(w[6], wl[6], &ino) < 0 || ino == 0 || ino > ULONG_MAX)
		return -1;
	memset(&s, 0, sizeof s);
	s.family = AF_UNIX;
	s.type = (int)type;
	s.inode = (unsigned long)ino;
	if (flags & 0x10000)		/* __SO_ACCEPTCON */
		s.state = TCP_LISTEN;
	else if (st == 3)		/* SS_CONNECTED */
		s.state = TCP_ESTABLISHED;
	else
		s.state = TCP_CLOSE;
	s.connected = st == 3;
	/* One blank, then the path to the end of the line (it may hold blanks). */
	if (*rest == ' ' || *rest == '\t') {
		rest++;
		plen = strcspn(rest, "\n");
		if (plen > sizeof s.name - 1)
			plen = sizeof s.name - 1;
		memcpy(s.name, rest, plen);
		s.name[plen] = '\0';
	}
	*out = s;
	return 0;
}

/* The unix name attribute: a path, or '@' and an abstract name (NULs as '@', like /proc). */
static void
unix_name(const unsigned char *p, size_t len, char *name, size_t size)
{
	size_t n = 0;

	if (len == 0 || size == 0) {
		if (size > 0)
			name[0] = '\0';
		return;
	}
	if (p[0] != '\0') {
		while (n < len && n < size - 1 && p[n] != '\0') {
			name[n] = (char)p[n];
			n++;
		}
	} else {
		name[n++] = '@';
		for (size_t i = 1; i < len && n < size - 1; i++)
			name[n++] = p[i] != '\0' ? (char)p[i] : '@';
	}
	name[n] = '\0';
}

int
sockinfo_parse_diag(const void *msg, size_t len, int protocol,
    struct sock_entry *out)
{
	const struct nlmsghdr *h = msg;
	const unsigned char *payload;
	size_t plen;
	struct sock_entry s;

	if (msg == NULL || len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN ||
	    h->nlmsg_len > len || h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -1;
	payload = (const unsigned char *)msg + NLMSG_HDRLEN;
	plen = h->nlmsg_len - NLMSG_HDRLEN;
	memset(&s, 0, sizeof s);
	if (plen >= 1 && payload[0] == AF_UNIX) {
		struct unix_diag_msg um;
		size_t off;

		if (plen < sizeof um)
			return -1;
		memcpy(&um, payload, sizeof um);
		s.family = AF_UNIX;
		s.type = um.udiag_type;
		s.state = um.udiag_state;
		s.inode = um.udiag_ino;
		s.connected = um.udiag_state == TCP_ESTABLISHED;
		off = NLMSG_ALIGN(sizeof um);
		while (off + sizeof(struct rtattr) <= plen) {
			struct rtattr rta;
			size_t alen;

			memcpy(&rta, payload + off, sizeof rta);
			if (rta.rta_len < sizeof rta || off + rta.rta_len > plen)
				return -1;
			alen = rta.rta_len - RTA_LENGTH(0);
			if (rta.rta_type == UNIX_DIAG_NAME)
				unix_name(payload + off + RTA_LENGTH(0), alen,
				    s.name, sizeof s.name);
			else if (rta.rta_type == UNIX_DIAG_PEER && alen >= 4) {
				uint32_t peer;

				memcpy(&peer, payload + off + RTA_LENGTH(0), 4);
				s.peer_inode = peer;
				s.connected = s.connected || peer != 0;
			}
			off += RTA_ALIGN(rta.rta_len);
		}
	} else if (plen >= 1 && (payload[0] == AF_INET || payload[0] == AF_INET6)) {
		struct inet_diag_msg im;

		if (plen < sizeof im)
			return -1;
		memcpy(&im, payload, sizeof im);
		s.family = im.idiag_family;
		s.protocol = protocol;
		s.state = im.idiag_state;
		s.inode = im.idiag_inode;
		s.lport = ntohs(im.id.idiag_sport);
		s.pport = ntohs(im.id.idiag_dport);
		memcpy(s.local, im.id.idiag_src, s.family == AF_INET ? 4 : 16);
		memcpy(s.peer, im.id.idiag_dst, s.family == AF_INET ? 4 : 16);
	} else {
		return -1;
	}
	*out = s;
	return 0;
}

/* "127.0.0.1:80", "[::1]:53". */
static void
inet_endpoint(int family, const unsigned char *addr, unsigned port,
    char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, a, sizeof a) == NULL)
		snprintf(a, sizeof a, "?");
	if (family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, port);
	else
		snprintf(buf, size, "%s:%u", a, port);
}

static const char *
tcp_state_name(int state)
{
	static const char *const names[] = {
		[TCP_ESTABLISHED] = "established", [TCP_SYN_SENT] = "syn-sent",
		[TCP_SYN_RECV] = "syn-recv", [TCP_FIN_WAIT1] = "fin-wait-1",
		[TCP_FIN_WAIT2] = "fin-wait-2", [TCP_TIME_WAIT] = "time-wait",
		[TCP_CLOSE] = "closed", [TCP_CLOSE_WAIT] = "close-wait",
		[TCP_LAST_ACK] = "last-ack", [TCP_LISTEN] = "listening",
		[TCP_CLOSING] = "closing", [SI_TCP_NEW_SYN_RECV] = "syn-recv",
		[SI_TCP_BOUND_INACTIVE] = "bound",
	};

	if (state >= 0 && (size_t)state < ARRAY_SIZE(names) && names[state] != NULL)
		return names[state];
	return "?";
}

static const char *
inet_word(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	default:
		return "inet";
	}
}

char *
sockinfo_others_text(const int *others, size_t n)
{
	char *s, *t;

	if (n == 0)
		return xstrdup("");
	s = xasprintf(", other end fd%s %d", n > 1 ? "s" : "", others[0]);
	for (size_t i = 1; i < n && i < OTHERS_SHOWN; i++) {
		t = xasprintf("%s, %d", s, others[i]);
		free(s);
		s = t;
	}
	if (n > OTHERS_SHOWN) {
		t = xasprintf("%s, ...", s);
		free(s);
		s = t;
	}
	return s;
}

static const char *
unix_type_word(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream ";
	case SOCK_DGRAM:
		return "dgram ";
	case SOCK_SEQPACKET:
		return "seqpacket ";
	default:
		return "";
	}
}

char *
sockinfo_text(const struct sock_entry *s, const struct sock_entry *peer,
    const int *others, size_t nothers)
{
	char local[INET6_ADDRSTRLEN + 16], remote[INET6_ADDRSTRLEN + 16];
	char *o, *r;

	if (s->family == AF_UNIX) {
		const char *name = s->name[0] != '\0' ? s->name : "unnamed";
		const char *type = unix_type_word(s->type);

		if (s->state == TCP_LISTEN)
			return xasprintf("unix %s%s (listening)", type, name);
		if (s->peer_inode != 0) {
			o = sockinfo_others_text(others, nothers);
			if (peer != NULL)
				r = xasprintf("unix %s%s -> %s%s", type, name,
				    peer->name[0] != '\0' ? peer->name : "unnamed", o);
			else
				r = xasprintf("unix %s%s -> socket:[%lu]%s", type,
				    name, s->peer_inode, o);
			free(o);
			return r;
		}
		if (s->connected)
			return xasprintf("unix %s%s (connected)", type, name);
		return xasprintf("unix %s%s", type, name);
	}
	if (s->family != AF_INET && s->family != AF_INET6)
		return xasprintf("socket:[%lu]", s->inode);
	inet_endpoint(s->family, s->local, s->lport, local, sizeof local);
	if (s->protocol == IPPROTO_TCP && s->state == TCP_LISTEN)
		return xasprintf("tcp %s (listening)", local);
	if (s->pport != 0) {
		inet_endpoint(s->family, s->peer, s->pport, remote, sizeof remote);
		if (s->protocol != IPPROTO_TCP || s->state == TCP_ESTABLISHED)
			return xasprintf("%s %s -> %s", inet_word(s->protocol),
			    local, remote);
		return xasprintf("tcp %s -> %s (%s)", local, remote,
		    tcp_state_name(s->state));
	}
	if (s->protocol == IPPROTO_TCP)
		return xasprintf("tcp %s (%s)", local,
		    s->state == TCP_CLOSE ? "bound" : tcp_state_name(s->state));
	return xasprintf("%s %s", inet_word(s->protocol), local);
}

/* ---- the tables of a process ---- */

enum {
	TAB_TCP4, TAB_TCP6, TAB_UDP4, TAB_UDP6, TAB_UDPLITE4, TAB_UDPLITE6,
	TAB_UNIX, TAB_COUNT
};

static const struct {
	const char *proto;	/* system.sockprotoname */
	const char *word;	/* when no table knows the socket */
	int family, protocol;
	const char *file;	/* under /proc/TID/net */
} tables[TAB_COUNT] = {
	[TAB_TCP4] = { "TCP", "tcp", AF_INET, IPPROTO_TCP, "tcp" },
	[TAB_TCP6] = { "TCPv6", "tcp6", AF_INET6, IPPROTO_TCP, "tcp6" },
	[TAB_UDP4] = { "UDP", "udp", AF_INET, IPPROTO_UDP, "udp" },
	[TAB_UDP6] = { "UDPv6", "udp6", AF_INET6, IPPROTO_UDP, "udp6" },
	[TAB_UDPLITE4] = { "UDP-Lite", "udplite", AF_INET, IPPROTO_UDPLITE,
	    "udplite" },
	[TAB_UDPLITE6] = { "UDPLITEv6", "udplite6", AF_INET6, IPPROTO_UDPLITE,
	    "udplite6" },
	[TAB_UNIX] = { "UNIX", "unix", AF_UNIX, 0, "unix" },
};

/* Every socket of the tables loaded so far, sorted by inode when searched. */
struct sockinfo {
	pid_t tid;
	int same_netns;		/* -1 not yet known */
	bool loaded[TAB_COUNT];
	struct sock_entry *v;
	size_t n, cap;
	bool sorted;
};

static void
socks_add(struct sockinfo *t, const struct sock_entry *s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = *s;
	t->sorted = false;
}

/* Dump one sock_diag table of our own network namespace; -1 if that fails. */
static int
diag_load(struct sockinfo *t, int family, int protocol)
{
	struct {
		struct nlmsghdr h;
		union {
			struct inet_diag_req_v2 in;
			struct unix_diag_req un;
		} r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static long buf[8192];	/* 64 KiB, aligned for nlmsghdr */
	size_t first = t->n;
	int nl, rc = -1;

	if ((nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	if (family == AF_UNIX) {
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.un);
		req.r.un.sdiag_family = AF_UNIX;
		req.r.un.udiag_states = ~0U;
		req.r.un.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
	} else {
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.in);
		req.r.in.sdiag_family = (unsigned char)family;
		req.r.in.sdiag_protocol = (unsigned char)protocol;
		req.r.in.idiag_states = ~0U;	/* bound-only sockets too (6.8+) */
	}
	if (sendto(nl, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof sa) < 0)
		goto out;
	for (;;) {
		ssize_t n = recv(nl, buf, sizeof buf, 0);
		struct nlmsghdr *h;
		size_t left;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		left = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		    h = NLMSG_NEXT(h, left)) {
			struct sock_entry s;

			if (h->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (sockinfo_parse_diag(h, h->nlmsg_len, protocol, &s) == 0)
				socks_add(t, &s);
		}
	}
out:
	close(nl);
	if (rc < 0)
		t->n = first;	/* half a table would hide the rest */
	return rc;
}

/* Read /proc/TID/net/FILE, the table of the process's own namespace. */
static int
proc_load(struct sockinfo *t, int tab)
{
	char path[64], *text, *line, *eol;
	size_t len;

	snprintf(path, sizeof path, "/proc/%d/net/%s", (int)t->tid,
	    tables[tab].file);
	if ((text = procfs_read(path, PROC_NET_MAX, PROCFS_HEAD, &len)) == NULL)
		return -1;
	for (line = text; line < text + len; line = eol + 1) {
		struct sock_entry s;
		int rc;

		eol = memchr(line, '\n', (size_t)(text + len - line));
		if (eol == NULL)
			eol = text + len;
		*eol = '\0';
		if (tab == TAB_UNIX)
			rc = sockinfo_parse_proc_unix(line, &s);
		else
			rc = sockinfo_parse_proc_inet(line, tables[tab].family,
			    tables[tab].protocol, &s);
		if (rc == 0)
			socks_add(t, &s);
	}
	free(text);
	return 0;
}

/* Whether tid's network namespace is ours, for which sock_diag answers. */
static bool
same_netns(pid_t tid)
{
	struct stat a, b;
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)tid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int
sock_cmp(const void *a, const void *b)
{
	const struct sock_entry *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* Table tab, once: from sock_diag in our own namespace, else from /proc. */
static void
socks_need(struct sockinfo *t, int tab)
{
	if (t->loaded[tab])
		return;
	t->loaded[tab] = true;
	if (t->same_netns < 0)
		t->same_netns = same_netns(t->tid);
	if (!t->same_netns || diag_load(t, tables[tab].family,
	    tables[tab].protocol) < 0)
		proc_load(t, tab);
}

static const struct sock_entry *
socks_find(struct sockinfo *t, unsigned long inode)
{
	struct sock_entry key = { .inode = inode };

	if (!t->sorted) {
		if (t->n > 1)
			qsort(t->v, t->n, sizeof *t->v, sock_cmp);
		t->sorted = true;
	}
	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof *t->v, sock_cmp);
}

struct sockinfo *
sockinfo_new(pid_t tid)
{
	struct sockinfo *t = xcalloc(1, sizeof *t);

	t->tid = tid;
	t->same_netns = -1;
	return t;
}

void
sockinfo_free(struct sockinfo *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t);
}

/* The table of protocol name proto; TAB_COUNT when there is none. */
static int
table_of(const char *proto)
{
	for (int tab = 0; tab < TAB_COUNT; tab++) {
		if (strcmp(proto, tables[tab].proto) == 0)
			return tab;
	}
	if (strncmp(proto, "UNIX", 4) == 0)
		return TAB_UNIX;	/* "UNIX-STREAM" and the like */
	return TAB_COUNT;
}

char *
sockinfo_describe(struct sockinfo *t, const char *proto, unsigned long ino,
    sockinfo_peer_fds_fn *peer_fds, void *arg)
{
	const struct sock_entry *s, *peer = NULL;
	int tab = table_of(proto), *others = NULL;
	size_t nothers = 0;
	char *r;

	if (tab == TAB_COUNT) {
		/* NETLINK, PACKET, RAW, PING...: the protocol is what we know. */
		r = xstrdup(proto);
		for (char *p = r; *p != '\0'; p++) {
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
			else if ((unsigned char)*p <= ' ' || *p == 0x7f)
				*p = '_';
		}
		return r;
	}
	socks_need(t, tab);
	if ((s = socks_find(t, ino)) == NULL || s->family != tables[tab].family)
		return xasprintf("%s (no address)", tables[tab].word);
	if (s->family == AF_UNIX && s->peer_inode != 0) {
		peer = socks_find(t, s->peer_inode);
		if (peer_fds != NULL)
			nothers = peer_fds(arg, s->peer_inode, &others);
	}
	r = sockinfo_text(s, peer, others, nothers);
	free(others);
	return r;
}
