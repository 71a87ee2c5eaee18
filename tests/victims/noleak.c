// SPDX-License-Identifier: MIT
/*
 * noleak.c - a careful program: it leaks nothing.
 *
 * It opens many kinds of fds and closes each one, dup2s onto fds and
 * closes them, forks a child that opens more and cleans up with one
 * close_range, and ends with a close_range over a block. fdleak must
 * report zero leaks and exit 0.
 */
#include "victim.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#define BLOCK	700

static void
must(int ok, const char *what)
{
	if (!ok)
		victim_die(what);
}

/* One of each kind, each closed right away. */
static void
open_and_close_kinds(void)
{
	sigset_t mask;
	int fd, p[2], sv[2];

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	must((fd = open("/etc/hostname", O_RDONLY)) >= 0, "open");
	must(close(fd) == 0, "close file");
	must((fd = open("/etc", O_RDONLY | O_DIRECTORY)) >= 0, "open dir");
	must(close(fd) == 0, "close dir");
	must((fd = open("/dev/null", O_WRONLY)) >= 0, "open device");
	must(close(fd) == 0, "close device");
	must(pipe(p) == 0, "pipe");
	must(close(p[0]) == 0 && close(p[1]) == 0, "close pipe");
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	must(close(sv[0]) == 0 && close(sv[1]) == 0, "close socketpair");
	must((fd = eventfd(0, 0)) >= 0, "eventfd");
	must(close(fd) == 0, "close eventfd");
	must((fd = epoll_create1(0)) >= 0, "epoll");
	must(close(fd) == 0, "close epoll");
	must((fd = timerfd_create(CLOCK_MONOTONIC, 0)) >= 0, "timerfd");
	must(close(fd) == 0, "close timerfd");
	must((fd = signalfd(-1, &mask, 0)) >= 0, "signalfd");
	must(close(fd) == 0, "close signalfd");
	must((fd = inotify_init1(0)) >= 0, "inotify");
	must(close(fd) == 0, "close inotify");
	must((fd = memfd_create("noleak", 0)) >= 0, "memfd");
	must(close(fd) == 0, "close memfd");
}

/* dup and friends, and a dup2 that replaces then is closed. */
static void
dup_and_close(void)
{
	int a, b, c;

	must((a = open("/etc/hostname", O_RDONLY)) >= 0, "open");
	must((b = dup(a)) >= 0, "dup");
	must((c = fcntl(a, F_DUPFD_CLOEXEC, 50)) >= 50, "F_DUPFD_CLOEXEC");
	must(dup2(a, b) == b, "dup2 over");
	must(close(a) == 0 && close(b) == 0 && close(c) == 0, "close dups");
}

/* The child opens more and cleans up with close_range. */
static void
child_cleans_up(void)
{
	int status, fd, p[2];
	pid_t pid;

	pid = fork();
	must(pid >= 0, "fork");
	if (pid == 0) {
		victim_proc();
		must((fd = open("/etc/hostname", O_RDONLY)) >= 0, "open");
		must(pipe(p) == 0, "pipe");
		must(syscall(SYS_close_range, 3U, ~0U, 0U) == 0, "close_range");
		victim_child_exit(0);
	}
	must(waitpid(pid, &status, 0) == pid && status == 0, "child");
}

/* A block of fds, closed by an open-ended close_range. */
static void
block_closed_by_range(void)
{
	int src, i;

	must((src = open("/dev/null", O_RDONLY)) >= 0, "open");
	for (i = 0; i < 16; i++)
		must(dup2(src, BLOCK + i) == BLOCK + i, "dup2 block");
	close(src);
	must(syscall(SYS_close_range, BLOCK, ~0U, 0U) == 0, "close_range");
}

int
main(void)
{
	victim_proc();
	open_and_close_kinds();
	dup_and_close();
	child_cleans_up();
	block_closed_by_range();
	victim_exit(0);
}
