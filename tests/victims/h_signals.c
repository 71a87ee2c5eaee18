// SPDX-License-Identifier: MIT
/*
 * h_signals.c - a program driven by signals, whose output must not change
 * under fdleak: SIGALRM timers interrupting and restarting syscalls,
 * SIGCHLD reaping, SIGSEGV recovered with siglongjmp (also a stack
 * overflow on an alternate stack), SIGSTOP/SIGCONT to itself and to a
 * child, queued real-time signals, a signal to one thread. It leaks one fd
 * opened in its SIGSEGV handler, and exits 3.
 */
#include "victim.h"

#include <pthread.h>
#include <setjmp.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t alarms, reaped, code_sum, conts, segvs;
static volatile sig_atomic_t rt_sum, rt_count, usr1_in_thread;
static sigjmp_buf segv_jump;
static pid_t usr1_target;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void
on_chld(int sig)
{
	int saved = errno, status;
	pid_t pid;

	(void)sig;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		reaped++;
		if (WIFEXITED(status))
			code_sum += WEXITSTATUS(status);
	}
	errno = saved;
}

static void
on_segv(int sig)
{
	(void)sig;
	if (segvs++ == 0) {
		/* Opened in a handler: the stack runs through a signal frame. */
		int fd = open("/etc/hostname", O_RDONLY);

		if (fd >= 0)
			EXPECT(fd, "file", "openat", 0, "/etc/hostname");
	}
	siglongjmp(segv_jump, 1);
}

static void
on_cont(int sig)
{
	(void)sig;
	conts++;
}

static void
on_rt(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	rt_sum += si->si_value.sival_int;
	rt_count++;
}

static void
on_usr1(int sig)
{
	(void)sig;
	if (gettid() == usr1_target)
		usr1_in_thread++;
}

static void
handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		victim_die("sigaction");
}

static void
timers(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int p[2];
	char c;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0)
		victim_die("pipe");
	/* Without SA_RESTART a blocking read fails with EINTR. */
	handle(SIGALRM, on_alarm, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	n = read(p[0], &c, 1);
	printf("read without SA_RESTART: %zd %s\n", n,
	    n < 0 ? victim_errname(errno) : "");
	/* With SA_RESTART it goes on through the alarms until data comes. */
	handle(SIGALRM, on_alarm, SA_RESTART);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_sleep_us(100000);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	alarms = 0;
	n = read(p[0], &c, 1);
	printf("read with SA_RESTART: %zd %c, alarms during it: %s\n", n,
	    n == 1 ? c : '?', alarms >= 3 ? "several" : "too few");
	while (alarms < 30)
		pause();
	setitimer(ITIMER_REAL, &off, NULL);
	printf("alarms: at least 30\n");
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
}

static void
sigchld_reaping(void)
{
	sigset_t block, old;

	handle(SIGCHLD, on_chld, SA_RESTART | SA_NOCLDSTOP);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	fflush(stdout);
	for (int i = 1; i <= 5; i++) {
		pid_t pid = fork();

		if (pid < 0)
			victim_die("fork");
		if (pid == 0) {
			victim_sleep_us(10000L * i);
			_exit(i);
		}
	}
	while (reaped < 5)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("sigchld: reaped %d, codes sum %d\n", (int)reaped,
	    (int)code_sum);
	handle(SIGCHLD, SIG_DFL, 0);
}

/* Deeper than any stack: the bound only keeps the compiler quiet. */
static volatile int recurse_limit = 1 << 30;

static int
recurse(int depth)
{
	volatile char pad[4096];

	pad[0] = (char)depth;
	if (depth > recurse_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void
segv_recovery(void)
{
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct rlimit rl = { 1 << 20, 1 << 20 };

	handle(SIGSEGV, on_segv, SA_NODEFER);
	for (int i = 0; i < 3; i++) {
		if (sigsetjmp(segv_jump, 1) == 0) {
			volatile int *bad = (volatile int *)16;

			*bad = i;
			printf("not reached\n");
		}
	}
	printf("segv: recovered %d times\n", (int)segvs);
	/* A stack overflow can only be handled on another stack. */
	if (sigaltstack(&ss, NULL) < 0)
		victim_die("sigaltstack");
	setrlimit(RLIMIT_STACK, &rl);
	handle(SIGSEGV, on_segv, SA_NODEFER | SA_ONSTACK);
	if (sigsetjmp(segv_jump, 1) == 0)
		printf("not reached %d\n", recurse(0));
	printf("segv: stack overflow recovered, %d in all\n", (int)segvs);
	handle(SIGSEGV, SIG_DFL, 0);
}

static void
stop_self(void)
{
	pid_t parent = getpid(), pid;

	handle(SIGCONT, on_cont, SA_RESTART);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		/* Wait until the parent is stopped, then wake it. */
		for (int i = 0; i < 1000; i++) {
			char path[64], buf[256];
			int fd;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/stat", (int)parent);
			fd = open(path, O_RDONLY);
			n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (n > 0) {
				buf[n] = '\0';
				char *r = strrchr(buf, ')');
				/* 't' when traced: a group-stop under ptrace. */
				if (r != NULL && (r[2] == 'T' || r[2] == 't'))
					break;
			}
			victim_sleep_us(5000);
		}
		kill(parent, SIGCONT);
		_exit(0);
	}
	raise(SIGSTOP);
	waitpid(pid, NULL, 0);
	printf("self stop: resumed, SIGCONT handler ran %d time(s)\n",
	    (int)conts);
}

static void
stop_child(void)
{
	int p[2], status;
	long before, after;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_NONBLOCK) < 0)
		victim_die("pipe2");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		for (;;) {
			if (write(p[1], "t", 1) < 0 && errno != EAGAIN)
				_exit(1);
			victim_sleep_us(2000);
		}
	}
	victim_sleep_us(50000);
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	printf("child: %s\n", WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP
	    ? "stopped by SIGSTOP" : "not stopped");
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	victim_sleep_us(100000);
	before = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		before += n;
	printf("child: %s while stopped\n", before == 0 ? "silent" : "ran");
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	printf("child: %s\n", WIFCONTINUED(status) ? "continued" :
	    "not continued");
	victim_sleep_us(50000);
	after = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		after += n;
	printf("child: %s after SIGCONT\n", after > 0 ? "runs" : "silent");
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	printf("child: %s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM
	    ? "killed by SIGTERM" : "ended otherwise");
	close(p[0]);
	close(p[1]);
}

static void
realtime(void)
{
	struct sigaction sa;
	sigset_t block;
	int sig = SIGRTMIN + 1;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, sig);
	sigprocmask(SIG_BLOCK, &block, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i * 10 };

		sigqueue(getpid(), sig, v);
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	printf("realtime: %d delivered, values sum %d\n", (int)rt_count,
	    (int)rt_sum);
}

static void *
usr1_thread(void *arg)
{
	(void)arg;
	usr1_target = gettid();
	while (usr1_in_thread == 0)
		victim_sleep_us(1000);
	return NULL;
}

static void
thread_signal(void)
{
	pthread_t t;

	handle(SIGUSR1, on_usr1, SA_RESTART);
	if (pthread_create(&t, NULL, usr1_thread, NULL) != 0)
		victim_die("pthread_create");
	while (usr1_target == 0)
		victim_sleep_us(1000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	printf("thread signal: handled in the thread it was sent to\n");
}

int
main(void)
{
	victim_nocore();
	setvbuf(stdout, NULL, _IOLBF, 0);
	timers();
	sigchld_reaping();
	stop_self();
	stop_child();
	realtime();
	thread_signal();
	/* Last, so that no child inherits the fd its handler leaks. */
	segv_recovery();
	fprintf(stderr, "h_signals: done\n");
	victim_exit(3);
}
