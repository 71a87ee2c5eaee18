/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - what several unit tests need: where a function of the test
 * binary lives, what a writer writes, and an external check of a written
 * document. Included after <cmocka.h>, "report.h" and "stack.h"; each test
 * uses what it needs.
 */
#ifndef FDLEAK_TEST_HELPERS_H
#define FDLEAK_TEST_HELPERS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define UNUSED_OK __attribute__((unused))

/* Module and file offset of pc in this process, from /proc/self/maps. */
static UNUSED_OK struct frame
self_frame(uint64_t pc)
{
	struct frame fr = { .pc = pc };
	char line[4096], *exe;
	FILE *f;

	exe = realpath("/proc/self/exe", NULL);
	assert_non_null(exe);
	f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		uint64_t start, end, off;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64,
		    &start, &end, &off) != 3)
			continue;
		if (pc >= start && pc < end) {
			assert_non_null(strstr(line, exe));
			fr.offset = pc - start + off;
			fr.module = module_intern(exe);
			break;
		}
	}
	fclose(f);
	free(exe);
	assert_int_not_equal(fr.module, 0);
	return fr;
}

/* What write writes given arg, as a malloc'd string (no NUL inside). */
static UNUSED_OK char *
memstream_text(void (*write)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	write(f, arg);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

struct written_job {
	void (*fn)(FILE *, const struct report *);
	const struct report *r;
};

static UNUSED_OK void
written_call(FILE *f, void *arg)
{
	const struct written_job *j = arg;

	j->fn(f, j->r);
}

/* What report writer fn writes about r, as a malloc'd string. */
static UNUSED_OK char *
report_written(void (*fn)(FILE *, const struct report *),
    const struct report *r)
{
	struct written_job j = { fn, r };

	return memstream_text(written_call, &j);
}

/*
 * Feed doc to `python3 -c script`; its exit status. Skips the test where
 * python3 is missing (status 127).
 */
static UNUSED_OK int
python_check(const char *doc, const char *script)
{
	char *cmd;
	FILE *p;
	int st;

	assert_true(asprintf(&cmd, "python3 -c '%s'", script) > 0);
	p = popen(cmd, "w");
	free(cmd);
	assert_non_null(p);
	fputs(doc, p);
	st = pclose(p);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 127)
		skip();
	return WEXITSTATUS(st);
}

#endif
