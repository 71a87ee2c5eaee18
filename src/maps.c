// SPDX-License-Identifier: MIT
/*
 * maps.c - a cached, sorted copy of /proc/PID/maps, looked up by binary
 * search on the unwinding hot path. The file is read again only when a
 * lookup misses, at most once per batch (maps_tick), and an address that
 * a fresh read did not find is remembered as unmapped, so a garbage pc
 * repeated on every stack costs one read, not one per stack.
 *
 * Module ids: a file gets module_intern(path). "[vdso]" and "[vsyscall]"
 * hold code and get an id too, so a report can name them; every other
 * pseudo-path ("[heap]", "[stack]", "[vvar]", "[anon:x]") and anonymous
 * memory is module 0. A "(deleted)" file keeps its path without the
 * suffix (symbolization may still find the same build by that name) and
 * is flagged, so that nobody opens whatever file now has that name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "procfs.h"
#include "stack.h"
#include "util.h"

#define MAPS_NEG	32	/* remembered unmapped pages */
#define MAPS_PAGE_SHIFT	12
/*
 * The longest maps file read: a cut one would end in a cut path (a wrong
 * module), so a longer one is not read at all. 65530 mappings (the
 * default vm.max_map_count) of typical paths take 10 MiB.
 */
#define MAPS_MAX	((size_t)256 << 20)

struct maps {
	pid_t pid;
	pid_t tid;		/* read through this thread; 0 = through pid */
	struct mapping *v;	/* sorted by start, no overlaps */
	size_t n, cap;
	size_t last;		/* index of the last hit */
	bool loaded;
	bool may_read;		/* this batch may still re-read */
	unsigned reads;
	unsigned generation;
	uint64_t neg[MAPS_NEG];	/* page numbers known unmapped */
	unsigned nneg, negnext;
	char *buf;		/* file contents, reused */
	size_t bufcap;
};

struct maps *
maps_new(pid_t pid)
{
	struct maps *m = xcalloc(1, sizeof *m);

	m->pid = pid;
	m->may_read = true;
	return m;
}

void
maps_free(struct maps *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->buf);
	free(m);
}

/* Hex number of 1 to 16 digits; NULL if none or too long. */
static char *
parse_hex(char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0;

	for (;; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (n == 16)
			return NULL;
		x = x << 4 | (uint64_t)d;
	}
	if (n == 0)
		return NULL;
	*v = x;
	return s;
}

/* Decimal number that fits in 64 bits; NULL if none or too big. */
static char *
parse_dec(char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	if (n == 0)
		return NULL;
	*v = x;
	return s;
}

/* At least one blank; NULL if none. */
static char *
skip_blanks(char *s)
{
	if (*s != ' ' && *s != '\t')
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
maps_parse_line(char *line, struct mapping *out, char **path)
{
	static const char suffix[] = " (deleted)";
	uint64_t start, end, offset, major, minor, inode;
	char *s = line, *p, perm[4];
	size_t len;

	if ((s = parse_hex(s, &start)) == NULL || *s++ != '-' ||
	    (s = parse_hex(s, &end)) == NULL || (s = skip_blanks(s)) == NULL)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (s[i] == '\0')
			return -1;
		perm[i] = s[i];
	}
	if ((perm[0] != 'r' && perm[0] != '-') ||
	    (perm[1] != 'w' && perm[1] != '-') ||
	    (perm[2] != 'x' && perm[2] != '-') ||
	    (perm[3] != 'p' && perm[3] != 's'))
		return -1;
	s += 4;
	if ((s = skip_blanks(s)) == NULL ||
	    (s = parse_hex(s, &offset)) == NULL ||
	    (s = skip_blanks(s)) == NULL ||
	    (s = parse_hex(s, &major)) == NULL || *s++ != ':' ||
	    (s = parse_hex(s, &minor)) == NULL ||
	    (s = skip_blanks(s)) == NULL ||
	    (s = parse_dec(s, &inode)) == NULL)
		return -1;
	/* Device numbers are 12:20 bits in the kernel. */
	if (start >= end || (start & 0xfff) != 0 || (end & 0xfff) != 0 ||
	    major > 0xfff || minor > 0xfffff)
		return -1;

	/* Then nothing, or blanks and a path that may hold blanks. */
	while (*s == ' ' || *s == '\t')
		s++;
	p = s;
	len = strlen(p);
	if (len > 0 && p[len - 1] == '\n')
		p[--len] = '\0';
	if (memchr(p, '\n', len) != NULL)
		return -1;

	memset(out, 0, sizeof *out);
	out->start = start;
	out->end = end;
	out->offset = offset;
	out->inode = inode;
	out->exec = perm[2] == 'x';
	out->write = perm[1] == 'w';
	if (len >= sizeof suffix &&
	    strcmp(p + len - (sizeof suffix - 1), suffix) == 0) {
		out->deleted = true;
		len -= sizeof suffix - 1;
		p[len] = '\0';
	}
	*path = len > 0 ? p : NULL;
	return 0;
}

/* Which module a path is; see the comment at the top of the file. */
static uint32_t
module_of(const char *path)
{
	if (path == NULL)
		return 0;
	if (path[0] == '[') {
		if (strcmp(path, "[vdso]") == 0 ||
		    strcmp(path, "[vsyscall]") == 0)
			return module_intern(path);
		return 0;
	}
	return module_intern(path);
}

/* Read the whole file into m->buf; its length, or -1. */
static ssize_t
read_maps(struct maps *m)
{
	char name[64];

	if (m->tid > 0 && m->tid != m->pid)
		snprintf(name, sizeof name, "/proc/%d/task/%d/maps", (int)m->pid,
		    (int)m->tid);
	else
		snprintf(name, sizeof name, "/proc/%d/maps", (int)m->pid);
	return procfs_read_into(name, MAPS_MAX, PROCFS_WHOLE, &m->buf,
	    &m->bufcap);
}

static int
mapping_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool
same_file_mapping(const struct mapping *a, const struct mapping *b)
{
	return a->start == b->start && a->end == b->end &&
	    a->offset == b->offset && a->module == b->module &&
	    a->inode == b->inode && a->deleted == b->deleted &&
	    a->exec == b->exec && a->write == b->write;
}

/* Did the file-backed mappings change between two sorted arrays? */
static bool
files_changed(const struct mapping *a, size_t na, const struct mapping *b,
    size_t nb)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < na && a[i].module == 0)
			i++;
		while (j < nb && b[j].module == 0)
			j++;
		if (i == na || j == nb)
			return i != na || j != nb;
		if (!same_file_mapping(&a[i], &b[j]))
			return true;
		i++;
		j++;
	}
}

static void
neg_forget_mapped(struct maps *m);

/* Re-read /proc/PID/maps. On failure the old contents stay. */
static void
maps_load(struct maps *m)
{
	struct mapping *v = NULL;
	size_t n = 0, cap = 0;
	bool sorted = true;
	ssize_t len;
	char *line, *next;

	m->reads++;
	m->may_read = false;
	if ((len = read_maps(m)) < 0)
		return;
	for (line = m->buf; line < m->buf + len; line = next) {
		struct mapping e;
		char *path;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = m->buf + len;
		if (maps_parse_line(line, &e, &path) == -1)
			continue;
		e.module = module_of(path);
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			v = xreallocarray(v, cap, sizeof *v);
		}
		if (n > 0 && v[n - 1].start > e.start)
			sorted = false;
		v[n++] = e;
	}
	if (!sorted)
		qsort(v, n, sizeof *v, mapping_cmp);
	if (!m->loaded || files_changed(m->v, m->n, v, n))
		m->generation++;
	free(m->v);
	m->v = v;
	m->n = n;
	m->cap = cap;
	m->last = 0;
	m->loaded = true;
	neg_forget_mapped(m);
}

static const struct mapping *
search(struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	if (m->last < m->n && addr >= m->v[m->last].start &&
	    addr < m->v[m->last].end)
		return &m->v[m->last];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < m->v[mid].start)
			hi = mid;
		else if (addr >= m->v[mid].end)
			lo = mid + 1;
		else {
			m->last = mid;
			return &m->v[mid];
		}
	}
	return NULL;
}

static bool
neg_has(const struct maps *m, uint64_t addr)
{
	uint64_t pg = addr >> MAPS_PAGE_SHIFT;

	for (unsigned i = 0; i < m->nneg; i++) {
		if (m->neg[i] == pg)
			return true;
	}
	return false;
}

static void
neg_add(struct maps *m, uint64_t addr)
{
	m->neg[m->negnext] = addr >> MAPS_PAGE_SHIFT;
	m->negnext = (m->negnext + 1) % MAPS_NEG;
	if (m->nneg < MAPS_NEG)
		m->nneg++;
}

/* After a re-read: a page that is mapped now is no longer known unmapped. */
static void
neg_forget_mapped(struct maps *m)
{
	unsigned i, j;

	for (i = j = 0; i < m->nneg; i++) {
		if (search(m, m->neg[i] << MAPS_PAGE_SHIFT) == NULL)
			m->neg[j++] = m->neg[i];
	}
	m->nneg = j;
	m->negnext = j % MAPS_NEG;
}

/* The first lookup reads; a failed read is retried in the next batch. */
static bool
ensure_loaded(struct maps *m)
{
	if (!m->loaded && m->may_read)
		maps_load(m);
	return m->loaded;
}

const struct mapping *
maps_lookup(struct maps *m, uint64_t addr)
{
	if (!ensure_loaded(m))
		return NULL;
	return search(m, addr);
}

const struct mapping *
maps_find(struct maps *m, uint64_t addr)
{
	const struct mapping *e;

	if (!ensure_loaded(m))
		return NULL;
	if ((e = search(m, addr)) != NULL)
		return e;
	if (neg_has(m, addr) || !m->may_read)
		return NULL;
	maps_load(m);
	if ((e = search(m, addr)) == NULL)
		neg_add(m, addr);
	return e;
}

const struct mapping *
maps_file_base(struct maps *m, const struct mapping *map)
{
	size_t i;

	if (map < m->v || map >= m->v + m->n)
		return NULL;
	i = (size_t)(map - m->v);
	/* Gaps between a file's segments are anonymous (.bss) or its own. */
	for (size_t steps = 0; steps < 64; steps++, i--) {
		const struct mapping *e = &m->v[i];

		if (e->module == map->module && e->inode == map->inode) {
			if (e->offset == 0)
				return e;
		} else if (e->module != 0)
			return NULL;
		if (i == 0)
			break;
	}
	return NULL;
}

void
maps_tick(struct maps *m)
{
	m->may_read = true;
}

void
maps_set_tid(struct maps *m, pid_t tid)
{
	m->tid = tid;
}

void
maps_invalidate(struct maps *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = m->last = 0;
	m->loaded = false;
	m->may_read = true;
	m->nneg = m->negnext = 0;
	m->generation++;
}

unsigned
maps_reads(const struct maps *m)
{
	return m->reads;
}

unsigned
maps_generation(const struct maps *m)
{
	return m->generation;
}
