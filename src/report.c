// SPDX-License-Identifier: MIT
/*
 * report.c - the result records the tracer fills in and the writers
 * (report-text.c, report-json.c, report-sarif.c) read, and the grouping
 * of a process's leaks into call sites they share.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "util.h"

/* Room for one more element in an array whose capacity is its count rounded up to a power of two. */
static void *
grow_pow2(void *array, size_t count, size_t size)
{
	if ((count & (count - 1)) == 0)
		array = xreallocarray(array, count ? count * 2 : 1, size);
	return array;
}

struct proc_report *
report_add_process(struct report *r)
{
	struct proc_report *p;

	r->procs = grow_pow2(r->procs, r->nprocs, sizeof *r->procs);
	p = &r->procs[r->nprocs++];
	memset(p, 0, sizeof *p);
	return p;
}

void
report_add_leak(struct proc_report *p, const struct leak *l)
{
	p->leaks = grow_pow2(p->leaks, p->nleaks, sizeof *p->leaks);
	p->leaks[p->nleaks++] = *l;
}

void
report_add_misuse(struct proc_report *p, const struct misuse *m)
{
	p->misuse = grow_pow2(p->misuse, p->nmisuse, sizeof *p->misuse);
	p->misuse[p->nmisuse++] = *m;
}

void
report_add_inherited(struct proc_report *p, const struct inherited *i)
{
	p->inherited = grow_pow2(p->inherited, p->ninherited, sizeof *p->inherited);
	p->inherited[p->ninherited++] = *i;
}

void
report_clear_leaks(struct proc_report *p)
{
	for (size_t j = 0; j < p->nleaks; j++)
		free(p->leaks[j].target);
	free(p->leaks);
	p->leaks = NULL;
	p->nleaks = 0;
}

static int
leak_cmp(const void *a, const void *b)
{
	const struct leak *x = a, *y = b;

	if (x->fd != y->fd)
		return (x->fd > y->fd) - (x->fd < y->fd);
	/* qsort is not stable; creation order breaks ties. */
	return (x->serial > y->serial) - (x->serial < y->serial);
}

void
report_sort_leaks(struct proc_report *p)
{
	if (p->nleaks > 1)
		qsort(p->leaks, p->nleaks, sizeof *p->leaks, leak_cmp);
}

/* The sum over r's processes of the size_t count at offset off of each record. */
static size_t
sum_field(const struct report *r, size_t off)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nprocs; i++)
		n += *(const size_t *)(const void *)((const char *)&r->procs[i] + off);
	return n;
}

static size_t
proc_sites(const struct proc_report *p)
{
	size_t ns;
	struct site *s = report_sites(p, &ns);

	report_sites_free(s, ns);
	return ns;
}

void
report_retire_last(struct report *r)
{
	struct proc_report *p;

	if (r->nprocs == 0)
		return;
	p = &r->procs[--r->nprocs];
	r->retired.procs++;
	r->retired.leaking += p->nleaks > 0;
	r->retired.leaks += p->nleaks;
	r->retired.sites += proc_sites(p);
	r->retired.misuse += p->nmisuse;
	r->retired.inherited += p->ninherited;
	r->retired.suppressed += p->nsuppressed;
	report_proc_free(p);
}

size_t
report_total_procs(const struct report *r)
{
	return r->retired.procs + r->nprocs;
}

size_t
report_total_leaking(const struct report *r)
{
	size_t n = r->retired.leaking;

	for (size_t i = 0; i < r->nprocs; i++)
		n += r->procs[i].nleaks > 0;
	return n;
}

size_t
report_total_leaks(const struct report *r)
{
	return r->retired.leaks + sum_field(r, offsetof(struct proc_report, nleaks));
}

size_t
report_total_sites(const struct report *r)
{
	size_t n = r->retired.sites;

	for (size_t i = 0; i < r->nprocs; i++)
		n += proc_sites(&r->procs[i]);
	return n;
}

size_t
report_total_misuse(const struct report *r)
{
	return r->retired.misuse + sum_field(r, offsetof(struct proc_report, nmisuse));
}

size_t
report_total_inherited(const struct report *r)
{
	return r->retired.inherited +
	    sum_field(r, offsetof(struct proc_report, ninherited));
}

size_t
report_total_suppressed(const struct report *r)
{
	return r->retired.suppressed +
	    sum_field(r, offsetof(struct proc_report, nsuppressed));
}

/* Leak indices by stack id, then by fd (p->leaks is sorted by fd). */
static const struct leak *sort_leaks;	/* qsort has no argument: single-threaded */

static int
index_by_stack(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct leak *x = &sort_leaks[i], *y = &sort_leaks[j];

	if (x->stack != y->stack)
		return (x->stack > y->stack) - (x->stack < y->stack);
	return (i > j) - (i < j);
}

static const struct leak *site_leaks;

static int
site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	const struct leak *ox = &site_leaks[x->oldest], *oy = &site_leaks[y->oldest];

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (ox->serial != oy->serial)
		return (ox->serial > oy->serial) - (ox->serial < oy->serial);
	if (ox->fd != oy->fd)
		return (ox->fd > oy->fd) - (ox->fd < oy->fd);
	return (x->stack > y->stack) - (x->stack < y->stack);
}

/* a created before b: by serial, then by fd (unknown origins have serial 0). */
static bool
older(const struct leak *a, const struct leak *b)
{
	if (a->serial != b->serial)
		return a->serial < b->serial;
	return a->fd < b->fd;
}

struct site *
report_sites(const struct proc_report *p, size_t *n)
{
	struct site *sites = NULL;
	size_t *idx, nsites = 0, i = 0;

	*n = 0;
	if (p->nleaks == 0)
		return NULL;
	idx = xreallocarray(NULL, p->nleaks, sizeof *idx);
	for (size_t k = 0; k < p->nleaks; k++)
		idx[k] = k;
	sort_leaks = p->leaks;
	qsort(idx, p->nleaks, sizeof *idx, index_by_stack);
	sort_leaks = NULL;
	while (i < p->nleaks) {
		size_t j = i;
		struct site *s;

		while (j < p->nleaks && p->leaks[idx[j]].stack == p->leaks[idx[i]].stack)
			j++;
		sites = grow_pow2(sites, nsites, sizeof *sites);
		s = &sites[nsites++];
		memset(s, 0, sizeof *s);
		s->stack = p->leaks[idx[i]].stack;
		s->count = j - i;
		s->leaks = xreallocarray(NULL, s->count, sizeof *s->leaks);
		memcpy(s->leaks, idx + i, s->count * sizeof *s->leaks);
		s->oldest = s->newest = s->leaks[0];
		for (size_t k = 0; k < s->count; k++) {
			const struct leak *l = &p->leaks[s->leaks[k]];

			s->kinds[(unsigned)l->kind < FDK_COUNT ? l->kind : FDK_OTHER]++;
			if (older(l, &p->leaks[s->oldest]))
				s->oldest = s->leaks[k];
			if (older(&p->leaks[s->newest], l))
				s->newest = s->leaks[k];
		}
		i = j;
	}
	free(idx);
	site_leaks = p->leaks;
	qsort(sites, nsites, sizeof *sites, site_cmp);
	site_leaks = NULL;
	*n = nsites;
	return sites;
}

void
report_sites_free(struct site *sites, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sites[i].leaks);
	free(sites);
}

static int
leak_serial_cmp(const void *a, const void *b)
{
	const struct leak *x = *(const struct leak *const *)a;
	const struct leak *y = *(const struct leak *const *)b;

	if (older(x, y))
		return -1;
	return older(y, x);
}

struct ranked {
	const char *target;
	size_t rank;		/* age order */
};

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	if (c != 0)
		return c;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

const char **
report_site_targets(const struct proc_report *p, const struct site *s,
    size_t *n)
{
	const struct leak **byage;
	struct ranked *r;
	const char **out;
	bool *first;
	size_t nr = 0, nout = 0;

	*n = 0;
	if (s->count == 0)
		return NULL;
	byage = xreallocarray(NULL, s->count, sizeof(const struct leak *));
	for (size_t k = 0; k < s->count; k++)
		byage[k] = &p->leaks[s->leaks[k]];
	qsort(byage, s->count, sizeof(const struct leak *), leak_serial_cmp);
	/* Sorted by text, the first of each run of equal targets is the oldest. */
	r = xreallocarray(NULL, s->count, sizeof *r);
	for (size_t k = 0; k < s->count; k++) {
		if (byage[k]->target != NULL)
			r[nr++] = (struct ranked){ byage[k]->target, k };
	}
	qsort(r, nr, sizeof *r, ranked_cmp);
	first = xcalloc(s->count, sizeof *first);
	for (size_t k = 0; k < nr; k++) {
		if (k == 0 || strcmp(r[k - 1].target, r[k].target) != 0)
			first[r[k].rank] = true;
	}
	out = xreallocarray(NULL, s->count, sizeof *out);
	for (size_t k = 0; k < s->count; k++) {
		if (first[k])
			out[nout++] = byage[k]->target;
	}
	free(first);
	free(r);
	free(byage);
	*n = nout;
	if (nout == 0) {
		free(out);
		return NULL;
	}
	return out;
}

const char *
report_misuse_name(enum misuse_type type)
{
	return type == MISUSE_DOUBLE_CLOSE ? "double-close" : "bad-close";
}

void
report_proc_free(struct proc_report *p)
{
	report_clear_leaks(p);
	for (size_t j = 0; j < p->ninherited; j++) {
		free(p->inherited[j].target);
		free(p->inherited[j].program);
	}
	free(p->misuse);
	free(p->inherited);
	free(p->command);
	memset(p, 0, sizeof *p);
}

void
report_free(struct report *r)
{
	for (size_t i = 0; i < r->nprocs; i++)
		report_proc_free(&r->procs[i]);
	free(r->procs);
	r->procs = NULL;
	r->nprocs = 0;
}

const char *
report_signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = NULL;

	/* sigabbrev_np() knows no realtime signals; name them as kill -l does. */
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		if (sig == SIGRTMIN)
			snprintf(buf, size, "SIGRTMIN");
		else
			snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	if (sig > 0)
		abbrev = sigabbrev_np(sig);
	if (abbrev != NULL)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}

const struct frame *
report_frames(uint32_t stack, const struct report_opts *o, unsigned *first,
    unsigned *end)
{
	const struct frame *fr = stack_get(stack, end);
	unsigned i = 0;

	if (o != NULL && o->depth != 0 && *end > o->depth)
		*end = o->depth;
	if (o == NULL || !o->libc_frames) {
		while (i < *end && module_is_libc(module_path(fr[i].module)))
			i++;
		if (i == *end)
			i = 0;
	}
	*first = i;
	return fr;
}

struct report_frame *
report_symbolize(uint32_t stack, const struct report_opts *o, size_t *n)
{
	struct sym_frame sf[16];
	struct report_frame *v = NULL;
	const struct frame *fr;
	unsigned first, end;
	size_t nv = 0;

	fr = report_frames(stack, o, &first, &end);
	for (unsigned i = first; i < end; i++) {
		unsigned ns = symbolize_frame(&fr[i], i > 0, sf, ARRAY_SIZE(sf));

		if (ns == 0) {
			sf[0] = (struct sym_frame){ 0 };
			ns = 1;
		}
		v = xreallocarray(v, nv + ns, sizeof *v);
		for (unsigned j = 0; j < ns; j++) {
			v[nv++] = (struct report_frame){
				.pc = fr[i].pc,
				.module = module_path(fr[i].module),
				.function = sf[j].function,
				.file = sf[j].file,
				.line = sf[j].line,
				.inlined = sf[j].inlined,
			};
		}
	}
	*n = nv;
	return v;
}
