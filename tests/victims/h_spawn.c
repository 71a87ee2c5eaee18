// SPDX-License-Identifier: MIT
/*
 * h_spawn.c - vfork and posix_spawn, whose output must not change under
 * fdleak.
 *
 * A vfork child writes into its parent's memory and _exits; another
 * vforks and execs /bin/echo; posix_spawn runs /bin/sh with a file action
 * that opens /etc/hostname at fd 7 without close-on-exec (the shell leaks
 * it across its exec: it says so in an EXPECT line of its own, see
 * SH_SCRIPT); posix_spawnp runs "true" with POSIX_SPAWN_SETSIGMASK. The
 * main process leaks one file, and exits 4.
 */
#include "victim.h"

#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static void
leak(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

static void
report(const char *what, int status)
{
	if (WIFEXITED(status))
		printf("%s: exit %d\n", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: signal %d\n", what, WTERMSIG(status));
	else
		printf("%s: status %#x\n", what, status);
	fflush(stdout);
}

int
main(void)
{
	static volatile int shared;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask;
	char *sh_argv[] = { "sh", "-c",
	    "echo spawned sh; test -e /proc/self/fd/7 && echo fd 7 open; exit 9",
	    NULL };
	char *true_argv[] = { "true", NULL };
	int status, err;
	pid_t pid;

	victim_proc();
	fflush(stdout);
	pid = vfork();
	if (pid < 0)
		victim_die("vfork");
	if (pid == 0) {
		shared = 42;
		_exit(5);
	}
	waitpid(pid, &status, 0);
	printf("vfork child set shared=%d\n", shared);
	report("vfork child", status);

	pid = vfork();
	if (pid < 0)
		victim_die("vfork");
	if (pid == 0) {
		execl("/bin/echo", "echo", "vfork", "echo", "ran", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	report("vfork echo", status);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 7, "/etc/hostname", O_RDONLY, 0);
	err = posix_spawn(&pid, "/bin/sh", &fa, NULL, sh_argv, environ);
	if (err != 0) {
		errno = err;
		victim_die("posix_spawn");
	}
	posix_spawn_file_actions_destroy(&fa);
	waitpid(pid, &status, 0);
	report("posix_spawn sh", status);
	printf("SHPID %d\n", (int)pid);

	posix_spawnattr_init(&attr);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawnp(&pid, "true", NULL, &attr, true_argv, environ);
	if (err != 0) {
		errno = err;
		victim_die("posix_spawnp");
	}
	posix_spawnattr_destroy(&attr);
	waitpid(pid, &status, 0);
	report("posix_spawnp true", status);

	leak();
	fprintf(stderr, "h_spawn: done\n");
	victim_exit(4);
}
