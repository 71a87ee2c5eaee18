// SPDX-License-Identifier: MIT
/*
 * report-writers.c - the table of report formats: what each writes as a
 * process ends, at a live dump and at the end. main.c picks one by name.
 */
#include <string.h>

#include "dump.h"
#include "report.h"
#include "util.h"

static const struct report_writer writers[] = {
	{ .name = "text", .process = report_text_process,
	  .dump = dump_write_text, .end = report_text_summary },
	{ .name = "json", .dump = dump_write_json, .end = report_json },
	{ .name = "sarif", .dump = dump_write_text, .end = report_sarif,
	  .dumps_to_stderr = true },
	/* The page draws the dumps as a timeline: they are kept until the end. */
	{ .name = "html", .end = report_html, .keeps_dumps = true },
	/* Folded stacks are leaks only; dumps go to stderr as text. */
	{ .name = "folded", .dump = dump_write_text, .end = report_folded,
	  .dumps_to_stderr = true },
};

const struct report_writer *
report_writer_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(writers); i++) {
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	}
	return NULL;
}

const char *
report_writer_names(void)
{
	return "text, json, sarif, html or folded";
}
