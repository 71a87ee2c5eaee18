// SPDX-License-Identifier: MIT
/*
 * fuzz_perfmap.c - perfmap_parse on arbitrary text. Every line the
 * harness reads as "HEX HEX NAME" (its own reading, the oracle) is an
 * entry; with few entries, a lookup at each entry's start, last byte and
 * end names what the last such line covering that address names.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "perfmap.h"

#define MAX_ORACLE	48	/* perfmap looks back 64 entries for overlaps */

struct line {
	unsigned long long start, end;
	const char *name;
};

/* "HEX SP HEX SP NAME" with a non-empty name and a non-empty range. */
static bool
oracle_line(char *s, struct line *l)
{
	char *p = s, *q;
	unsigned long long size;

	if (!isxdigit((unsigned char)*p))
		return false;
	errno = 0;
	l->start = strtoull(p, &q, 16);
	if (*q != ' ' || errno != 0)
		return false;
	p = q + 1;
	if (!isxdigit((unsigned char)*p))
		return false;
	size = strtoull(p, &q, 16);
	if (*q != ' ' || errno != 0 || q[1] == '\0' || size == 0)
		return false;
	l->end = l->start + size;
	if (l->end < l->start)
		return false;
	l->name = q + 1;
	return true;
}

static const char *
oracle_lookup(const struct line *v, size_t n, unsigned long long pc)
{
	for (size_t i = n; i-- > 0;)
		if (v[i].start <= pc && pc < v[i].end)
			return v[i].name;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap *m = perfmap_parse((const char *)data, size);
	char *text = malloc(size + 1), *p;
	struct line v[MAX_ORACLE];
	size_t n = 0, lines = 0;
	bool all = true;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; p < text + size;) {
		char *nl = memchr(p, '\n', (size_t)(text + size - p));

		lines++;
		if (nl != NULL)
			*nl = '\0';
		if (n < MAX_ORACLE) {
			if (oracle_line(p, &v[n]))
				n++;
		} else {
			all = false;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	FUZZ_CHECK(perfmap_count(m) <= lines);
	FUZZ_CHECK((m == NULL) == (perfmap_count(m) == 0));
	/* A NUL inside the data hides what follows it on that line from the oracle. */
	if (all && memchr(data, '\0', size) == NULL) {
		FUZZ_CHECK(perfmap_count(m) == n);
		for (size_t i = 0; i < n; i++) {
			unsigned long long at[3] = { v[i].start, v[i].end - 1,
			    v[i].end };

			for (int k = 0; k < 3; k++) {
				const char *want = oracle_lookup(v, n, at[k]);
				const char *got = perfmap_lookup(m, at[k]);

				FUZZ_CHECK((want == NULL) == (got == NULL));
				FUZZ_CHECK(want == NULL || strcmp(want, got) == 0);
			}
		}
	}
	perfmap_free(m);
	free(text);
	return 0;
}
