// SPDX-License-Identifier: MIT
/*
 * test_fdinfo.c - fd descriptions: the pure link/flags parsers, then the
 * real thing on fds of every kind created in this very process (the
 * socket parsers behind sockets' descriptions are in test_sockinfo.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>

#include <cmocka.h>

#include "fdinfo.h"
#include "procfs.h"

#define REG	(S_IFREG | 0644)
#define ANON	0600		/* anon inodes have no file type bits */

/* Link texts as Linux 6.18 prints them, with the st_mode stat() gives. */
static const struct {
	const char *link;
	unsigned mode;
	enum fd_kind kind;
} links[] = {
	{ "/etc/hostname", S_IFREG | 0644, FDK_FILE },
	{ "/tmp/x (deleted)", S_IFREG | 0600, FDK_FILE },
	{ "/tmp/#10952918 (deleted)", S_IFREG | 0600, FDK_FILE },	/* O_TMPFILE */
	{ "/tmp", S_IFDIR | 01777, FDK_DIR },
	{ "/", S_IFDIR | 0755, FDK_DIR },				/* open_tree, fsmount */
	{ "/dev/null", S_IFCHR | 0666, FDK_DEVICE },
	{ "/dev/loop0", S_IFBLK | 0600, FDK_DEVICE },
	{ "/tmp/fifo", S_IFIFO | 0600, FDK_FIFO },
	{ "/run/x.sock", S_IFSOCK | 0777, FDK_SOCKET },		/* O_PATH on a socket */
	{ "/memfd:myname (deleted)", S_IFREG | 0777, FDK_MEMFD },
	{ "/memfd: (deleted)", S_IFREG | 0777, FDK_MEMFD },
	{ "/memfd:a (deleted) (deleted)", S_IFREG | 0777, FDK_MEMFD },
	{ "/secretmem (deleted)", S_IFREG | 0600, FDK_MEMFD },
	{ "socket:[6091]", S_IFSOCK | 0777, FDK_SOCKET },
	{ "pipe:[6095]", S_IFIFO | 0600, FDK_PIPE },
	{ "anon_inode:[eventfd]", ANON, FDK_EVENTFD },
	{ "anon_inode:[timerfd]", ANON, FDK_TIMERFD },
	{ "anon_inode:[signalfd]", ANON, FDK_SIGNALFD },
	{ "anon_inode:[eventpoll]", ANON, FDK_EPOLL },
	{ "anon_inode:inotify", ANON, FDK_INOTIFY },
	{ "anon_inode:[fanotify]", ANON, FDK_FANOTIFY },
	{ "anon_inode:[pidfd]", 0700, FDK_PIDFD },
	{ "pidfd:[1234]", 0700, FDK_PIDFD },
	{ "anon_inode:[userfaultfd]", ANON, FDK_USERFAULTFD },
	{ "anon_inode:[io_uring]", ANON, FDK_IO_URING },
	{ "anon_inode:bpf-map", ANON, FDK_BPF },
	{ "anon_inode:bpf-prog", ANON, FDK_BPF },
	{ "anon_inode:bpf_link", ANON, FDK_BPF },
	{ "anon_inode:bpf_iter", ANON, FDK_BPF },
	{ "anon_inode:btf", ANON, FDK_BPF },
	{ "anon_inode:bpf-token", ANON, FDK_BPF },
	{ "anon_inode:[perf_event]", ANON, FDK_PERF_EVENT },
	/* Seen on 6.18, deliberately "other". */
	{ "anon_inode:[fscontext]", ANON, FDK_OTHER },
	{ "anon_inode:[landlock-ruleset]", ANON, FDK_OTHER },
	{ "anon_inode:seccomp notify", ANON, FDK_OTHER },
	{ "anon_inode:kvm-vm", ANON, FDK_OTHER },
	{ "net:[4026531833]", S_IFREG | 0444, FDK_OTHER },		/* nsfs */
	/* Near misses. */
	{ "anon_inode:[eventfd]x", ANON, FDK_OTHER },
	{ "anon_inode:eventfd", ANON, FDK_OTHER },
	{ "anon_inode:bpf-", ANON, FDK_OTHER },
	{ "anon_inode:bpf", ANON, FDK_OTHER },
	{ "/memfd:x", S_IFREG | 0777, FDK_FILE },			/* not deleted: a real file */
	{ "/memfd:x (deleted)", S_IFDIR | 0755, FDK_DIR },
	{ "/secretmem", S_IFREG | 0600, FDK_FILE },
	{ "/bin/sh", S_IFLNK | 0777, FDK_OTHER },			/* O_PATH|O_NOFOLLOW */
	{ "/some/path", 0, FDK_FILE },					/* stat failed */
	{ "relative", S_IFREG | 0644, FDK_OTHER },
	{ "socket:", S_IFSOCK, FDK_OTHER },
	{ "pipe:", S_IFIFO, FDK_OTHER },
	{ "", 0, FDK_OTHER },
	{ "anon_inode:", ANON, FDK_OTHER },
	{ "anon_inode:[", ANON, FDK_OTHER },
	{ "anon_inode", ANON, FDK_OTHER },
};

static void
test_kind_from_link(void **state)
{
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		enum fd_kind k = fdinfo_kind_from_link(links[i].link, links[i].mode);

		if (k != links[i].kind)
			fail_msg("\"%s\" mode %o: got %s, want %s", links[i].link,
			    links[i].mode, fd_kind_name(k),
			    fd_kind_name(links[i].kind));
	}
}

static void
test_kind_garbage(void **state)
{
	size_t n = 100000;
	char *s = malloc(n + 1);

	assert_int_equal(fdinfo_kind_from_link(NULL, 0), FDK_OTHER);
	assert_non_null(s);
	memset(s, 'A', n);
	s[n] = '\0';
	assert_int_equal(fdinfo_kind_from_link(s, 0), FDK_OTHER);
	memcpy(s, "anon_inode:", 11);
	assert_int_equal(fdinfo_kind_from_link(s, ANON), FDK_OTHER);
	memcpy(s, "/memfd:", 7);
	assert_int_equal(fdinfo_kind_from_link(s, REG), FDK_FILE);
	strcpy(s + n - 10, " (deleted)");
	assert_int_equal(fdinfo_kind_from_link(s, REG), FDK_MEMFD);
	/* Every mode with a memfd-looking link never crashes and gives a kind. */
	for (unsigned m = 0; m < 0200000; m += 0777)
		assert_true(fdinfo_kind_from_link("/memfd:x (deleted)", m) < FDK_COUNT);
	free(s);
}

static void
test_target_from_link(void **state)
{
	static const struct {
		const char *link;
		enum fd_kind kind;
		const char *want;
	} t[] = {
		{ "/memfd:myname (deleted)", FDK_MEMFD, "memfd:myname" },
		{ "/memfd: (deleted)", FDK_MEMFD, "memfd:" },
		{ "/memfd:a (deleted) (deleted)", FDK_MEMFD, "memfd:a (deleted)" },
		{ "/memfd:sp ace\nnl (deleted)", FDK_MEMFD, "memfd:sp ace\nnl" },
		{ "/secretmem (deleted)", FDK_MEMFD, "secretmem" },
		/* Only the memfd kind is rewritten. */
		{ "/memfd:x (deleted)", FDK_FILE, "/memfd:x (deleted)" },
		{ "/memfd:x", FDK_MEMFD, "/memfd:x" },
		{ "/tmp/x (deleted)", FDK_FILE, "/tmp/x (deleted)" },
		{ "/etc/hostname", FDK_FILE, "/etc/hostname" },
		{ "socket:[1234]", FDK_SOCKET, "socket:[1234]" },
		{ "pipe:[567]", FDK_PIPE, "pipe:[567]" },
		{ "anon_inode:[eventfd]", FDK_EVENTFD, "anon_inode:[eventfd]" },
		{ "", FDK_OTHER, "" },
		{ "", FDK_MEMFD, "" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *got = fdinfo_target_from_link(t[i].link, t[i].kind);

		assert_non_null(got);
		assert_string_equal(got, t[i].want);
		free(got);
	}
	assert_null(fdinfo_target_from_link(NULL, FDK_MEMFD));
}

static void
test_parse_flags(void **state)
{
	static const char full[] = "pos:\t0\nflags:\t02100002\nmnt_id:\t15\nino:\t7\n";
	unsigned flags = 12345;

	assert_int_equal(fdinfo_parse_flags(full, strlen(full), &flags), 0);
	assert_int_equal(flags, 02100002);
	assert_true(flags & O_CLOEXEC);

#define PARSE(s) fdinfo_parse_flags(s, strlen(s), &flags)
	assert_int_equal(PARSE("flags:\t0\n"), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(PARSE("flags: 0100002"), 0);		/* no newline at the end */
	assert_int_equal(flags, 0100002);
	assert_int_equal(PARSE("flags:\t037777777777\n"), 0);	/* the largest */
	assert_int_equal(flags, 037777777777u);

	flags = 999;
	/* Absent. */
	assert_int_equal(PARSE(""), -1);
	assert_int_equal(PARSE("pos:\t0\nmnt_id:\t15\n"), -1);
	assert_int_equal(PARSE("fanotify flags:10 event-flags:0\n"), -1);
	assert_int_equal(PARSE(" flags:\t02\n"), -1);
	assert_int_equal(PARSE("flag:\t02\n"), -1);
	/* Malformed. */
	assert_int_equal(PARSE("flags:"), -1);
	assert_int_equal(PARSE("flags:\t\n"), -1);
	assert_int_equal(PARSE("flags:\t0x12\n"), -1);
	assert_int_equal(PARSE("flags:\t9\n"), -1);
	assert_int_equal(PARSE("flags:\t-1\n"), -1);
	assert_int_equal(PARSE("flags:\t0777777777777777\n"), -1);	/* overflow */
	assert_int_equal(PARSE("flags:\t040000000000\n"), -1);		/* 2^32 */
	assert_int_equal(flags, 999);
#undef PARSE

	/* len bounds the input: the digits after it are not read. */
	assert_int_equal(fdinfo_parse_flags("flags:\t0123", 10, &flags), 0);
	assert_int_equal(flags, 012);
	assert_int_equal(fdinfo_parse_flags("flags:\t0123", 8, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(fdinfo_parse_flags("flags:\t0123", 6, &flags), -1);
	assert_int_equal(fdinfo_parse_flags("flags:\t02", 0, &flags), -1);
	assert_int_equal(fdinfo_parse_flags(NULL, 0, &flags), -1);
	/* A NUL in the text is just a byte that is not a digit. */
	assert_int_equal(fdinfo_parse_flags("pos:\0\nflags:\t04\n", 15, &flags), 0);
	assert_int_equal(flags, 04);
}

/* Live tests: a private directory for files, fifos and sockets. */
static char tmpdir[64];

static int
setup_dir(void **state)
{
	char t[] = "/tmp/test_fdinfo.XXXXXX", *real;

	if (mkdtemp(t) == NULL)
		return -1;
	/* The kernel prints the resolved path. */
	if ((real = realpath(t, NULL)) == NULL)
		return -1;
	if (strlen(real) >= sizeof tmpdir) {
		free(real);
		return -1;
	}
	strcpy(tmpdir, real);
	free(real);
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
expect_fd(int fd, enum fd_kind kind, const char *target, bool cloexec)
{
	struct fd_desc d;

	assert_true(fd >= 0);
	assert_int_equal(fdinfo_describe(getpid(), fd, &d), 0);
	if (d.kind != kind)
		fail_msg("fd %d (%s): kind %s, want %s", fd, d.target,
		    fd_kind_name(d.kind), fd_kind_name(kind));
	assert_non_null(d.target);
	assert_string_equal(d.target, target);
	assert_int_equal(d.cloexec, cloexec);
	free(d.target);
}

static void
expect_anon(int fd, const char *what, enum fd_kind kind, const char *link,
    bool cloexec)
{
	if (fd < 0) {
		/* Not available to every user or kernel config: say so, check the rest. */
		print_message("    skipped %s: %s\n", what, strerror(errno));
		return;
	}
	expect_fd(fd, kind, link, cloexec);
	close(fd);
}

static char *
ino_name(const char *kind, int fd)
{
	struct stat st;
	char *s;

	assert_int_equal(fstat(fd, &st), 0);
	assert_true(asprintf(&s, "%s:[%lu]", kind, (unsigned long)st.st_ino) > 0);
	return s;
}

static void
test_describe_paths(void **state)
{
	char path[512], other[600];
	int fd;

	snprintf(path, sizeof path, "%s/file", tmpdir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	expect_fd(fd, FDK_FILE, path, false);
	/* The close-on-exec flag is read fresh each time. */
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	expect_fd(fd, FDK_FILE, path, true);
	assert_int_equal(fcntl(fd, F_SETFD, 0), 0);
	expect_fd(fd, FDK_FILE, path, false);
	close(fd);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	expect_fd(fd, FDK_FILE, path, true);
	/* Unlinked: the kernel appends " (deleted)" and we keep it. */
	assert_int_equal(unlink(path), 0);
	snprintf(other, sizeof other, "%s/file (deleted)", tmpdir);
	expect_fd(fd, FDK_FILE, other, true);
	close(fd);

	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	expect_fd(fd, FDK_DIR, tmpdir, false);
	close(fd);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	expect_fd(fd, FDK_DEVICE, "/dev/null", true);
	close(fd);

	snprintf(path, sizeof path, "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR);
	snprintf(other, sizeof other, "%s (read-write)", path);
	expect_fd(fd, FDK_FIFO, other, false);
	close(fd);
	/* Both ends in this process: each names the other. */
	{
		int r = open(path, O_RDONLY | O_NONBLOCK), w = open(path, O_WRONLY);
		char want[600];

		assert_true(r >= 0 && w >= 0);
		snprintf(want, sizeof want, "%s (read end, other end fd %d)", path, w);
		expect_fd(r, FDK_FIFO, want, false);
		snprintf(want, sizeof want, "%s (write end, other end fd %d)", path, r);
		expect_fd(w, FDK_FIFO, want, false);
		close(w);
		snprintf(want, sizeof want, "%s (read end)", path);
		expect_fd(r, FDK_FIFO, want, false);
		close(r);
	}
}

static void
test_describe_ipc(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int p[2], s, fd;
	char *name;

	char want[600];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	name = ino_name("pipe", p[0]);
	snprintf(want, sizeof want, "%s read end, other end fd %d", name, p[1]);
	expect_fd(p[0], FDK_PIPE, want, true);
	snprintf(want, sizeof want, "%s write end, other end fd %d", name, p[0]);
	expect_fd(p[1], FDK_PIPE, want, true);
	/* Two fds on the write end: both are named. */
	fd = dup(p[1]);
	snprintf(want, sizeof want, "%s read end, other end fds %d, %d", name,
	    p[1] < fd ? p[1] : fd, p[1] < fd ? fd : p[1]);
	expect_fd(p[0], FDK_PIPE, want, true);
	close(fd);
	close(p[1]);
	snprintf(want, sizeof want, "%s read end", name);
	expect_fd(p[0], FDK_PIPE, want, true);
	free(name);
	close(p[0]);

	/* Not bound: no table has it, the protocol is all there is. */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	expect_fd(s, FDK_SOCKET, "udp (no address)", false);
	close(s);

	/* A socket file opened with O_PATH is a path whose st_mode says socket. */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect_fd(s, FDK_SOCKET, "unix stream unnamed", true);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/sock", tmpdir);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof sun), 0);
	snprintf(want, sizeof want, "unix stream %s", sun.sun_path);
	expect_fd(s, FDK_SOCKET, want, true);
	fd = open(sun.sun_path, O_PATH);
	expect_fd(fd, FDK_SOCKET, sun.sun_path, false);
	close(fd);
	close(s);
}

static void
test_describe_anon(void **state)
{
	struct io_uring_params up = { 0 };
	struct perf_event_attr pa = { 0 };
	union bpf_attr ba;
	sigset_t mask;
	int fd;

	char want[64];

	expect_anon(eventfd(0, 0), "eventfd", FDK_EVENTFD, "eventfd count=0",
	    false);
	expect_anon(eventfd(1234567, EFD_CLOEXEC | EFD_SEMAPHORE), "eventfd",
	    FDK_EVENTFD, "eventfd count=1234567 semaphore", true);
	expect_anon(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), "timerfd",
	    FDK_TIMERFD, "timerfd clock=monotonic", true);
	fd = timerfd_create(CLOCK_BOOTTIME, 0);
	if (fd >= 0) {
		struct itimerspec its = { .it_value = { 100, 0 } };

		assert_int_equal(timerfd_settime(fd, 0, &its, NULL), 0);
		expect_anon(fd, "timerfd", FDK_TIMERFD, "timerfd clock=boottime armed",
		    false);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	expect_anon(signalfd(-1, &mask, 0), "signalfd", FDK_SIGNALFD,
	    "signalfd mask=SIGUSR1", false);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGRTMIN + 2);
	snprintf(want, sizeof want, "signalfd mask=SIGINT,SIGUSR1,SIGRTMIN+2");
	expect_anon(signalfd(-1, &mask, 0), "signalfd", FDK_SIGNALFD, want, false);
	expect_anon(epoll_create1(EPOLL_CLOEXEC), "epoll", FDK_EPOLL,
	    "epoll watches=0", true);
	fd = epoll_create1(0);
	if (fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN };
		int e1 = eventfd(0, 0), e2 = eventfd(0, 0);

		assert_int_equal(epoll_ctl(fd, EPOLL_CTL_ADD, e1, &ev), 0);
		assert_int_equal(epoll_ctl(fd, EPOLL_CTL_ADD, e2, &ev), 0);
		expect_anon(fd, "epoll", FDK_EPOLL, "epoll watches=2", false);
		close(e1);
		close(e2);
	}
	expect_anon(inotify_init1(0), "inotify", FDK_INOTIFY,
	    "inotify watches=0", false);
	fd = inotify_init1(0);
	if (fd >= 0) {
		assert_true(inotify_add_watch(fd, tmpdir, IN_CREATE) >= 0);
		assert_true(inotify_add_watch(fd, "/", IN_CREATE) >= 0);
		expect_anon(fd, "inotify", FDK_INOTIFY, "inotify watches=2", false);
	}
	expect_anon(fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY),
	    "fanotify", FDK_FANOTIFY, "fanotify marks=0", true);
	snprintf(want, sizeof want, "pidfd pid=%d", (int)getpid());
	expect_anon(syscall(SYS_pidfd_open, getpid(), 0), "pidfd", FDK_PIDFD,
	    want, true);	/* pidfds are always cloexec */
	expect_anon(syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY), "userfaultfd",
	    FDK_USERFAULTFD, "userfaultfd", false);
	expect_anon(syscall(SYS_io_uring_setup, 4, &up), "io_uring",
	    FDK_IO_URING, "io_uring entries=4", true);
	memset(&ba, 0, sizeof ba);
	ba.map_type = BPF_MAP_TYPE_ARRAY;
	ba.key_size = 4;
	ba.value_size = 4;
	ba.max_entries = 1;
	expect_anon(syscall(SYS_bpf, BPF_MAP_CREATE, &ba, sizeof ba), "bpf map",
	    FDK_BPF, "bpf map type=array", true);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.size = sizeof pa;
	pa.config = PERF_COUNT_SW_TASK_CLOCK;
	pa.exclude_kernel = 1;
	expect_anon(syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0),
	    "perf_event", FDK_PERF_EVENT, "anon_inode:[perf_event]", false);

	fd = memfd_create("my memfd", MFD_CLOEXEC);
	expect_fd(fd, FDK_MEMFD, "memfd:my memfd", true);
	close(fd);
	fd = memfd_create("", 0);
	expect_fd(fd, FDK_MEMFD, "memfd:", false);
	close(fd);
	expect_anon(syscall(SYS_memfd_secret, 0), "memfd_secret", FDK_MEMFD,
	    "secretmem", false);
}

static void
test_describe_closed(void **state)
{
	struct fd_desc d = { .target = NULL };
	int fd = eventfd(0, 0);

	assert_true(fd >= 0);
	close(fd);
	errno = 0;
	assert_int_equal(fdinfo_describe(getpid(), fd, &d), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(d.target);
	assert_int_equal(fdinfo_describe(getpid(), -1, &d), -1);
	assert_int_equal(fdinfo_describe(getpid(), 1 << 30, &d), -1);
}

static int
in_list(const int *v, int n, int fd)
{
	for (int i = 0; i < n; i++) {
		if (v[i] == fd)
			return 1;
	}
	return 0;
}

static void
test_list(void **state)
{
	int *before, *after, nb, na, mine[4], j = 0;

	nb = procfs_list_fds(getpid(), &before);
	assert_true(nb >= 0);
	mine[0] = eventfd(0, 0);
	mine[1] = open("/dev/null", O_RDONLY);
	/* Far away from the others, to test numeric (not string) order. */
	mine[2] = dup2(mine[0], 100);
	mine[3] = dup2(mine[0], 21);
	for (int i = 0; i < 4; i++)
		assert_true(mine[i] >= 0 && !in_list(before, nb, mine[i]));

	na = procfs_list_fds(getpid(), &after);
	assert_int_equal(na, nb + 4);
	for (int i = 0; i < na; i++) {
		if (i > 0)
			assert_true(after[i - 1] < after[i]);
		if (in_list(mine, 4, after[i]))
			continue;
		/* Everything else was there before, in the same order. */
		assert_true(j < nb);
		assert_int_equal(after[i], before[j++]);
	}
	assert_int_equal(j, nb);
	for (int i = 0; i < 4; i++)
		close(mine[i]);
	free(before);
	free(after);

	assert_int_equal(procfs_list_fds(-5, &after), -1);
}

/* Another process: what the tracer does, minus the ptrace stop. */
static void
test_other_process(void **state)
{
	int p[2], fd, *fds, n;
	struct fd_desc d;
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int t = memfd_create("child", 0);

		close(p[0]);
		if (dup2(t, 77) != 77)
			_exit(1);
		close(t);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	fd = 77;
	assert_int_equal(fdinfo_describe(pid, fd, &d), 0);
	assert_int_equal(d.kind, FDK_MEMFD);
	assert_string_equal(d.target, "memfd:child");
	assert_false(d.cloexec);
	free(d.target);
	n = procfs_list_fds(pid, &fds);
	assert_true(n > 0);
	assert_true(in_list(fds, n, 77));
	assert_true(in_list(fds, n, p[1]));	/* the child's write end */
	assert_false(in_list(fds, n, p[0]));	/* closed in the child */
	free(fds);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
}

static void
test_field(void **state)
{
	static const char info[] =
	    "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t26\n"
	    "eventfd-count:                5\neventfd-id: 1\n"
	    "Pid:\t-1\nempty:\nspaces:   a b  \r\n";
	char v[16];

	assert_int_equal(fdinfo_field(info, strlen(info), "eventfd-count:", v, sizeof v), 0);
	assert_string_equal(v, "5");
	assert_int_equal(fdinfo_field(info, strlen(info), "Pid:", v, sizeof v), 0);
	assert_string_equal(v, "-1");
	assert_int_equal(fdinfo_field(info, strlen(info), "empty:", v, sizeof v), 0);
	assert_string_equal(v, "");
	assert_int_equal(fdinfo_field(info, strlen(info), "spaces:", v, sizeof v), 0);
	assert_string_equal(v, "a b");
	/* Only at the start of a line; cut to the buffer. */
	assert_int_equal(fdinfo_field(info, strlen(info), "id:", v, sizeof v), -1);
	assert_int_equal(fdinfo_field(info, strlen(info), "eventfd-id:", v, 1), 0);
	assert_string_equal(v, "");
	assert_int_equal(fdinfo_field(info, strlen(info), "pos:", v, 2), 0);
	assert_string_equal(v, "0");
	/* The length is respected: the field past it is not there. */
	assert_int_equal(fdinfo_field(info, 10, "flags:", v, sizeof v), -1);
	assert_int_equal(fdinfo_field(NULL, 0, "x:", v, sizeof v), -1);
	assert_int_equal(fdinfo_field(info, strlen(info), "", v, sizeof v), -1);

	assert_int_equal(fdinfo_count_lines("tfd: 1\ntfd: 2\nxtfd: 3\ntfd:", 26, "tfd:"), 3);
	assert_int_equal(fdinfo_count_lines("tfd: 1\ntfd: 2", 6, "tfd:"), 1);
	assert_int_equal(fdinfo_count_lines("", 0, "tfd:"), 0);
	assert_int_equal(fdinfo_count_lines(NULL, 5, "tfd:"), 0);
}

static void
expect_anon_text(enum fd_kind kind, const char *link, const char *info,
    const char *want)
{
	char *t = fdinfo_anon_text(kind, link, info, info ? strlen(info) : 0);

	if (want == NULL) {
		if (t != NULL)
			fail_msg("%s: \"%s\", expected NULL", link ? link : "(null)", t);
		return;
	}
	if (t == NULL)
		fail_msg("%s: NULL, expected \"%s\"", link ? link : "(null)", want);
	assert_string_equal(t, want);
	free(t);
}

static void
test_anon_text(void **state)
{
	expect_anon_text(FDK_EVENTFD, "anon_inode:[eventfd]",
	    "eventfd-count:               1f\neventfd-semaphore: 0\n",
	    "eventfd count=31");
	expect_anon_text(FDK_EVENTFD, "anon_inode:[eventfd]",
	    "eventfd-count: zz\n", "eventfd");
	expect_anon_text(FDK_EVENTFD, "anon_inode:[eventfd]",
	    "eventfd-count: -1\n", "eventfd");
	expect_anon_text(FDK_EVENTFD, "anon_inode:[eventfd]",
	    "eventfd-count: fffffffffffffffff\n", "eventfd");	/* too big */
	expect_anon_text(FDK_TIMERFD, "anon_inode:[timerfd]",
	    "clockid: 0\nit_value: (0, 0)\n", "timerfd clock=realtime");
	expect_anon_text(FDK_TIMERFD, "anon_inode:[timerfd]",
	    "clockid: 9\nit_value: (4, 997763234)\n",
	    "timerfd clock=boottime-alarm armed");
	expect_anon_text(FDK_TIMERFD, "anon_inode:[timerfd]", "clockid: 10\n",
	    "timerfd clock=10");
	expect_anon_text(FDK_TIMERFD, "anon_inode:[timerfd]", "", "timerfd");
	expect_anon_text(FDK_SIGNALFD, "anon_inode:[signalfd]",
	    "sigmask:\t0000000000004200\n", "signalfd mask=SIGUSR1,SIGTERM");
	expect_anon_text(FDK_SIGNALFD, "anon_inode:[signalfd]",
	    "sigmask:\t0000000000000000\n", "signalfd mask=none");
	expect_anon_text(FDK_SIGNALFD, "anon_inode:[signalfd]",
	    "sigmask:\t8000000000000000\n", "signalfd mask=SIGRTMIN+30");
	expect_anon_text(FDK_SIGNALFD, "anon_inode:[signalfd]", "sigmask: x\n",
	    "signalfd");
	expect_anon_text(FDK_EPOLL, "anon_inode:[eventpoll]",
	    "pos:\t0\ntfd:        4 events: 19\ntfd:        3 events: 19\n",
	    "epoll watches=2");
	expect_anon_text(FDK_INOTIFY, "anon_inode:inotify",
	    "inotify wd:1 ino:3c51a\ninotify wd:2 ino:2\n", "inotify watches=2");
	expect_anon_text(FDK_FANOTIFY, "anon_inode:[fanotify]",
	    "fanotify flags:0 event-flags:8000\nfanotify ino:3c51a sdev:fe00000\n",
	    "fanotify marks=1");
	expect_anon_text(FDK_FANOTIFY, "anon_inode:[fanotify]", "",
	    "fanotify marks=0");
	expect_anon_text(FDK_PIDFD, "anon_inode:[pidfd]", "Pid:\t15937\nNSpid:\t15937\n",
	    "pidfd pid=15937");
	expect_anon_text(FDK_PIDFD, "anon_inode:[pidfd]", "Pid:\t-1\n",
	    "pidfd (reaped)");
	expect_anon_text(FDK_PIDFD, "anon_inode:[pidfd]", "Pid:\t0\n",
	    "pidfd (other pid namespace)");
	expect_anon_text(FDK_PIDFD, "anon_inode:[pidfd]", "NSpid: 3\n", "pidfd");
	expect_anon_text(FDK_IO_URING, "anon_inode:[io_uring]", "SqMask:\t0x3\n",
	    "io_uring entries=4");
	expect_anon_text(FDK_IO_URING, "anon_inode:[io_uring]", "SqMask:\tnope\n",
	    "io_uring");
	expect_anon_text(FDK_USERFAULTFD, "anon_inode:[userfaultfd]", "",
	    "userfaultfd");
	expect_anon_text(FDK_BPF, "anon_inode:bpf-map", "map_type:\t1\n",
	    "bpf map type=hash");
	expect_anon_text(FDK_BPF, "anon_inode:bpf-map", "map_type:\t999\n",
	    "bpf map type=999");
	expect_anon_text(FDK_BPF, "anon_inode:bpf-prog", "prog_type:\t2\n",
	    "bpf prog type=kprobe");
	expect_anon_text(FDK_BPF, "anon_inode:bpf_link", "link_type:\tcgroup\n",
	    "bpf link type=cgroup");
	expect_anon_text(FDK_BPF, "anon_inode:bpf_link", "link_type:\ta b\x01\n",
	    "bpf link type=a_b_");
	expect_anon_text(FDK_BPF, "anon_inode:btf", "", "bpf btf");
	expect_anon_text(FDK_BPF, "anon_inode:bpf-map", "", "bpf map");
	expect_anon_text(FDK_BPF, "anon_inode:bpf-new", "", NULL);
	expect_anon_text(FDK_PERF_EVENT, "anon_inode:[perf_event]", "", NULL);
	expect_anon_text(FDK_FILE, "/x", "", NULL);
	expect_anon_text(FDK_EVENTFD, NULL, "", NULL);
	expect_anon_text(FDK_EVENTFD, "anon_inode:[eventfd]", NULL, "eventfd");
}

static void
test_pipe_text(void **state)
{
	int others[4] = { 1, 2, 3, 4 };
	char *t;

	t = fdinfo_pipe_text("pipe:[5]", false, O_RDONLY, others, 1);
	assert_string_equal(t, "pipe:[5] read end, other end fd 1");
	free(t);
	t = fdinfo_pipe_text("pipe:[5]", false, O_WRONLY, NULL, 0);
	assert_string_equal(t, "pipe:[5] write end");
	free(t);
	t = fdinfo_pipe_text("pipe:[5]", false, O_RDWR, others, 2);
	assert_string_equal(t, "pipe:[5] read-write");
	free(t);
	t = fdinfo_pipe_text("/tmp/f", true, O_WRONLY, others + 2, 2);
	assert_string_equal(t, "/tmp/f (write end, other end fds 3, 4)");
	free(t);
}

/* Sockets for real: TCP, UDP over IPv6, unix of each sort. */
static void
test_describe_sockets(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in cin;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof sin;
	int l, c, a, u6, sv[2], ul, uc, ua;
	char want[600];
	int fds[9];
	struct fd_desc out[10];

	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(l, 2), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof sin), 0);
	a = accept(l, NULL, NULL);
	len = sizeof cin;
	assert_int_equal(getsockname(c, (struct sockaddr *)&cin, &len), 0);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%u (listening)", ntohs(sin.sin_port));
	expect_fd(l, FDK_SOCKET, want, false);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%u -> 127.0.0.1:%u",
	    ntohs(cin.sin_port), ntohs(sin.sin_port));
	expect_fd(c, FDK_SOCKET, want, false);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%u -> 127.0.0.1:%u",
	    ntohs(sin.sin_port), ntohs(cin.sin_port));
	expect_fd(a, FDK_SOCKET, want, false);
	/* The peer closes: the addresses stay, the state says so. */
	close(c);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%u -> 127.0.0.1:%u (close-wait)",
	    ntohs(sin.sin_port), ntohs(cin.sin_port));
	expect_fd(a, FDK_SOCKET, want, false);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	expect_fd(c, FDK_SOCKET, "tcp6 (no address)", false);

	u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	{
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
		    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		socklen_t l6 = sizeof s6;

		if (bind(u6, (struct sockaddr *)&s6, sizeof s6) == 0 &&
		    getsockname(u6, (struct sockaddr *)&s6, &l6) == 0) {
			snprintf(want, sizeof want, "udp [::1]:%u", ntohs(s6.sin6_port));
			expect_fd(u6, FDK_SOCKET, want, false);
		} else {
			print_message("    skipped udp over IPv6: %s\n", strerror(errno));
		}
	}

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	snprintf(want, sizeof want, "unix dgram unnamed -> unnamed, other end fd %d", sv[1]);
	expect_fd(sv[0], FDK_SOCKET, want, false);

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/l.sock", tmpdir);
	ul = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(ul, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(ul, 2), 0);
	uc = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(uc, (struct sockaddr *)&sun, sizeof sun), 0);
	ua = accept(ul, NULL, NULL);
	assert_true(ua >= 0);
	snprintf(want, sizeof want, "unix stream %s (listening)", sun.sun_path);
	expect_fd(ul, FDK_SOCKET, want, false);
	snprintf(want, sizeof want, "unix stream unnamed -> %s, other end fd %d",
	    sun.sun_path, ua);
	expect_fd(uc, FDK_SOCKET, want, false);
	snprintf(want, sizeof want, "unix stream %s -> unnamed, other end fd %d",
	    sun.sun_path, uc);
	expect_fd(ua, FDK_SOCKET, want, false);

	/* All at once: the same answers, and nothing for a closed fd. */
	fds[0] = l; fds[1] = a; fds[2] = c; fds[3] = sv[0]; fds[4] = sv[1];
	fds[5] = ul; fds[6] = uc; fds[7] = ua; fds[8] = 999;
	assert_int_equal(fdinfo_describe_all(getpid(), fds, 9, out), 8);
	for (int i = 0; i < 8; i++) {
		struct fd_desc d;

		assert_int_equal(fdinfo_describe(getpid(), fds[i], &d), 0);
		assert_int_equal(out[i].kind, d.kind);
		assert_string_equal(out[i].target, d.target);
		assert_int_equal(out[i].cloexec, d.cloexec);
		free(d.target);
		free(out[i].target);
	}
	assert_int_equal(out[8].kind, FDK_UNKNOWN);
	assert_null(out[8].target);
	assert_int_equal(fdinfo_describe_all(-5, fds, 1, out), -1);
	assert_int_equal(fdinfo_describe_all(getpid(), fds, 0, out), 0);

	close(l); close(a); close(c); close(u6); close(sv[0]); close(sv[1]);
	close(ul); close(uc); close(ua);
}

/*
 * A process in a network namespace of its own: sock_diag would answer for
 * ours, so its sockets come from its /proc/PID/net tables.
 */
static void
test_other_netns(void **state)
{
	int p[2], *fds, n, ok = 0;
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(4321) };
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		struct ifreq_like { char name[16]; short flags; char pad[24]; } ifr;
		int l, u, ctl;

		close(p[0]);
		if (unshare(CLONE_NEWNET) != 0) {
			(void)!write(p[1], "s", 1);
			_exit(0);
		}
		/* Bring lo up (SIOCSIFFLAGS) so that 127.0.0.1 can be bound. */
		ctl = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&ifr, 0, sizeof ifr);
		strcpy(ifr.name, "lo");
		ifr.flags = 0x1 | 0x8;	/* IFF_UP | IFF_LOOPBACK */
		ioctl(ctl, 0x8914, &ifr);
		close(ctl);
		l = socket(AF_INET, SOCK_STREAM, 0);
		if (dup2(l, 50) != 50 || bind(50, (struct sockaddr *)&sin, sizeof sin) ||
		    listen(50, 1))
			_exit(1);
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s/ns.sock", tmpdir);
		u = socket(AF_UNIX, SOCK_STREAM, 0);
		if (dup2(u, 51) != 51 || bind(51, (struct sockaddr *)&sun, sizeof sun) ||
		    listen(51, 1))
			_exit(1);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	if (c == 's') {
		print_message("    skipped: unshare(CLONE_NEWNET) refused\n");
		waitpid(pid, NULL, 0);
		close(p[0]);
		return;
	}
	n = procfs_list_fds(pid, &fds);
	for (int i = 0; i < n; i++) {
		struct fd_desc d;
		char want[600];

		if (fds[i] != 50 && fds[i] != 51)
			continue;
		assert_int_equal(fdinfo_describe(pid, fds[i], &d), 0);
		if (fds[i] == 50)
			snprintf(want, sizeof want, "tcp 127.0.0.1:4321 (listening)");
		else
			snprintf(want, sizeof want, "unix stream %s/ns.sock (listening)",
			    tmpdir);
		assert_string_equal(d.target, want);
		free(d.target);
		ok++;
	}
	free(fds);
	assert_int_equal(ok, 2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
}

/* A stopped process described fd by fd, then again after it ran. */
static void
test_stopped_process(void **state)
{
	int p[2], st;
	struct fd_desc d;
	char want[128];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(p[0], 60) != 60 || dup2(p[1], 61) != 61)
			_exit(1);
		raise(SIGSTOP);
		close(61);
		raise(SIGSTOP);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	/* The child holds both ends twice (inherited, and at 60 and 61). */
	assert_int_equal(fdinfo_describe(pid, 60, &d), 0);
	snprintf(want, sizeof want, "read end, other end fds %d, 61", p[1]);
	assert_non_null(strstr(d.target, want));
	free(d.target);
	assert_int_equal(fdinfo_describe(pid, 61, &d), 0);
	snprintf(want, sizeof want, "write end, other end fds %d, 60", p[0]);
	assert_non_null(strstr(d.target, want));
	free(d.target);
	/* It runs, closes 61, stops again: what was known is not reused. */
	kill(pid, SIGCONT);
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(fdinfo_describe(pid, 60, &d), 0);
	snprintf(want, sizeof want, "read end, other end fd %d", p[1]);
	assert_non_null(strstr(d.target, want));
	free(d.target);
	assert_int_equal(fdinfo_describe(pid, 61, &d), -1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_from_link),
		cmocka_unit_test(test_kind_garbage),
		cmocka_unit_test(test_target_from_link),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_describe_paths),
		cmocka_unit_test(test_describe_ipc),
		cmocka_unit_test(test_describe_anon),
		cmocka_unit_test(test_describe_closed),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_other_process),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_anon_text),
		cmocka_unit_test(test_pipe_text),
		cmocka_unit_test(test_describe_sockets),
		cmocka_unit_test(test_other_netns),
		cmocka_unit_test(test_stopped_process),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
