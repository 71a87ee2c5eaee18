// SPDX-License-Identifier: MIT
/* task.c - the table of traced threads, by tid, and process records. */
#include <stdlib.h>
#include <string.h>

#include "fdtab.h"
#include "task.h"
#include "unwind.h"
#include "util.h"

#define TASK_BUCKETS	4096	/* power of two; chains stay short for 1 000s of threads */

static struct task *buckets[TASK_BUCKETS];
static unsigned ntasks;

static unsigned
bucket(pid_t tid)
{
	return (unsigned)tid & (TASK_BUCKETS - 1);
}

struct task *
task_find(pid_t tid)
{
	for (struct task *t = buckets[bucket(tid)]; t != NULL; t = t->hnext) {
		if (t->tid == tid)
			return t;
	}
	return NULL;
}

struct task *
task_add(pid_t tid)
{
	struct task *t = xcalloc(1, sizeof *t);

	t->tid = tid;
	t->state = TASK_ORPHAN;
	t->closing = -1;
	t->hnext = buckets[bucket(tid)];
	buckets[bucket(tid)] = t;
	ntasks++;
	return t;
}

static void
unlink_task(struct task *t)
{
	struct task **pp = &buckets[bucket(t->tid)];

	while (*pp != t)
		pp = &(*pp)->hnext;
	*pp = t->hnext;
}

void
task_rename(struct task *t, pid_t tid)
{
	unlink_task(t);
	t->tid = tid;
	t->hnext = buckets[bucket(tid)];
	buckets[bucket(tid)] = t;
}

void
task_del(struct task *t)
{
	unlink_task(t);
	fdtab_unref(t->fdtab);
	free(t);
	ntasks--;
}

unsigned
task_count(void)
{
	return ntasks;
}

void
task_foreach(void (*fn)(struct task *, void *), void *arg)
{
	for (unsigned i = 0; i < TASK_BUCKETS; i++) {
		for (struct task *t = buckets[i], *next; t != NULL; t = next) {
			next = t->hnext;
			fn(t, arg);
		}
	}
}

struct task **
task_per_proc(size_t *n)
{
	struct task **v = NULL;

	*n = 0;
	for (unsigned i = 0; i < TASK_BUCKETS; i++) {
		for (struct task *t = buckets[i]; t != NULL; t = t->hnext) {
			size_t k = 0;

			if (t->proc == NULL || t->exited)
				continue;
			while (k < *n && v[k]->proc != t->proc)
				k++;
			if (k == *n) {
				v = xgrow(v, *n, sizeof(struct task *));
				v[(*n)++] = t;
			}
		}
	}
	return v;
}

struct proc *
proc_new(pid_t pid, pid_t ppid)
{
	struct proc *p = xcalloc(1, sizeof *p);

	p->pid = pid;
	p->ppid = ppid;
	p->rep.pid = pid;
	p->rep.ppid = ppid;
	return p;
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	fdtab_unref(p->fdtab);
	unwind_free(p->unwinder);
	free(p->exe);
	free(p->argv);
	report_proc_free(&p->rep);
	free(p);
}
