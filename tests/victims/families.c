// SPDX-License-Identifier: MIT
/*
 * families.c - one function per fd-creating syscall family, each leaking
 * exactly one fd (two for pipe, pipe2 and socketpair), so that fdleak names
 * every syscall, kind and creating function right.
 *
 * Raw syscall(SYS_x) is used where glibc has no wrapper, or where its
 * wrapper calls another syscall than the one named (strace, glibc 2.36 on
 * x86_64: open -> openat, pipe -> pipe2, eventfd -> eventfd2, signalfd ->
 * signalfd4), or may on another glibc or architecture (creat, epoll_create,
 * inotify_init). Optional calls the kernel refuses print SKIP, not EXPECT.
 *
 * It also does things that must NOT leak or must change an existing record:
 * failed calls, close, close_range over a block, dup2 onto an fd another
 * function opened (the record is replaced), dup2 of an fd onto itself and
 * signalfd on an existing signalfd (both keep the record), a failed dup2
 * onto an open fd (keeps it). close_range(CLOSE_RANGE_CLOEXEC) on a block
 * leaves those fds open: they are leaks with cloexec=1.
 *
 * The clone and clone3 children close everything they inherited and exit 0:
 * three processes, only the first leaks.
 */
#include "victim.h"

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

/* The fds the dup family writes to: free and far from the small numbers. */
#define FD_DUP2		200
#define FD_DUP3		201
#define FD_DUPFD	300
#define FD_RANGE	500	/* close_range(0) block */
#define FD_CLOEXEC_RANGE 600	/* close_range(CLOSE_RANGE_CLOEXEC) block */
#define FD_NEVER_OPEN	4000

/* struct clone_args, CLONE_ARGS_SIZE_VER0 (64 bytes). */
struct victim_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid;
	uint64_t exit_signal, stack, stack_size, tls;
};

static void
must(int ok, const char *what)
{
	if (!ok)
		victim_die(what);
}

static int
open_hostname(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	must(fd >= 0, "open /etc/hostname");
	return fd;
}

static int
open_devnull(void)
{
	int fd = open("/dev/null", O_RDWR);

	must(fd >= 0, "open /dev/null");
	return fd;
}

/* A clone child inherits whatever the parent had open; it leaves nothing. */
static void __attribute__((noreturn))
clone_child(void)
{
	victim_proc();
	syscall(SYS_close_range, 3U, ~0U, 0U);
	victim_child_exit(0);
}

static void
reap(pid_t pid)
{
	int status;

	must(waitpid(pid, &status, 0) == pid, "waitpid");
	must(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status");
}

static void
leak_clone_pidfd(void)
{
	int pidfd = -1;
	long pid;

	/* x86_64: clone(flags, stack, parent_tid, child_tid, tls). */
	pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
	if (pid < 0) {
		victim_skip("clone", errno);
		return;
	}
	if (pid == 0)
		clone_child();
	reap(pid);
	/* Reaped: the kernel no longer has a pid for it. */
	EXPECT(pidfd, "pidfd", "clone", 1, "pidfd (reaped)");
}

static void
leak_clone3_pidfd(void)
{
	struct victim_clone_args args;
	int pidfd = -1;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	args.pidfd = (uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		victim_skip("clone3", errno);
		return;
	}
	if (pid == 0)
		clone_child();
	reap(pid);
	EXPECT(pidfd, "pidfd", "clone3", 1, "pidfd (reaped)");
}

static void
leak_open(void)
{
	int fd = syscall(SYS_open, "/etc/hostname", O_RDONLY);

	must(fd >= 0, "SYS_open");
	EXPECT(fd, "file", "open", 0, "/etc/hostname");
}

static void
leak_openat(void)
{
	int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);

	must(fd >= 0, "openat");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

static void
leak_openat2(void)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, AT_FDCWD, "/etc/hostname", &how, sizeof(how));
	if (fd < 0) {
		victim_skip("openat2", errno);
		return;
	}
	EXPECT(fd, "file", "openat2", 1, "/etc/hostname");
}

static void
leak_creat(void)
{
	const char *path = victim_path("creat");
	int fd = syscall(SYS_creat, path, 0600);

	must(fd >= 0, "SYS_creat");
	EXPECT(fd, "file", "creat", 0, path);
}

static void
leak_open_by_handle_at(void)
{
	char path[PATH_MAX];
	struct file_handle *fh;
	int fd, mfd, mount_id;

	snprintf(path, sizeof(path), "%s", victim_path("handle"));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	must(fd >= 0, "create handle file");
	close(fd);
	fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	must(fh != NULL, "malloc");
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0) < 0) {
		victim_skip("name_to_handle_at", errno);
		goto out;
	}
	mfd = open(victim_dir(), O_RDONLY | O_DIRECTORY);
	must(mfd >= 0, "open victim dir");
	fd = open_by_handle_at(mfd, fh, O_RDONLY);
	close(mfd);
	if (fd < 0) {
		victim_skip("open_by_handle_at", errno);
		goto out;
	}
	EXPECT(fd, "file", "open_by_handle_at", 0, path);
out:
	free(fh);
}

static void
leak_socket(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	must(s >= 0, "socket");
	EXPECT(s, "socket", "socket", 0, victim_unix_target(s, -1));
}

static void
leak_socketpair(void)
{
	int sv[2];

	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	EXPECT(sv[0], "socket", "socketpair", 0, victim_unix_target(sv[0], sv[1]));
	EXPECT(sv[1], "socket", "socketpair", 0, victim_unix_target(sv[1], sv[0]));
}

/* A listener on 127.0.0.1 and a client connected to it; both closed later. */
static void
loopback_pair(int *listener, int *client)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	*listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	must(*listener >= 0, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	must(bind(*listener, (struct sockaddr *)&sin, sizeof(sin)) == 0, "bind");
	must(listen(*listener, 4) == 0, "listen");
	must(getsockname(*listener, (struct sockaddr *)&sin, &len) == 0,
	    "getsockname");
	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	must(*client >= 0, "socket");
	must(connect(*client, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "connect");
}

static void
leak_accept(void)
{
	int l, c, fd;

	loopback_pair(&l, &c);
	fd = accept(l, NULL, NULL);
	must(fd >= 0, "accept");
	close(c);
	close(l);
	/* The client has gone: the leaked end waits for its own close. */
	EXPECT(fd, "socket", "accept", 0, victim_inet_target(fd, "close-wait"));
}

static void
leak_accept4(void)
{
	int l, c, fd;

	loopback_pair(&l, &c);
	fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	must(fd >= 0, "accept4");
	close(c);
	close(l);
	EXPECT(fd, "socket", "accept4", 1, victim_inet_target(fd, "close-wait"));
}

static void
leak_pipe(void)
{
	int p[2];

	must(syscall(SYS_pipe, p) == 0, "SYS_pipe");
	EXPECT(p[0], "pipe", "pipe", 0, victim_pipe_target(p[0], p[1]));
	EXPECT(p[1], "pipe", "pipe", 0, victim_pipe_target(p[1], p[0]));
}

static void
leak_pipe2(void)
{
	int p[2];

	must(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	EXPECT(p[0], "pipe", "pipe2", 1, victim_pipe_target(p[0], p[1]));
	EXPECT(p[1], "pipe", "pipe2", 1, victim_pipe_target(p[1], p[0]));
}

static void
leak_dup(void)
{
	int src = open_hostname();
	int fd = dup(src);

	must(fd >= 0, "dup");
	close(src);
	EXPECT(fd, "file", "dup", 0, "/etc/hostname");
}

static void
leak_dup2(void)
{
	int src = open_devnull();

	must(dup2(src, FD_DUP2) == FD_DUP2, "dup2");
	close(src);
	EXPECT(FD_DUP2, "device", "dup2", 0, "/dev/null");
}

static void
leak_dup3(void)
{
	int src = open_devnull();

	must(dup3(src, FD_DUP3, O_CLOEXEC) == FD_DUP3, "dup3");
	close(src);
	EXPECT(FD_DUP3, "device", "dup3", 1, "/dev/null");
}

static void
leak_fcntl_dupfd(void)
{
	int src = open_hostname();
	int fd = fcntl(src, F_DUPFD, FD_DUPFD);

	must(fd >= FD_DUPFD, "F_DUPFD");
	close(src);
	EXPECT(fd, "file", "fcntl", 0, "/etc/hostname");
}

static void
leak_fcntl_dupfd_cloexec(void)
{
	int src = open_hostname();
	int fd = fcntl(src, F_DUPFD_CLOEXEC, FD_DUPFD);

	must(fd >= FD_DUPFD, "F_DUPFD_CLOEXEC");
	close(src);
	EXPECT(fd, "file", "fcntl", 1, "/etc/hostname");
}

/*
 * openpty()'s way to the slave: ioctl(master, TIOCGPTPEER). An ioctl that
 * makes no fd (FIONREAD returns 0) must not be taken for one.
 */
static void
leak_tiocgptpeer(void)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
	int avail = 0;
	char path[64];

	must(master >= 0, "open /dev/ptmx");
	must(grantpt(master) == 0 && unlockpt(master) == 0, "unlockpt");
	must(ptsname_r(master, path, sizeof path) == 0, "ptsname_r");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 && errno == EINVAL) {
		victim_skip("ioctl", errno);	/* a kernel before 4.13 */
		close(master);
		return;
	}
	must(slave >= 0, "ioctl TIOCGPTPEER");
	must(ioctl(slave, FIONREAD, &avail) == 0, "ioctl FIONREAD");
	EXPECT(master, "device", "openat", 1, "/dev/ptmx");
	EXPECT(slave, "device", "ioctl", 1, path);
}

static void
leak_eventfd(void)
{
	int fd = syscall(SYS_eventfd, 0);

	must(fd >= 0, "SYS_eventfd");
	EXPECT(fd, "eventfd", "eventfd", 0, "eventfd count=0");
}

static void
leak_eventfd2(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	must(fd >= 0, "eventfd");
	EXPECT(fd, "eventfd", "eventfd2", 1, "eventfd count=0");
}

static void
leak_epoll_create(void)
{
	int fd = syscall(SYS_epoll_create, 1);

	must(fd >= 0, "SYS_epoll_create");
	EXPECT(fd, "epoll", "epoll_create", 0, "epoll watches=0");
}

static void
leak_epoll_create1(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	must(fd >= 0, "epoll_create1");
	EXPECT(fd, "epoll", "epoll_create1", 1, "epoll watches=0");
}

static void
leak_timerfd_create(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);

	must(fd >= 0, "timerfd_create");
	EXPECT(fd, "timerfd", "timerfd_create", 0, "timerfd clock=monotonic");
}

/* The kernel's sigset is 8 bytes on x86_64, not glibc's 128. */
#define KERNEL_SIGSET_SIZE	8

static void
leak_signalfd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	fd = syscall(SYS_signalfd, -1, &mask, KERNEL_SIGSET_SIZE);
	must(fd >= 0, "SYS_signalfd");
	EXPECT(fd, "signalfd", "signalfd", 0, "signalfd mask=SIGUSR2");
}

static int
leak_signalfd4(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	must(fd >= 0, "signalfd");
	return fd;	/* its EXPECT follows the update of its mask */
}

/* signalfd on an existing signalfd changes its mask: no new fd. */
static void
signalfd_update(int fd)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	must(signalfd(fd, &mask, 0) == fd, "signalfd update");
	must(syscall(SYS_signalfd, fd, &mask, KERNEL_SIGSET_SIZE) == fd,
	    "SYS_signalfd update");
	victim_expect(fd, "signalfd", "signalfd4", "leak_signalfd4", gettid(), 1,
	    0, "signalfd mask=SIGUSR1,SIGUSR2");
}

static void
leak_inotify_init(void)
{
	int fd = syscall(SYS_inotify_init);

	must(fd >= 0, "SYS_inotify_init");
	EXPECT(fd, "inotify", "inotify_init", 0, "inotify watches=0");
}

static void
leak_inotify_init1(void)
{
	int fd = inotify_init1(IN_CLOEXEC);

	must(fd >= 0, "inotify_init1");
	EXPECT(fd, "inotify", "inotify_init1", 1, "inotify watches=0");
}

static void
leak_fanotify_init(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);

	if (fd < 0) {
		victim_skip("fanotify_init", errno);
		return;
	}
	EXPECT(fd, "fanotify", "fanotify_init", 1, "fanotify marks=0");
}

static void
leak_memfd_create(void)
{
	int fd = memfd_create("fdleak-memfd", 0);

	must(fd >= 0, "memfd_create");
	EXPECT(fd, "memfd", "memfd_create", 0, "memfd:fdleak-memfd");
}

static void
leak_memfd_secret(void)
{
	int fd = syscall(SYS_memfd_secret, 0);

	if (fd < 0) {
		victim_skip("memfd_secret", errno);
		return;
	}
	EXPECT(fd, "memfd", "memfd_secret", 0, NULL);
}

static void
leak_userfaultfd(void)
{
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0) {
		victim_skip("userfaultfd", errno);
		return;
	}
	EXPECT(fd, "userfaultfd", "userfaultfd", 1, "userfaultfd");
}

static void
leak_pidfd_open(void)
{
	int fd = pidfd_open(getpid(), 0);

	if (fd < 0) {
		victim_skip("pidfd_open", errno);
		return;
	}
	{
		char target[64];

		snprintf(target, sizeof(target), "pidfd pid=%d", (int)getpid());
		EXPECT(fd, "pidfd", "pidfd_open", 1, target);
	}
}

/* Take a copy of our own fd through a pidfd; the copy is always cloexec. */
static void
leak_pidfd_getfd(void)
{
	int pfd, src, fd;

	pfd = pidfd_open(getpid(), 0);
	if (pfd < 0) {
		victim_skip("pidfd_getfd", errno);
		return;
	}
	src = open_hostname();
	fd = pidfd_getfd(pfd, src, 0);
	close(src);
	close(pfd);
	if (fd < 0) {
		victim_skip("pidfd_getfd", errno);
		return;
	}
	EXPECT(fd, "file", "pidfd_getfd", 1, "/etc/hostname");
}

static void
leak_perf_event_open(void)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL);
	if (fd < 0) {
		victim_skip("perf_event_open", errno);
		return;
	}
	EXPECT(fd, "perf_event", "perf_event_open", 0, victim_link(fd));
}

static void
leak_bpf(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		victim_skip("bpf", errno);
		return;
	}
	EXPECT(fd, "bpf", "bpf", 1, "bpf map type=array");
}

static void
leak_io_uring_setup(void)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0) {
		victim_skip("io_uring_setup", errno);
		return;
	}
	/* Four entries asked for: the kernel's ring of four (a power of two). */
	EXPECT(fd, "io_uring", "io_uring_setup", 1, "io_uring entries=4");
}

/* An O_PATH fd on the victim directory. */
static void
leak_open_tree(void)
{
	int fd = open_tree(AT_FDCWD, victim_dir(), 0);

	if (fd < 0) {
		victim_skip("open_tree", errno);
		return;
	}
	EXPECT(fd, "dir", "open_tree", 0, victim_dir());
}

static void
leak_fsopen(void)
{
	int fd = fsopen("tmpfs", 0);

	if (fd < 0) {
		victim_skip("fsopen", errno);
		return;
	}
	EXPECT(fd, "other", "fsopen", 0, victim_link(fd));
}

/* A detached tmpfs mount: its fd is the root directory of the mount. */
static void
leak_fsmount(void)
{
	int fsfd, fd;

	fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		victim_skip("fsmount", errno);
		return;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		victim_skip("fsmount", errno);
		close(fsfd);
		return;
	}
	fd = fsmount(fsfd, 0, 0);
	close(fsfd);
	if (fd < 0) {
		victim_skip("fsmount", errno);
		return;
	}
	EXPECT(fd, "dir", "fsmount", 0, NULL);
}

static void
leak_fspick(void)
{
	int fd = fspick(AT_FDCWD, "/proc", 0);

	if (fd < 0) {
		victim_skip("fspick", errno);
		return;
	}
	EXPECT(fd, "other", "fspick", 0, victim_link(fd));
}

/* A POSIX message queue, unlinked at once (the fd stays valid). */
static void
leak_mq_open(void)
{
	char name[64];
	int fd;

	/* The raw call takes the name without glibc's leading '/'. */
	snprintf(name, sizeof(name), "fdleak-mq.%d", (int)getpid());
	fd = syscall(SYS_mq_open, name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	if (fd < 0) {
		victim_skip("mq_open", errno);
		return;
	}
	syscall(SYS_mq_unlink, name);
	EXPECT(fd, "file", "mq_open", 1, NULL);
}

/* Failed calls create nothing. */
static void
failed_calls(void)
{
	int p[2];

	must(open("/nonexistent/fdleak", O_RDONLY) < 0, "open missing");
	must(dup2(0, -1) < 0, "dup2 to -1");
	must(socket(12345, SOCK_STREAM, 0) < 0, "socket bad family");
	must(fcntl(-1, F_DUPFD, 0) < 0, "F_DUPFD on -1");
	must(pipe2(p, 0x7fffffff) < 0, "pipe2 bad flags");
	must(syscall(SYS_epoll_create, 0) < 0, "epoll_create(0)");
	must(dup3(FD_DUP2, FD_DUP2, 0) < 0, "dup3 onto itself");
}

/* Open and close a bit of everything. */
static void
opened_and_closed(void)
{
	int fds[6], i, n = 0, p[2];

	fds[n++] = open_hostname();
	fds[n++] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[n++] = eventfd(0, 0);
	fds[n++] = epoll_create1(0);
	must(pipe(p) == 0, "pipe");
	fds[n++] = p[0];
	fds[n++] = p[1];
	for (i = 0; i < n; i++)
		must(close(fds[i]) == 0, "close");
}

/* A block of fds closed with one close_range. */
static void
closed_by_range(void)
{
	int src = open_devnull(), i;

	for (i = 0; i < 8; i++)
		must(dup2(src, FD_RANGE + i) == FD_RANGE + i, "dup2 block");
	close(src);
	must(syscall(SYS_close_range, FD_RANGE, FD_RANGE + 7, 0) == 0,
	    "close_range");
}

/* A block marked close-on-exec by close_range: still open, so leaked. */
static void
leak_cloexec_range(void)
{
	int src = open_hostname(), i;

	for (i = 0; i < 3; i++)
		must(dup2(src, FD_CLOEXEC_RANGE + i) == FD_CLOEXEC_RANGE + i,
		    "dup2 block");
	close(src);
	if (syscall(SYS_close_range, FD_CLOEXEC_RANGE, FD_CLOEXEC_RANGE + 2,
	    CLOSE_RANGE_CLOEXEC) < 0)
		victim_die("close_range CLOEXEC");
	for (i = 0; i < 3; i++)
		EXPECT(FD_CLOEXEC_RANGE + i, "file", "dup2", 1,
		    "/etc/hostname");
}

/* Opens the fd that dup2_over() will replace; this record must vanish. */
static int
open_to_be_replaced(void)
{
	return open_hostname();
}

static void
dup2_over(int fd)
{
	int src = open_devnull();

	must(dup2(src, fd) == fd, "dup2 over");
	close(src);
	EXPECT(fd, "device", "dup2", 0, "/dev/null");
}

/* dup2 onto itself, and a failed dup2 onto an open fd: both change nothing. */
static void
dup2_noops(int fd)
{
	must(close(FD_NEVER_OPEN) < 0, "fd 4000 must be free");
	must(dup2(fd, fd) == fd, "dup2 onto itself");
	must(dup2(FD_NEVER_OPEN, fd) < 0, "dup2 from a closed fd");
}

int
main(void)
{
	int fd;

	victim_proc();
	/* First, while the clone children inherit nothing from the trace. */
	leak_clone_pidfd();
	leak_clone3_pidfd();

	leak_open();
	leak_openat();
	leak_openat2();
	leak_creat();
	leak_open_by_handle_at();
	leak_socket();
	leak_socketpair();
	leak_accept();
	leak_accept4();
	leak_pipe();
	leak_pipe2();
	leak_dup();
	leak_dup2();
	leak_dup3();
	leak_fcntl_dupfd();
	leak_fcntl_dupfd_cloexec();
	leak_tiocgptpeer();
	leak_eventfd();
	leak_eventfd2();
	leak_epoll_create();
	leak_epoll_create1();
	leak_timerfd_create();
	leak_signalfd();
	signalfd_update(leak_signalfd4());
	leak_inotify_init();
	leak_inotify_init1();
	leak_fanotify_init();
	leak_memfd_create();
	leak_memfd_secret();
	leak_userfaultfd();
	leak_pidfd_open();
	leak_pidfd_getfd();
	leak_perf_event_open();
	leak_bpf();
	leak_io_uring_setup();
	leak_open_tree();
	leak_fsopen();
	leak_fsmount();
	leak_fspick();
	leak_mq_open();

	failed_calls();
	opened_and_closed();
	closed_by_range();
	leak_cloexec_range();
	fd = open_to_be_replaced();
	dup2_over(fd);
	dup2_noops(fd);
	victim_exit(0);
}
