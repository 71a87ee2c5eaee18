// SPDX-License-Identifier: MIT
/*
 * execer.c - fds across execve, which keeps the pid and drops O_CLOEXEC fds.
 *
 * Every mode ends in execve of exec_target (beside this program), telling
 * it which fds must have survived; exec_target prints their EXPECT lines
 * with across_exec=1 and the function that opened them here, and leaks one
 * fd of its own. The fds that must vanish at the exec print nothing.
 *
 *   main    X opened plain by open_inherited() survives; Y opened O_CLOEXEC
 *           by open_cloexec() vanishes.
 *   thread  the same, but a second thread calls execve: the new image takes
 *           over the leader's pid, which is still getpid().
 *   setfd   close-on-exec changed after open: X plain + F_SETFD FD_CLOEXEC
 *           and W plain + FIOCLEX vanish; Z O_CLOEXEC + FIONCLEX and
 *           V O_CLOEXEC + F_SETFD 0 survive.
 */
#include "victim.h"

#include <pthread.h>
#include <sys/ioctl.h>

#define SPEC_MAX	(PATH_MAX + 256)

static char specs[4][SPEC_MAX];
static char *target_argv[6];

static int
open_hostname(int flags)
{
	int fd = open("/etc/hostname", O_RDONLY | flags);

	if (fd < 0)
		victim_die("open /etc/hostname");
	return fd;
}

/* Add the spec of a surviving fd, opened by function, to target_argv. */
static void
survives(int fd, const char *function)
{
	static int n;

	victim_spec(specs[n], SPEC_MAX, fd, "file", "openat", function,
	    getpid(), 0, "/etc/hostname");
	target_argv[1 + n] = specs[n];
	n++;
}

static int
open_inherited(void)
{
	return open_hostname(0);
}

static int
open_cloexec(void)
{
	return open_hostname(O_CLOEXEC);
}

static void
open_main_pair(void)
{
	survives(open_inherited(), "open_inherited");
	open_cloexec();
}

static void
open_with_setfd(void)
{
	int x, z, w, v;

	x = open_hostname(0);
	if (fcntl(x, F_SETFD, FD_CLOEXEC) < 0)
		victim_die("F_SETFD");
	z = open_hostname(O_CLOEXEC);
	if (ioctl(z, FIONCLEX) < 0)
		victim_die("FIONCLEX");
	survives(z, __func__);
	w = open_hostname(0);
	if (ioctl(w, FIOCLEX) < 0)
		victim_die("FIOCLEX");
	v = open_hostname(O_CLOEXEC);
	if (fcntl(v, F_SETFD, 0) < 0)
		victim_die("F_SETFD 0");
	survives(v, __func__);
}

static void __attribute__((noreturn))
exec_target(void)
{
	target_argv[0] = (char *)victim_sibling("exec_target");
	execv(target_argv[0], target_argv);
	victim_die("execv exec_target");
}

static void *
exec_from_thread(void *arg)
{
	exec_target();
	return arg;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "main";
	pthread_t t;

	victim_proc();
	if (strcmp(mode, "main") == 0) {
		open_main_pair();
		exec_target();
	} else if (strcmp(mode, "thread") == 0) {
		open_main_pair();
		if (pthread_create(&t, NULL, exec_from_thread, NULL) != 0)
			victim_die("pthread_create");
		pthread_join(t, NULL);
		victim_die("the exec from the thread returned");
	} else if (strcmp(mode, "setfd") == 0) {
		open_with_setfd();
		exec_target();
	}
	victim_say("ERROR execer: unknown mode %s", mode);
	return 2;
}
