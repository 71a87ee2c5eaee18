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
	{ "text", report_text_process, dump_write_text, report_text_summary, false },
	{ "json", NULL, dump_write_json, report_json, false },
	{ "sarif", NULL, dump_write_text, report_sarif, true },
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
	return "text, json or sarif";
}
