// SPDX-License-Identifier: MIT
/*
 * misuse.c - closes that fail, and no leak, as current valgrind judges
 * them. Each failing close site says
 *   MISUSE pid=P type=T fd=N tid=T function=F count=C fds=N[,N...]
 *          [syscall=S] [previous=F [previous_stack=F,F]] [created=F]
 * naming the function of the failing close and, for a double close, of the
 * close that closed the fd first and of the function that made it;
 * previous_stack, where given, is the whole stack of that close as fdleak
 * must report it. And
 *   UNOPENED pid=P count=C lo=N hi=N
 * for the closes of fds that never existed (not misuse: counted once).
 *
 *  - close_again() closes an fd that close_once() closed already;
 *  - deep_double_close() closes twice from under a 32 KiB frame: fdleak
 *    unwinds a close's stack from the 16 KiB it copies at the close, while
 *    the thread runs on, so that stack must end at deep_double_close, with
 *    nothing read from the stack as it is later;
 *  - close_range_twice() closes two of three fds, then close_range()s all
 *    three: two double closes at one call;
 *  - close_range_cloexec() marks one of those closed fds close-on-exec:
 *    the program believes it open, a double close too;
 *  - close_negative() closes -1 and close_above_limit() the fd limit
 *    itself: bad closes;
 *  - closefrom_loop(), first of all, closes every fd from 3 to the limit,
 *    the daemon idiom: none existed, so no misuse, one count;
 *  - child_closes_again() forks a child that closes, with close_range and
 *    close, an fd its parent closed before the fork: the child never had
 *    it (Python's subprocess closes every fd it does not keep this way),
 *    so no misuse in the child, one unopened close.
 */
#include "victim.h"

#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define FD_LIMIT	256	/* set first, so the closefrom loop is short */

static void __attribute__((noinline))
closefrom_loop(void)
{
	int count = 0, lo = -1, hi = -1;

	/* What was open (inherited) closes fine; the rest never existed. */
	for (int fd = 3; fd < FD_LIMIT; fd++) {
		if (close(fd) == 0 || errno != EBADF)
			continue;
		if (lo < 0)
			lo = fd;
		hi = fd;
		count++;
	}
	if (victim_expecting())
		victim_say("UNOPENED pid=%d count=%d lo=%d hi=%d", (int)getpid(),
		    count, lo, hi);
}

static void __attribute__((noinline))
close_once(int fd)
{
	if (close(fd) != 0)
		victim_die("close");
}

static void __attribute__((noinline))
close_again(int fd, const char *previous_stack)
{
	if (close(fd) == 0 || errno != EBADF)
		victim_die("second close succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=double-close fd=%d tid=%d "
		    "function=%s count=1 fds=%d syscall=close previous=close_once "
		    "created=main%s%s", (int)getpid(), fd, (int)gettid(), __func__,
		    fd, previous_stack ? " previous_stack=" : "",
		    previous_stack ? previous_stack : "");
}

static void __attribute__((noinline))
deep_double_close(int fd)
{
	volatile char pad[32 * 1024];

	pad[0] = 1;
	close_once(fd);
	/* Overwrite the stack the first close ran on before its report. */
	for (size_t i = 0; i < sizeof pad; i += 64)
		pad[i] = (char)i;
	close_again(fd, "close_once,deep_double_close");
}

static int __attribute__((noinline))
open_null(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		victim_die("open");
	return fd;
}

static void __attribute__((noinline))
close_range_twice(int *first)
{
	int a = open_null(), b = open_null(), c = open_null();

	if (b != a + 1 || c != b + 1)
		victim_die("fds not consecutive");
	close_once(a);
	close_once(c);
	if (syscall(SYS_close_range, a, c, 0) != 0)
		victim_die("close_range");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=double-close fd=%d tid=%d "
		    "function=%s count=2 fds=%d,%d syscall=close_range "
		    "previous=close_once created=open_null", (int)getpid(), a,
		    (int)gettid(), __func__, a, c);
	*first = a;
}

static void __attribute__((noinline))
close_range_cloexec(int fd)
{
	if (syscall(SYS_close_range, fd, fd, CLOSE_RANGE_CLOEXEC) != 0)
		victim_die("close_range cloexec");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=double-close fd=%d tid=%d "
		    "function=%s count=1 fds=%d syscall=close_range "
		    "previous=close_once created=open_null", (int)getpid(), fd,
		    (int)gettid(), __func__, fd);
}

static void __attribute__((noinline))
child_closes_again(void)
{
	int fd = open_null(), status;
	pid_t pid;

	close_once(fd);
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_proc();
		if (syscall(SYS_close_range, fd, fd, 0) != 0 ||
		    (close(fd) == 0 || errno != EBADF))
			victim_die("child closes");
		if (victim_expecting())
			victim_say("UNOPENED pid=%d count=1 lo=%d hi=%d",
			    (int)getpid(), fd, fd);
		victim_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		victim_die("child");
}

static void __attribute__((noinline))
close_negative(void)
{
	if (close(-1) == 0 || errno != EBADF)
		victim_die("close(-1) succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=bad-close fd=-1 tid=%d function=%s "
		    "count=1 fds=-1 syscall=close", (int)getpid(), (int)gettid(),
		    __func__);
}

static void __attribute__((noinline))
close_above_limit(void)
{
	if (close(FD_LIMIT) == 0 || errno != EBADF)
		victim_die("close of the fd limit succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=bad-close fd=%d tid=%d function=%s "
		    "count=1 fds=%d syscall=close", (int)getpid(), FD_LIMIT,
		    (int)gettid(), __func__, FD_LIMIT);
}

int
main(void)
{
	struct rlimit rl = { FD_LIMIT, FD_LIMIT };
	int fd;

	victim_proc();
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		victim_die("setrlimit");
	closefrom_loop();
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		victim_die("open");
	close_once(fd);
	close_again(fd, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		victim_die("open");
	deep_double_close(fd);
	close_range_twice(&fd);
	close_range_cloexec(fd);
	child_closes_again();
	close_negative();
	close_above_limit();
	victim_exit(0);
}
