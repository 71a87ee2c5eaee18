// SPDX-License-Identifier: MIT
/*
 * fuzz_report_read.c - report_read (fdleak --from) on arbitrary bytes: it
 * either fails with one line naming the problem, or gives a report that
 * every writer writes without a fault, and whose JSON, read back and
 * written again, is the same bytes (what --from reads is what it writes).
 */
#include <string.h>

#include "dump.h"
#include "fuzz.h"
#include "report-read.h"
#include "report.h"

/* What --format=json writes: a line per dump, then the report. */
static void
write_json(FILE *f, const struct report *r)
{
	for (size_t d = 0; d < r->ndumps; d++)
		dump_write_json(f, r, &r->dumps[d]);
	report_json(f, r);
}

static void
write_text(FILE *f, const struct report *r)
{
	for (size_t d = 0; d < r->ndumps; d++)
		dump_write_text(f, r, &r->dumps[d]);
	for (size_t i = 0; i < r->nprocs; i++)
		report_text_process(f, r, &r->procs[i]);
	report_text_summary(f, r);
}

static char *
written(void (*fn)(FILE *, const struct report *), const struct report *r,
    size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_CHECK(f != NULL);
	fn(f, r);
	FUZZ_CHECK(fclose(f) == 0);
	return buf;
}

/* Read len bytes of data; 0, or -1 after checking the message. */
static int
read_bytes(const void *data, size_t len, struct report *r)
{
	FILE *f = len > 0 ? fmemopen((void *)data, len, "r") :
	    fopen("/dev/null", "r");
	char *err = NULL;
	int rc;

	FUZZ_CHECK(f != NULL);
	memset(r, 0, sizeof *r);
	rc = report_read(f, "fuzz.json", r, &err);
	fclose(f);
	FUZZ_CHECK((rc == 0) == (err == NULL));
	if (rc < 0) {
		FUZZ_CHECK(strncmp(err, "fuzz.json: ", 11) == 0);
		FUZZ_CHECK(strchr(err, '\n') == NULL);
		free(err);
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const writers[])(FILE *, const struct report *) = {
		write_text, report_sarif, report_html, report_folded,
	};
	struct report r, again, third;
	char *json, *json2, *out;
	size_t len, len2;

	if (read_bytes(data, size, &r) < 0) {
		report_free(&r);
		return 0;
	}
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		out = written(writers[i], &r, &len);
		free(out);
	}
	json = written(write_json, &r, &len);
	FUZZ_CHECK(read_bytes(json, len, &again) == 0);
	json2 = written(write_json, &again, &len2);
	/* Values the writer normalizes (an "ended" of -5 is null) settle in one pass. */
	FUZZ_CHECK(read_bytes(json2, len2, &third) == 0);
	out = written(write_json, &third, &len);
	FUZZ_CHECK(len == len2 && memcmp(out, json2, len) == 0);
	free(out);
	free(json2);
	free(json);
	report_free(&third);
	report_free(&again);
	report_free(&r);
	return 0;
}
