// SPDX-License-Identifier: MIT
/*
 * gapper.c - what a process does to its fds while a sampling fdleak
 * (--sample) is away, for the test of reconciling at a window's start.
 *
 * usage: gapper DIR        (DIR: where its scratch file goes)
 *
 * It tells windows from gaps by TracerPid in /proc/self/status, and acts
 * in each at once (the test makes windows and gaps long against that):
 *
 *   window 1  make A (socket), F (file, read-only), G (file), K (file),
 *             L (socket): "W1 A=.. F=.. G=.. K=.. L=.."
 *   gap 1     fork a child; then A becomes another socket at the same
 *             number, F the same file opened write-only, G the same file
 *             reopened the same way (the case no identity tells apart);
 *             make U (socket): "G1 child=.. U=.."
 *   gap 2     close G: "G2"
 *   window 3  make H (file): "W3 H=.."
 *   gap 3     H reopened the same way at its number: "G3"
 *   window 4  "DONE"; then it waits to be killed.
 *
 * The child (born in gap 1, so fdleak never saw it made) makes M (a
 * socket) in its first window, says "CHILD pid=.. M=..", and waits too.
 *
 * Leaked, with the stack fdleak saw: K (keep_file) and L (keep_socket) in
 * the parent; every fd of window 1 (copies) and M (child_main) in the
 * child. Never reported: A, F, G (another object, or closed, after a gap),
 * U (made in a gap: no stack was seen) and H (found the same after one
 * gap only: a reopen in the gap cannot be told apart yet).
 */
#include "victim.h"

static const char *scratch;

static int
traced(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		victim_die("open /proc/self/status");
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		victim_die("read /proc/self/status");
	buf[n] = '\0';
	if ((p = strstr(buf, "TracerPid:")) == NULL)
		victim_die("no TracerPid");
	return atoi(p + strlen("TracerPid:")) != 0;
}

/* Wait until a window (want 1) or a gap (want 0) has begun. */
static void
await(int want)
{
	while (traced() != want)
		victim_sleep_us(2000);
}

static int
make_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		victim_die("socket");
	return fd;
}

static int
open_scratch(int flags)
{
	int fd = open(scratch, flags);

	if (fd < 0)
		victim_die("open scratch");
	return fd;
}

/* Put a new object at fd's number: the old one is closed by dup2. */
static void
replace(int fd, int with)
{
	if (dup2(with, fd) < 0)
		victim_die("dup2");
	close(with);
}

static int
keep_file(void)
{
	return open_scratch(O_RDONLY);
}

static int
keep_socket(void)
{
	return make_socket();
}

static void __attribute__((noreturn))
child_main(void)
{
	int m;

	await(1);
	m = make_socket();
	victim_say("CHILD pid=%d M=%d", (int)getpid(), m);
	for (;;)
		pause();
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX];
	int a, f, g, h, k, l, u, fd;
	pid_t child;

	victim_proc();
	if (argc != 2) {
		victim_say("ERROR usage: gapper DIR");
		return 2;
	}
	snprintf(path, sizeof path, "%s/gapper.%d", argv[1], (int)getpid());
	scratch = path;
	if ((fd = open(scratch, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		victim_die("create scratch");
	close(fd);
	victim_say("READY pid=%d", (int)getpid());

	await(1);
	a = make_socket();
	f = open_scratch(O_RDONLY);
	g = open_scratch(O_RDONLY);
	k = keep_file();
	l = keep_socket();
	victim_say("W1 A=%d F=%d G=%d K=%d L=%d", a, f, g, k, l);

	await(0);
	if ((child = fork()) < 0)
		victim_die("fork");
	if (child == 0)
		child_main();
	replace(a, make_socket());
	replace(f, open_scratch(O_WRONLY));
	replace(g, open_scratch(O_RDONLY));
	u = make_socket();
	victim_say("G1 child=%d U=%d", (int)child, u);

	await(1);
	await(0);
	close(g);
	victim_say("G2");
	await(1);
	h = open_scratch(O_RDONLY);
	victim_say("W3 H=%d", h);
	await(0);
	replace(h, open_scratch(O_RDONLY));
	victim_say("G3");
	await(1);
	victim_say("DONE");
	for (;;)
		pause();
}
