// SPDX-License-Identifier: MIT
/*
 * report.c - the result records the tracer fills in and the writers
 * (report-*.c) read, and the grouping of a process's leaks into call
 * sites they share.
 */
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "hash.h"
#include "report.h"
#include "symstack.h"
#include "util.h"

struct proc_report *
report_add_process(struct report *r)
{
	struct proc_report *p;

	r->procs = xgrow(r->procs, r->nprocs, sizeof *r->procs);
	p = &r->procs[r->nprocs++];
	memset(p, 0, sizeof *p);
	p->ended = -1;
	return p;
}

void
report_add_leak(struct proc_report *p, const struct leak *l)
{
	p->leaks = xgrow(p->leaks, p->nleaks, sizeof *p->leaks);
	p->leaks[p->nleaks++] = *l;
}

/*
 * Failed closes group by call site: the same type at the same stack of
 * the same syscall. The first one's previous close and creation stand for
 * the group.
 */
static bool
same_misuse_site(const struct misuse *a, const struct misuse *b)
{
	return a->type == b->type && a->nr == b->nr && a->stack == b->stack;
}

/* One more failure at m's site, at fd. */
static void
misuse_count_fd(struct misuse *m, int fd)
{
	m->count++;
	for (unsigned i = 0; i < m->nfds; i++) {
		if (m->fds[i] == fd)
			return;
	}
	if (m->nfds < MISUSE_FDS_KEPT)
		m->fds[m->nfds++] = fd;
	else
		m->more_fds++;
}

void
report_add_misuse(struct proc_report *p, const struct misuse *m)
{
	struct misuse *g;

	/* Sites are few: a program that fails a close often does it at one place. */
	for (size_t i = p->nmisuse; i-- > 0;) {
		if (same_misuse_site(&p->misuse[i], m)) {
			misuse_count_fd(&p->misuse[i], m->fd);
			return;
		}
	}
	p->misuse = xgrow(p->misuse, p->nmisuse, sizeof *p->misuse);
	g = &p->misuse[p->nmisuse++];
	*g = *m;
	g->count = 0;
	g->nfds = 0;
	g->more_fds = 0;
	misuse_count_fd(g, m->fd);
}

void
report_add_unopened_close(struct proc_report *p, int fd)
{
	if (p->unopened_closes == 0 || fd < p->unopened_lo)
		p->unopened_lo = fd;
	if (p->unopened_closes == 0 || fd > p->unopened_hi)
		p->unopened_hi = fd;
	p->unopened_closes++;
}

void
report_add_inherited(struct proc_report *p, const struct inherited *i)
{
	p->inherited = xgrow(p->inherited, p->ninherited, sizeof *p->inherited);
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

size_t
report_proc_misuse(const struct proc_report *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nmisuse; i++)
		n += p->misuse[i].count;
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

size_t
report_proc_count(const struct proc_report *p, enum report_count c)
{
	switch (c) {
	case RC_PROCS:			return 1;
	case RC_LEAKING:		return p->nleaks > 0;
	case RC_LEAKS:			return p->nleaks;
	case RC_SITES:			return proc_sites(p);
	case RC_MISUSE:			return report_proc_misuse(p);
	case RC_INHERITED:		return p->ninherited;
	case RC_SUPPRESSED:		return p->nsuppressed;
	case RC_SUPPRESSED_MISUSE:	return p->nsuppressed_misuse;
	case RC_SUPPRESSED_INHERITED:	return p->nsuppressed_inherited;
	case RC_SUPPRESSED_DEFAULT:	return p->nsuppressed_default;
	case RC_ONLY_FROM:		return p->nonly_from;
	case RC_UNOPENED_CLOSES:	return p->unopened_closes;
	case RC_YOUNG:			return p->nyoung;
	case RC_FORKED:			return p->nforked;
	case RC_COUNTS:			break;
	}
	return 0;
}

void
report_retire_last(struct report *r)
{
	struct proc_report *p;

	if (r->nprocs == 0)
		return;
	p = &r->procs[--r->nprocs];
	for (int c = 0; c < RC_COUNTS; c++)
		r->retired.n[c] += report_proc_count(p, (enum report_count)c);
	report_proc_free(p);
}

size_t
report_total(const struct report *r, enum report_count c)
{
	size_t n = r->retired.n[c];

	for (size_t i = 0; i < r->nprocs; i++)
		n += report_proc_count(&r->procs[i], c);
	return n;
}

/* One line each: the names the writers and main.c know the counts by. */
size_t report_total_leaks(const struct report *r) { return report_total(r, RC_LEAKS); }
size_t report_total_procs(const struct report *r) { return report_total(r, RC_PROCS); }
size_t report_total_leaking(const struct report *r) { return report_total(r, RC_LEAKING); }
size_t report_total_sites(const struct report *r) { return report_total(r, RC_SITES); }
size_t report_total_misuse(const struct report *r) { return report_total(r, RC_MISUSE); }
size_t report_total_inherited(const struct report *r) { return report_total(r, RC_INHERITED); }
size_t report_total_suppressed(const struct report *r) { return report_total(r, RC_SUPPRESSED); }
size_t report_total_suppressed_misuse(const struct report *r) { return report_total(r, RC_SUPPRESSED_MISUSE); }
size_t report_total_suppressed_inherited(const struct report *r) { return report_total(r, RC_SUPPRESSED_INHERITED); }
size_t report_total_suppressed_default(const struct report *r) { return report_total(r, RC_SUPPRESSED_DEFAULT); }
size_t report_total_only_from(const struct report *r) { return report_total(r, RC_ONLY_FROM); }
size_t report_total_young(const struct report *r) { return report_total(r, RC_YOUNG); }
size_t report_total_forked(const struct report *r) { return report_total(r, RC_FORKED); }
size_t report_total_unopened_closes(const struct report *r) { return report_total(r, RC_UNOPENED_CLOSES); }

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
		sites = xgrow(sites, nsites, sizeof *sites);
		s = &sites[nsites++];
		memset(s, 0, sizeof *s);
		s->stack = p->leaks[idx[i]].stack;
		s->count = j - i;
		s->leaks = xreallocarray(NULL, s->count, sizeof *s->leaks);
		memcpy(s->leaks, idx + i, s->count * sizeof *s->leaks);
		s->oldest = s->newest = s->leaks[0];
		for (size_t k = 0; k < s->count; k++) {
			const struct leak *l = &p->leaks[s->leaks[k]];

			s->kinds[fd_kind_counted(l->kind)]++;
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

double
report_sampled_share(const struct sampling *s)
{
	return s->wall > 0 ? s->attached / s->wall : 0;
}

double
report_site_rate(const struct proc_report *p, const struct site *s)
{
	return p->sampling.attached > 0 ? (double)s->count / p->sampling.attached :
	    0;
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
	free(p->argv);
	report_failures_free(p);
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
	symstacks_free(r->stacks);
	r->stacks = NULL;
	for (size_t i = 0; i < r->nsupps; i++) {
		free(r->supps[i].name);
		free(r->supps[i].file);
	}
	free(r->supps);
	r->supps = NULL;
	r->nsupps = 0;
	for (size_t i = 0; i < r->ndumps; i++)
		report_dump_free(&r->dumps[i]);
	free(r->dumps);
	r->dumps = NULL;
	r->ndumps = 0;
}

/* Site from as a site of a kept dump: its listed targets copied anew. */
static void
copy_site(struct dump_site *to, const struct dump_site *from)
{
	*to = *from;
	to->seen = NULL;
	to->ntargets = 0;
	for (unsigned i = 0; i < from->ntargets && i < DUMP_TARGETS_KEPT; i++) {
		if (to->seen == NULL)
			to->seen = xcalloc(1, sizeof *to->seen);
		to->targets[to->ntargets++] = strpool_intern(to->seen,
		    from->targets[i]);
	}
}

void
report_add_dump(struct report *r, const struct dump *d)
{
	struct dump *c;

	r->dumps = xgrow(r->dumps, r->ndumps, sizeof *r->dumps);
	c = &r->dumps[r->ndumps++];
	*c = *d;
	c->procs = xcalloc(d->nprocs ? d->nprocs : 1, sizeof *c->procs);
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct dump_proc *p = &d->procs[i];
		struct dump_proc *cp = &c->procs[i];

		*cp = *p;
		cp->sites = xcalloc(p->nsites ? p->nsites : 1, sizeof *cp->sites);
		for (size_t j = 0; j < p->nsites; j++)
			copy_site(&cp->sites[j], &p->sites[j]);
	}
}

void
report_dump_free(struct dump *d)
{
	for (size_t i = 0; i < d->nprocs; i++) {
		for (size_t j = 0; j < d->procs[i].nsites; j++) {
			struct dump_site *st = &d->procs[i].sites[j];

			if (st->seen != NULL)
				strpool_free(st->seen);
			free(st->seen);
		}
		free(d->procs[i].sites);
	}
	free(d->procs);
	memset(d, 0, sizeof *d);
}

void
report_add_supp(struct report *r, const char *name, const char *file,
    unsigned line, bool builtin, size_t hits)
{
	r->supps = xgrow(r->supps, r->nsupps, sizeof *r->supps);
	r->supps[r->nsupps++] = (struct report_supp){ xstrdup(name),
	    xstrdup(file), line, builtin, hits };
}

void
report_resolve_process(struct report *r, const struct proc_report *p)
{
	symstacks_for_process(r->stacks, p->pid);
	for (size_t i = 0; i < p->nleaks; i++)
		symstacks_resolve(r->stacks, p->leaks[i].stack);
	for (size_t i = 0; i < p->nmisuse; i++) {
		symstacks_resolve(r->stacks, p->misuse[i].stack);
		symstacks_resolve(r->stacks, p->misuse[i].prev_stack);
		symstacks_resolve(r->stacks, p->misuse[i].open_stack);
	}
	for (size_t i = 0; i < p->ninherited; i++)
		symstacks_resolve(r->stacks, p->inherited[i].stack);
	for (size_t i = 0; i < p->nfailures; i++)
		symstacks_resolve(r->stacks, p->failures[i].stack);
	for (unsigned i = 0; i < p->nran_out; i++) {
		for (unsigned j = 0; j < p->ran_out[i].nholders; j++)
			symstacks_resolve(r->stacks, p->ran_out[i].holders[j].stack);
	}
}

struct report_stack
report_stack(const struct report *r, uint32_t id)
{
	struct report_stack st;

	symstacks_get(r->stacks, id, &st);
	return st;
}

const char *
report_frame_label(const struct report_frame *f, char *buf, size_t size)
{

	if (f->name != NULL)
		return f->name;
	if (f->module == NULL) {
		snprintf(buf, size, "???");
		return buf;
	}
	snprintf(buf, size, "%s+0x%" PRIx64, path_base(f->module), f->offset);
	return buf;
}

/* Start-up code every stack ends in: never where a program made an fd. */
static bool
startup_frame(const char *function)
{
	static const char *const names[] = {
		"_start", "__libc_start_main", "__libc_start_call_main",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(function, names[i]) == 0)
			return true;
	}
	return false;
}

long
report_user_frame(const struct report_stack *st)
{
	long outside = -1;

	for (unsigned i = 0; i < st->n; i++) {
		const struct report_frame *f = &st->frames[i];

		if (f->libc)
			continue;
		if (f->function != NULL && !startup_frame(f->function))
			return (long)i;
		if (outside < 0)
			outside = (long)i;
	}
	if (outside >= 0)
		return outside;
	return st->n > 0 ? 0 : -1;
}
