// SPDX-License-Identifier: MIT
/* util.c - allocation that never fails, diagnostics, small helpers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void
out_of_memory(size_t size)
{
	fprintf(stderr, "fdleak: out of memory allocating %zu bytes\n", size);
	_exit(125);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	return xrealloc(p, n * size);
}

void *
xgrow(void *array, size_t count, size_t size)
{
	if ((count & (count - 1)) == 0)
		array = xreallocarray(array, count ? count * 2 : 1, size);
	return array;
}

void *
xgrow_index(void *array, size_t *cap, size_t index, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (index < *cap)
		return array;
	while (n <= index)
		n *= 2;
	array = xreallocarray(array, n, size);
	memset((char *)array + *cap * size, 0, (n - *cap) * size);
	*cap = n;
	return array;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

const char *
path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		out_of_memory(0);
	va_end(ap);
	return p;
}

static void
vwarn(int errnum, const char *fmt, va_list ap)
{
	char msg[1024];

	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): ap comes started from warnmsg/warnerr */
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (errnum)
		fprintf(stderr, "fdleak: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "fdleak: %s\n", msg);
}

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
}

void
warnerr(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn(saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

char *
xreadlink(const char *path)
{
	size_t size = 256;

	for (;;) {
		char *buf = xmalloc(size);
		ssize_t n = readlink(path, buf, size);

		if (n < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		size *= 2;
	}
}

const char *
signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = NULL;

	/* sigabbrev_np() knows no realtime signals; name them as kill -l does. */
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		if (sig == SIGRTMIN)
			snprintf(buf, size, "SIGRTMIN");
		else
			snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	if (sig > 0 && sig < NSIG)
		abbrev = sigabbrev_np(sig);
	if (abbrev != NULL)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}
