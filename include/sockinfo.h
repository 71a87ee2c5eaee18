/* SPDX-License-Identifier: MIT */
/*
 * sockinfo.h - sockets as the kernel's tables describe them: the
 * NETLINK_SOCK_DIAG and /proc/PID/net tables of a process, their pure
 * parsers, and the text a report shows for a socket.
 */
#ifndef FDLEAK_SOCKINFO_H
#define FDLEAK_SOCKINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A socket as the kernel's tables describe it. */
struct sock_entry {
	unsigned long inode;
	int family;		/* AF_INET, AF_INET6 or AF_UNIX */
	int type;		/* unix: SOCK_STREAM, SOCK_DGRAM, ...; 0 if unknown */
	int protocol;		/* inet: IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE */
	int state;		/* TCP_* numbering (unix and udp too); 0 if unknown */
	unsigned char local[16], peer[16];	/* inet addresses, network order */
	unsigned lport, pport;	/* inet ports, host order */
	unsigned long peer_inode;	/* unix: the peer socket; 0 if none or unknown */
	bool connected;		/* unix: connected, even if the peer is unknown */
	char name[112];		/* unix: path, "@abstract"; "" if unnamed */
};

/* The socket tables of one process (its network namespace's). */
struct sockinfo;

/*
 * Empty tables for the process of thread tid, filled one protocol at a
 * time by sockinfo_describe. sockinfo_free(NULL) is fine.
 */
struct sockinfo *sockinfo_new(pid_t tid);
void sockinfo_free(struct sockinfo *t);

/*
 * The fds of the process holding the unix socket peer_inode (the other
 * end of the socket being described), into *fds (malloc'd, the caller
 * frees; NULL when none); their count.
 */
typedef size_t sockinfo_peer_fds_fn(void *arg, unsigned long peer_inode,
    int **fds);

/*
 * The target of socket inode ino of t's process, whose fd's xattr
 * "system.sockprotoname" is proto ("TCP", "UDPv6", "UNIX-STREAM",
 * "NETLINK", ...): as sockinfo_text says, "tcp (no address)" when the
 * tables lack it, and the protocol in lower case when there is no table
 * for it. The first socket of a protocol dumps its table. A unix socket
 * names the fds holding its peer through peer_fds(arg, ...) (NULL:
 * none). Malloc'd.
 */
char *sockinfo_describe(struct sockinfo *t, const char *proto,
    unsigned long ino, sockinfo_peer_fds_fn *peer_fds, void *arg);

/*
 * Pure parts, for tests and fuzzing. One line of
 * /proc/PID/net/{tcp,tcp6,udp,udp6,udplite,udplite6} (family AF_INET or
 * AF_INET6, protocol IPPROTO_*); 0, or -1 for the header or a line that
 * does not parse.
 */
int sockinfo_parse_proc_inet(const char *line, int family, int protocol,
    struct sock_entry *out);
/* One line of /proc/PID/net/unix; 0, or -1 as above. */
int sockinfo_parse_proc_unix(const char *line, struct sock_entry *out);
/*
 * One NETLINK_SOCK_DIAG answer msg[0..len) (struct nlmsghdr first): an
 * inet_diag_msg of protocol, or a unix_diag_msg with its name and peer
 * attributes. 0, or -1 if it is not a well-formed answer.
 */
int sockinfo_parse_diag(const void *msg, size_t len, int protocol,
    struct sock_entry *out);
/*
 * The target of socket s: "tcp 127.0.0.1:8080 (listening)", "tcp
 * 10.0.0.1:22 -> 10.0.0.2:50000", "udp [::1]:53", "unix stream /run/x.sock
 * -> unnamed, other end fd 7". peer is the unix peer's entry (NULL if not
 * known); others[0..nothers) the fds of the same process that hold the
 * peer. Malloc'd.
 */
char *sockinfo_text(const struct sock_entry *s, const struct sock_entry *peer,
    const int *others, size_t nothers);
/*
 * ", other end fd 7", ", other end fds 7, 9" (the first few, then "...")
 * or "" when n is 0: how sockets and pipes name the other end. Malloc'd.
 */
char *sockinfo_others_text(const int *others, size_t n);

#endif
