// SPDX-License-Identifier: MIT
/*
 * sampling.c - the model side of a sampled attach (--sample): a process
 * parks at a window's end with its model, sleeps through the gap on the
 * list of processes asleep, and wakes at the next window, when its model
 * is reconciled with the kernel's table before any thread runs on; a
 * child born in a gap is adopted with its parent's model. The windows'
 * timing is session.c's, the seizing attach.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "fdtab.h"
#include "leaks.h"
#include "procfs.h"
#include "sampling.h"
#include "task.h"
#include "tracer.h"
#include "util.h"

static const struct tracer_opts *opts;
static bool attach_mode;
static struct proc **asleep;	/* the processes of a gap, models kept */
static size_t nasleep;

static void reconcile(struct proc *p, pid_t tid, bool gap_ended);

void
sampling_begin(const struct tracer_opts *o, bool attach)
{
	opts = o;
	attach_mode = attach;
}

/* A new process followed in sampling windows. */
void
sampling_setup(struct proc *p)
{
	if (!attach_mode || opts->sample == 0)
		return;
	p->sampled = true;
	p->rep.sampling.on = true;
	p->start_time = procfs_start_time(p->pid);
}

/*
 * Sampling: read the identity of every record of t made in this window
 * (the ones that can be reported), through thread tid, so that the next
 * window can tell whether the fd is still the same object.
 */
static void
identify(struct fdtab *t, pid_t tid)
{
	struct fd_record *r;
	size_t pos = 0;

	while ((r = fdtab_next(t, &pos)) != NULL) {
		if (r->ident.ino == 0 && leaks_verified(r))
			procfs_fd_ident(tid, r->fd, &r->ident);
	}
}

/* The time of p's current window so far, added to what it had. */
void
sampling_count_window(struct proc *p, uint64_t now)
{
	if (p->window_ns == 0)
		return;
	p->rep.sampling.attached += (double)(now - p->window_ns) / 1e9;
	p->rep.sampling.wall = (double)(now - p->first_ns) / 1e9;
	p->rep.sampling.windows++;
	p->window_ns = 0;
}

/*
 * A sampling window ends for p, all of whose threads are held (tid one of
 * them): the identities of the fds made in the window are read while the
 * table is still, and p sleeps through the gap with its model.
 */
void
sampling_park(struct proc *p, pid_t tid)
{
	identify(p->fdtab, tid);
	sampling_count_window(p, now_ns());
	p->asleep = true;
	asleep = xgrow(asleep, nasleep, sizeof(struct proc *));
	asleep[nasleep++] = p;
}


struct proc **
tracer_asleep(size_t *n)
{
	*n = nasleep;
	return asleep;
}

/* Take p off the list of the processes asleep. */
void
sampling_unpark(struct proc *p)
{
	for (size_t i = 0; i < nasleep; i++) {
		if (asleep[i] == p) {
			asleep[i] = asleep[--nasleep];
			break;
		}
	}
	p->asleep = false;
	if (nasleep == 0) {
		free(asleep);
		asleep = NULL;
	}
}

void
tracer_wake(struct proc *p)
{
	sampling_unpark(p);
	p->waking = true;
	/* The process pays from the first seize: the window starts now. */
	p->window_ns = now_ns();
}



void
sampling_dump_asleep(struct dump *d, const struct leak_rules *lr)
{
	for (size_t i = 0; i < nasleep; i++) {
		struct dump_proc *dp;

		reconcile(asleep[i], asleep[i]->pid, false);
		dp = dump_add_process(d, asleep[i]->pid, asleep[i]->pid,
		    asleep[i]->fdtab, lr);
		tracer_dump_sampling(asleep[i], dp);
	}
}

void
tracer_dump_sampling(const struct proc *p, struct dump_proc *dp)
{
	uint64_t now = now_ns();
	double attached = p->rep.sampling.attached;

	dp->share = -1;
	if (!p->sampled || p->first_ns == 0 || now <= p->first_ns)
		return;
	if (p->window_ns != 0 && now > p->window_ns)
		attached += (double)(now - p->window_ns) / 1e9;
	dp->attached = attached;
	dp->share = attached / ((double)(now - p->first_ns) / 1e9);
}

/*
 * The model of p against the kernel's table, read through thread tid:
 * what changed while fdleak was away (sampling). tid need not be
 * stopped: in a gap the table may change while it is read, which makes a
 * fd look gone or new, never makes up a stack.
 */
static void
reconcile(struct proc *p, pid_t tid, bool gap_ended)
{
	struct reconcile_counts c = { 0 };
	struct kernel_fd *k;
	int *fds, n = procfs_list_fds(tid, &fds);

	if (n < 0)
		return;
	k = xcalloc(n > 0 ? (size_t)n : 1, sizeof *k);
	for (int i = 0; i < n; i++) {
		const struct fd_record *r = fdtab_lookup(p->fdtab, fds[i]);

		k[i].fd = fds[i];
		if (r != NULL && leaks_verified(r))
			procfs_fd_ident(tid, fds[i], &k[i].ident);
	}
	leaks_reconcile(p->fdtab, k, (size_t)n, gap_ended, &c);
	p->rep.sampling.gone += c.gone;
	p->rep.sampling.changed += c.changed;
	free(k);
	free(fds);
}

void
sampling_window_starts(struct proc *p, pid_t tid)
{
	uint64_t now = now_ns();

	if (p->waking)
		reconcile(p, tid, true);
	p->waking = false;
	if (p->sampled) {
		if (p->window_ns == 0)
			p->window_ns = now;
		if (p->first_ns == 0)
			p->first_ns = p->window_ns;
	}
}
