// SPDX-License-Identifier: MIT
/*
 * leaks.c - the leak model of leaks.h: which fds the model and the kernel
 * agree are leaks, and what a leak record says.
 */
#include <stdlib.h>
#include <string.h>

#include "leaks.h"
#include "stack.h"
#include "util.h"

bool
leaks_reportable(const struct leak_rules *lr, const struct fd_record *r, int fd)
{
	if (r != NULL && (r->flags & (FDREC_BASELINE | FDREC_UNSAMPLED)))
		return false;
	if (leaks_held_back(r))
		return false;
	if (fd > 2 || lr->std_fds)
		return true;
	return r != NULL && !(r->flags & (FDREC_ACROSS_EXEC |
	    FDREC_UNKNOWN_ORIGIN | FDREC_INHERITED_COPY));
}

bool
leaks_fork_inherited(const struct leak_rules *lr, const struct fd_record *r)
{
	return r != NULL && lr->pid != 0 && r->pid != 0 && r->pid != lr->pid &&
	    !(r->flags & (FDREC_BASELINE | FDREC_UNSAMPLED |
	    FDREC_UNKNOWN_ORIGIN));
}

bool
leaks_hidden(const struct leak_rules *lr, const struct fd_record *r,
    uint64_t now, struct leak_hidden *hidden)
{
	struct leak_hidden none = { 0 };

	if (hidden == NULL)
		hidden = &none;
	if (leaks_too_young(lr, r, now)) {
		hidden->young++;
		return true;
	}
	if (lr->skip_fork_inherited && leaks_fork_inherited(lr, r)) {
		hidden->forked++;
		return true;
	}
	return false;
}

bool
leaks_held_back(const struct fd_record *r)
{
	return r != NULL && (r->flags & FDREC_UNCONFIRMED) &&
	    r->gaps < LEAKS_UNCONFIRMED_GAPS;
}

bool
leaks_unsampled(const struct fd_record *r)
{
	return r != NULL && ((r->flags & FDREC_UNSAMPLED) || leaks_held_back(r));
}

bool
leaks_too_young(const struct leak_rules *lr, const struct fd_record *r,
    uint64_t now)
{
	return r != NULL && lr->min_age_ns > 0 && r->time_ns != 0 &&
	    now >= r->time_ns && now - r->time_ns < lr->min_age_ns;
}

double
leaks_age(uint64_t created, uint64_t now)
{
	return created != 0 && now >= created ? (double)(now - created) / 1e9 : -1;
}

size_t
leaks_select(const struct leak_rules *lr, struct fdtab *tab, int *fds,
    size_t n, bool (*closing)(int fd, void *arg), void *arg, uint64_t now,
    struct leak_hidden *hidden)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		const struct fd_record *r = fdtab_lookup(tab, fds[i]);

		if (!leaks_reportable(lr, r, fds[i]) ||
		    leaks_hidden(lr, r, now, hidden))
			continue;
		if (r == NULL && closing != NULL && closing(fds[i], arg))
			continue;
		fds[kept++] = fds[i];
	}
	return kept;
}

/* The fields every leak of a known origin takes from its record. */
static void
from_record(struct leak *l, const struct fd_record *r, uint64_t now)
{
	l->unconfirmed = (r->flags & FDREC_UNCONFIRMED) != 0;
	l->created_in = r->pid;
	l->nr = r->nr;
	l->tid = r->tid;
	l->stack = r->stack;
	l->serial = r->serial;
	l->created_ns = r->time_ns;
	l->age = leaks_age(r->time_ns, now);
	l->across_exec = (r->flags & FDREC_ACROSS_EXEC) != 0;
}

void
leaks_make(struct leak *l, int fd, const struct fd_record *r,
    struct fd_desc *d, int tid, uint64_t now)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	l->kind = d->kind != FDK_UNKNOWN ? d->kind :
	    r != NULL && r->kind != FDK_UNKNOWN ? (enum fd_kind)r->kind :
	    FDK_OTHER;
	l->target = d->target;
	d->target = NULL;
	l->cloexec = d->cloexec;
	if (r != NULL && !(r->flags & FDREC_UNKNOWN_ORIGIN)) {
		from_record(l, r, now);
		return;
	}
	l->nr = -1;
	l->tid = tid;
	l->unknown_origin = true;
	l->age = -1;
}

size_t
leaks_from_model(const struct leak_rules *lr, struct fdtab *tab, int pid,
    uint64_t now, struct proc_report *p, struct leak_hidden *hidden)
{
	struct fd_record *r;
	size_t pos = 0, n = 0;

	while ((r = fdtab_next(tab, &pos)) != NULL) {
		struct leak l;

		if (!leaks_reportable(lr, r, r->fd) ||
		    leaks_hidden(lr, r, now, hidden))
			continue;
		memset(&l, 0, sizeof l);
		l.fd = r->fd;
		l.kind = r->kind != FDK_UNKNOWN ? (enum fd_kind)r->kind : FDK_OTHER;
		l.cloexec = (r->flags & FDREC_CLOEXEC) != 0;
		if (r->flags & FDREC_UNKNOWN_ORIGIN) {
			l.nr = -1;
			l.tid = pid;
			l.unknown_origin = true;
			l.age = -1;
		} else {
			from_record(&l, r, now);
			if (l.tid == 0)
				l.tid = pid;
		}
		report_add_leak(p, &l);
		n++;
	}
	return n;
}

size_t
leaks_inherited(const struct leak_rules *lr, struct fdtab *tab,
    const char *program, struct proc_report *p)
{
	struct fd_record *r;
	size_t pos = 0, n = 0;

	while ((r = fdtab_next(tab, &pos)) != NULL) {
		struct inherited in;

		if (!(r->flags & FDREC_ACROSS_EXEC) ||
		    (r->flags & FDREC_UNKNOWN_ORIGIN) ||
		    !leaks_reportable(lr, r, r->fd) ||
		    (r->fd <= 2 && !lr->std_fds))
			continue;
		memset(&in, 0, sizeof in);
		in.fd = r->fd;
		in.kind = (enum fd_kind)r->kind;
		in.nr = r->nr;
		in.tid = r->tid;
		in.stack = r->stack;
		in.program = xstrdup(program != NULL ? program : "?");
		report_add_inherited(p, &in);
		n++;
	}
	return n;
}

bool
leaks_closed_by_program(const struct fd_record *c)
{
	return c != NULL && !(c->flags & FDREC_CLOSED_IN_PARENT) &&
	    !stack_from_loader(c->close_stack);
}

enum close_verdict
leaks_failed_close(const struct fd_record *closed, int fd, uint64_t limit)
{
	if (leaks_closed_by_program(closed))
		return CLOSE_DOUBLE;
	if (fd < 0 || (uint64_t)fd >= limit)
		return CLOSE_BAD;
	return CLOSE_UNOPENED;
}

static int
kernel_fd_cmp(const void *a, const void *b)
{
	const struct kernel_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Record k's object as made while fdleak was away. */
static void
add_unsampled(struct fdtab *tab, const struct kernel_fd *k)
{
	struct fd_record rec = {
		.fd = k->fd,
		.nr = -1,
		.flags = FDREC_UNSAMPLED,
		.time_ns = now_ns(),
		.ident = k->ident,
	};

	fdtab_forget_closed(tab, k->fd);
	fdtab_add(tab, &rec);
}

bool
leaks_verified(const struct fd_record *r)
{
	return !(r->flags & (FDREC_BASELINE | FDREC_UNSAMPLED));
}

void
leaks_reconcile(struct fdtab *tab, const struct kernel_fd *k, size_t n,
    bool gap_ended, struct reconcile_counts *c)
{
	struct fd_record *r;
	int *drop = NULL;
	size_t pos = 0, ndrop = 0, changed = 0, added = 0;

	/*
	 * A close seen before the gap cannot make a later close a double
	 * one: the number may have been opened and closed again meanwhile.
	 */
	fdtab_forget_all_closed(tab);
	while ((r = fdtab_next(tab, &pos)) != NULL) {
		struct kernel_fd key = { .fd = r->fd };
		const struct kernel_fd *now = bsearch(&key, k, n, sizeof *k,
		    kernel_fd_cmp);

		if (now != NULL && !leaks_verified(r))
			continue;	/* never reported, whatever it holds now */
		if (now == NULL || (r->ident.ino != 0 &&
		    !fd_ident_same(&r->ident, &now->ident))) {
			drop = xgrow(drop, ndrop, sizeof *drop);
			drop[ndrop++] = r->fd;
			if (now == NULL)
				c->gone++;
			else
				changed++;
			continue;
		}
		if (!(r->flags & FDREC_UNCONFIRMED) && (r->ident.ino == 0 ||
		    !fd_ident_unique((enum fd_kind)r->kind, &now->ident))) {
			r->flags |= FDREC_UNCONFIRMED;
			c->unconfirmed++;
		}
		r->ident = now->ident;
		if (gap_ended && r->gaps < UINT8_MAX)
			r->gaps++;
	}
	for (size_t i = 0; i < ndrop; i++)
		fdtab_close(tab, drop[i]);
	free(drop);
	for (size_t i = 0; i < n; i++) {
		if (fdtab_lookup(tab, k[i].fd) != NULL)
			continue;
		add_unsampled(tab, &k[i]);
		added++;
	}
	/* A changed fd went and came again: counted as changed only. */
	c->changed += changed;
	c->appeared += added - changed;
}
