// SPDX-License-Identifier: MIT
/*
 * report-folded.c - the leaks as folded stacks, the input of
 * flamegraph.pl, inferno and speedscope: one line per leak site,
 *
 *	PROCESS;FRAME;...;FRAME COUNT
 *
 * root first: PROCESS is the file name of the process's command, FRAME a
 * frame's function (or MODULE+0xOFFSET, or ???), outermost first, inlined
 * frames before the frame they are inlined into, COUNT the fds leaked
 * there. Labels are flame_label()'s: never a ';', a control byte or
 * invalid UTF-8. Processes come in the report's order, sites as in the
 * text report; tools that sum equal paths merge processes of one program.
 */
#include "flame.h"
#include "report.h"

static void
folded_line(const char *const *path, size_t n, size_t count, void *arg)
{
	FILE *f = arg;

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(';', f);
		fputs(path[i], f);
	}
	fprintf(f, " %zu\n", count);
}

void
report_folded(FILE *f, const struct report *r)
{
	flame_walk(r, folded_line, f);
}
