// SPDX-License-Identifier: MIT
/*
 * tracer.c - launch a command under ptrace, follow every thread, fork and
 * exec, and turn stops into model updates. The hot path is
 * on_syscall_stop(): one PTRACE_GET_SYSCALL_INFO or PTRACE_GETREGS, a table
 * lookup and, for fd creators and closes, a stack capture that is unwound
 * after the thread is resumed (see deferred).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/time.h>

#include "arch.h"
#include "decode.h"
#include "attach.h"
#include "fdinfo.h"
#include "fdtab.h"
#include "leaks.h"
#include "stack.h"
#include "task.h"
#include "tracer.h"
#include "unwind.h"
#include "umem.h"
#include "util.h"

#define MAX_DEPTH	256

static const struct tracer_opts *opts;
static struct report *report;
static bool use_seccomp;
static bool attach_mode;
static bool detaching;
static bool aborting;		/* attach failed: let go of everything, report nothing */
static pid_t main_pid;
static int main_status;
static bool main_done;
static bool warned_foreign_arch;
static uint64_t start_ns, next_dump_ns, end_ns;

/* Registers of the thread at the stop being handled, read at most once. */
static struct arch_regs stop_regs;
static bool stop_regs_valid;

/* Set by the signal handlers; the wait loop acts on them. */
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t kill_requested;
static volatile sig_atomic_t detach_requested;
static volatile sig_atomic_t dump_requested;

/*
 * Restart t. Inside a traced syscall we need its exit stop; otherwise, with
 * the seccomp filter, the next stop we want is the filter's.
 */
static void hold(struct task *t, int sig);
static void adopt_if_abandoned(struct task *t, void *arg);
static void task_join(struct task *t, struct proc *p, int state);
static void detach_if_held(struct proc *p);
static void arm_timer(void);

static void
resume(struct task *t, int sig)
{
	int req = (t->in_syscall || !use_seccomp) ? PTRACE_SYSCALL : PTRACE_CONT;

	if (detaching) {
		hold(t, sig);
		return;
	}
	if (ptrace(req, t->tid, 0L, (long)sig) < 0 && errno != ESRCH)
		warnerr("cannot resume thread %d", t->tid);
}

static bool
read_stop_regs(struct task *t)
{
	if (!stop_regs_valid && arch_get_regs(t->tid, &stop_regs) == 0)
		stop_regs_valid = true;
	return stop_regs_valid;
}

static unsigned
stack_depth(void)
{
	return opts->depth > MAX_DEPTH ? MAX_DEPTH : opts->depth;
}

static struct unwinder *
unwinder_of(struct task *t)
{
	if (t->proc->unwinder == NULL)
		t->proc->unwinder = unwind_new(t->proc->pid);
	return t->proc->unwinder;
}

/* The stack of t, stopped, now. */
static uint32_t
capture_stack(struct task *t)
{
	struct frame frames[MAX_DEPTH];
	unsigned depth = stack_depth(), n;

	if (depth == 0 || !read_stop_regs(t) || unwinder_of(t) == NULL)
		return 0;
	n = unwind_capture(unwinder_of(t), t->tid, &stop_regs, frames, depth);
	return stack_intern(frames, n);
}

/* The stack of the syscall whose exit t is stopped at. */
static uint32_t
syscall_stack(struct task *t)
{
	return t->entry_stack != 0 ? t->entry_stack : capture_stack(t);
}

static void
apply(struct task *t, const struct fd_event *ev, uint32_t stack)
{
	struct fdtab *before = t->fdtab;

	t->fdtab = fdtab_apply(t->fdtab, ev, stack, t->tid, t->proc->pid, now_ns());
	if (t->fdtab != before && t->proc->fdtab == before) {
		/* close_range(CLOSE_RANGE_UNSHARE): the process follows its thread. */
		fdtab_unref(t->proc->fdtab);
		t->proc->fdtab = fdtab_ref(t->fdtab);
	}
}

/* A close's stack names the first close when the fd is closed twice. */
static bool
wants_stack(const struct fd_event *ev)
{
	return ev->type != FDE_NONE;
}

/*
 * A stack wanted at a syscall stop is unwound after the thread is resumed,
 * so that the tracee runs while the tracer works: most of a capture is
 * libunwind's, and a stop costs the program only until it is resumed. A
 * thread that stops again at this syscall's exit keeps its stack as it is
 * until then, so it is read whole after the resume; one that runs on (a
 * close, handled at its entry alone under the filter) has its stack read
 * before it goes and is unwound from that copy alone.
 */
static struct {
	struct task *t;		/* NULL: nothing deferred */
	bool apply;		/* ev waits for the stack; else it is t's entry_stack */
	struct fd_event ev;
} deferred;

static void
defer_stack(struct task *t, const struct fd_event *ev)
{
	if (stack_depth() == 0) {
		if (ev != NULL)
			apply(t, ev, 0);
		return;
	}
	deferred.t = t;
	deferred.apply = ev != NULL;
	if (ev != NULL)
		deferred.ev = *ev;
}

/* Before t is resumed: registers, and the stack of a thread that runs on. */
static void
deferred_begin(void)
{
	struct task *t = deferred.t;

	if (t == NULL)
		return;
	if (!read_stop_regs(t) || unwinder_of(t) == NULL) {
		/* Gone, or libunwind failed: the event counts, without a stack. */
		if (deferred.apply)
			apply(t, &deferred.ev, 0);
		deferred.t = NULL;
		return;
	}
	/* Held while detaching, a thread does not run on. */
	unwind_begin(unwinder_of(t), t->tid, &stop_regs,
	    !t->in_syscall && !detaching && stack_depth() > 1);
}

/* After t is resumed: unwind, and apply what waited. */
static void
deferred_end(void)
{
	struct frame frames[MAX_DEPTH];
	struct task *t = deferred.t;
	uint32_t stack;
	unsigned n;

	if (t == NULL)
		return;
	deferred.t = NULL;
	n = unwind_frames(unwinder_of(t), frames, stack_depth());
	stack = stack_intern(frames, n);
	if (deferred.apply)
		apply(t, &deferred.ev, stack);
	else
		t->entry_stack = stack;
}

/* Resume t from a syscall stop, doing the deferred work while it runs. */
static void
resume_syscall(struct task *t)
{
	deferred_begin();
	/*
	 * While detaching, t is not resumed but held, and once its process is
	 * still, let go and freed: the model must be whole before that.
	 */
	if (detaching)
		deferred_end();
	resume(t, 0);
	deferred_end();
}

/*
 * The soft RLIMIT_NOFILE of p, read once per program image, and again
 * when fd reaches it (the program may have raised it): fds at or above it
 * cannot exist, and close_range to the hard limit is the closefrom idiom.
 */
static uint64_t
fd_limit(struct proc *p, int fd)
{
	struct rlimit rl;

	if (p->fd_soft != 0 && (fd < 0 || (uint64_t)fd < p->fd_soft))
		return p->fd_soft;
	if (prlimit(p->pid, RLIMIT_NOFILE, NULL, &rl) == 0) {
		p->fd_soft = rl.rlim_cur;
		p->fd_hard = rl.rlim_max;
	} else {
		p->fd_soft = p->fd_hard = RLIM_INFINITY;
	}
	return p->fd_soft;
}

/* A double close of the fd whose closed record is c, at stack. */
static void
record_double_close(struct task *t, const struct fd_record *c, int nr,
    uint32_t stack)
{
	struct misuse m = {
		.type = MISUSE_DOUBLE_CLOSE,
		.fd = c->fd,
		.tid = t->tid,
		.nr = nr,
		.kind = (enum fd_kind)c->kind,
		.stack = stack,
		.prev_stack = c->close_stack,
		.open_stack = c->stack,
	};

	report_add_misuse(&t->proc->rep, &m);
}

/* close(fd) failed with EBADF: misuse, or a close of nothing, counted. */
static void
record_bad_close(struct task *t, int fd)
{
	const struct fd_record *closed = fdtab_closed(t->fdtab, fd);
	struct fd_record c;
	struct misuse m = {
		.type = MISUSE_BAD_CLOSE,
		.fd = fd,
		.tid = t->tid,
		.nr = SYS_close,
	};

	switch (leaks_failed_close(closed, fd, fd_limit(t->proc, fd))) {
	case CLOSE_DOUBLE:
		c = *closed;	/* the capture below may change the table */
		record_double_close(t, &c, SYS_close, capture_stack(t));
		break;
	case CLOSE_BAD:
		m.stack = capture_stack(t);
		report_add_misuse(&t->proc->rep, &m);
		break;
	case CLOSE_UNOPENED:
		report_add_unopened_close(&t->proc->rep, fd);	/* no stack */
		break;
	}
}

/*
 * close_range(lo, hi) succeeded: each fd in the range that this table had
 * closed already is closed twice, in any form of the call (CLOEXEC too:
 * the program believes the fd open). A range reaching the hard limit is
 * the closefrom idiom, "whatever is open", as valgrind also takes it.
 */
static void
check_close_range(struct task *t, uint64_t lo, uint64_t hi, uint32_t stack)
{
	struct fd_record *recs;
	size_t n;

	fd_limit(t->proc, -1);
	if (lo > hi || hi >= t->proc->fd_hard || hi > INT_MAX)
		return;
	recs = fdtab_closed_range(t->fdtab, (unsigned)lo, (unsigned)hi, &n);
	for (size_t i = 0; i < n; i++) {
		if (leaks_closed_by_program(&recs[i]))
			record_double_close(t, &recs[i], SYS_close_range, stack);
	}
	free(recs);
}

static void
on_syscall_entry(struct task *t, enum arch_abi abi, uint64_t nr,
    const uint64_t *args)
{
	const struct syscall_desc *d;

	t->sc = NULL;
	t->entry_stack = 0;
	t->in_syscall = !use_seccomp;	/* without the filter every entry has an exit */
	if (abi != ARCH_ABI_NATIVE) {
		if (!warned_foreign_arch)
			warnmsg("pid %d makes 32-bit syscalls, which fdleak does not "
			    "decode; fds they create are reported as origin unknown",
			    t->proc->pid);
		warned_foreign_arch = true;
		return;
	}
	d = syscall_lookup((long)nr);
	/* Without the filter, its argument tests are made here (fcntl F_GETFL, ...). */
	if (d == NULL || !syscall_wanted(d, args))
		return;
	/*
	 * An fd the model knows is closed whatever close returns; one it does
	 * not know needs the result, to tell a bad close from a gap in the model.
	 */
	if (d->entry_only && (d->class != SC_CLOSE ||
	    fdtab_lookup(t->fdtab, (int)args[0]) != NULL)) {
		struct fd_event ev;

		decode_syscall(d, t->tid, args, 0, &ev);
		if (wants_stack(&ev))
			defer_stack(t, &ev);
		else if (ev.type != FDE_NONE)
			apply(t, &ev, 0);
		if (d->class == SC_CLOSE)
			t->closing = (int)args[0];
		return;
	}
	t->sc = d;
	memcpy(t->args, args, sizeof t->args);
	t->in_syscall = true;
	/* Its stack, while it runs: the exit stop then only decodes. */
	if (d->class != SC_CLOSE)
		defer_stack(t, NULL);
}

static void
on_syscall_exit(struct task *t, int64_t rval)
{
	if (t->sc != NULL && t->sc->class == SC_CLOSE) {
		if (rval == -EBADF)
			record_bad_close(t, (int)t->args[0]);
	} else if (t->sc != NULL) {
		if (t->sc->class == SC_CLOSE_RANGE && rval == 0)
			check_close_range(t, (uint32_t)t->args[0],
			    (uint32_t)t->args[1], syscall_stack(t));
		struct fd_event ev;

		decode_syscall(t->sc, t->tid, t->args, rval, &ev);
		if (ev.type != FDE_NONE)
			apply(t, &ev, wants_stack(&ev) ? syscall_stack(t) : 0);
	}
	t->sc = NULL;
	t->entry_stack = 0;
	t->in_syscall = false;
}

static void
on_syscall_stop(struct task *t, bool seccomp_event)
{
	struct ptrace_syscall_info info;
	struct arch_syscall sc;
	uint64_t args[6];

	/*
	 * The exit stop of a syscall whose entry we kept: the registers hold
	 * the result (and a stack not taken at the entry needs them).
	 */
	if (!seccomp_event && t->in_syscall && t->sc != NULL &&
	    read_stop_regs(t)) {
		arch_syscall_of(&stop_regs, &sc);
		on_syscall_exit(t, sc.ret);
		resume(t, 0);
		return;
	}
	/* The filter sends only native syscalls: the registers say which and with what. */
	if (seccomp_event && read_stop_regs(t)) {
		arch_syscall_of(&stop_regs, &sc);
		on_syscall_entry(t, ARCH_ABI_NATIVE, (uint64_t)sc.nr, sc.args);
		resume_syscall(t);
		return;
	}
	/*
	 * Without the filter every syscall stops twice. The exit of one we
	 * did not want (read, epoll_wait, ...) needs nothing from the kernel:
	 * that saves a ptrace call at half the stops of an attached server.
	 * Only a stop we are sure of: the first stops after an attach or a
	 * clone, an exec's exit, are classified below.
	 */
	if (!use_seccomp && !seccomp_event && t->in_syscall && t->sc == NULL) {
		t->in_syscall = false;
		resume(t, 0);
		return;
	}
	/* Zeroed for memcheck, which does not know this request fills it. */
	memset(&info, 0, sizeof info);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof info, &info) <= 0) {
		resume(t, 0);
		return;
	}
	switch (info.op) {
	case PTRACE_SYSCALL_INFO_SECCOMP:
		memcpy(args, info.seccomp.args, sizeof args);
		on_syscall_entry(t, arch_abi_of_audit(info.arch), info.seccomp.nr,
		    args);
		break;
	case PTRACE_SYSCALL_INFO_ENTRY:
		memcpy(args, info.entry.args, sizeof args);
		on_syscall_entry(t, arch_abi_of_audit(info.arch), info.entry.nr,
		    args);
		break;
	case PTRACE_SYSCALL_INFO_EXIT:
		on_syscall_exit(t, info.exit.rval);
		break;
	default:
		break;
	}
	resume_syscall(t);
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

static void
on_fork_event(struct task *parent)
{
	unsigned long msg;
	struct task *c;
	uint64_t flags;
	bool held;

	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0L, &msg) < 0) {
		resume(parent, 0);
		return;
	}
	flags = clone_flags(parent);
	c = task_find((pid_t)msg);
	held = c != NULL;	/* its first stop came before this event */
	if (held && c->proc != NULL) {
		/* Adopted already, its parent's liveness misjudged: keep it so. */
		resume(parent, 0);
		return;
	}
	if (c == NULL)
		c = task_add((pid_t)msg);
	if (flags & CLONE_THREAD) {
		c->proc = parent->proc;
	} else {
		c->proc = proc_new(c->tid, parent->proc->pid);
		c->proc->exe = xstrdup(parent->proc->exe ? parent->proc->exe : "?");
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
		resume(c, 0);
	} else {
		c->state = TASK_STARTING;
	}
	resume(parent, 0);
}

static bool
seccomp_active(pid_t pid)
{
	char path[64], buf[4096];
	const char *s;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	s = strstr(buf, "\nSeccomp:");
	return s != NULL && atoi(s + 9) == 2;
}

/* The options as the leak model takes them. */
static struct leak_rules
rules(void)
{
	return (struct leak_rules){ opts->std_fds,
	    (uint64_t)(opts->min_age * 1e9) };
}

/*
 * Every fd made under trace that survived this exec lacked close-on-exec:
 * the new program inherited it, whether it then keeps or closes it.
 */
static void
record_inherited(struct proc *p, pid_t pid, struct fdtab *tab)
{
	struct leak_rules lr = rules();
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
	    memcmp(ident, "\177ELF", 4) == 0 && ident[4] == 1 /* ELFCLASS32 */) {
		if (!warned_foreign_arch)
			warnmsg("pid %d runs a 32-bit program (%s): fdleak decodes only "
			    "x86_64 syscalls; its fds are reported as origin unknown",
			    pid, exe);
		warned_foreign_arch = true;
	}
	close(fd);
}

/* After execve: the kernel dropped close-on-exec fds; the model follows. */
static void
on_exec_event(pid_t pid)
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
	n = fdinfo_list(pid, &fds);
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
	if (p->unwinder != NULL)
		unwind_exec(p->unwinder);
	warn_if_32bit(pid, p->exe);
	record_inherited(p, pid, copy);
	t->sc = NULL;
	t->entry_stack = 0;
	t->in_syscall = false;
	resume(t, 0);
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
snapshot_leaks(struct proc *p, struct task *t)
{
	struct leak_rules lr = rules();
	uint64_t now = now_ns();
	int *fds, n = fdinfo_list(t->tid, &fds);
	struct fd_desc *descs;
	size_t kept;

	if (n < 0)
		return;
	/* The leaks first, then one look at the whole table to describe them. */
	kept = leaks_select(&lr, t->fdtab, fds, (size_t)n, being_closed, p, now,
	    &p->rep.nyoung);
	/* Zeroed: FDK_UNKNOWN and no target, which describe_all leaves too. */
	descs = xcalloc(kept > 0 ? kept : 1, sizeof *descs);
	if (kept > 0)
		fdinfo_describe_all(t->tid, fds, kept, descs);
	for (size_t i = 0; i < kept; i++) {
		struct fd_record *r = fdtab_lookup(t->fdtab, fds[i]);
		struct leak l;

		/* Listed but not describable (a path longer than a page): still a leak. */
		if (descs[i].kind == FDK_UNKNOWN && descs[i].target == NULL) {
			char path[64];
			struct stat st;

			snprintf(path, sizeof path, "/proc/%d/fd/%d", t->tid, fds[i]);
			if (stat(path, &st) == 0)
				descs[i].kind = fdinfo_kind_from_link("/", st.st_mode);
		}
		leaks_make(&l, fds[i], r, &descs[i], t->tid, now);
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
	struct leak_rules lr = rules();

	if (p->fdtab == NULL)
		return;
	leaks_from_model(&lr, p->fdtab, p->pid, now_ns(), &p->rep,
	    &p->rep.nyoung);
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

static void
on_exit_event(struct task *t)
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
		snapshot_leaks(p, t);
	t->in_syscall = false;
	resume(t, 0);
}

static void
finish_proc(struct proc *p)
{
	struct proc_report *r;

	if (!p->snapshot)
		model_leaks(p);
	if (p->reaped && WIFEXITED(p->status)) {
		p->rep.exited = true;
		p->rep.exit_code = WEXITSTATUS(p->status);
	} else if (p->reaped && WIFSIGNALED(p->status)) {
		p->rep.exit_signal = WTERMSIG(p->status);
	}
	p->rep.command = xstrdup(p->exe ? p->exe : "?");
	report_sort_leaks(&p->rep);
	r = report_add_process(report);
	*r = p->rep;
	memset(&p->rep, 0, sizeof p->rep);
	if (p->pid == main_pid) {
		main_status = p->status;
		main_done = true;
	}
	if (opts->on_process != NULL && !aborting)
		opts->on_process(r, opts->arg);
	proc_free(p);
}

static void
on_reaped(struct task *t, int status)
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
		finish_proc(p);
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
	int *fds, n = fdinfo_list(pid, &fds);

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
static void
hold_orphan(struct task *t)
{
	t->orphan_since = now_ns();
	if (orphan_deadline == 0) {
		orphan_deadline = t->orphan_since + ORPHAN_WAIT_NS;
		arm_timer();
	}
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
	    attach_read_status(t->tid, &st) < 0 || st.tgid != t->tid)
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
	p->execed = true;
	p->fdtab = fdtab_new();
	take_baseline(p->fdtab, t->tid);
	task_join(t, p, TASK_RUNNING);
	resume(t, 0);
}

static void
handle_status(pid_t pid, int status)
{
	unsigned event = (unsigned)status >> 16;
	struct task *t;
	int sig;

	stop_regs_valid = false;
	if (WIFSTOPPED(status) && event == PTRACE_EVENT_EXEC) {
		on_exec_event(pid);
		return;
	}
	t = task_find(pid);
	if (t == NULL) {
		/* A new child stopped before its parent's fork event: hold it. */
		if (WIFSTOPPED(status))
			hold_orphan(task_add(pid));
		return;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_reaped(t, status);
		return;
	}
	if (!WIFSTOPPED(status) || t->state == TASK_ORPHAN)
		return;
	t->closing = -1;
	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t, false);
		return;
	}
	switch (event) {
	case 0:
		resume(t, sig);		/* signal-delivery-stop: deliver it */
		break;
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t, true);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_fork_event(t);
		break;
	case PTRACE_EVENT_EXIT:
		on_exit_event(t);
		break;
	case PTRACE_EVENT_STOP:
		if (t->state == TASK_STARTING) {
			t->state = TASK_RUNNING;
			/* Attached: the baseline is taken once every thread is ours. */
			if (t->initial) {
				t->initial = false;
				if (--t->proc->starting == 0)
					take_baseline(t->proc->fdtab, t->proc->pid);
			}
			resume(t, 0);
		} else if (is_stop_signal(sig) && detaching) {
			hold(t, 0);	/* detached in group-stop, it stays stopped */
		} else if (is_stop_signal(sig)) {
			/* Group-stop: stay stopped until SIGCONT, as untraced. */
			if (ptrace(PTRACE_LISTEN, t->tid, 0L, 0L) < 0 && errno != ESRCH)
				warnerr("cannot listen on thread %d", t->tid);
		} else {
			resume(t, 0);
		}
		break;
	default:
		resume(t, 0);
		break;
	}
}


/* Seconds as nanoseconds, for deadlines. */
static uint64_t
seconds_ns(double s)
{
	return (uint64_t)(s * 1e9);
}

/* --- live dumps --- */

struct dump_walk {
	struct dump *d;
	struct proc **seen;
	size_t nseen;
	struct leak_rules rules;
};

/* One section per process: its first live task reads /proc for it. */
static void
dump_task(struct task *t, void *arg)
{
	struct dump_walk *w = arg;

	if (t->proc == NULL || t->exited)
		return;
	for (size_t i = 0; i < w->nseen; i++) {
		if (w->seen[i] == t->proc)
			return;
	}
	w->seen = xreallocarray(w->seen, w->nseen + 1, sizeof(struct proc *));
	w->seen[w->nseen++] = t->proc;
	dump_add_process(w->d, t->proc->pid, t->tid, t->fdtab, &w->rules);
}

static void
write_dump(void)
{
	struct dump d = { 0 };
	struct dump_walk w = { &d, NULL, 0, rules() };

	task_foreach(dump_task, &w);
	free(w.seen);
	d.elapsed = (double)(now_ns() - start_ns) / 1e9;
	dump_finish(&d);
	if (opts->on_dump != NULL)
		opts->on_dump(&d, opts->arg);
	dump_free(&d);
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
	if (!p->snapshot && w.any != NULL)
		snapshot_leaks(p, w.any);
	p->rep.running = !p->reaped;
	task_foreach(detach_task, &w);
	if (p->ntasks == 0)
		finish_proc(p);
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
start_detach(void)
{
	detaching = true;
	task_foreach(interrupt_task, NULL);
}

/* --- signals and the loop --- */

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	signals_seen++;
	/* A wait already under way is interrupted; one about to start is woken soon. */
	alarm(1);
	if (attach_mode) {
		detach_requested = 1;
		return;
	}
	if (signals_seen == 1) {
		/* A terminal's signal reached the tracee too; a kill(1) did not. */
		if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
			kill(main_pid, sig);
	} else {
		kill_requested = 1;
		kill(main_pid, SIGKILL);	/* wakes the wait loop */
	}
}

static void
on_dump_signal(int sig)
{
	(void)sig;
	dump_requested = 1;
	alarm(1);
}

static void
on_alarm(int sig)
{
	(void)sig;
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
		snapshot_leaks(t->proc, t);
	kill(t->tid, SIGKILL);
}

static void
install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: waitpid returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_dump_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

/* Wake the wait loop in time for the next dump or the end of --duration. */
static void
arm_timer(void)
{
	uint64_t now = now_ns(), next = 0;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (next_dump_ns != 0)
		next = next_dump_ns;
	if (end_ns != 0 && !detaching && (next == 0 || end_ns < next))
		next = end_ns;
	if (orphan_deadline != 0 && (next == 0 || orphan_deadline < next))
		next = orphan_deadline;
	if (next == 0)
		return;
	next = next > now ? next - now : 1000;
	/* Re-armed each round; the period catches a signal that raced the wait. */
	it.it_value.tv_sec = (time_t)(next / 1000000000u);
	it.it_value.tv_usec = (suseconds_t)(next % 1000000000u / 1000u) + 1;
	it.it_interval.tv_usec = 100000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
check_timers(void)
{
	uint64_t now = now_ns();

	if (kill_requested) {
		task_foreach(kill_task, NULL);
		kill_requested = 0;
	}
	if (end_ns != 0 && now >= end_ns)
		detach_requested = 1;
	if (detach_requested && attach_mode && !detaching)
		start_detach();
	if (next_dump_ns != 0 && now >= next_dump_ns) {
		dump_requested = 1;
		while (next_dump_ns <= now)
			next_dump_ns += seconds_ns(opts->interval);
	}
	if (dump_requested && !detaching) {
		dump_requested = 0;
		write_dump();
	}
	if (orphan_deadline != 0 && now >= orphan_deadline) {
		/* Recomputed by the scan from the children still held. */
		orphan_deadline = 0;
		task_foreach(adopt_if_abandoned, &now);
	}
}

/*
 * Poll before blocking, as KVM polls before halting a vCPU. On a virtual
 * machine a stop that must wake a halted CPU costs tens of microseconds,
 * more than the rest of the stop: waiting in a WNOHANG loop for the stop
 * that is due keeps this CPU awake (churn here: 3x faster on an idle VM).
 * The window adapts: it grows while stops come soon after the tracer
 * would block, and shrinks while they do not, so a tracee that seldom
 * stops costs no polling. Attach mode polls too: every poll yields, so a
 * server thread runnable on this CPU runs first, and a traced nginx
 * worker took less tracer CPU with polling than without (bench notes).
 */
#define POLL_MAX_NS	100000u
#define POLL_START_NS	10000u
static uint64_t poll_ns;	/* current window; 0 = block at once */

static pid_t
wait_stop(int *status)
{
	uint64_t start, waited;
	pid_t pid;

	if (poll_ns > 0) {
		uint64_t until = now_ns() + poll_ns;

		/* Yield: a tracee woken onto this CPU must not wait for the poll. */
		while ((pid = waitpid(-1, status, __WALL | WNOHANG)) == 0 &&
		    now_ns() < until)
			sched_yield();
		if (pid != 0)
			return pid;
	}
	start = now_ns();
	pid = waitpid(-1, status, __WALL);
	waited = now_ns() - start + poll_ns;
	if (pid > 0) {
		if (waited < POLL_MAX_NS)
			poll_ns = poll_ns == 0 ? POLL_START_NS :
			    poll_ns * 2 > POLL_MAX_NS ? POLL_MAX_NS : poll_ns * 2;
		else
			poll_ns /= 2;
	}
	return pid;
}

void
tracer_loop(void)
{
	uint64_t last_arm = 0;

	install_signal_handlers();
	while (task_count() > 0) {
		int status;
		pid_t pid;

		check_timers();
		if (now_ns() - last_arm > 50000000u) {
			arm_timer();
			last_arm = now_ns();
		}
		pid = wait_stop(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				warnerr("waitpid");
			break;
		}
		handle_status(pid, status);
	}
	setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 }, { 0, 0 } }, NULL);
	dump_cleanup();
}

void
tracer_begin(const struct tracer_opts *o, struct report *rep, bool seccomp,
    bool attach)
{
	opts = o;
	report = rep;
	use_seccomp = seccomp;
	attach_mode = attach;
	start_ns = now_ns();
	next_dump_ns = o->interval > 0 ? start_ns + seconds_ns(o->interval) : 0;
	end_ns = attach && o->duration > 0 ? start_ns + seconds_ns(o->duration) : 0;
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
	p->fdtab = fdtab_new();
	if (main_pid == 0)
		main_pid = pid;
	if (!attach_mode)
		take_baseline(p->fdtab, pid);	/* the child still waits to exec */
	return tracer_new_thread(p, pid, state);
}

void
tracer_abort(void)
{
	aborting = true;
	detach_requested = 1;
}

bool
tracer_status(pid_t pid, int *wstatus)
{
	if (pid != main_pid || !main_done)
		return false;
	*wstatus = main_status;
	return true;
}
