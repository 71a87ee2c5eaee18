/* SPDX-License-Identifier: MIT */
/*
 * report-read.h - a saved JSON report read back (fdleak --from): the
 * records, stacks and dumps every writer needs to write what the live run
 * wrote.
 */
#ifndef FDLEAK_REPORT_READ_H
#define FDLEAK_REPORT_READ_H

#include <stdio.h>

#include "report.h"

/*
 * Read what --format=json (or --json-file) wrote, zero or more dump lines
 * then the report, from f (called name in messages) into r, which must be
 * zeroed: its options, processes, suppression entries, stacks (r->stacks,
 * made here) and dumps (r->dumps). Returns 0; or -1 with *err a malloc'd
 * one-line message naming the problem (not JSON, truncated, not an fdleak
 * report, another major version, a field missing or out of range), r then
 * holding what was read so far: free it with report_free either way.
 */
int report_read(FILE *f, const char *name, struct report *r, char **err);

#endif
