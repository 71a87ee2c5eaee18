// SPDX-License-Identifier: MIT
/*
 * attach.c - attach to running processes: refuse targets that cannot or
 * must not be traced (with one line saying why), seize every thread, and
 * hand them to the tracer core, which detaches at the end. No seccomp
 * filter and no PTRACE_O_EXITKILL: the target must outlive fdleak.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "attach.h"
#include "procfs.h"
#include "task.h"
#include "tracer.h"
#include "util.h"

#define ATTACH_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	PTRACE_O_TRACEEXIT)

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define SMALL_MAX	4096		/* stat, comm, a sysctl */

static bool
is_kernel_thread(pid_t pid)
{
	char path[64], *text;
	size_t len;
	long flags;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((text = procfs_read(path, SMALL_MAX, PROCFS_HEAD, &len)) == NULL)
		return false;
	flags = procfs_parse_stat_flags(text);
	free(text);
	return flags >= 0 && (flags & PF_KTHREAD);
}

/* True if pid is fdleak or one of its ancestors: tracing it would deadlock or confuse. */
static bool
is_self_or_ancestor(pid_t pid, bool *self)
{
	pid_t p = getpid();

	*self = pid == p;
	for (int depth = 0; p > 0 && depth < 4096; depth++) {
		struct proc_status st;

		if (p == pid)
			return true;
		if (procfs_read_status(p, &st) < 0)
			break;
		p = st.ppid;
	}
	return false;
}

int
attach_check(pid_t pid)
{
	struct proc_status st;
	bool self;

	if (pid <= 0) {
		warnmsg("invalid pid %d", pid);
		return -1;
	}
	if (procfs_read_status(pid, &st) < 0) {
		if (errno == ENOENT)
			warnmsg("cannot attach to pid %d: no such process", pid);
		else
			warnerr("cannot attach to pid %d", pid);
		return -1;
	}
	if (is_self_or_ancestor(pid, &self)) {
		if (self)
			warnmsg("cannot attach to pid %d: it is fdleak itself", pid);
		else
			warnmsg("cannot attach to pid %d: it is an ancestor of fdleak "
			    "(it waits for fdleak, which would wait for it)", pid);
		return -1;
	}
	if (st.state == 'Z' || st.state == 'X') {
		warnmsg("cannot attach to pid %d: it is a zombie", pid);
		return -1;
	}
	if (is_kernel_thread(pid)) {
		warnmsg("cannot attach to pid %d: it is a kernel thread", pid);
		return -1;
	}
	if (st.tracer != 0) {
		char *comm = procfs_comm(st.tracer);

		warnmsg("cannot attach to pid %d: already traced by pid %d (%s)",
		    pid, st.tracer, comm);
		free(comm);
		return -1;
	}
	return 0;
}

/* Say why PTRACE_SEIZE was refused, in the words of the usual causes. */
static void
explain_refusal(pid_t pid, int err)
{
	struct proc_status st;
	char *scope = NULL;
	size_t len;

	if (err == ESRCH) {
		warnmsg("cannot attach to pid %d: it exited while fdleak attached", pid);
		return;
	}
	if (err != EPERM) {
		warnmsg("cannot attach to pid %d: %s", pid, strerror(err));
		return;
	}
	if (procfs_read_status(pid, &st) == 0 && st.tracer != 0) {
		warnmsg("cannot attach to pid %d: already traced by pid %d",
		    pid, st.tracer);
	} else if (procfs_read_status(pid, &st) == 0 && st.uid >= 0 &&
	    st.uid != (long)geteuid() && geteuid() != 0) {
		warnmsg("cannot attach to pid %d: permission denied (it belongs "
		    "to uid %ld, fdleak runs as uid %ld)", pid, st.uid,
		    (long)geteuid());
	} else if ((scope = procfs_read("/proc/sys/kernel/yama/ptrace_scope",
	    SMALL_MAX, PROCFS_HEAD, &len)) != NULL && atoi(scope) > 0) {
		warnmsg("cannot attach to pid %d: permission denied "
		    "(kernel.yama.ptrace_scope = %d)", pid, atoi(scope));
	} else {
		warnmsg("cannot attach to pid %d: permission denied", pid);
	}
	free(scope);
}

/* Seize and interrupt tid; its first stop hands it to the tracer core. */
static int
seize(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0L, (long)ATTACH_OPTIONS) < 0)
		return -1;
	ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
	return 0;
}

/* A thread created while we attach may already be ours through its creator's clone event. */
static bool
traced_by_us(pid_t tid)
{
	struct proc_status st;

	return procfs_read_status(tid, &st) == 0 && st.tracer == getpid();
}

/* The executable of pid, malloc'd ("?" if it cannot be read). */
static char *
exe_of(pid_t pid)
{
	char path[64], *exe;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	exe = xreadlink(path);
	return exe != NULL ? exe : xstrdup("?");
}

/*
 * Seize every thread of p but its leader (seized already), rescanning
 * /proc/PID/task until no new one appears (threads may be created while
 * we attach).
 */
static int
seize_others(struct proc *p, pid_t pid)
{
	char path[64];
	bool more = true;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	while (more) {
		struct dirent *de;
		DIR *dir = opendir(path);

		if (dir == NULL) {
			explain_refusal(pid, ESRCH);
			return -1;
		}
		more = false;
		while ((de = readdir(dir)) != NULL) {
			pid_t tid = (pid_t)atoi(de->d_name);

			if (tid <= 0 || task_find(tid) != NULL)
				continue;
			if (seize(tid) < 0) {
				if (errno == ESRCH || traced_by_us(tid))
					continue;	/* exited, or already ours */
				closedir(dir);
				explain_refusal(pid, errno);
				return -1;
			}
			tracer_new_thread(p, tid, TASK_STARTING);
			more = true;
		}
		closedir(dir);
	}
	return 0;
}

/* Seize the leader, then every other thread, of a process new to fdleak. */
static int
seize_threads(pid_t pid)
{
	struct proc_status st;
	struct proc *p;
	char *exe;

	if (seize(pid) < 0) {
		explain_refusal(pid, errno);
		return -1;
	}
	exe = exe_of(pid);
	if (procfs_read_status(pid, &st) < 0)
		st.ppid = 0;
	p = tracer_new_process(pid, st.ppid, exe, TASK_STARTING)->proc;
	free(exe);
	return seize_others(p, pid);
}

/* Whether pid is a process fdleak follows already (traced or asleep). */
static bool
known(pid_t pid, struct proc *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i]->pid == pid)
			return true;
	}
	return task_find(pid) != NULL;
}

/*
 * The children p's threads have now that fdleak does not follow: born in
 * the gap, they are attached too, each with its parent's model to be
 * reconciled with what it holds.
 */
static void
seize_children(struct proc *p, struct proc *const *v, size_t n)
{
	pid_t *kids;
	int nk = procfs_children(p->pid, &kids);

	for (int i = 0; i < nk; i++) {
		struct proc *child;
		char *exe;

		if (known(kids[i], v, n) || seize(kids[i]) < 0)
			continue;
		exe = exe_of(kids[i]);
		child = tracer_new_child(p, kids[i], exe)->proc;
		free(exe);
		seize_others(child, kids[i]);
		seize_children(child, v, n);	/* and theirs, born in the gap too */
	}
	if (nk >= 0)
		free(kids);
}

/*
 * A sampling gap ends: attach again to every process asleep and to the
 * children they had in the gap; how many processes are followed again.
 */
static int
attach_window(void)
{
	size_t n, attached = 0;
	struct proc **live = tracer_asleep(&n), **v;

	/* A copy: waking a process takes it off the list. */
	v = xreallocarray(NULL, n ? n : 1, sizeof(struct proc *));
	memcpy(v, live, n * sizeof(struct proc *));
	for (size_t i = 0; i < n; i++) {
		struct proc *p = v[i];

		/* Gone in the gap, or its pid now another process's. */
		if (procfs_start_time(p->pid) != p->start_time) {
			tracer_lost(p);
			continue;
		}
		if (seize(p->pid) < 0) {
			int err = errno;

			/* Not gone but refused (another tracer came): say so. */
			if (err != ESRCH && procfs_start_time(p->pid) != 0)
				explain_refusal(p->pid, err);
			tracer_lost(p);
			continue;
		}
		tracer_wake(p);
		tracer_new_thread(p, p->pid, TASK_STARTING);
		seize_others(p, p->pid);
		seize_children(p, v, n);
		attached++;
	}
	free(v);
	return (int)attached;
}

static bool
listed(pid_t pid, const pid_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == pid)
			return true;
	}
	return false;
}

/*
 * --tree: append to *v (of *n, the first given ones) every descendant of
 * theirs, children before grandchildren.
 */
static void
add_descendants(pid_t **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		pid_t *kids;
		int nk = procfs_children((*v)[i], &kids);

		for (int k = 0; k < nk; k++) {
			if (listed(kids[k], *v, *n))
				continue;
			*v = xgrow(*v, *n, sizeof **v);
			(*v)[(*n)++] = kids[k];
		}
		if (nk >= 0)
			free(kids);
	}
}

/* Without --tree: say which children of the targets fdleak leaves alone. */
static void
warn_untraced_children(const pid_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *line = NULL, *comm;
		pid_t *kids;
		int nk = procfs_children(v[i], &kids), shown = 0;
		size_t len = 0;
		FILE *m;

		if (nk <= 0) {
			if (nk == 0)
				free(kids);
			continue;
		}
		m = open_memstream(&line, &len);
		for (int k = 0; k < nk && m != NULL; k++) {
			if (listed(kids[k], v, n))
				continue;
			if (shown++ < 8) {
				comm = procfs_comm(kids[k]);
				fprintf(m, "%s%d (%s)", shown > 1 ? ", " : "",
				    kids[k], comm);
				free(comm);
			}
		}
		if (m != NULL && shown > 8)
			fprintf(m, " and %d more", shown - 8);
		if (m != NULL)
			fclose(m);
		if (shown > 0) {
			comm = procfs_comm(v[i]);
			warnmsg("pid %d (%s) has %d child%s that fdleak does not "
			    "trace: %s; --tree traces a process's descendants too",
			    v[i], comm, shown, shown == 1 ? "" : "ren", line);
			free(comm);
		}
		free(line);
		free(kids);
	}
}

int
tracer_attach(const pid_t *given, size_t ngiven, const struct tracer_opts *o,
    struct report *rep)
{
	pid_t *pids;
	size_t n = ngiven;

	for (size_t i = 0; i < ngiven; i++) {
		if (attach_check(given[i]) < 0)
			return EXIT_FDLEAK_ERROR;
		for (size_t j = 0; j < i; j++) {
			if (given[j] == given[i]) {
				warnmsg("pid %d is given twice", given[i]);
				return EXIT_FDLEAK_ERROR;
			}
		}
	}
	pids = xreallocarray(NULL, n ? n : 1, sizeof *pids);
	memcpy(pids, given, n * sizeof *pids);
	if (o->tree)
		add_descendants(&pids, &n);
	else
		warn_untraced_children(pids, n);
	tracer_begin(o, rep, false, true);
	for (size_t i = 0; i < n; i++) {
		/* A descendant that ends meanwhile, or is traced already: left out. */
		if (i >= ngiven && attach_check(pids[i]) < 0)
			continue;
		if (seize_threads(pids[i]) < 0) {
			if (i >= ngiven)
				continue;
			/* Let go of what was seized: the loop detaches at once. */
			free(pids);
			tracer_abort();
			tracer_loop(o, NULL);
			return EXIT_FDLEAK_ERROR;
		}
	}
	free(pids);
	tracer_loop(o, attach_window);
	return 0;
}
