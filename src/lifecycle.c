// SPDX-License-Identifier: MIT
/*
 * lifecycle.c - the life of a traced process, as the tracer core follows
 * it: how its threads are resumed, held and let go (detaching), its
 * forks (a new task, its fd table shared or copied), its execs (the model
 * follows the kernel's close-on-exec; fds inherited), its exit and reaping
 * (the leaks taken from the kernel's table), and the children held until
 * their parent's fork event. tracer.c hands it every stop that is not a
 * syscall stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

#include "arch.h"
#include "dump.h"
#include "fdinfo.h"
#include "fdtab.h"
#include "leaks.h"
#include "lifecycle.h"
#include "procfs.h"
#include "sampling.h"
#include "task.h"
#include "tracer.h"
#include "unwind.h"
#include "util.h"

static const struct tracer_opts *opts;
static struct report *report;
static bool use_seccomp;
static bool attach_mode;
static bool detaching;
static bool aborting;		/* attach failed: let go of everything, report nothing */
static pid_t main_pid;
static int main_status;
static bool main_done;
static uint64_t main_done_ns;	/* when the launched command ended */
static bool warned_foreign_arch;
static uint64_t trace_start_ns;	/* when the trace began */
static bool pausing;		/* a sampling window ends: let go, keep the model */

static void hold(struct task *t, int sig);
static void adopt_if_abandoned(struct task *t, void *arg);
static void task_join(struct task *t, struct proc *p, int state);
static void detach_if_held(struct proc *p);

/*
 * Restart t. Inside a traced syscall we need its exit stop; otherwise, with
 * the seccomp filter, the next stop we want is the filter's.
 */
void
lifecycle_resume(struct task *t, int sig)
{
	int req = (t->in_syscall || !use_seccomp) ? PTRACE_SYSCALL : PTRACE_CONT;

	if (detaching) {
		hold(t, sig);
		return;
	}
	if (ptrace(req, t->tid, 0L, (long)sig) < 0 && errno != ESRCH)
		warnerr("cannot resume thread %d", t->tid);
}

/* Clone flags of the fork/clone that parent is stopped in. */
static uint64_t
clone_flags(struct task *parent)
{
	struct arch_regs regs;

	if (arch_get_regs(parent->tid, &regs) < 0)
		return 0;
	return arch_clone_flags(parent->tid, &regs);
}

void
lifecycle_fork_event(struct task *parent)
{
	unsigned long msg;
	struct task *c;
	uint64_t flags;
	bool held;

	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0L, &msg) < 0) {
		lifecycle_resume(parent, 0);
		return;
	}
	flags = clone_flags(parent);
	c = task_find((pid_t)msg);
	held = c != NULL;	/* its first stop came before this event */
	if (held && c->proc != NULL) {
		/* Adopted already, its parent's liveness misjudged: keep it so. */
		lifecycle_resume(parent, 0);
		return;
	}
	if (c == NULL)
		c = task_add((pid_t)msg);
	if (flags & CLONE_THREAD) {
		c->proc = parent->proc;
	} else {
		c->proc = proc_new(c->tid, parent->proc->pid);
		c->proc->exe = xstrdup(parent->proc->exe ? parent->proc->exe : "?");
		c->proc->argv = procfs_argv_copy(parent->proc->argv);
		c->proc->execed = parent->proc->execed;
	}
	c->fdtab = (flags & CLONE_FILES) ? fdtab_ref(parent->fdtab) :
	    fdtab_fork(parent->fdtab);
	if (!(flags & CLONE_THREAD))
		c->proc->fdtab = fdtab_ref(c->fdtab);
	c->proc->ntasks++;
	c->proc->live++;
	if (held) {
		c->state = TASK_RUNNING;
		lifecycle_resume(c, 0);
	} else {
		c->state = TASK_STARTING;
	}
	lifecycle_resume(parent, 0);
}

static bool
seccomp_active(pid_t pid)
{
	struct proc_status st;

	return procfs_read_status(pid, &st) == 0 && st.seccomp == 2;
}

/* The options as the leak model takes them. */
struct leak_rules
lifecycle_rules(void)
{
	return (struct leak_rules){ opts->std_fds,
	    (uint64_t)(opts->min_age * 1e9), opts->skip_fork_inherited, 0 };
}

/*
 * Every fd made under trace that survived this exec lacked close-on-exec:
 * the new program inherited it, whether it then keeps or closes it.
 */
static void
record_inherited(struct proc *p, pid_t pid, struct fdtab *tab)
{
	struct leak_rules lr = lifecycle_rules();
	size_t first = p->rep.ninherited;

	leaks_inherited(&lr, tab, p->exe, &p->rep);
	for (size_t i = first; i < p->rep.ninherited; i++) {
		struct inherited *in = &p->rep.inherited[i];
		struct fd_desc d;

		if (fdinfo_describe(pid, in->fd, &d) == 0) {
			in->kind = d.kind;
			in->target = d.target;
		}
	}
}

void
lifecycle_warn_foreign(pid_t pid, const char *exe)
{
	if (!warned_foreign_arch) {
		if (exe != NULL)
			warnmsg("pid %d runs a 32-bit program (%s): fdleak decodes only "
			    "x86_64 syscalls; its fds are reported as origin unknown",
			    pid, exe);
		else
			warnmsg("pid %d makes 32-bit syscalls, which fdleak does not "
			    "decode; fds they create are reported as origin unknown",
			    pid);
	}
	warned_foreign_arch = true;
}

/*
 * Only x86_64 syscalls are decoded. A 32-bit program's fds are still found
 * at its exit (origin unknown); say so once rather than misread them.
 */
static void
warn_if_32bit(pid_t pid, const char *exe)
{
	unsigned char ident[5];
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read(fd, ident, sizeof ident) == (ssize_t)sizeof ident &&
	    memcmp(ident, "\177ELF", 4) == 0 && ident[4] == 1 /* ELFCLASS32 */)
		lifecycle_warn_foreign(pid, exe);
	close(fd);
}

/* After execve: the kernel dropped close-on-exec fds; the model follows. */
void
lifecycle_exec_event(pid_t pid)
{
	unsigned long former;
	struct task *t, *leader;
	struct fdtab *copy;
	struct proc *p;
	char path[64];
	int *fds, n;

	if (ptrace(PTRACE_GETEVENTMSG, pid, 0L, &former) < 0)
		former = (unsigned long)pid;
	t = task_find((pid_t)former);
	if (t == NULL || t->proc == NULL) {
		ptrace(use_seccomp ? PTRACE_CONT : PTRACE_SYSCALL, pid, 0L, 0L);
		return;
	}
	p = t->proc;
	/* A snapshot taken while threads died for this exec, not an exit. */
	if (p->snapshot) {
		report_clear_leaks(&p->rep);
		p->snapshot = false;
	}
	if ((pid_t)former != pid) {
		/* A thread exec'd: it takes over the leader's tid, the leader is gone. */
		leader = task_find(pid);
		if (leader != NULL) {
			if (!leader->exited)
				p->live--;
			p->ntasks--;
			task_del(leader);
		}
		task_rename(t, pid);
	}
	/* The new image gets a table of its own, whoever shared the old one. */
	copy = fdtab_copy(t->fdtab);
	fdtab_unref(t->fdtab);
	t->fdtab = copy;
	fdtab_unref(p->fdtab);
	p->fdtab = fdtab_ref(copy);
	n = procfs_list_fds(pid, &fds);
	if (n >= 0) {
		fdtab_exec(copy, fds, (size_t)n, FDREC_UNKNOWN_ORIGIN);
		free(fds);
	}
	if (!p->execed && use_seccomp && !seccomp_active(pid)) {
		warnmsg("seccomp filter not active; tracing every syscall (slower)");
		use_seccomp = false;
	}
	p->execed = true;
	p->fd_soft = p->fd_hard = 0;	/* read again for the new image */
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	free(p->exe);
	p->exe = xreadlink(path);
	if (p->exe == NULL)
		p->exe = xstrdup("?");
	free(p->argv);
	p->argv = procfs_read_cmdline(pid);
	if (p->unwinder != NULL)
		unwind_exec(p->unwinder);
	warn_if_32bit(pid, p->exe);
	record_inherited(p, pid, copy);
	t->sc = NULL;
	t->entry_stack = 0;
	t->in_syscall = false;
	lifecycle_resume(t, 0);
}

struct closing_walk {
	struct proc *p;
	int fd;
	bool found;
};

static void
find_closing(struct task *t, void *arg)
{
	struct closing_walk *w = arg;

	if (t->proc == w->p && t->held && t->closing == w->fd)
		w->found = true;
}

/*
 * Detaching, a thread may be held at the entry of close(fd): the model
 * has let fd go, the kernel not yet. It is on its way out, not unknown.
 */
static bool
being_closed(int fd, void *arg)
{
	struct closing_walk w = { arg, fd, false };

	if (detaching)
		task_foreach(find_closing, &w);
	return w.found;
}

/*
 * The kernel's fd table of p, through its thread t, against the model:
 * its leaks, described as the kernel has them, into p's report.
 */
static void
snapshot_leaks(struct proc *p, pid_t tid, struct fdtab *tab)
{
	struct leak_rules lr = lifecycle_rules();
	struct leak_hidden hidden = { 0 };
	uint64_t now = now_ns();
	int *fds, n = procfs_list_fds(tid, &fds);
	struct fd_desc *descs;
	size_t kept;

	lr.pid = p->pid;
	if (n < 0)
		return;
	/* Sampling: the fds made while fdleak was away, open to the end. */
	for (int i = 0; p->sampled && i < n; i++) {
		if (leaks_unsampled(fdtab_lookup(tab, fds[i])))
			p->rep.sampling.unsampled++;
	}
	/* The leaks first, then one look at the whole table to describe them. */
	kept = leaks_select(&lr, tab, fds, (size_t)n, being_closed, p, now,
	    &hidden);
	p->rep.nyoung += hidden.young;
	p->rep.nforked += hidden.forked;
	/* Zeroed: FDK_UNKNOWN and no target, which describe_all leaves too. */
	descs = xcalloc(kept > 0 ? kept : 1, sizeof *descs);
	if (kept > 0)
		fdinfo_describe_all(tid, fds, kept, descs);
	for (size_t i = 0; i < kept; i++) {
		struct fd_record *r = fdtab_lookup(tab, fds[i]);
		struct leak l;

		/* Listed but not describable (a path longer than a page): still a leak. */
		if (descs[i].kind == FDK_UNKNOWN && descs[i].target == NULL) {
			char path[64];
			struct stat st;

			snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, fds[i]);
			if (stat(path, &st) == 0)
				descs[i].kind = fdinfo_kind_from_link("/", st.st_mode);
		}
		leaks_make(&l, fds[i], r, &descs[i], tid, now);
		report_add_leak(&p->rep, &l);
	}
	free(descs);
	free(fds);
	p->snapshot = true;
	p->rep.end_ns = now_ns();
}

/* No exit stop was seen (SIGKILL): report what the model holds. */
static void
model_leaks(struct proc *p)
{
	struct leak_rules lr = lifecycle_rules();
	struct leak_hidden hidden = { 0 };

	if (p->fdtab == NULL)
		return;
	lr.pid = p->pid;
	leaks_from_model(&lr, p->fdtab, p->pid, now_ns(), &p->rep, &hidden);
	p->rep.nyoung += hidden.young;
	p->rep.nforked += hidden.forked;
	p->rep.end_ns = now_ns();
}

/* The exit status a thread stops with at PTRACE_EVENT_EXIT; 0 if unknown. */
static int
exit_event_status(struct task *t)
{
	unsigned long msg;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0)
		return 0;
	return (int)msg;
}

void
lifecycle_exit_event(struct task *t)
{
	struct proc *p = t->proc;

	if (!t->exited) {
		t->exited = true;
		p->live--;
	}
	/*
	 * Killed by a signal, the whole process is going: every thread is
	 * on its way out and the table is still whole, so take the kernel's
	 * word now. The last thread may die without an exit stop, the kernel
	 * skipping it when a fatal signal is pending again; then only the
	 * model would be left, without kinds or targets. (Threads killed by
	 * another thread's exec stop here too: the exec event drops this.)
	 */
	if (!p->snapshot && (p->live == 0 || WIFSIGNALED(exit_event_status(t))))
		snapshot_leaks(p, t->tid, t->fdtab);
	t->in_syscall = false;
	lifecycle_resume(t, 0);
}

void
lifecycle_finish(struct proc *p)
{
	struct proc_report *r;

	if (!p->snapshot)
		model_leaks(p);
	sampling_count_window(p, now_ns());
	if (p->sampled && p->first_ns != 0)
		p->rep.sampling.wall = (double)(now_ns() - p->first_ns) / 1e9;
	if (p->reaped && WIFEXITED(p->status)) {
		p->rep.exited = true;
		p->rep.exit_code = WEXITSTATUS(p->status);
	} else if (p->reaped && WIFSIGNALED(p->status)) {
		p->rep.exit_signal = WTERMSIG(p->status);
	}
	p->rep.command = xstrdup(p->exe ? p->exe : "?");
	p->rep.argv = p->argv;
	p->argv = NULL;
	report_sort_leaks(&p->rep);
	r = report_add_process(report);
	*r = p->rep;
	memset(&p->rep, 0, sizeof p->rep);
	if (p->pid == main_pid) {
		main_status = p->status;
		main_done = true;
		main_done_ns = now_ns();
	}
	if (opts->on_process != NULL && !aborting)
		opts->on_process(r, opts->arg);
	proc_free(p);
}

void
lifecycle_reaped(struct task *t, int status)
{
	struct proc *p = t->proc;

	if (p == NULL) {
		task_del(t);
		return;
	}
	if (!t->exited)
		p->live--;
	if (t->tid == p->pid) {
		p->reaped = true;
		p->status = status;
	}
	p->ntasks--;
	task_del(t);
	if (p->ntasks == 0)
		lifecycle_finish(p);
	else if (detaching)
		detach_if_held(p);
	/*
	 * A parent gone: children held for its fork event (TASK_ORPHAN) wait
	 * no more. A parent killed between the fork and the event never sends it.
	 */
	task_foreach(adopt_if_abandoned, NULL);
}


/* The fds open now were open before tracing: never leaks. */
static void
take_baseline(struct fdtab *t, pid_t pid)
{
	int *fds, n = procfs_list_fds(pid, &fds);

	if (n < 0) {
		warnerr("cannot list the fds of pid %d", pid);
		return;
	}
	fdtab_baseline(t, fds, (size_t)n);
	free(fds);
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * How long a held child waits for its parent's fork event while its PPid
 * names a live traced process. The event follows the child's creation at
 * once; it never comes when the parent was killed first and the child went
 * to a subreaper that is traced too.
 */
#define ORPHAN_WAIT_NS	200000000u
static uint64_t orphan_deadline;	/* 0: no held child to look at again */

/* Hold a child whose first stop came before its parent's fork event. */
void
lifecycle_hold_orphan(struct task *t)
{
	t->orphan_since = now_ns();
	if (orphan_deadline == 0)
		orphan_deadline = t->orphan_since + ORPHAN_WAIT_NS;
	adopt_if_abandoned(t, NULL);
}

/*
 * A held child whose parent is no longer a live traced task will never
 * get its fork event: trace it as a process of its own, its fds (all
 * inherited, the parent's model gone with the parent) a baseline, and let
 * it run. So is one held ORPHAN_WAIT_NS while arg (the time now) is given.
 * A thread needs nothing: its group dies with its creator, or the event
 * comes.
 */
static void
adopt_if_abandoned(struct task *t, void *arg)
{
	const uint64_t *now = arg;
	struct proc_status st;
	struct task *parent;
	struct proc *p;
	char path[64];

	if (t->state != TASK_ORPHAN || t->proc != NULL ||
	    procfs_read_status(t->tid, &st) < 0 || st.tgid != t->tid)
		return;
	/* PPid names the parent process; any of its threads may have forked. */
	parent = task_find(st.ppid);
	if (parent != NULL && parent->proc != NULL && parent->proc->live > 0) {
		if (now == NULL)
			return;
		if (*now - t->orphan_since < ORPHAN_WAIT_NS) {
			/* Not yet: look again when its wait is over. */
			uint64_t due = t->orphan_since + ORPHAN_WAIT_NS;

			if (orphan_deadline == 0 || due < orphan_deadline)
				orphan_deadline = due;
			return;
		}
	}
	p = proc_new(t->tid, st.ppid);
	snprintf(path, sizeof path, "/proc/%d/exe", (int)t->tid);
	if ((p->exe = xreadlink(path)) == NULL)
		p->exe = xstrdup("?");
	p->argv = procfs_read_cmdline(t->tid);
	p->execed = true;
	p->fdtab = fdtab_new();
	take_baseline(p->fdtab, t->tid);
	task_join(t, p, TASK_RUNNING);
	lifecycle_resume(t, 0);
}

/* --- detach (attach mode) --- */

struct proc_walk {
	struct proc *p;
	unsigned held, total;
	struct task *any;	/* a held task that has not exited, to read /proc through */
};

static void
count_held(struct task *t, void *arg)
{
	struct proc_walk *w = arg;

	if (t->proc != w->p)
		return;
	w->total++;
	if (t->held) {
		w->held++;
		if (!t->exited)
			w->any = t;
	}
}

static void
detach_task(struct task *t, void *arg)
{
	struct proc_walk *w = arg;

	if (t->proc != w->p)
		return;
	if (ptrace(PTRACE_DETACH, t->tid, 0L, (long)t->held_sig) < 0 &&
	    errno != ESRCH)
		warnerr("cannot detach from thread %d", t->tid);
	w->p->ntasks--;
	task_del(t);
}



/*
 * Once every thread of p is held in a stop, the table is still: take the
 * outstanding fds from the kernel, then let every thread go.
 */
static void
detach_if_held(struct proc *p)
{
	struct proc_walk w = { p, 0, 0, NULL };

	task_foreach(count_held, &w);
	if (w.held < w.total)
		return;
	/* A window ends: let go, but keep the model for the next one. */
	if (pausing && w.any != NULL && !p->snapshot && !p->reaped) {
		sampling_park(p, w.any->tid);
		task_foreach(detach_task, &w);
		return;
	}
	if (!p->snapshot && w.any != NULL)
		snapshot_leaks(p, w.any->tid, w.any->fdtab);
	p->rep.running = !p->reaped;
	task_foreach(detach_task, &w);
	if (p->ntasks == 0)
		lifecycle_finish(p);
}

/* A stop while detaching: do its bookkeeping, then hold the thread. */
static void
hold(struct task *t, int sig)
{
	t->held = true;
	t->held_sig = sig;
	if (t->proc != NULL)
		detach_if_held(t->proc);
}

static void
interrupt_task(struct task *t, void *arg)
{
	(void)arg;
	if (!t->held && ptrace(PTRACE_INTERRUPT, t->tid, 0L, 0L) < 0 &&
	    errno != ESRCH)
		warnerr("cannot interrupt thread %d", t->tid);
}

static void
kill_task(struct task *t, void *arg)
{
	(void)arg;
	/*
	 * The kernel's word first: a SIGKILLed process may die without an
	 * exit stop, and the model alone has no kinds or targets. Nothing
	 * changes the table after this: its fd syscalls stop for fdleak.
	 */
	if (t->proc != NULL && !t->proc->snapshot && !t->exited)
		snapshot_leaks(t->proc, t->tid, t->fdtab);
	kill(t->tid, SIGKILL);
}

void
tracer_kill_all(void)
{
	task_foreach(kill_task, NULL);
}

void
tracer_start_detach(void)
{
	if (!attach_mode || detaching)
		return;
	detaching = true;
	task_foreach(interrupt_task, NULL);
}

bool
tracer_detaching(void)
{
	return lifecycle_detaching();
}

uint64_t
tracer_check_orphans(uint64_t now)
{
	if (orphan_deadline != 0 && now >= orphan_deadline) {
		/* Recomputed by the scan from the children still held. */
		orphan_deadline = 0;
		task_foreach(adopt_if_abandoned, &now);
	}
	return orphan_deadline;
}


/* Make t a thread of p, sharing p's fd table. */
static void
task_join(struct task *t, struct proc *p, int state)
{
	t->state = (enum task_state)state;
	t->proc = p;
	t->fdtab = fdtab_ref(p->fdtab);
	p->ntasks++;
	p->live++;
	if (attach_mode && state == TASK_STARTING) {
		t->initial = true;
		p->starting++;
	}
}

struct task *
tracer_new_thread(struct proc *p, pid_t tid, int state)
{
	struct task *t = task_add(tid);

	task_join(t, p, state);
	return t;
}

struct task *
tracer_new_process(pid_t pid, pid_t ppid, const char *exe, int state)
{
	struct proc *p = proc_new(pid, ppid);

	p->exe = xstrdup(exe);
	/* Launch mode: the child has not exec'd yet; its exec reads them. */
	if (attach_mode)
		p->argv = procfs_read_cmdline(pid);
	p->fdtab = fdtab_new();
	if (main_pid == 0)
		main_pid = pid;
	if (!attach_mode)
		take_baseline(p->fdtab, pid);	/* the child still waits to exec */
	sampling_setup(p);
	return tracer_new_thread(p, pid, state);
}


void
tracer_pause(void)
{
	if (!attach_mode || detaching)
		return;
	pausing = true;
	detaching = true;
	task_foreach(interrupt_task, NULL);
}

bool
tracer_pausing(void)
{
	return pausing;
}

void
tracer_gap_begin(void)
{
	pausing = false;
	detaching = false;
}







struct task *
tracer_new_child(struct proc *parent, pid_t pid, const char *exe)
{
	struct proc *p = proc_new(pid, parent->pid);

	/* Born in a gap: what it holds of its parent's is known by identity. */
	p->exe = xstrdup(exe);
	p->argv = procfs_read_cmdline(pid);
	p->fdtab = fdtab_fork(parent->fdtab);
	p->execed = parent->execed;
	/* Another program: it exec'd in the gap, and what it kept came across. */
	if (parent->exe != NULL && strcmp(parent->exe, exe) != 0) {
		struct fd_record *r;
		size_t pos = 0;

		while ((r = fdtab_next(p->fdtab, &pos)) != NULL)
			r->flags |= FDREC_ACROSS_EXEC;
		p->execed = true;
	}
	sampling_setup(p);
	p->waking = true;
	p->window_ns = now_ns();
	return tracer_new_thread(p, pid, TASK_STARTING);
}

void
tracer_lost(struct proc *p)
{
	sampling_unpark(p);
	/* Its end was not seen: no leak is claimed, the report says so. */
	p->rep.sampling.lost = true;
	p->snapshot = true;
	p->rep.end_ns = now_ns();
	lifecycle_finish(p);
}

void
tracer_dump_asleep(struct dump *d)
{
	struct leak_rules lr = lifecycle_rules();

	sampling_dump_asleep(d, &lr);
}

void
tracer_mark_aborting(void)
{
	aborting = true;
}

bool
tracer_attach_mode(void)
{
	return attach_mode;
}

pid_t
tracer_main_pid(void)
{
	return main_pid;
}

uint64_t
tracer_start_ns(void)
{
	return trace_start_ns;
}

uint64_t
tracer_main_ended(void)
{
	return main_done ? main_done_ns : 0;
}

bool
tracer_status(pid_t pid, int *wstatus)
{
	if (pid != main_pid || !main_done)
		return false;
	*wstatus = main_status;
	return true;
}



/*
 * Every thread of p has stopped for fdleak (an attach): the fds open now
 * were open before tracing, a baseline; or, when p is attached again for
 * a sampling window, the model is reconciled with the kernel's table.
 * Either way before any thread runs on.
 */
static void
window_starts(struct proc *p, pid_t tid)
{
	if (!p->waking)
		take_baseline(p->fdtab, p->pid);
	sampling_window_starts(p, tid);
}

void
lifecycle_event_stop(struct task *t, int sig)
{
	if (t->state == TASK_STARTING) {
		t->state = TASK_RUNNING;
		/* Attached: the baseline is taken once every thread is ours. */
		if (t->initial) {
			t->initial = false;
			if (--t->proc->starting == 0)
				window_starts(t->proc, t->tid);
		}
		lifecycle_resume(t, 0);
	} else if (is_stop_signal(sig) && detaching) {
		hold(t, 0);	/* detached in group-stop, it stays stopped */
	} else if (is_stop_signal(sig)) {
		/* Group-stop: stay stopped until SIGCONT, as untraced. */
		if (ptrace(PTRACE_LISTEN, t->tid, 0L, 0L) < 0 && errno != ESRCH)
			warnerr("cannot listen on thread %d", t->tid);
	} else {
		lifecycle_resume(t, 0);
	}
}

void
lifecycle_begin(const struct tracer_opts *o, struct report *rep, bool seccomp,
    bool attach)
{
	opts = o;
	report = rep;
	use_seccomp = seccomp;
	attach_mode = attach;
	trace_start_ns = now_ns();
	sampling_begin(o, attach);
}

/* Holder sites: the most fds first, then the oldest stack id. */
static int
site_by_count(const void *a, const void *b)
{
	const struct dump_site *x = a, *y = b;

	if (x->count != y->count)
		return (x->count < y->count) - (x->count > y->count);
	return (x->stack > y->stack) - (x->stack < y->stack);
}

void
lifecycle_ran_out(struct proc *p, pid_t tid, enum fail_class c,
    uint64_t limit)
{
	struct ran_out *r = report_add_ran_out(&p->rep, c);
	struct leak_rules lr = lifecycle_rules();
	struct dump d = { 0 };
	struct dump_proc *dp;

	if (r == NULL)
		return;
	r->after = (double)(now_ns() - trace_start_ns) / 1e9;
	r->limit = limit == RLIM_INFINITY ? 0 : limit;
	/* Every fd made under trace counts here, however young. */
	lr.min_age_ns = 0;
	lr.skip_fork_inherited = false;
	dp = dump_add_process(&d, p->pid, tid, p->fdtab, &lr);
	r->open = dp->fds;
	qsort(dp->sites, dp->nsites, sizeof *dp->sites, site_by_count);
	for (size_t i = 0; i < dp->nsites && r->nholders < HOLDERS_KEPT; i++) {
		const struct dump_site *s = &dp->sites[i];
		struct holder *h = &r->holders[r->nholders++];

		h->stack = s->stack;
		h->count = s->count;
		memcpy(h->kinds, s->kinds, sizeof h->kinds);
		for (unsigned k = 0; k < s->ntargets; k++) {
			if (h->ntargets < HOLDER_TARGETS_KEPT)
				h->targets[h->ntargets++] = xstrdup(s->targets[k]);
			else
				h->more_targets++;
		}
		h->more_targets += s->more_targets;
	}
	dump_free(&d);
}

bool
lifecycle_seccomp(void)
{
	return use_seccomp;
}

bool
lifecycle_detaching(void)
{
	return detaching;
}
