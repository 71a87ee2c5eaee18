// SPDX-License-Identifier: MIT
/*
 * tracer.c - stops in, model updates out: each status waitpid gives is
 * handled here, syscall stops by this file (the fd syscalls decoded and
 * applied to the model, failed closes judged, stacks taken), the other
 * events of a process's life by lifecycle.c. The hot path is
 * on_syscall_stop(): one PTRACE_GET_SYSCALL_INFO or PTRACE_GETREGS, a
 * table lookup and, for fd creators and closes, a stack capture that is
 * unwound after the thread is resumed (see deferred).
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
#include "fdinfo.h"
#include "fdtab.h"
#include "leaks.h"
#include "lifecycle.h"
#include "stack.h"
#include "task.h"
#include "tracer.h"
#include "unwind.h"
#include "umem.h"
#include "util.h"

#define MAX_DEPTH	256

static const struct tracer_opts *opts;

/* Registers of the thread at the stop being handled, read at most once. */
static struct arch_regs stop_regs;
static bool stop_regs_valid;

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

	if (ev->type == FDE_CREATE)
		t->proc->rep.sampling.seen += ev->nfds;
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
	    !t->in_syscall && !lifecycle_detaching() && stack_depth() > 1);
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
	if (lifecycle_detaching())
		deferred_end();
	lifecycle_resume(t, 0);
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
	/* Without the filter every entry has an exit. */
	t->in_syscall = !lifecycle_seccomp();
	if (abi != ARCH_ABI_NATIVE) {
		lifecycle_warn_foreign(t->proc->pid, NULL);
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

/*
 * Whether a call of d with args that failed with err was a failed fd
 * creation: not a fork (clone), nor a receive (which makes fds only when a
 * message carries some), nor a signalfd that was to change an existing one.
 */
static bool
creation_failed(const struct syscall_desc *d, const uint64_t *args, int err)
{
	switch (d->class) {
	case SC_CLONE:
	case SC_CLONE3:
	case SC_RECVMSG:
	case SC_RECVMMSG:
	case SC_CLOSE:
	case SC_CLOSE_RANGE:
		return false;
	case SC_SIGNALFD:
		return (int)args[0] == -1 && failure_counts(err);
	default:
		return failure_counts(err);
	}
}

/* t's syscall failed to make an fd with err: counted, and what ran out. */
static void
record_failure(struct task *t, int err)
{
	struct proc *p = t->proc;
	enum fail_class c = failure_class(err);
	uint32_t stack = c == FAIL_OTHER ? 0 : syscall_stack(t);

	if (report_add_failure(&p->rep, stack, t->sc->nr, err))
		lifecycle_ran_out(p, t->tid, c, fd_limit(p, INT_MAX));
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
		else if (rval < 0 && rval > -4096 &&
		    creation_failed(t->sc, t->args, (int)-rval))
			record_failure(t, (int)-rval);
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
		lifecycle_resume(t, 0);
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
	if (!lifecycle_seccomp() && !seccomp_event && t->in_syscall &&
	    t->sc == NULL) {
		t->in_syscall = false;
		lifecycle_resume(t, 0);
		return;
	}
	/* Zeroed for memcheck, which does not know this request fills it. */
	memset(&info, 0, sizeof info);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof info, &info) <= 0) {
		lifecycle_resume(t, 0);
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

void
tracer_handle_status(pid_t pid, int status)
{
	unsigned event = (unsigned)status >> 16;
	struct task *t;
	int sig;

	stop_regs_valid = false;
	if (WIFSTOPPED(status) && event == PTRACE_EVENT_EXEC) {
		lifecycle_exec_event(pid);
		return;
	}
	t = task_find(pid);
	if (t == NULL) {
		/* A new child stopped before its parent's fork event: hold it. */
		if (WIFSTOPPED(status))
			lifecycle_hold_orphan(task_add(pid));
		return;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		lifecycle_reaped(t, status);
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
		lifecycle_resume(t, sig);		/* signal-delivery-stop: deliver it */
		break;
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t, true);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		lifecycle_fork_event(t);
		break;
	case PTRACE_EVENT_EXIT:
		lifecycle_exit_event(t);
		break;
	case PTRACE_EVENT_STOP:
		lifecycle_event_stop(t, sig);
		break;
	default:
		lifecycle_resume(t, 0);
		break;
	}
}

void
tracer_begin(const struct tracer_opts *o, struct report *rep, bool seccomp,
    bool attach)
{
	opts = o;
	lifecycle_begin(o, rep, seccomp, attach);
}
