// SPDX-License-Identifier: MIT
/*
 * flame.c - leak sites as flame graph paths (see flame.h): one walk that
 * both the folded writer and the HTML flame graph use, so the picture and
 * the file for flamegraph.pl or speedscope hold the same stacks.
 */
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "json.h"
#include "util.h"

#define LABEL_MAX	512

/* s sanitized into buf: ';' -> ':', control bytes and invalid UTF-8 -> '?'. */
static const char *
sanitize(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s), i = 0, o = 0, n;

	while (i < len && o + 4 < size) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (n = json_utf8_seq(s + i, len - i)) == 0) {
			buf[o++] = '?';
			i++;
		} else if (c == ';') {
			buf[o++] = ':';
			i++;
		} else {
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
flame_label(const struct report_frame *f, char *buf, size_t size)
{
	char label[LABEL_MAX];

	return sanitize(report_frame_label(f, label, sizeof label), buf, size);
}

void
flame_walk(const struct report *r,
    void (*fn)(const char *const *path, size_t n, size_t count, void *arg),
    void *arg)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc_report *p = &r->procs[i];
		const char *cmd = p->command != NULL ? p->command : "?";
		const char *base = path_base(cmd);
		char proc[LABEL_MAX];
		struct site *sites;
		size_t nsites;

		sanitize(*base != '\0' ? base : cmd, proc, sizeof proc);
		sites = report_sites(p, &nsites);
		for (size_t j = 0; j < nsites; j++) {
			struct report_stack st = report_stack(r, sites[j].stack);
			size_t n = st.n ? st.n : 1;
			char (*labels)[LABEL_MAX] = xcalloc(n, LABEL_MAX);
			const char **path = xcalloc(n + 1, sizeof *path);

			path[0] = proc;
			for (unsigned k = 0; k < st.n; k++)
				path[st.n - k] = flame_label(&st.frames[k],
				    labels[k], LABEL_MAX);
			if (st.n == 0)
				path[1] = "(no stack)";
			fn(path, n + 1, sites[j].count, arg);
			free(path);
			free(labels);
		}
		report_sites_free(sites, nsites);
	}
}

struct child_key {
	const struct flame *fl;
	uint32_t parent;
	const char *name;	/* interned: compared by pointer */
};

static bool
child_eq(const void *arg, uint32_t entry)
{
	const struct child_key *k = arg;
	const struct flame_node *nd = &k->fl->nodes[entry];

	return nd->parent == k->parent && nd->name == k->name;
}

static uint32_t
add_node(struct flame *fl, uint32_t parent, const char *name)
{
	struct child_key k = { fl, parent, strpool_intern(&fl->names, name) };
	uint64_t h = hash_int((uint64_t)parent ^ (uint64_t)(uintptr_t)k.name);
	uint32_t e = hindex_find(&fl->ix, h, child_eq, &k);
	struct flame_node *nd;

	if (e != HINDEX_NONE)
		return e;
	fl->nodes = xgrow(fl->nodes, fl->n, sizeof *fl->nodes);
	e = (uint32_t)fl->n++;
	nd = &fl->nodes[e];
	*nd = (struct flame_node){ k.name, 0, parent, FLAME_NONE, FLAME_NONE,
	    parent == FLAME_NONE ? 0 : fl->nodes[parent].depth + 1 };
	if (parent != FLAME_NONE) {
		nd->next = fl->nodes[parent].child;
		fl->nodes[parent].child = e;
	}
	hindex_add(&fl->ix, h, e);
	return e;
}

static void
add_path(const char *const *path, size_t n, size_t count, void *arg)
{
	struct flame *fl = arg;
	uint32_t at = 0;

	fl->nodes[0].count += count;
	for (size_t i = 0; i < n; i++) {
		at = add_node(fl, at, path[i]);
		fl->nodes[at].count += count;
	}
}

void
flame_build(struct flame *fl, const struct report *r)
{
	memset(fl, 0, sizeof *fl);
	add_node(fl, FLAME_NONE, "all");
	flame_walk(r, add_path, fl);
}

void
flame_free(struct flame *fl)
{
	free(fl->nodes);
	strpool_free(&fl->names);
	hindex_free(&fl->ix);
	memset(fl, 0, sizeof *fl);
}

static const struct flame *sort_fl;	/* qsort has no argument: single-threaded */

static int
child_cmp(const void *a, const void *b)
{
	const struct flame_node *x = &sort_fl->nodes[*(const uint32_t *)a];
	const struct flame_node *y = &sort_fl->nodes[*(const uint32_t *)b];

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

uint32_t *
flame_children(const struct flame *fl, uint32_t i, size_t *n)
{
	uint32_t *v = NULL;
	size_t k = 0;

	for (uint32_t c = fl->nodes[i].child; c != FLAME_NONE; c = fl->nodes[c].next) {
		v = xgrow(v, k, sizeof *v);
		v[k++] = c;
	}
	sort_fl = fl;
	if (k > 1)
		qsort(v, k, sizeof *v, child_cmp);
	sort_fl = NULL;
	*n = k;
	return v;
}
