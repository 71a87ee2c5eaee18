// SPDX-License-Identifier: MIT
/*
 * exec_target.c - the image other victims execve into.
 *
 * Usage: exec_target [SPEC...], each SPEC "fd=N,kind=K,syscall=S,
 * function=F,tid=T,cloexec=C[,target=PATH]" describing an fd the caller
 * opened before the exec and expects to survive it (victim_spec() writes
 * them). For each, exec_target checks that the fd is open and prints its
 * EXPECT with across_exec=1: the leak was made before the exec. Then it
 * leaks one fd of its own from target_leak() (/etc/hostname), which fdleak
 * must attribute to this image, and exits 0.
 */
#include "victim.h"

/* Print the EXPECT of one inherited fd described by spec (modified). */
static void
expect_inherited(char *spec)
{
	const char *kind = "?", *sys = "?", *function = "?", *target = NULL;
	int fd = -1, tid = 0, cloexec = 0;
	char *field, *save = NULL, *eq;

	/* target is last and may hold any character but a NUL. */
	eq = strstr(spec, ",target=");
	if (eq != NULL) {
		*eq = '\0';
		target = eq + strlen(",target=");
	}
	for (field = strtok_r(spec, ",", &save); field != NULL;
	    field = strtok_r(NULL, ",", &save)) {
		eq = strchr(field, '=');
		if (eq == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(field, "fd") == 0)
			fd = atoi(eq);
		else if (strcmp(field, "kind") == 0)
			kind = eq;
		else if (strcmp(field, "syscall") == 0)
			sys = eq;
		else if (strcmp(field, "function") == 0)
			function = eq;
		else if (strcmp(field, "tid") == 0)
			tid = atoi(eq);
		else if (strcmp(field, "cloexec") == 0)
			cloexec = atoi(eq);
	}
	if (fcntl(fd, F_GETFD) < 0) {
		victim_say("ERROR exec_target: fd %d did not survive the exec",
		    fd);
		_exit(99);
	}
	victim_expect(fd, kind, sys, function, tid, cloexec, 1, target);
}

static void
target_leak(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open /etc/hostname");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

int
main(int argc, char **argv)
{
	int i;

	victim_proc();
	for (i = 1; i < argc; i++)
		expect_inherited(argv[i]);
	target_leak();
	victim_exit(0);
}
