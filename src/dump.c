// SPDX-License-Identifier: MIT
/*
 * dump.c - live dumps: outstanding fds grouped by call site, with their
 * growth since the previous dump (the "compare two reports ten minutes
 * apart" routine, done by fdleak).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "fdinfo.h"
#include "fdtab.h"
#include "hash.h"
#include "leaks.h"
#include "procfs.h"
#include "report.h"
#include "util.h"

/* The previous dump's counts, sorted by (pid, stack) for bsearch. */
struct past_site {
	int pid;
	uint32_t stack;
	size_t count;
};
static struct past_site *past;
static size_t npast;
static unsigned dumps_done;

struct dump_proc *
dump_add_proc(struct dump *d, int pid, long fds)
{
	struct dump_proc *p;

	d->procs = xreallocarray(d->procs, d->nprocs + 1, sizeof *d->procs);
	p = &d->procs[d->nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->fds = fds;
	p->share = -1;
	return p;
}

/* One more target of site s: listed if new and there is room, else counted if new. */
static void
site_add_target(struct dump_site *s, const char *target)
{
	size_t before;
	const char *t;

	if (target == NULL)
		return;
	if (s->seen == NULL)
		s->seen = xcalloc(1, sizeof *s->seen);
	before = s->seen->n;
	t = strpool_intern(s->seen, target);
	if (s->seen->n == before)
		return;		/* seen before */
	if (s->ntargets < DUMP_TARGETS_KEPT)
		s->targets[s->ntargets++] = t;
	else
		s->more_targets++;
}

void
dump_add_fd(struct dump_proc *p, uint32_t stack, enum fd_kind kind,
    const char *target)
{
	struct dump_site *s = NULL;

	/* Few sites per process in practice; the last one is the likeliest. */
	for (size_t i = p->nsites; i-- > 0;) {
		if (p->sites[i].stack == stack) {
			s = &p->sites[i];
			break;
		}
	}
	if (s == NULL) {
		p->sites = xreallocarray(p->sites, p->nsites + 1, sizeof *p->sites);
		s = &p->sites[p->nsites++];
		memset(s, 0, sizeof *s);
		s->stack = stack;
	}
	s->count++;
	s->kinds[fd_kind_counted(kind)]++;
	site_add_target(s, target);
	p->outstanding++;
}

static int
serial_cmp(const void *a, const void *b)
{
	const struct fd_record *x = a, *y = b;

	return (x->serial > y->serial) - (x->serial < y->serial);
}

struct dump_proc *
dump_add_process(struct dump *d, int pid, pid_t tid, struct fdtab *tab,
    const struct leak_rules *rules)
{
	struct leak_rules own = *rules, *lr = &own;
	uint64_t now = now_ns();
	struct fd_record *r, *recs = NULL;	/* copies, to sort by age */
	struct fd_desc *descs;
	struct dump_proc *dp;
	size_t pos = 0, nrecs = 0;
	int *open, *fds, n;

	own.pid = pid;
	n = procfs_list_fds(tid, &open);
	dp = dump_add_proc(d, pid, n);
	while ((r = fdtab_next(tab, &pos)) != NULL) {
		if (n >= 0 && bsearch(&r->fd, open, (size_t)n, sizeof *open,
		    int_cmp) == NULL)
			continue;
		if (leaks_unsampled(r))
			dp->unsampled++;
		if (!leaks_reportable(lr, r, r->fd) ||
		    leaks_hidden(lr, r, now, NULL))
			continue;
		recs = xgrow(recs, nrecs, sizeof *recs);
		recs[nrecs++] = *r;
	}
	if (n >= 0)
		free(open);
	if (nrecs > 1)
		qsort(recs, nrecs, sizeof *recs, serial_cmp);
	/* One look at the kernel's table for all of them. */
	fds = xreallocarray(NULL, nrecs ? nrecs : 1, sizeof *fds);
	descs = xcalloc(nrecs ? nrecs : 1, sizeof *descs);
	for (size_t i = 0; i < nrecs; i++)
		fds[i] = recs[i].fd;
	if (nrecs > 0)
		fdinfo_describe_all(tid, fds, nrecs, descs);
	for (size_t i = 0; i < nrecs; i++) {
		enum fd_kind kind = descs[i].kind != FDK_UNKNOWN ? descs[i].kind :
		    (enum fd_kind)recs[i].kind;

		dump_add_fd(dp, recs[i].stack, kind, descs[i].target);
		free(descs[i].target);
	}
	free(descs);
	free(fds);
	free(recs);
	return dp;
}

static int
past_cmp(const void *a, const void *b)
{
	const struct past_site *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->stack > y->stack) - (x->stack < y->stack);
}

static int
site_cmp(const void *a, const void *b)
{
	const struct dump_site *x = a, *y = b;

	if (x->growth != y->growth)
		return (x->growth < y->growth) - (x->growth > y->growth);
	if (x->count != y->count)
		return (x->count < y->count) - (x->count > y->count);
	return (x->stack > y->stack) - (x->stack < y->stack);
}

void
dump_finish(struct dump *d)
{
	struct past_site *now = NULL;
	size_t nnow = 0;

	for (size_t i = 0; i < d->nprocs; i++) {
		struct dump_proc *p = &d->procs[i];

		for (size_t j = 0; j < p->nsites; j++) {
			struct past_site key = { p->pid, p->sites[j].stack, 0 };
			struct past_site *was = npast == 0 ? NULL :
			    bsearch(&key, past, npast, sizeof *past, past_cmp);

			p->sites[j].growth = (long)p->sites[j].count -
			    (long)(was != NULL ? was->count : 0);
			key.count = p->sites[j].count;
			now = xreallocarray(now, nnow + 1, sizeof *now);
			now[nnow++] = key;
		}
		if (p->nsites > 1)
			qsort(p->sites, p->nsites, sizeof *p->sites, site_cmp);
	}
	if (nnow > 1)
		qsort(now, nnow, sizeof *now, past_cmp);
	free(past);
	past = now;
	npast = nnow;
	d->n = ++dumps_done;
}

void
dump_free(struct dump *d)
{
	report_dump_free(d);
}

void
dump_cleanup(void)
{
	free(past);
	past = NULL;
	npast = 0;
}

double
dump_site_rate(const struct dump_proc *p, const struct dump_site *s)
{
	return p->attached > 0 ? (double)s->count / p->attached : 0;
}

void
dump_write_text(FILE *f, const struct report *r, const struct dump *d)
{
	fprintf(f, "fdleak: dump n=%u elapsed=%.1f\n", d->n, d->elapsed);
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct dump_proc *p = &d->procs[i];

		fprintf(f, "fdleak: dump-process pid=%d fds=%ld outstanding=%zu",
		    p->pid, p->fds, p->outstanding);
		if (p->share >= 0)
			fprintf(f, " sampled=%.1f%% unsampled=%zu", 100 * p->share,
			    p->unsampled);
		fputc('\n', f);
		for (size_t j = 0; j < p->nsites; j++) {
			const struct dump_site *s = &p->sites[j];

			fprintf(f, "fdleak: dump-site pid=%d count=%zu growth=%+ld",
			    p->pid, s->count, s->growth);
			if (p->share >= 0)
				fprintf(f, " rate=%.3g/s", dump_site_rate(p, s));
			fputs(" kinds=", f);
			report_text_kinds(f, s->kinds);
			fputs(" targets=", f);
			report_text_targets(f, s->targets, s->ntargets,
			    s->more_targets);
			fputc('\n', f);
			report_text_frames(f, r, s->stack);
		}
	}
	fflush(f);
}

void
dump_write_json(FILE *f, const struct report *r, const struct dump *d)
{
	/* elapsed_exact: the double itself, so that --from prints elapsed= as this run. */
	fprintf(f, "{\"dump\": %u, \"elapsed\": %.3f, \"elapsed_exact\": %.17g, "
	    "\"processes\": [", d->n, d->elapsed, d->elapsed);
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct dump_proc *p = &d->procs[i];

		fprintf(f, "%s{\"pid\": %d, \"fds\": %ld, \"outstanding\": %zu, ",
		    i ? ", " : "", p->pid, p->fds, p->outstanding);
		/* The _exact values: --from prints sampled= and rate= as this run. */
		if (p->share >= 0)
			fprintf(f, "\"sampled_share\": %.4f, \"unsampled\": %zu, "
			    "\"share_exact\": %.17g, \"attached_exact\": %.17g, ",
			    p->share, p->unsampled, p->share, p->attached);
		fputs("\"sites\": [", f);
		for (size_t j = 0; j < p->nsites; j++) {
			const struct dump_site *s = &p->sites[j];

			fprintf(f, "%s{\"count\": %zu, \"growth\": %ld, ",
			    j ? ", " : "", s->count, s->growth);
			if (p->share >= 0)
				fprintf(f, "\"rate\": %.6g, ", dump_site_rate(p, s));
			report_json_group(f, r, s->kinds, s->targets, s->ntargets,
			    s->more_targets, s->stack);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	fflush(f);
}
