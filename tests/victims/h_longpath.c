// SPDX-License-Identifier: MIT
/*
 * h_longpath.c - an fd on a path as long as Linux allows, or longer.
 *
 *   h_longpath PATH
 *
 * Opens PATH, which may be longer than PATH_MAX, one component at a time
 * with openat(2) on the directory before, and leaks the last one (an
 * EXPECT line without target: the runner knows the path, which may hold
 * any byte). Intermediate directory fds are closed.
 */
#include "victim.h"

int
main(int argc, char *argv[])
{
	char *path, *p, *slash;
	int dir, fd;

	victim_proc();
	if (argc != 2 || argv[1][0] != '/') {
		victim_say("ERROR usage: h_longpath /ABSOLUTE/PATH");
		return 99;
	}
	path = strdup(argv[1]);
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (path == NULL || dir < 0)
		victim_die("open /");
	p = path + 1;
	while ((slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		next = openat(dir, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			victim_die("openat directory");
		close(dir);
		dir = next;
		p = slash + 1;
	}
	fd = openat(dir, p, O_RDONLY);
	if (fd < 0)
		victim_die("openat file");
	close(dir);
	EXPECT(fd, "file", "openat", 0, NULL);
	free(path);
	victim_exit(0);
}
