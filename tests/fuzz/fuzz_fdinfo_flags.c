// SPDX-License-Identifier: MIT
/*
 * fuzz_fdinfo_flags.c - fdinfo_parse_flags on arbitrary bytes, not
 * NUL-terminated (ASan sees any read past len). The result must match a
 * reference written here from the format: the first line that starts
 * with "flags:" decides; blanks, then octal digits worth at most
 * 0xffffffff, then a blank or the end of the line. A value it accepts
 * must come back the same from an fdinfo file printed the kernel's way.
 */
#include <string.h>

#include "fdinfo.h"
#include "fuzz.h"

static int
ref_parse_flags(const char *t, size_t len, unsigned *flags)
{
	const char *end = t + len, *line, *eol, *d;
	size_t sig;
	unsigned long long v = 0;

	for (line = t; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		if ((size_t)(eol - line) < 6 || memcmp(line, "flags:", 6) != 0)
			continue;
		d = line + 6;
		while (d < eol && (*d == ' ' || *d == '\t'))
			d++;
		if (d == eol || *d < '0' || *d > '7')
			return -1;
		while (d < eol && *d == '0')
			d++;
		/* Significant digits: 11 octal digits, the first <= 3, fit. */
		sig = 0;
		while (d + sig < eol && d[sig] >= '0' && d[sig] <= '7')
			sig++;
		if (sig > 11 || (sig == 11 && d[0] > '3'))
			return -1;
		if (d + sig < eol && d[sig] != ' ' && d[sig] != '\t')
			return -1;
		for (size_t i = 0; i < sig; i++)
			v = v * 8 + (unsigned)(d[i] - '0');
		*flags = (unsigned)v;
		return 0;
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	unsigned got = 0, want = 0, again = 0;
	int r, rr;
	char *text;

	FUZZ_CHECK(fdinfo_parse_flags(NULL, size, &got) == -1);
	r = fdinfo_parse_flags(t, size, &got);
	rr = ref_parse_flags(t, size, &want);
	FUZZ_CHECK(r == 0 || r == -1);
	FUZZ_CHECK(r == rr);
	if (r != 0)
		return 0;
	FUZZ_CHECK(got == want);

	/* As /proc/PID/fdinfo/N prints it. */
	FUZZ_CHECK(asprintf(&text, "pos:\t0\nflags:\t0%o\nmnt_id:\t15\n"
	    "ino:\t1234\n", got) > 0);
	FUZZ_CHECK(fdinfo_parse_flags(text, strlen(text), &again) == 0);
	FUZZ_CHECK(again == got);
	free(text);
	return 0;
}
