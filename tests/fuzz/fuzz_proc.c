// SPDX-License-Identifier: MIT
/*
 * fuzz_proc.c - the /proc text parsers of procfs.c, each input fed to
 * all three. procfs_parse_status (a C string, as procfs_read hands it
 * over): success must mean that all four fields (State, PPid, TracerPid,
 * Uid) are there at the start of a line; when each is there exactly
 * once, as the kernel prints them, it must succeed with the values read
 * here by a separate parser, and so must Seccomp when it is there once.
 * procfs_parse_stat_flags: on the input as the whole text the result
 * must be -1 or a flags value, never another negative number; with the
 * input as the comm of a line printed the way the kernel prints
 * /proc/PID/stat, where comm is raw bytes (spaces, parens, newlines),
 * the flags field must come back exactly. procfs_parse_cmdline: the
 * arguments joined again by NULs must give back the input (with a NUL
 * added when it did not end in one).
 */
#include <string.h>

#include "procfs.h"
#include "fuzz.h"

#define TASK_COMM_LEN	16

static const char *const keys[5] = {
	"State:", "TracerPid:", "PPid:", "Uid:", "Seccomp:"
};

/* Count each key at line starts; remember the line of the first. */
static void
scan(const char *text, int count[5], const char *at[5])
{
	for (const char *l = text; l != NULL; l = strchr(l, '\n')) {
		if (*l == '\n')
			l++;
		for (int k = 0; k < 5; k++) {
			if (strncmp(l, keys[k], strlen(keys[k])) == 0 &&
			    count[k]++ == 0)
				at[k] = l + strlen(keys[k]);
		}
	}
}

static void
check_status(const uint8_t *data, size_t size)
{
	struct proc_status st;
	const char *at[5] = { NULL };
	int count[5] = { 0 }, r, all = 1, once = 1;
	char *text = malloc(size + 1);

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	r = procfs_parse_status(text, &st);
	FUZZ_CHECK(r == 0 || r == -1);
	scan(text, count, at);
	for (int k = 0; k < 4; k++) {
		all &= count[k] > 0;
		once &= count[k] == 1;
	}
	if (r == 0)
		FUZZ_CHECK(all);
	if (once) {
		const char *s = at[0] + strspn(at[0], " \t");

		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(st.state == *s);
		FUZZ_CHECK(st.tracer == (int)strtol(at[1], NULL, 10));
		FUZZ_CHECK(st.ppid == (int)strtol(at[2], NULL, 10));
		FUZZ_CHECK(st.uid == strtol(at[3], NULL, 10));
		if (count[4] == 1)
			FUZZ_CHECK(st.seccomp == (int)strtol(at[4], NULL, 10));
		else if (count[4] == 0)
			FUZZ_CHECK(st.seccomp == -1);
	}
	free(text);
}

static void
check_stat(const uint8_t *data, size_t size)
{
	static const unsigned long flags[] = { 4194304, 2129984, 0, 1UL << 62 };
	char *text = malloc(size + 1), comm[TASK_COMM_LEN], *line;
	size_t n;
	long r;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	r = procfs_parse_stat_flags(text);
	FUZZ_CHECK(r >= -1);
	free(text);

	/* comm: up to 15 bytes, any but NUL. */
	n = strnlen((const char *)data, size < TASK_COMM_LEN - 1 ?
	    size : TASK_COMM_LEN - 1);
	memcpy(comm, data, n);
	comm[n] = '\0';
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		FUZZ_CHECK(asprintf(&line, "17727 (%s) R 17722 17722 9624 0 -1 "
		    "%lu 98 0 0 0 0 0 0 0 20 0 1 0 274776 3133440 362 "
		    "18446744073709551615 94519337496576\n", comm,
		    flags[i]) > 0);
		FUZZ_CHECK(procfs_parse_stat_flags(line) == (long)flags[i]);
		free(line);
	}
}

static void
check_cmdline(const uint8_t *data, size_t size)
{
	char **argv = procfs_parse_cmdline((const char *)data, size);
	size_t off = 0;

	FUZZ_CHECK(argv != NULL);
	for (char **a = argv; *a != NULL; a++) {
		size_t n = strlen(*a);

		FUZZ_CHECK(off + n <= size);
		FUZZ_CHECK(memcmp(*a, data + off, n) == 0);
		off += n;
		FUZZ_CHECK(off == size || data[off] == '\0');
		off++;
	}
	/* Every byte is in an argument or ends one; the last NUL may be missing. */
	FUZZ_CHECK(off == size || off == size + 1);
	if (off == size + 1)
		FUZZ_CHECK(data[size - 1] != '\0');
	free(argv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_status(data, size);
	check_stat(data, size);
	check_cmdline(data, size);
	return 0;
}
