// SPDX-License-Identifier: MIT
/*
 * fuzz_maps.c - maps_parse_line on arbitrary text. On success: a
 * non-empty page-aligned range, fields that sscanf reads the same way,
 * a path that is the rest of the line less the newline and " (deleted)"
 * (and deleted says which), nothing else in the line changed, module 0,
 * and the canonical line printed back from the result parses the same.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "maps.h"

/* module_intern is in stack.c; maps_parse_line never calls it. */
uint32_t module_intern(const char *path);

uint32_t
module_intern(const char *path)
{
	(void)path;
	abort();
}

static const char deleted_sfx[] = " (deleted)";

static void
check_path(const char *orig, const char *line, const struct mapping *m,
    const char *path)
{
	const char *tail;
	size_t tlen, plen, dlen = sizeof deleted_sfx - 1;

	if (path == NULL) {
		/* Only the newline may have been cut. */
		size_t n = strlen(orig);

		FUZZ_CHECK(!m->deleted);
		if (n > 0 && orig[n - 1] == '\n')
			n--;
		FUZZ_CHECK(strlen(line) == n && memcmp(line, orig, n) == 0);
		return;
	}
	FUZZ_CHECK(path > line && path < line + strlen(orig));
	plen = strlen(path);
	FUZZ_CHECK(plen > 0);
	FUZZ_CHECK(strchr(path, '\n') == NULL);
	FUZZ_CHECK(path[0] != ' ' && path[0] != '\t');
	/* Everything before the path is as it was. */
	FUZZ_CHECK(memcmp(line, orig, (size_t)(path - line)) == 0);

	tail = orig + (path - line);
	tlen = strlen(tail);
	if (tlen > 0 && tail[tlen - 1] == '\n')
		tlen--;
	if (m->deleted) {
		FUZZ_CHECK(tlen == plen + dlen);
		FUZZ_CHECK(memcmp(tail + plen, deleted_sfx, dlen) == 0);
	} else {
		FUZZ_CHECK(tlen == plen);
		FUZZ_CHECK(tlen < dlen ||
		    memcmp(tail + tlen - dlen, deleted_sfx, dlen) != 0);
	}
	FUZZ_CHECK(memcmp(tail, path, plen) == 0);
}

/* Print m back in the kernel's format and parse that again. */
static void
check_roundtrip(const struct mapping *m, const char *path, char perm0,
    char perm3)
{
	struct mapping m2;
	char *line, *path2;
	int n;

	n = asprintf(&line, "%" PRIx64 "-%" PRIx64 " %c%c%c%c %08" PRIx64
	    " fd:01 %" PRIu64 "%s%s%s\n", m->start, m->end, perm0,
	    m->write ? 'w' : '-', m->exec ? 'x' : '-', perm3, m->offset,
	    m->inode, path != NULL ? "                    " : "",
	    path != NULL ? path : "", m->deleted ? deleted_sfx : "");
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(maps_parse_line(line, &m2, &path2) == 0);
	FUZZ_CHECK(m2.start == m->start && m2.end == m->end &&
	    m2.offset == m->offset && m2.inode == m->inode &&
	    m2.exec == m->exec && m2.write == m->write &&
	    m2.deleted == m->deleted && m2.module == 0);
	FUZZ_CHECK((path == NULL) == (path2 == NULL));
	FUZZ_CHECK(path == NULL || strcmp(path, path2) == 0);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mapping m;
	uint64_t start, end, offset, inode;
	unsigned major, minor;
	char *orig, *line, *path = (char *)0x1, perm[5];

	/* A C string, as maps_load hands lines over; a NUL ends it early. */
	orig = malloc(size + 1);
	line = malloc(size + 1);
	FUZZ_CHECK(orig != NULL && line != NULL);
	memcpy(orig, data, size);
	orig[size] = '\0';
	memcpy(line, orig, size + 1);

	if (maps_parse_line(line, &m, &path) == 0) {
		FUZZ_CHECK(m.start < m.end);
		FUZZ_CHECK((m.start & 0xfff) == 0 && (m.end & 0xfff) == 0);
		FUZZ_CHECK(m.module == 0);
		/* sscanf is laxer: what the parser took, it reads alike. */
		memset(perm, 0, sizeof perm);
		FUZZ_CHECK(sscanf(orig, "%" SCNx64 "-%" SCNx64 " %4c %" SCNx64
		    " %x:%x %" SCNu64, &start, &end, perm, &offset, &major,
		    &minor, &inode) == 7);
		FUZZ_CHECK(start == m.start && end == m.end &&
		    offset == m.offset && inode == m.inode);
		FUZZ_CHECK(major <= 0xfff && minor <= 0xfffff);
		FUZZ_CHECK(m.write == (perm[1] == 'w'));
		FUZZ_CHECK(m.exec == (perm[2] == 'x'));
		FUZZ_CHECK(strchr("r-", perm[0]) && strchr("w-", perm[1]) &&
		    strchr("x-", perm[2]) && strchr("ps", perm[3]));
		check_path(orig, line, &m, path);
		check_roundtrip(&m, path, perm[0], perm[3]);
	}
	free(orig);
	free(line);
	return 0;
}
