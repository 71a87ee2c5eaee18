// SPDX-License-Identifier: MIT
/*
 * session.c - a trace session around the tracer core: the wait loop, the
 * signals fdleak gets (kill or detach), its timers (--interval dumps,
 * --duration, the tracer's own deadlines) and the live dumps. tracer.c
 * turns each stop into model updates; this file decides when to stop.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump.h"
#include "leaks.h"
#include "lifecycle.h"
#include "task.h"
#include "tracer.h"
#include "util.h"

static const struct tracer_opts *opts;
static uint64_t start_ns, next_dump_ns, end_ns;
/* Sampling: when the current window ends, or the current gap. */
static uint64_t window_start_ns, window_end_ns, gap_end_ns;
static bool in_gap;
static bool attach_mode;
static bool said_waiting;
static int (*reattach)(void);	/* attach again when a gap ends (sampling) */	/* the line on what is left running, once */

/* How long after the command ends fdleak says what it still waits for. */
#define WAITING_SAY_NS	1000000000u
static pid_t main_pid;

/* Set by the signal handlers; the wait loop acts on them. */
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t kill_requested;
static volatile sig_atomic_t detach_requested;
static volatile sig_atomic_t dump_requested;

/* Seconds as nanoseconds, for deadlines. */
static uint64_t
seconds_ns(double s)
{
	return (uint64_t)(s * 1e9);
}

/* --- live dumps --- */

static void
write_dump(void)
{
	struct dump d = { 0 };
	struct leak_rules rules = lifecycle_rules();
	size_t n;
	struct task **live = task_per_proc(&n);

	/* One section per process: one of its live tasks reads /proc for it. */
	for (size_t i = 0; i < n; i++) {
		struct dump_proc *dp = dump_add_process(&d, live[i]->proc->pid,
		    live[i]->tid, live[i]->fdtab, &rules);

		tracer_dump_sampling(live[i]->proc, dp);
	}
	free(live);
	tracer_dump_asleep(&d);
	d.elapsed = (double)(now_ns() - start_ns) / 1e9;
	dump_finish(&d);
	if (opts->on_dump != NULL)
		opts->on_dump(&d, opts->arg);
	dump_free(&d);
}

/*
 * One line on f naming the processes still traced (pid, program as
 * started) after the command ended, and how to stop.
 */
static void
say_waiting(FILE *f)
{
	size_t n;
	struct task **live = task_per_proc(&n);
	char *line;
	size_t len;
	FILE *m;

	if (n == 0)
		return;
	/* One line, one write: it may share stderr with the program. */
	m = open_memstream(&line, &len);
	if (m == NULL) {
		free(live);
		return;
	}
	fprintf(m, "fdleak: the command exited; waiting for the %zu process%s "
	    "it left running:", n, n == 1 ? "" : "es");
	for (size_t i = 0; i < n && i < 8; i++) {
		const struct proc *p = live[i]->proc;
		/* As it was started: argv[0] says redis-server, exe a link's target. */
		const char *exe = p->argv != NULL && p->argv[0] != NULL &&
		    p->argv[0][0] != '\0' ? p->argv[0] : p->exe != NULL ?
		    p->exe : "?";

		fprintf(m, "%s %d (%s)", i ? "," : "", p->pid, path_base(exe));
	}
	if (n > 8)
		fprintf(m, " and %zu more", n - 8);
	fputs("; they are reported when they end, or press Ctrl-C to kill "
	    "them and report now\n", m);
	fclose(m);
	fwrite(line, 1, len, f);
	fflush(f);
	free(line);
	free(live);
}

/* --- signals and timers --- */

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
	if (signals_seen == 1 && tracer_main_ended() == 0) {
		/* A terminal's signal reached the tracee too; a kill(1) did not. */
		if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
			kill(main_pid, sig);
	} else {
		/* The second, or the command is gone: what it left dies now. */
		kill_requested = 1;
		/* Wakes the wait loop; an ended command's pid may be another's now. */
		if (tracer_main_ended() == 0)
			kill(main_pid, SIGKILL);
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

/*
 * The next time the loop must wake up (the next dump, the end of
 * --duration, a deadline of the tracer's); 0 for none.
 */
static uint64_t
next_deadline(uint64_t tracer_deadline)
{
	uint64_t next = next_dump_ns;

	if (end_ns != 0 && !tracer_detaching() && (next == 0 || end_ns < next))
		next = end_ns;
	if (window_end_ns != 0 && !tracer_detaching() &&
	    (next == 0 || window_end_ns < next))
		next = window_end_ns;
	if (tracer_deadline != 0 && (next == 0 || tracer_deadline < next))
		next = tracer_deadline;
	return next;
}

/* Wake the wait loop at when (0: never), by an interval timer. */
static void
arm_timer(uint64_t when)
{
	uint64_t now = now_ns(), in;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (when != 0) {
		in = when > now ? when - now : 1000;
		it.it_value.tv_sec = (time_t)(in / 1000000000u);
		it.it_value.tv_usec = (suseconds_t)(in % 1000000000u / 1000u) + 1;
		/* The period catches a signal that raced the wait. */
		it.it_interval.tv_usec = 100000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Act on what the signals and the timers asked for; the next deadline. */
static uint64_t
check_timers(void)
{
	uint64_t now = now_ns(), tracer_deadline;

	if (kill_requested) {
		tracer_kill_all();
		kill_requested = 0;
	}
	if (end_ns != 0 && now >= end_ns)
		detach_requested = 1;
	if (detach_requested && attach_mode)
		tracer_start_detach();
	if (window_end_ns != 0 && now >= window_end_ns && !tracer_detaching()) {
		window_end_ns = 0;
		tracer_pause();
	}
	if (next_dump_ns != 0 && now >= next_dump_ns) {
		dump_requested = 1;
		while (next_dump_ns <= now)
			next_dump_ns += seconds_ns(opts->interval);
	}
	if (dump_requested && !tracer_detaching()) {
		dump_requested = 0;
		write_dump();
	}
	tracer_deadline = tracer_check_orphans(now);
	if (!attach_mode && !said_waiting && tracer_main_ended() != 0) {
		if (now - tracer_main_ended() >= WAITING_SAY_NS) {
			said_waiting = true;
			say_waiting(stderr);
		} else if (tracer_deadline == 0 ||
		    tracer_main_ended() + WAITING_SAY_NS < tracer_deadline) {
			tracer_deadline = tracer_main_ended() + WAITING_SAY_NS;
		}
	}
	return next_deadline(tracer_deadline);
}

/* --- the loop --- */

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

/* Whether something is still followed: traced tasks, or processes asleep. */
static bool
following(void)
{
	size_t nasleep;

	tracer_asleep(&nasleep);
	return task_count() > 0 || nasleep > 0;
}

/*
 * A sampling gap: no thread is traced and the processes run at full
 * speed. Sleep until its end (or a dump, or the end of the trace), then
 * attach again. False when the trace is over.
 */
static bool
gap_step(void)
{
	uint64_t now = now_ns(), until;
	struct timespec ts;
	size_t nasleep;

	if (reattach == NULL)
		return false;	/* launch mode, or an attach that failed: no gaps */
	if (!in_gap) {
		/* The share attached is of wall time: the gap follows the window. */
		uint64_t window = now - window_start_ns;

		tracer_gap_begin();
		in_gap = true;
		gap_end_ns = now + window * (100 - opts->sample) / opts->sample;
	}
	if (detach_requested || (end_ns != 0 && now >= end_ns)) {
		/*
		 * The end comes in a gap: one last stop, so that the table is
		 * still while it is read (a process running on could close an
		 * fd and reuse its number between two reads), then detach.
		 */
		in_gap = false;
		window_end_ns = 0;
		if (reattach() == 0)
			return following();
		tracer_start_detach();
		return true;
	}
	tracer_asleep(&nasleep);
	if (nasleep == 0)
		return false;
	if (now >= gap_end_ns) {
		in_gap = false;
		window_start_ns = now_ns();
		window_end_ns = window_start_ns + seconds_ns(opts->sample_window);
		reattach();
		return true;
	}
	until = gap_end_ns;
	if (next_dump_ns != 0 && next_dump_ns < until)
		until = next_dump_ns;
	if (end_ns != 0 && end_ns < until)
		until = end_ns;
	until = until > now ? until - now : 0;
	ts.tv_sec = (time_t)(until / 1000000000u);
	ts.tv_nsec = (long)(until % 1000000000u);
	nanosleep(&ts, NULL);	/* a signal ends it early: the loop looks */
	return true;
}

void
tracer_loop(const struct tracer_opts *o, int (*attach_again)(void))
{
	uint64_t last_arm = 0, armed_for = 0;

	opts = o;
	reattach = attach_again;
	attach_mode = tracer_attach_mode();
	main_pid = tracer_main_pid();
	start_ns = tracer_start_ns();
	next_dump_ns = o->interval > 0 ? start_ns + seconds_ns(o->interval) : 0;
	end_ns = attach_mode && o->duration > 0 ?
	    start_ns + seconds_ns(o->duration) : 0;
	if (attach_mode && o->sample != 0) {
		window_start_ns = start_ns;
		window_end_ns = start_ns + seconds_ns(o->sample_window);
	}
	install_signal_handlers();
	while (following()) {
		uint64_t next = check_timers();
		int status;
		pid_t pid;

		if (task_count() == 0) {
			if (!gap_step())
				break;
			continue;
		}
		/* Re-armed when the deadline moves, and now and then anyway. */
		if (next != armed_for || now_ns() - last_arm > 50000000u) {
			arm_timer(next);
			armed_for = next;
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
		tracer_handle_status(pid, status);
	}
	arm_timer(0);
	dump_cleanup();
}

void
tracer_abort(void)
{
	tracer_mark_aborting();
	detach_requested = 1;
}
