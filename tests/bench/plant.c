// SPDX-License-Identifier: MIT
/*
 * plant.c - a leak planted in a real server, for the sampled-attach bench:
 * LD_PRELOAD'ed into nginx, it wraps accept4 and, on every Nth accepted
 * connection (PLANT_EVERY, default 100), opens /etc/hostname and never
 * closes it, from plant_leak(), called from nginx's accept path. The
 * bench times how long fdleak takes to report that site.
 *
 * Workers fork from the master, so the wrapper is in every worker even
 * though nginx clears their environment. PLANT_CAP (default 20000) bounds
 * the fds it holds.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static long every = 100, cap = 20000;
static long accepted, planted;

__attribute__((constructor)) static void
plant_init(void)
{
	const char *e = getenv("PLANT_EVERY"), *c = getenv("PLANT_CAP");

	real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))
	    dlsym(RTLD_NEXT, "accept4");
	if (e != NULL && atol(e) > 0)
		every = atol(e);
	if (c != NULL && atol(c) >= 0)
		cap = atol(c);
}

/* The leak: an fd opened and forgotten. noinline, so the stack shows it. */
__attribute__((noinline)) static void
plant_leak(void)
{
	if (open("/etc/hostname", O_RDONLY) >= 0)
		planted++;
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int c = real_accept4(fd, addr, len, flags);

	if (c >= 0 && ++accepted % every == 0 && planted < cap)
		plant_leak();
	return c;
}
