// SPDX-License-Identifier: MIT
/*
 * tracer.c - launch a command under ptrace, follow every thread, fork and
 * exec, and turn stops into model updates. The hot path is
 * on_syscall_stop(): one PTRACE_GET_SYSCALL_INFO, a table lookup and, for
 * fd creators only, one PTRACE_GETREGS and a stack capture.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <sched.h>

#include "decode.h"
#include "fdinfo.h"
#include "fdtab.h"
#include "stack.h"
#include "task.h"
#include "tracer.h"
#include "unwind.h"
#include "umem.h"
#include "util.h"

#define PTRACE_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

#define MAX_DEPTH	256

static const struct tracer_opts *opts;
static struct report *report;
static bool use_seccomp;
static pid_t main_pid;
static int main_status;
static bool main_done;
static bool warned_foreign_arch;

/* Set by the signal handler; the wait loop acts on them. */
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t kill_requested;

/*
 * Restart t. Inside a traced syscall we need its exit stop; otherwise, with
 * the seccomp filter, the next stop we want is the filter's.
 */
static void
resume(struct task *t, int sig)
{
	int req = (t->in_syscall || !use_seccomp) ? PTRACE_SYSCALL : PTRACE_CONT;

	if (ptrace(req, t->tid, 0L, (long)sig) < 0 && errno != ESRCH)
		warnerr("cannot resume thread %d", t->tid);
}

static uint32_t
capture_stack(struct task *t)
{
	struct frame frames[MAX_DEPTH];
	struct user_regs_struct regs;
	unsigned depth = opts->depth > MAX_DEPTH ? MAX_DEPTH : opts->depth, n;

	if (depth == 0 || ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0)
		return 0;
	if (t->proc->unwinder == NULL)
		t->proc->unwinder = unwind_new(t->proc->pid);
	n = unwind_capture(t->proc->unwinder, t->tid, &regs, frames, depth);
	return stack_intern(frames, n);
}

static void
apply(struct task *t, const struct fd_event *ev)
{
	struct fdtab *before = t->fdtab;
	uint32_t stack = 0;

	if (ev->type == FDE_NONE)
		return;
	/* A close's stack names the first close when the fd is closed twice. */
	if (ev->type == FDE_CREATE || ev->type == FDE_CLOSE)
		stack = capture_stack(t);
	t->fdtab = fdtab_apply(t->fdtab, ev, stack, t->tid, now_ns());
	if (t->fdtab != before && t->proc->fdtab == before) {
		/* close_range(CLOSE_RANGE_UNSHARE): the process follows its thread. */
		fdtab_unref(t->proc->fdtab);
		t->proc->fdtab = fdtab_ref(t->fdtab);
	}
}

/* close(fd) failed with EBADF: a double close if this table closed fd before. */
static void
record_bad_close(struct task *t, int fd)
{
	struct misuse m = {
		.fd = fd,
		.tid = t->tid,
		.stack = capture_stack(t),
		.prev_stack = fdtab_closed_stack(t->fdtab, fd),
	};

	m.type = m.prev_stack != 0 ? MISUSE_DOUBLE_CLOSE : MISUSE_BAD_CLOSE;
	report_add_misuse(&t->proc->rep, &m);
}

static void
on_syscall_entry(struct task *t, uint32_t arch, uint64_t nr, const uint64_t *args)
{
	const struct syscall_desc *d;

	t->sc = NULL;
	t->in_syscall = !use_seccomp;	/* without the filter every entry has an exit */
	if (arch != AUDIT_ARCH_X86_64) {
		if (!warned_foreign_arch)
			warnmsg("pid %d makes 32-bit syscalls, which fdleak does not "
			    "decode; fds they create are reported as origin unknown",
			    t->proc->pid);
		warned_foreign_arch = true;
		return;
	}
	d = syscall_lookup((long)nr);
	if (d == NULL)
		return;
	/*
	 * An fd the model knows is closed whatever close returns; one it does
	 * not know needs the result, to tell a bad close from a gap in the model.
	 */
	if (d->entry_only && (d->class != SC_CLOSE ||
	    fdtab_lookup(t->fdtab, (int)args[0]) != NULL)) {
		struct fd_event ev;

		decode_syscall(d, t->tid, args, 0, &ev);
		apply(t, &ev);
		return;
	}
	t->sc = d;
	memcpy(t->args, args, sizeof t->args);
	t->in_syscall = true;
}

static void
on_syscall_exit(struct task *t, int64_t rval)
{
	if (t->sc != NULL && t->sc->class == SC_CLOSE) {
		if (rval == -EBADF)
			record_bad_close(t, (int)t->args[0]);
	} else if (t->sc != NULL) {
		struct fd_event ev;

		decode_syscall(t->sc, t->tid, t->args, rval, &ev);
		apply(t, &ev);
	}
	t->sc = NULL;
	t->in_syscall = false;
}

static void
on_syscall_stop(struct task *t)
{
	struct ptrace_syscall_info info;
	uint64_t args[6];

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof info, &info) <= 0) {
		resume(t, 0);
		return;
	}
	switch (info.op) {
	case PTRACE_SYSCALL_INFO_SECCOMP:
		memcpy(args, info.seccomp.args, sizeof args);
		on_syscall_entry(t, info.arch, info.seccomp.nr, args);
		break;
	case PTRACE_SYSCALL_INFO_ENTRY:
		memcpy(args, info.entry.args, sizeof args);
		on_syscall_entry(t, info.arch, info.entry.nr, args);
		break;
	case PTRACE_SYSCALL_INFO_EXIT:
		on_syscall_exit(t, info.exit.rval);
		break;
	default:
		break;
	}
	resume(t, 0);
}

/* Clone flags of the fork/clone that parent is stopped in. */
static uint64_t
clone_flags(struct task *parent)
{
	struct user_regs_struct regs;
	uint64_t flags;

	if (ptrace(PTRACE_GETREGS, parent->tid, 0L, &regs) < 0)
		return 0;
	switch (regs.orig_rax) {
	case SYS_clone:
		return regs.rdi;
	case SYS_clone3:
		if (umem_read_all(parent->tid, regs.rdi, &flags, sizeof flags) == 0)
			return flags;
		return 0;
	case SYS_vfork:
		return CLONE_VM | CLONE_VFORK;
	default:
		return 0;	/* fork */
	}
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
	    fdtab_copy(parent->fdtab);
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

static bool reportable(const struct fd_record *r, int fd);

/*
 * Every fd made under trace that survived this exec lacked close-on-exec:
 * the new program inherited it, whether it then keeps or closes it.
 */
static void
record_inherited(struct proc *p, pid_t pid, struct fdtab *tab)
{
	struct fd_record *r;
	size_t pos = 0;

	while ((r = fdtab_next(tab, &pos)) != NULL) {
		struct inherited in;
		struct fd_desc d;

		if (!(r->flags & FDREC_ACROSS_EXEC) ||
		    (r->flags & FDREC_UNKNOWN_ORIGIN) || !reportable(r, r->fd))
			continue;
		memset(&in, 0, sizeof in);
		in.fd = r->fd;
		in.kind = r->kind;
		in.nr = r->nr;
		in.tid = r->tid;
		in.stack = r->stack;
		in.program = xstrdup(p->exe);
		if (fdinfo_describe(pid, r->fd, &d) == 0) {
			in.kind = d.kind;
			in.target = d.target;
		}
		report_add_inherited(&p->rep, &in);
	}
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
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	free(p->exe);
	p->exe = xreadlink(path);
	if (p->exe == NULL)
		p->exe = xstrdup("?");
	if (p->unwinder != NULL)
		unwind_exec(p->unwinder);
	record_inherited(p, pid, copy);
	t->sc = NULL;
	t->in_syscall = false;
	resume(t, 0);
}

static bool
reportable(const struct fd_record *r, int fd)
{
	if (r != NULL && (r->flags & FDREC_BASELINE))
		return false;
	return fd > 2 || opts->std_fds;
}

/*
 * The last thread of p is at its exit stop: its fd table still exists, so
 * the kernel says which fds are really open and what they are.
 */
static void
snapshot_leaks(struct proc *p, struct task *t)
{
	int *fds, n = fdinfo_list(t->tid, &fds);

	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		struct fd_record *r = fdtab_lookup(t->fdtab, fds[i]);
		struct fd_desc d;
		struct leak l;

		if (!reportable(r, fds[i]) || fdinfo_describe(t->tid, fds[i], &d) < 0)
			continue;
		memset(&l, 0, sizeof l);
		l.fd = fds[i];
		l.kind = d.kind != FDK_UNKNOWN ? d.kind : (r ? (enum fd_kind)r->kind : FDK_OTHER);
		l.target = d.target;
		l.cloexec = d.cloexec;
		if (r != NULL && !(r->flags & FDREC_UNKNOWN_ORIGIN)) {
			l.nr = r->nr;
			l.tid = r->tid;
			l.stack = r->stack;
			l.serial = r->serial;
			l.created_ns = r->time_ns;
			l.across_exec = (r->flags & FDREC_ACROSS_EXEC) != 0;
		} else {
			l.nr = -1;
			l.tid = t->tid;
			l.unknown_origin = true;
		}
		report_add_leak(&p->rep, &l);
	}
	free(fds);
	p->snapshot = true;
	p->rep.end_ns = now_ns();
}

/* No exit stop was seen (SIGKILL): report what the model holds. */
static void
model_leaks(struct proc *p)
{
	struct fd_record *r;
	size_t pos = 0;

	if (p->fdtab == NULL)
		return;
	while ((r = fdtab_next(p->fdtab, &pos)) != NULL) {
		struct leak l;

		if (!reportable(r, r->fd))
			continue;
		memset(&l, 0, sizeof l);
		l.fd = r->fd;
		l.kind = r->kind != FDK_UNKNOWN ? (enum fd_kind)r->kind : FDK_OTHER;
		l.nr = (r->flags & FDREC_UNKNOWN_ORIGIN) ? -1 : r->nr;
		l.tid = r->tid != 0 ? r->tid : p->pid;
		l.cloexec = (r->flags & FDREC_CLOEXEC) != 0;
		l.across_exec = (r->flags & FDREC_ACROSS_EXEC) != 0;
		l.unknown_origin = (r->flags & FDREC_UNKNOWN_ORIGIN) != 0;
		l.stack = r->stack;
		l.serial = r->serial;
		l.created_ns = r->time_ns;
		report_add_leak(&p->rep, &l);
	}
	p->rep.end_ns = now_ns();
}

static void
on_exit_event(struct task *t)
{
	struct proc *p = t->proc;

	if (!t->exited) {
		t->exited = true;
		p->live--;
	}
	if (p->live == 0 && !p->snapshot)
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
	if (opts->on_process != NULL)
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
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void
handle_status(pid_t pid, int status)
{
	unsigned event = (unsigned)status >> 16;
	struct task *t;
	int sig;

	if (WIFSTOPPED(status) && event == PTRACE_EVENT_EXEC) {
		on_exec_event(pid);
		return;
	}
	t = task_find(pid);
	if (t == NULL) {
		/* A new child stopped before its parent's fork event: hold it. */
		if (WIFSTOPPED(status))
			task_add(pid);
		return;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_reaped(t, status);
		return;
	}
	if (!WIFSTOPPED(status) || t->state == TASK_ORPHAN)
		return;
	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t);
		return;
	}
	switch (event) {
	case 0:
		resume(t, sig);		/* signal-delivery-stop: deliver it */
		break;
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t);
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
			resume(t, 0);
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

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	signals_seen++;
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
kill_task(struct task *t, void *arg)
{
	(void)arg;
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
}

static void
wait_loop(void)
{
	while (task_count() > 0) {
		int status;
		pid_t pid;

		if (kill_requested) {
			task_foreach(kill_task, NULL);
			kill_requested = 0;
		}
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				warnerr("waitpid");
			break;
		}
		handle_status(pid, status);
	}
}

/* Find cmd as execvp(3) would; 0 and *path (malloc'd), or an exit code. */
static int
resolve_command(const char *cmd, char **path)
{
	const char *env = getenv("PATH"), *dir, *end;
	int saw_eacces = 0;
	struct stat st;

	if (*cmd == '\0') {
		warnmsg("cannot run '': command not found");
		return EXIT_NOT_FOUND;
	}
	if (strchr(cmd, '/') != NULL) {
		if (stat(cmd, &st) < 0) {
			warnerr("cannot run '%s'", cmd);
			return errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND :
			    EXIT_CANNOT_EXEC;
		}
		if (S_ISDIR(st.st_mode)) {
			warnmsg("cannot run '%s': Is a directory", cmd);
			return EXIT_CANNOT_EXEC;
		}
		if (access(cmd, X_OK) < 0) {
			warnerr("cannot run '%s'", cmd);
			return EXIT_CANNOT_EXEC;
		}
		*path = xstrdup(cmd);
		return 0;
	}
	if (env == NULL)
		env = "/usr/local/bin:/usr/bin:/bin";
	for (dir = env; ; dir = end + 1) {
		char *cand;

		end = strchr(dir, ':');
		if (end == NULL)
			end = dir + strlen(dir);
		cand = xasprintf("%.*s%s%s", (int)(end - dir), dir,
		    end == dir ? "" : "/", cmd);
		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*path = cand;
				return 0;
			}
			saw_eacces = 1;
		}
		free(cand);
		if (*end == '\0')
			break;
	}
	if (saw_eacces) {
		warnmsg("cannot run '%s': Permission denied", cmd);
		return EXIT_CANNOT_EXEC;
	}
	warnmsg("cannot run '%s': command not found", cmd);
	return EXIT_NOT_FOUND;
}

static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], int go, const struct sock_fprog *filter)
{
	char c;

	/* Wait until the tracer has seized us. */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	close(go);
	if (filter != NULL &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) < 0) {
		/* Without CAP_SYS_ADMIN a filter needs no_new_privs, as for strace. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter);
	}
	execv(path, argv);
	warnerr("cannot run '%s'", argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

/*
 * What the command inherits is not its doing: record it as baseline while
 * the child still waits to exec, so even a failed exec reports nothing.
 */
static void
take_baseline(struct fdtab *t, pid_t pid)
{
	int *fds, n = fdinfo_list(pid, &fds);

	if (n < 0) {
		warnerr("cannot list the fds of pid %d", pid);
		return;
	}
	fdtab_exec(t, fds, (size_t)n, FDREC_BASELINE);
	free(fds);
}

int
tracer_launch(char *const argv[], const struct tracer_opts *o,
    struct report *rep, int *wstatus)
{
	struct sock_fprog filter = { 0, NULL };
	struct task *t;
	char *path = NULL;
	int go[2], rc;
	pid_t pid;

	opts = o;
	report = rep;
	use_seccomp = o->seccomp;
	if ((rc = resolve_command(argv[0], &path)) != 0)
		return rc;
	if (use_seccomp)
		syscall_seccomp_filter(&filter);
	if (pipe2(go, O_CLOEXEC) < 0) {
		warnerr("pipe");
		free(path);
		free(filter.filter);
		return EXIT_FDLEAK_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		warnerr("fork");
		free(path);
		free(filter.filter);
		return EXIT_FDLEAK_ERROR;
	}
	if (pid == 0) {
		close(go[1]);
		child_exec(path, argv, go[0], use_seccomp ? &filter : NULL);
	}
	close(go[0]);
	free(path);
	free(filter.filter);
	main_pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)PTRACE_OPTIONS) < 0) {
		warnerr("cannot trace the command (ptrace)");
		kill(pid, SIGKILL);
		close(go[1]);
		waitpid(pid, NULL, 0);
		return EXIT_FDLEAK_ERROR;
	}
	t = task_add(pid);
	t->state = TASK_RUNNING;
	t->proc = proc_new(pid, getpid());
	t->proc->ntasks = t->proc->live = 1;
	t->proc->exe = xstrdup(argv[0]);
	t->fdtab = fdtab_new();
	t->proc->fdtab = fdtab_ref(t->fdtab);
	take_baseline(t->fdtab, pid);
	install_signal_handlers();
	close(go[1]);		/* let the child exec */
	wait_loop();
	if (!main_done) {
		warnmsg("lost track of the traced command");
		return EXIT_FDLEAK_ERROR;
	}
	*wstatus = main_status;
	return 0;
}
