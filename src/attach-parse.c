// SPDX-License-Identifier: MIT
/*
 * attach-parse.c - the pure parsers behind attach.c's checks: the fields
 * of /proc/PID/status and /proc/PID/stat that decide whether a process
 * may be attached to. Kept apart so tests and fuzzers need nothing else.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"

int
attach_parse_status(const char *text, struct proc_status *st)
{
	enum { STATE = 1, TRACER = 2, PPID = 4, UID = 8 };
	const char *line = text;
	unsigned seen = 0;

	memset(st, 0, sizeof *st);
	st->uid = -1;
	while (line != NULL && *line != '\0') {
		if (strncmp(line, "State:", 6) == 0) {
			const char *s = line + 6;

			while (*s == ' ' || *s == '\t')
				s++;
			st->state = *s;
			seen |= STATE;
		} else if (strncmp(line, "TracerPid:", 10) == 0) {
			st->tracer = (int)strtol(line + 10, NULL, 10);
			seen |= TRACER;
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			st->tgid = (int)strtol(line + 5, NULL, 10);
		} else if (strncmp(line, "PPid:", 5) == 0) {
			st->ppid = (int)strtol(line + 5, NULL, 10);
			seen |= PPID;
		} else if (strncmp(line, "Uid:", 4) == 0) {
			st->uid = strtol(line + 4, NULL, 10);
			seen |= UID;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return seen == (STATE | TRACER | PPID | UID) ? 0 : -1;
}

long
attach_parse_stat_flags(const char *text)
{
	const char *s = strrchr(text, ')');	/* comm may hold spaces and parens */
	unsigned long flags;
	char *end;

	if (s == NULL)
		return -1;
	/* Fields after comm: state ppid pgrp session tty_nr tpgid flags. */
	s++;
	for (int field = 0; field < 6; field++) {
		while (*s == ' ')
			s++;
		s += strcspn(s, " ");
	}
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	flags = strtoul(s, &end, 10);
	if (errno != 0 || flags > (unsigned long)LONG_MAX || (*end != ' ' && *end != '\0'))
		return -1;
	return (long)flags;
}
