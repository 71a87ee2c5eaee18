// SPDX-License-Identifier: MIT
/*
 * h_threadexit.c - a process that ends from a thread other than main.
 *
 *   h_threadexit pthread-exit   main calls pthread_exit; a thread leaks an
 *                               fd, then calls exit(5)
 *   h_threadexit all-exit       main calls pthread_exit; a thread leaks,
 *                               then calls pthread_exit too: exit status 0
 *   h_threadexit exit-group     main waits in pthread_join; a thread leaks,
 *                               then calls the exit_group syscall with 6
 *   h_threadexit exec           main waits in pthread_join; a thread leaks
 *                               an fd without close-on-exec, then execs
 *                               /bin/sh, which prints and exits 7
 *
 * Each leak is stated by an EXPECT line naming the thread.
 */
#include "victim.h"

#include <pthread.h>
#include <time.h>

static const char *mode;

static int
leak_in_thread(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	return fd;
}

static void *
worker(void *arg)
{
	int fd;

	(void)arg;
	/* Let main reach pthread_exit or pthread_join first. */
	victim_sleep_us(50000);
	fd = leak_in_thread();
	printf("thread %s\n", mode);
	fflush(stdout);
	if (strcmp(mode, "pthread-exit") == 0) {
		victim_announce_exit(5, 0);
		exit(5);
	}
	if (strcmp(mode, "all-exit") == 0) {
		victim_announce_exit(0, 0);
		pthread_exit(NULL);
	}
	if (strcmp(mode, "exit-group") == 0) {
		victim_announce_exit(6, 0);
		syscall(SYS_exit_group, 6);
	}
	if (strcmp(mode, "exec") == 0) {
		char script[128];

		snprintf(script, sizeof(script), "echo after exec; "
		    "test -e /proc/self/fd/%d && echo fd %d still open; exit 7",
		    fd, fd);
		victim_announce_exit(7, 0);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		victim_die("execl");
	}
	victim_say("ERROR unknown mode %s", mode);
	_exit(99);
}

int
main(int argc, char *argv[])
{
	pthread_t t;

	mode = argc > 1 ? argv[1] : "pthread-exit";
	victim_proc();
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		victim_die("pthread_create");
	if (strcmp(mode, "pthread-exit") == 0 || strcmp(mode, "all-exit") == 0)
		pthread_exit(NULL);
	pthread_join(t, NULL);
	victim_say("ERROR pthread_join returned");
	return 99;
}
