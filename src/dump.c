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
	return p;
}

void
dump_add_fd(struct dump_proc *p, uint32_t stack, enum fd_kind kind)
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
	s->kinds[(unsigned)kind < FDK_COUNT ? kind : FDK_OTHER]++;
	p->outstanding++;
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
	for (size_t i = 0; i < d->nprocs; i++)
		free(d->procs[i].sites);
	free(d->procs);
	memset(d, 0, sizeof *d);
}

void
dump_cleanup(void)
{
	free(past);
	past = NULL;
	npast = 0;
}

void
dump_write_text(FILE *f, const struct report *r, const struct dump *d)
{
	fprintf(f, "fdleak: dump n=%u elapsed=%.1f\n", d->n, d->elapsed);
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct dump_proc *p = &d->procs[i];

		fprintf(f, "fdleak: dump-process pid=%d fds=%ld outstanding=%zu\n",
		    p->pid, p->fds, p->outstanding);
		for (size_t j = 0; j < p->nsites; j++) {
			const struct dump_site *s = &p->sites[j];

			fprintf(f, "fdleak: dump-site pid=%d count=%zu growth=%+ld kinds=",
			    p->pid, s->count, s->growth);
			report_text_kinds(f, s->kinds);
			fputc('\n', f);
			report_text_frames(f, r, s->stack);
		}
	}
	fflush(f);
}

void
dump_write_json(FILE *f, const struct report *r, const struct dump *d)
{
	fprintf(f, "{\"dump\": %u, \"elapsed\": %.3f, \"processes\": [", d->n,
	    d->elapsed);
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct dump_proc *p = &d->procs[i];

		fprintf(f, "%s{\"pid\": %d, \"fds\": %ld, \"outstanding\": %zu, "
		    "\"sites\": [", i ? ", " : "", p->pid, p->fds, p->outstanding);
		for (size_t j = 0; j < p->nsites; j++) {
			const struct dump_site *s = &p->sites[j];

			fprintf(f, "%s{\"count\": %zu, \"growth\": %ld, \"kinds\": ",
			    j ? ", " : "", s->count, s->growth);
			report_json_kinds(f, s->kinds);
			fputs(", \"backtrace\": ", f);
			report_json_backtrace(f, r, s->stack);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	fflush(f);
}
