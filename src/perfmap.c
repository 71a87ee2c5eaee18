// SPDX-License-Identifier: MIT
/*
 * perfmap.c - JIT code names from /tmp/perf-PID.map (see perfmap.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfmap.h"
#include "util.h"

#define PERFMAP_MAX	(64u << 20)
/* How many earlier-starting entries a lookup looks back at for overlaps. */
#define OVERLAP_SCAN	64

struct entry {
	uint64_t start, end;	/* [start, end) */
	size_t line;		/* order in the file: later wins */
	const char *name;	/* into names */
};

struct perfmap {
	struct entry *v;
	size_t n;
	char *names;		/* owned: the names, NUL-separated */
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->line > y->line) - (x->line < y->line);
}

/* One line: hex START, hex SIZE, the rest the name. 0 when it parses. */
static int
parse_line(char *line, struct entry *e)
{
	char *end;
	unsigned long long start, size;

	/* strtoull would take blanks and a sign before the digits. */
	if (!isxdigit((unsigned char)*line))
		return -1;
	errno = 0;
	start = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || errno != 0)
		return -1;
	line = end + 1;
	if (!isxdigit((unsigned char)*line))
		return -1;
	size = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || errno != 0 || size == 0 ||
	    start + size < start)
		return -1;
	if (end[1] == '\0')
		return -1;
	e->start = start;
	e->end = start + size;
	e->name = end + 1;
	return 0;
}

struct perfmap *
perfmap_parse(const char *text, size_t len)
{
	struct perfmap *m = xcalloc(1, sizeof *m);
	size_t cap = 0, lines = 0;
	char *p;

	m->names = xmalloc(len + 1);
	memcpy(m->names, text, len);
	m->names[len] = '\0';
	for (p = m->names; p < m->names + len; lines++) {
		char *nl = memchr(p, '\n', (size_t)(m->names + len - p));
		struct entry e;

		if (nl != NULL)
			*nl = '\0';
		/* A NUL inside a line ends it: the rest is not read. */
		if (parse_line(p, &e) == 0) {
			e.line = lines;
			m->v = xgrow_index(m->v, &cap, m->n, sizeof *m->v);
			m->v[m->n++] = e;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (m->n == 0) {
		perfmap_free(m);
		return NULL;
	}
	qsort(m->v, m->n, sizeof *m->v, entry_cmp);
	return m;
}

struct perfmap *
perfmap_load(pid_t pid)
{
	char path[64], *text;
	struct perfmap *m;
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > PERFMAP_MAX) {
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size);
	while (len < (size_t)st.st_size &&
	    ((got = read(fd, text + len, (size_t)st.st_size - len)) > 0 ||
	    (got < 0 && errno == EINTR)))
		len += got > 0 ? (size_t)got : 0;
	close(fd);
	m = perfmap_parse(text, len);
	free(text);
	return m;
}

const char *
perfmap_lookup(const struct perfmap *m, uint64_t pc)
{
	const struct entry *best = NULL;
	size_t lo = 0, hi;

	if (m == NULL)
		return NULL;
	/* The last entry starting at or below pc... */
	hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and the ones before it that still cover pc: the latest wins. */
	for (size_t i = lo, seen = 0; i-- > 0 && seen < OVERLAP_SCAN; seen++) {
		const struct entry *e = &m->v[i];

		if (pc < e->end && (best == NULL || e->line > best->line))
			best = e;
	}
	return best != NULL ? best->name : NULL;
}

size_t
perfmap_count(const struct perfmap *m)
{
	return m != NULL ? m->n : 0;
}

void
perfmap_free(struct perfmap *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->names);
	free(m);
}
