// SPDX-License-Identifier: MIT
/*
 * names.c - leaks one fd per argument: open(argv[i], O_RDONLY|O_CREAT) in
 * leak_name(), so that the runner can give paths holding quotes,
 * backslashes, newlines and bytes that are not UTF-8, and check how each
 * report writes them. The EXPECT lines leave the target out (it may not
 * fit on a line); the runner knows the names it gave.
 */
#include "victim.h"

static void
leak_name(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT, 0600);

	if (fd < 0)
		victim_die("open");
	EXPECT(fd, "file", "openat", 0, NULL);
}

int
main(int argc, char *argv[])
{
	victim_proc();
	for (int i = 1; i < argc; i++)
		leak_name(argv[i]);
	victim_exit(0);
}
