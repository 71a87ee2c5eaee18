// SPDX-License-Identifier: MIT
/*
 * misuse.c - closes that fail, and no leak: close_again() closes an fd
 * that close_once() closed already (a double close), close_unopened()
 * closes fd 4000, never open (a bad close). Each says
 *   MISUSE pid=P type=T fd=N tid=T function=F [previous=F]
 * naming the function of the failing close and, for a double close, of
 * the close that closed the fd first.
 */
#include "victim.h"

#define FD_NEVER_OPEN	4000

static void __attribute__((noinline))
close_once(int fd)
{
	if (close(fd) != 0)
		victim_die("close");
}

static void __attribute__((noinline))
close_again(int fd)
{
	if (close(fd) == 0 || errno != EBADF)
		victim_die("second close succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=double-close fd=%d tid=%d "
		    "function=%s previous=close_once", (int)getpid(), fd,
		    (int)gettid(), __func__);
}

static void __attribute__((noinline))
close_unopened(void)
{
	if (close(FD_NEVER_OPEN) == 0 || errno != EBADF)
		victim_die("close of fd 4000 succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=bad-close fd=%d tid=%d function=%s",
		    (int)getpid(), FD_NEVER_OPEN, (int)gettid(), __func__);
}

int
main(void)
{
	int fd;

	victim_proc();
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		victim_die("open");
	close_once(fd);
	close_again(fd);
	close_unopened();
	victim_exit(0);
}
