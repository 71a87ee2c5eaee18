/* SPDX-License-Identifier: MIT */
/* fdinfo.h - describe an open fd of a live process from /proc. */
#ifndef FDLEAK_FDINFO_H
#define FDLEAK_FDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fdkind.h"

struct fd_desc {
	enum fd_kind kind;
	char *target;		/* malloc'd; the caller frees */
	bool cloexec;
};

/*
 * Describe fd of thread tid; 0, or -1 if it is not open (errno set).
 * Pipes, FIFOs and unix sockets name the other end when tid holds it,
 * which costs a look at every fd of tid, and sockets a dump of the
 * socket tables; while tid stays stopped (a tracee at a ptrace stop) what
 * was learnt is kept for the next call. fdinfo_describe_all is the way
 * to describe many fds.
 */
int fdinfo_describe(pid_t tid, int fd, struct fd_desc *out);
/*
 * Describe fds[0..n) of tid at once, into out[0..n): one look at tid's fd
 * table and one socket table dump per protocol for them all. An fd that
 * is not open gets kind FDK_UNKNOWN and target NULL. Returns how many
 * were described, or -1 if tid's /proc entry is gone (errno set).
 */
int fdinfo_describe_all(pid_t tid, const int *fds, size_t n, struct fd_desc *out);
/* procfs_list_fds, under the name its first callers know. */
int fdinfo_list(pid_t tid, int **fds);

/*
 * Pure parts, for tests and fuzzing. Kind from the /proc/PID/fd link
 * text and, for paths, the st_mode of the target (0 if unknown).
 */
enum fd_kind fdinfo_kind_from_link(const char *link, unsigned mode);
/* The "flags:" field of an fdinfo file (octal); 0 or -1 if absent. */
int fdinfo_parse_flags(const char *text, size_t len, unsigned *flags);
/* A target for reports from the link text: "memfd:name", paths as they are. Malloc'd. */
char *fdinfo_target_from_link(const char *link, enum fd_kind kind);

/*
 * The value of the first line of text[0..len) that starts with key
 * ("Pid:", "clockid:"), blanks trimmed, into val (NUL-terminated, cut
 * to size). 0, or -1 if there is no such line.
 */
int fdinfo_field(const char *text, size_t len, const char *key, char *val,
    size_t size);
/* How many lines of text[0..len) start with prefix. */
size_t fdinfo_count_lines(const char *text, size_t len, const char *prefix);
/*
 * The target of an anonymous-inode fd of kind from its link text and its
 * fdinfo text: "eventfd count=3", "timerfd clock=monotonic armed",
 * "signalfd mask=SIGINT,SIGTERM", "epoll watches=2", "inotify watches=1",
 * "fanotify marks=1", "pidfd pid=42" ("pidfd (reaped)"), "bpf map
 * type=hash", "io_uring entries=4", "userfaultfd". Malloc'd; NULL when the
 * kind has no such description (the link text then stands).
 */
char *fdinfo_anon_text(enum fd_kind kind, const char *link, const char *info,
    size_t len);

/* A socket as the kernel's tables describe it. */
struct fdinfo_sock {
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

/*
 * One line of /proc/PID/net/{tcp,tcp6,udp,udp6,udplite,udplite6}
 * (family AF_INET or AF_INET6, protocol IPPROTO_*); 0, or -1 for the
 * header or a line that does not parse.
 */
int fdinfo_parse_proc_inet(const char *line, int family, int protocol,
    struct fdinfo_sock *out);
/* One line of /proc/PID/net/unix; 0, or -1 as above. */
int fdinfo_parse_proc_unix(const char *line, struct fdinfo_sock *out);
/*
 * One NETLINK_SOCK_DIAG answer msg[0..len) (struct nlmsghdr first): an
 * inet_diag_msg of protocol, or a unix_diag_msg with its name and peer
 * attributes. 0, or -1 if it is not a well-formed answer.
 */
int fdinfo_parse_diag(const void *msg, size_t len, int protocol,
    struct fdinfo_sock *out);
/*
 * The target of socket s: "tcp 127.0.0.1:8080 (listening)", "tcp
 * 10.0.0.1:22 -> 10.0.0.2:50000", "udp [::1]:53", "unix stream /run/x.sock
 * -> unnamed, other end fd 7". peer is the unix peer's entry (NULL if not
 * known); others[0..nothers) the fds of the same process that hold the
 * peer. Malloc'd.
 */
char *fdinfo_sock_text(const struct fdinfo_sock *s,
    const struct fdinfo_sock *peer, const int *others, size_t nothers);
/*
 * The target of a pipe or FIFO end: base ("pipe:[123]" or a path),
 * which end the access mode accmode (O_RDONLY, ...) makes it, and the
 * fds of the same process that hold the other end: "pipe:[123] read end,
 * other end fd 7", "/tmp/f (write end)". Malloc'd.
 */
char *fdinfo_pipe_text(const char *base, bool fifo, unsigned accmode,
    const int *others, size_t nothers);

#endif
