// SPDX-License-Identifier: MIT
/*
 * exitcodes.c - leak one fd, then end as told.
 *
 *   exitcodes exit N         leak, then exit(N)
 *   exitcodes signal NAME    leak, then raise(NAME) with its default action
 *                            (TERM, SEGV, KILL, ...; no core file)
 *
 * The leak (/etc/hostname from leak_before_exit) must be reported whatever
 * the end, and fdleak must exit as the program did (128+N for signal N).
 */
#include "victim.h"

static void
leak_before_exit(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open /etc/hostname");
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
}

/* Signal number of "TERM" or "SIGTERM"; 0 if unknown. */
static int
signal_number(const char *name)
{
	int sig;

	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev != NULL && strcmp(abbrev, name) == 0)
			return sig;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int sig;

	if (argc != 3) {
		fprintf(stderr, "usage: exitcodes exit N | signal NAME\n");
		return 2;
	}
	victim_proc();
	leak_before_exit();
	if (strcmp(argv[1], "exit") == 0)
		victim_exit(atoi(argv[2]));
	if (strcmp(argv[1], "signal") != 0 ||
	    (sig = signal_number(argv[2])) == 0) {
		fprintf(stderr, "exitcodes: bad arguments\n");
		return 2;
	}
	victim_nocore();
	signal(sig, SIG_DFL);
	victim_announce_exit(0, sig);
	victim_selfcheck();
	raise(sig);
	victim_say("ERROR exitcodes: survived SIG%s", sigabbrev_np(sig));
	return 99;
}
