// SPDX-License-Identifier: MIT
/*
 * signals.c - signal semantics a tracer must not change.
 *
 * Handlers for SIGUSR1 (raised), SIGALRM (setitimer and alarm), SIGCHLD
 * (a child exits 7), SIGSEGV (recovered with siglongjmp), SIGPIPE and a
 * blocked-then-released SIGUSR2; a child stopped with SIGSTOP, continued
 * with SIGCONT and killed with SIGTERM, each change seen by waitpid. It
 * prints a transcript that must be byte for byte the same traced and
 * untraced, exits 0 and leaks nothing.
 */
#include "victim.h"

#include <setjmp.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t got_usr1, got_usr2, got_alrm, got_chld, got_pipe;
static sigjmp_buf segv_env;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGUSR1: got_usr1++; break;
	case SIGUSR2: got_usr2++; break;
	case SIGALRM: got_alrm++; break;
	case SIGCHLD: got_chld++; break;
	case SIGPIPE: got_pipe++; break;
	}
}

static void
on_segv(int sig)
{
	siglongjmp(segv_env, sig);
}

static void
handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, NULL) < 0)
		victim_die("sigaction");
}

/* Wait with every signal allowed until *flag becomes non-zero. */
static void
wait_for(volatile sig_atomic_t *flag, sigset_t *blocked)
{
	sigset_t none;

	sigemptyset(&none);
	while (*flag == 0)
		sigsuspend(&none);
	sigprocmask(SIG_SETMASK, blocked, NULL);
}

static void
transcript(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);	/* before any fork: the child must not repeat it */
}

static void
usr1_raised(void)
{
	raise(SIGUSR1);
	transcript("SIGUSR1 raised: handler ran %d time(s)", (int)got_usr1);
}

static void
alarms(sigset_t *blocked)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	sigprocmask(SIG_BLOCK, blocked, NULL);
	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		victim_die("setitimer");
	wait_for(&got_alrm, blocked);
	transcript("SIGALRM from setitimer: handler ran %d time(s)",
	    (int)got_alrm);
	got_alrm = 0;
	alarm(1);
	wait_for(&got_alrm, blocked);
	transcript("SIGALRM from alarm: handler ran %d time(s)",
	    (int)got_alrm);
}

static void
child_exits(sigset_t *blocked)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_proc();
		victim_child_exit(7);
	}
	wait_for(&got_chld, blocked);
	if (waitpid(pid, &status, 0) != pid)
		victim_die("waitpid");
	transcript("child exited with %d; SIGCHLD handler ran %d time(s)",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1, (int)got_chld);
}

static void
child_stopped(void)
{
	int status, ready[2];
	pid_t pid;
	char c;

	/* The child closes its end once it has announced itself, before it is stopped. */
	if (pipe2(ready, O_CLOEXEC) < 0)
		victim_die("pipe2");
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		close(ready[0]);
		victim_proc();
		victim_announce_exit(0, SIGTERM);
		close(ready[1]);	/* the parent's read sees EOF */
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 0)
		victim_die("read");
	close(ready[0]);
	kill(pid, SIGSTOP);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		victim_die("waitpid WUNTRACED");
	transcript("child stopped by SIG%s", sigabbrev_np(WSTOPSIG(status)));
	kill(pid, SIGCONT);
	if (waitpid(pid, &status, WCONTINUED) != pid || !WIFCONTINUED(status))
		victim_die("waitpid WCONTINUED");
	transcript("child continued");
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		victim_die("waitpid");
	transcript("child killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
}

static void
segv_recovered(void)
{
	volatile int *nowhere = NULL;
	int sig;

	sig = sigsetjmp(segv_env, 1);
	if (sig == 0) {
		*nowhere = 1;
		victim_die("no SIGSEGV");
	}
	transcript("SIG%s caught, recovered with siglongjmp",
	    sigabbrev_np(sig));
}

static void
pipe_signals(void)
{
	int p[2];
	ssize_t n;

	if (pipe(p) < 0)
		victim_die("pipe");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	n = write(p[1], "x", 1);
	transcript("write to a closed pipe, SIGPIPE ignored: %zd %s", n,
	    victim_errname(errno));
	handle(SIGPIPE, on_signal);
	n = write(p[1], "x", 1);
	transcript("write to a closed pipe, SIGPIPE handled: %zd %s, "
	    "handler ran %d time(s)", n, victim_errname(errno), (int)got_pipe);
	close(p[1]);
}

static void
usr2_pending(void)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	sigpending(&pending);
	transcript("SIGUSR2 blocked: pending %d, handler ran %d time(s)",
	    sigismember(&pending, SIGUSR2), (int)got_usr2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	transcript("SIGUSR2 unblocked: handler ran %d time(s)", (int)got_usr2);
}

int
main(void)
{
	sigset_t blocked;

	victim_proc();
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGALRM);
	sigaddset(&blocked, SIGCHLD);
	handle(SIGUSR1, on_signal);
	handle(SIGUSR2, on_signal);
	handle(SIGALRM, on_signal);
	handle(SIGCHLD, on_signal);
	handle(SIGSEGV, on_segv);

	usr1_raised();
	alarms(&blocked);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	child_exits(&blocked);
	child_stopped();
	sigprocmask(SIG_UNBLOCK, &blocked, NULL);
	segv_recovered();
	pipe_signals();
	usr2_pending();
	transcript("done");
	victim_exit(0);
}
