// SPDX-License-Identifier: MIT
/*
 * forker.c - fds inherited by child processes.
 *
 * open_before_fork() opens A (/etc/hostname) in the parent. An fd created
 * under trace and inherited by a child is that child's leak too, with the
 * parent's creation record (function open_before_fork, the parent's tid).
 *
 *   fork    (default) the child leaks B from child_leak() and keeps A, then
 *           exits 3; the parent leaks C from parent_leak(), waits, exits 0.
 *   vfork   vfork + execve of exec_target, which keeps A across the exec
 *           (across_exec=1) and leaks one fd of its own; the parent leaks C.
 *   spawn   the same through posix_spawn (glibc 2.36: clone3 with
 *           CLONE_VM | CLONE_VFORK).
 */
#include "victim.h"

#include <spawn.h>
#include <sys/wait.h>

#define CHILD_STATUS	3

extern char **environ;

static pid_t opener;

static int
open_hostname(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open /etc/hostname");
	return fd;
}

static int
open_before_fork(void)
{
	int fd = open_hostname();

	opener = gettid();
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	return fd;
}

static void
child_leak(void)
{
	int fd = open_hostname();

	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

static void
parent_leak(void)
{
	int fd = open_hostname();

	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

static void
wait_child(pid_t pid, int want)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		victim_die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != want) {
		victim_say("ERROR forker: child status %#x", status);
		_exit(99);
	}
}

static void
with_fork(int a)
{
	pid_t pid = fork();

	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_proc();
		victim_expect(a, "file", "openat", "open_before_fork", opener,
		    0, 0, "/etc/hostname");
		child_leak();
		victim_child_exit(CHILD_STATUS);
	}
	parent_leak();
	wait_child(pid, CHILD_STATUS);
}

static void
with_vfork(int a, int spawn)
{
	char spec[PATH_MAX + 256];
	char *argv[3];
	pid_t pid;

	victim_spec(spec, sizeof(spec), a, "file", "openat",
	    "open_before_fork", opener, 0, "/etc/hostname");
	argv[0] = (char *)victim_sibling("exec_target");
	argv[1] = spec;
	argv[2] = NULL;
	if (spawn) {
		errno = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
		if (errno != 0)
			victim_die("posix_spawn");
	} else {
		pid = vfork();
		if (pid < 0)
			victim_die("vfork");
		if (pid == 0) {
			execve(argv[0], argv, environ);
			_exit(127);
		}
	}
	parent_leak();
	wait_child(pid, 0);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fork";
	int a;

	victim_proc();
	a = open_before_fork();
	if (strcmp(mode, "fork") == 0)
		with_fork(a);
	else if (strcmp(mode, "vfork") == 0)
		with_vfork(a, 0);
	else if (strcmp(mode, "spawn") == 0)
		with_vfork(a, 1);
	else {
		victim_say("ERROR forker: unknown mode %s", mode);
		return 2;
	}
	victim_exit(0);
}
