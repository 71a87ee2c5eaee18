// SPDX-License-Identifier: MIT
/*
 * misuse.c - closes that fail, and no leak: close_again() closes an fd
 * that close_once() closed already (a double close), close_unopened()
 * closes fd 4000, never open (a bad close). Each says
 *   MISUSE pid=P type=T fd=N tid=T function=F [previous=F [previous_stack=F,F]]
 * naming the function of the failing close and, for a double close, of
 * the close that closed the fd first; previous_stack, where given, is the
 * whole stack of that close as fdleak must report it.
 *
 * deep_double_close() closes twice from under a 32 KiB frame: fdleak
 * unwinds a close's stack from the 16 KiB it copies at the close, while
 * the thread runs on, so that stack must end at deep_double_close, with
 * nothing read from the stack as it is later.
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
close_again(int fd, const char *previous_stack)
{
	if (close(fd) == 0 || errno != EBADF)
		victim_die("second close succeeded");
	if (victim_expecting())
		victim_say("MISUSE pid=%d type=double-close fd=%d tid=%d "
		    "function=%s previous=close_once%s%s", (int)getpid(), fd,
		    (int)gettid(), __func__,
		    previous_stack ? " previous_stack=" : "",
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
	close_again(fd, NULL);
	close_unopened();
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		victim_die("open");
	deep_double_close(fd);
	victim_exit(0);
}
