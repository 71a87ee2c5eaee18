/* SPDX-License-Identifier: MIT */
/* util.h - allocation that never fails, warnings, small helpers. */
#ifndef FDLEAK_UTIL_H
#define FDLEAK_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocators abort with a message on exhaustion; callers own the result. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * Room for one more element in array, whose capacity is count rounded up
 * to a power of two (the array grows by doubling as count passes one).
 */
void *xgrow(void *array, size_t count, size_t size);
/*
 * Room for element index in array, of *cap elements: the capacity grows
 * by doubling past index and the new elements are zeroed. For tables
 * indexed by a dense id (a module id), which need no hashing.
 */
void *xgrow_index(void *array, size_t *cap, size_t index, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh buffer; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* qsort and bsearch order of ints (fds, pids). */
int int_cmp(const void *a, const void *b);
/* The last component of path: after its last '/', or all of it. */
const char *path_base(const char *path);

/* One-line diagnostics on stderr, prefixed "fdleak: ". */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As warnmsg, with ": strerror(errno)" appended. */
void warnerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "SIGKILL", "SIGRTMIN+3", "SIG99": the name of signal sig, into buf, which is returned. */
const char *signal_name(int sig, char *buf, size_t size);

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

/* readlink into a fresh NUL-terminated buffer; NULL on error (errno set). */
char *xreadlink(const char *path);

#endif
