// SPDX-License-Identifier: MIT
/*
 * report.c - the result records the tracer fills in and the writers
 * (report-text.c, report-json.c) read.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stack.h"
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
report_total_leaks(const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nprocs; i++)
		n += r->procs[i].nleaks;
	return n;
}

void
report_proc_free(struct proc_report *p)
{
	for (size_t j = 0; j < p->nleaks; j++)
		free(p->leaks[j].target);
	for (size_t j = 0; j < p->ninherited; j++) {
		free(p->inherited[j].target);
		free(p->inherited[j].program);
	}
	free(p->leaks);
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

/* libc (and the libpthread of older glibc) holds the syscall wrappers. */
static bool
module_is_libc(uint32_t module)
{
	static const char *const names[] = { "libc.so", "libc-", "libpthread.so",
	    "libpthread-" };
	const char *path = module_path(module), *base;

	if (path == NULL)
		return false;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strncmp(base, names[i], strlen(names[i])) == 0)
			return true;
	}
	return false;
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
		while (i < *end && module_is_libc(fr[i].module))
			i++;
		if (i == *end)
			i = 0;
	}
	*first = i;
	return fr;
}
