// SPDX-License-Identifier: MIT
/*
 * h_i386.c - 32-bit syscalls, which fdleak does not decode: it must warn,
 * report their fds with origin unknown, and never read them as the x86_64
 * syscalls of the same numbers.
 *
 *   h_i386 int80    (64-bit build) x86_64 and int 0x80 syscalls mixed
 *   h_i386 libc     (built with -m32 by the runner) an ordinary 32-bit
 *                   program that leaks through libc, and forks a child
 *                   that leaks too
 *   h_i386 probe    one harmless int 0x80 syscall: exits 0 where the kernel
 *                   runs 32-bit code, dies of SIGSEGV where it does not
 *                   (ia32_emulation=off), so the runner can skip
 *
 * The fds of 32-bit syscalls are stated by lines
 *   UNKNOWN pid=P fd=N kind=K target=T
 * those of x86_64 syscalls by EXPECT lines.
 *
 * In int80, each i386 syscall has a number that means something else on
 * x86_64: read (3) is close there, open (5) fstat, dup (41) socket,
 * pipe (42) connect, access (33) dup2, dup2 (63) uname.
 */
#include "victim.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define I386_READ	3
#define I386_GETPID	20
#define I386_OPEN	5
#define I386_ACCESS	33
#define I386_DUP	41
#define I386_PIPE	42
#define I386_DUP2	63

static long
int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("int $0x80"
	    : "=a" (ret)
	    : "a" (nr), "b" (a), "c" (b), "d" (c)
#ifdef __x86_64__
	    : "memory", "r8", "r9", "r10", "r11");
#else
	    : "memory");
#endif
	return ret;
}

static void
unknown(int fd, const char *kind)
{
	if (victim_expecting())
		victim_say("UNKNOWN pid=%d fd=%d kind=%s target=%s",
		    (int)getpid(), fd, kind, victim_link(fd));
}

/* Memory that 32-bit syscalls can address. */
static char *
low_page(void)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

#ifdef MAP_32BIT
	flags |= MAP_32BIT;
#endif
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED || (unsigned long)p >= 0xffffffffUL - 4096)
		victim_die("mmap below 4 GiB");
	return p;
}

static int
open64_leak(void)
{
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		victim_die("open");
#ifdef __x86_64__
	EXPECT(fd, "file", "openat", 0, "/etc/hostname");
#else
	unknown(fd, "file");	/* a 32-bit openat */
#endif
	return fd;
}

static void
mixed(void)
{
	char *low = low_page();
	char *path = low, *buf = low + 256;
	int *pipefd = (int *)(low + 512);
	long a, r;

	strcpy(path, "/etc/hostname");
	a = open64_leak();
	r = int80(I386_READ, a, (long)buf, 1);
	printf("i386 read: %s\n", r == 1 ? "1 byte" : "failed");
	r = int80(I386_OPEN, (long)path, O_RDONLY, 0);
	if (r < 0)
		victim_die("i386 open");
	unknown(r, "file");
	r = int80(I386_DUP, a, 0, 0);
	if (r < 0)
		victim_die("i386 dup");
	unknown(r, "file");
	r = int80(I386_PIPE, (long)pipefd, 0, 0);
	if (r < 0)
		victim_die("i386 pipe");
	unknown(pipefd[0], "pipe");
	unknown(pipefd[1], "pipe");
	r = int80(I386_ACCESS, (long)path, R_OK, 0);
	printf("i386 access: %ld\n", r);
	r = int80(I386_DUP2, a, 100, 0);
	if (r != 100)
		victim_die("i386 dup2");
	unknown(100, "file");
	/* And x86_64 syscalls are decoded as ever after them. */
	open64_leak();
}

static void
libc32(void)
{
	int f1, f2, p[2], s, f3;
	pid_t pid;

	if ((f1 = open("/etc/hostname", O_RDONLY)) < 0)
		victim_die("open");
	unknown(f1, "file");
	if (pipe(p) < 0)
		victim_die("pipe");
	unknown(p[0], "pipe");
	unknown(p[1], "pipe");
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		victim_die("socket");
	unknown(s, "socket");
	if ((f2 = dup(f1)) < 0)
		victim_die("dup");
	unknown(f2, "file");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		victim_die("fork");
	if (pid == 0) {
		victim_proc();
		close(s);
		if ((f3 = open("/etc/passwd", O_RDONLY)) < 0)
			victim_die("open");
		/* What it inherited is its own too. */
		unknown(f1, "file");
		unknown(p[0], "pipe");
		unknown(p[1], "pipe");
		unknown(f2, "file");
		unknown(f3, "file");
		victim_child_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("32-bit child done\n");
}

int
main(int argc, char *argv[])
{
	const char *mode = argc > 1 ? argv[1] : "int80";

	if (strcmp(mode, "probe") == 0)
		return int80(I386_GETPID, 0, 0, 0) == getpid() ? 0 : 1;
	victim_proc();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pointer size %zu\n", sizeof(void *));
	if (strcmp(mode, "int80") == 0)
		mixed();
	else if (strcmp(mode, "libc") == 0)
		libc32();
	else {
		victim_say("ERROR unknown mode %s", mode);
		return 99;
	}
	victim_exit(0);
}
