/* SPDX-License-Identifier: MIT */
/*
 * victim.h - helpers shared by the traced test programs (header-only).
 *
 * A victim describes at run time the fds it leaks on purpose, so that
 * tests/integration/run.py checks fdleak's report against the real fd
 * numbers and no result is written into the runner. Include this header
 * first: it defines _GNU_SOURCE.
 *
 * With FDLEAK_EXPECT=1 in the environment a victim prints on stdout, one
 * line each, written with a single write(2) so that processes and threads
 * do not interleave:
 *
 *   EXPECT pid=P fd=N kind=K syscall=S function=F [tid=T] cloexec=0|1
 *          [across_exec=1] [target=TEXT]
 *   EXPECT_COUNT pid=P function=F count=N kind=K syscall=S
 *   PROC pid=P ppid=Q                 (a process of the victim started)
 *   EXIT pid=P code=N | signal=SIGNAME (how it is about to end)
 *   SKIP SYSCALL ERRNO-NAME           (the kernel refused an optional call)
 *   ERROR TEXT                        (the victim itself is broken)
 *
 * target, when present, is last and runs to the end of the line.
 *
 * With FDLEAK_SELFCHECK=1, victim_selfcheck() lists the process's open fds
 * just before it exits, so that the claims above can be verified without
 * fdleak (run.py --selfcheck):
 *
 *   SELFCHECK pid=P
 *   OPEN pid=P fd=N cloexec=0|1 mode=OCTAL link=TEXT
 */
#ifndef FDLEAK_VICTIM_H
#define FDLEAK_VICTIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* A line longer than this is cut; targets are paths or short link texts. */
#define VICTIM_LINE_MAX	(PATH_MAX + 512)

/* Print one EXPECT for fd, created by the calling function in this thread. */
#define EXPECT(fd, kind, sys, cloexec, target) \
	victim_expect((fd), (kind), (sys), __func__, gettid(), (cloexec), 0, \
	    (target))

/* Sleep us microseconds, whatever signals arrive meanwhile. */
static inline void
victim_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, us % 1000000 * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline int
victim_env_on(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

/* Whether EXPECT/SKIP lines are wanted (the README demo stays clean). */
static inline int
victim_expecting(void)
{
	return victim_env_on("FDLEAK_EXPECT");
}

/* Write all of buf to stdout with as few write(2) calls as possible. */
static inline void
victim_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/* printf one line to stdout in a single write; errno is preserved. */
static inline void __attribute__((format(printf, 1, 2)))
victim_say(const char *fmt, ...)
{
	char buf[VICTIM_LINE_MAX];
	int saved = errno;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	victim_write(buf, n);
	errno = saved;
}

static inline const char *
victim_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "E?";
}

/*
 * The /proc/self/fd link text of fd ("pipe:[123]", "anon_inode:[eventfd]"),
 * in a buffer of the calling thread that the next call overwrites.
 */
static inline const char *
victim_link(int fd)
{
	static __thread char buf[PATH_MAX];
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

/*
 * The targets fdleak gives sockets and pipes, computed here from the fd
 * itself (getsockname, getpeername, fstat, F_GETFL) and what the victim
 * knows: which fd holds the other end, and the state of a TCP connection
 * whose peer has closed. Each returns a buffer of the calling thread that
 * the next call of the same function overwrites.
 */

/* "127.0.0.1:80" or "[::1]:53". */
static inline void
victim_endpoint(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static inline unsigned
victim_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
}

/*
 * A TCP or UDP socket: "tcp 127.0.0.1:80 (listening)", "tcp A -> B",
 * "tcp A -> B (close-wait)" when state says so, "udp [::1]:53",
 * "tcp 127.0.0.1:80 (bound)", "tcp6 (no address)".
 */
static inline const char *
victim_inet_target(int fd, const char *state)
{
	static __thread char buf[256];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char local[80], peer[80];
	int domain = 0, type = 0, acc = 0;
	socklen_t ol = sizeof(int);
	const char *proto;

	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &ol);
	ol = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol);
	ol = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &ol);
	proto = type == SOCK_STREAM ? "tcp" : "udp";
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    victim_port(&ss) == 0) {
		snprintf(buf, sizeof(buf), "%s%s (no address)", proto,
		    domain == AF_INET6 ? "6" : "");
		return buf;
	}
	victim_endpoint(&ss, local, sizeof(local));
	if (acc) {
		snprintf(buf, sizeof(buf), "%s %s (listening)", proto, local);
		return buf;
	}
	len = sizeof(ss);
	/* A TCP socket whose peer closed (close-wait) still has its peer's address. */
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		victim_endpoint(&ss, peer, sizeof(peer));
		snprintf(buf, sizeof(buf), "%s %s -> %s%s%s%s", proto, local, peer,
		    state ? " (" : "", state ? state : "", state ? ")" : "");
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s %s%s", proto, local,
	    type == SOCK_STREAM ? " (bound)" : "");
	return buf;
}

/* A unix socket address as fdleak prints it: path, "@abstract", "unnamed". */
static inline void
victim_unix_name(const struct sockaddr_un *sun, socklen_t len, char *buf,
    size_t size)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path) ?
	    len - offsetof(struct sockaddr_un, sun_path) : 0, o = 0;

	if (n == 0) {
		snprintf(buf, size, "unnamed");
		return;
	}
	if (sun->sun_path[0] != '\0') {
		snprintf(buf, size, "%.*s", (int)strnlen(sun->sun_path, n),
		    sun->sun_path);
		return;
	}
	buf[o++] = '@';
	for (size_t i = 1; i < n && o < size - 1; i++)
		buf[o++] = sun->sun_path[i] ? sun->sun_path[i] : '@';
	buf[o] = '\0';
}

/*
 * A unix socket: "unix stream /run/x.sock (listening)", "unix dgram
 * unnamed", "unix stream unnamed -> /run/x.sock, other end fd 7" (peer_fd
 * is the fd of this process holding the peer, or -1).
 */
static inline const char *
victim_unix_target(int fd, int peer_fd)
{
	static __thread char buf[600];
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun), ol = sizeof(int);
	char name[256], peer[256], other[32] = "";
	int type = 0, acc = 0;
	const char *t;

	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol);
	ol = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &ol);
	t = type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" :
	    "seqpacket";
	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) < 0)
		len = 0;
	victim_unix_name(&sun, len, name, sizeof(name));
	if (acc) {
		snprintf(buf, sizeof(buf), "unix %s %s (listening)", t, name);
		return buf;
	}
	len = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	if (getpeername(fd, (struct sockaddr *)&sun, &len) < 0) {
		snprintf(buf, sizeof(buf), "unix %s %s", t, name);
		return buf;
	}
	victim_unix_name(&sun, len, peer, sizeof(peer));
	if (peer_fd >= 0)
		snprintf(other, sizeof(other), ", other end fd %d", peer_fd);
	snprintf(buf, sizeof(buf), "unix %s %s -> %s%s", t, name, peer, other);
	return buf;
}

/* A pipe end: "pipe:[123] read end, other end fd 7" (other_fd -1: none here). */
static inline const char *
victim_pipe_target(int fd, int other_fd)
{
	static __thread char buf[128];
	char other[32] = "";
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fstat(fd, &st) < 0 || fl < 0)
		return "?";
	if (other_fd >= 0)
		snprintf(other, sizeof(other), ", other end fd %d", other_fd);
	snprintf(buf, sizeof(buf), "pipe:[%lu] %s%s", (unsigned long)st.st_ino,
	    (fl & O_ACCMODE) == O_RDONLY ? "read end" :
	    (fl & O_ACCMODE) == O_WRONLY ? "write end" : "read-write", other);
	return buf;
}

/*
 * Print the EXPECT line of one deliberately leaked fd. tid 0 leaves the tid
 * out; a target starting with '/' is printed resolved (realpath opens no fd).
 */
static inline void
victim_expect(int fd, const char *kind, const char *syscall_name,
    const char *function, pid_t tid, int cloexec, int across_exec,
    const char *target)
{
	char tidbuf[32] = "", tgt[PATH_MAX + 16] = "";
	char resolved[PATH_MAX];

	if (!victim_expecting())
		return;
	if (tid > 0)
		snprintf(tidbuf, sizeof(tidbuf), " tid=%d", (int)tid);
	if (target != NULL) {
		if (target[0] == '/' && realpath(target, resolved) != NULL)
			target = resolved;
		snprintf(tgt, sizeof(tgt), " target=%s", target);
	}
	victim_say("EXPECT pid=%d fd=%d kind=%s syscall=%s function=%s%s "
	    "cloexec=%d%s%s", (int)getpid(), fd, kind, syscall_name, function,
	    tidbuf, cloexec ? 1 : 0, across_exec ? " across_exec=1" : "", tgt);
}

/* Print the summary of many leaks from one function (too many for EXPECT). */
static inline void
victim_expect_count(const char *function, long count, const char *kind,
    const char *syscall_name)
{
	if (victim_expecting())
		victim_say("EXPECT_COUNT pid=%d function=%s count=%ld kind=%s "
		    "syscall=%s", (int)getpid(), function, count, kind,
		    syscall_name);
}

/* Say that the kernel refused an optional syscall with err. */
static inline void
victim_skip(const char *syscall_name, int err)
{
	if (victim_expecting())
		victim_say("SKIP %s %s", syscall_name, victim_errname(err));
}

/*
 * The victim itself failed (a call that must work did not): say so and
 * exit 99, which no test expects.
 */
static inline void __attribute__((noreturn))
victim_die(const char *what)
{
	victim_say("ERROR %s: %s", what, victim_errname(errno));
	_exit(99);
}

/* Announce this process (call first in main and in every child). */
static inline void
victim_proc(void)
{
	if (victim_expecting())
		victim_say("PROC pid=%d ppid=%d", (int)getpid(), (int)getppid());
}

/* Announce how this process is about to end: code, or signal if > 0. */
static inline void
victim_announce_exit(int code, int sig)
{
	if (!victim_expecting())
		return;
	if (sig > 0)
		victim_say("EXIT pid=%d signal=SIG%s", (int)getpid(),
		    sigabbrev_np(sig));
	else
		victim_say("EXIT pid=%d code=%d", (int)getpid(), code);
}

/* With FDLEAK_SELFCHECK=1, list this process's open fds on stdout. */
static inline void
victim_selfcheck(void)
{
	char line[VICTIM_LINE_MAX];
	struct dirent *de;
	DIR *d;
	int pid = getpid();

	if (!victim_env_on("FDLEAK_SELFCHECK"))
		return;
	d = opendir("/proc/self/fd");
	if (d == NULL)
		victim_die("opendir /proc/self/fd");
	victim_say("SELFCHECK pid=%d", pid);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		int fd, flags, n;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(d))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (fstat(fd, &st) < 0)
			st.st_mode = 0;
		n = snprintf(line, sizeof(line), "OPEN pid=%d fd=%d cloexec=%d "
		    "mode=%o link=%s\n", pid, fd, (flags & FD_CLOEXEC) ? 1 : 0,
		    (unsigned)st.st_mode, victim_link(fd));
		if (n > 0 && (size_t)n < sizeof(line))
			victim_write(line, n);
	}
	closedir(d);
}

/* Leave through here: the selfcheck sees the fds exactly as exit will. */
static inline void __attribute__((noreturn))
victim_exit(int status)
{
	victim_announce_exit(status, 0);
	victim_selfcheck();
	fflush(NULL);
	exit(status);
}

/* As victim_exit, for forked children whose stdio buffers are not theirs. */
static inline void __attribute__((noreturn))
victim_child_exit(int status)
{
	victim_announce_exit(status, 0);
	victim_selfcheck();
	_exit(status);
}

/* Where victims may create files: $FDLEAK_VICTIM_DIR (the runner's), or /tmp. */
static inline const char *
victim_dir(void)
{
	const char *dir = getenv("FDLEAK_VICTIM_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : "/tmp";
}

/* A path under victim_dir(), made unique by the pid; in a static buffer. */
static inline const char *
victim_path(const char *name)
{
	static __thread char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s.%d", victim_dir(), name,
	    (int)getpid());
	return buf;
}

/* The path of another victim built beside this one; in a static buffer. */
static inline const char *
victim_sibling(const char *name)
{
	static char buf[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		victim_die("readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(buf, sizeof(buf), "%s/%s", dirname(self), name);
	return buf;
}

/*
 * An argument for exec_target: an fd it inherits across execve, with the
 * facts of its creation before the exec, "fd=N,kind=K,...,target=T".
 */
static inline void
victim_spec(char *buf, size_t len, int fd, const char *kind,
    const char *syscall_name, const char *function, pid_t tid, int cloexec,
    const char *target)
{
	char resolved[PATH_MAX];

	if (target != NULL && target[0] == '/' &&
	    realpath(target, resolved) != NULL)
		target = resolved;
	snprintf(buf, len, "fd=%d,kind=%s,syscall=%s,function=%s,tid=%d,"
	    "cloexec=%d%s%s", fd, kind, syscall_name, function, (int)tid,
	    cloexec ? 1 : 0, target != NULL ? ",target=" : "",
	    target != NULL ? target : "");
}

/* No core files in the source tree when a victim kills itself. */
static inline void
victim_nocore(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

#endif
