// SPDX-License-Identifier: MIT
/*
 * procfs.c - the one reader of /proc files, and what is parsed from the
 * per-process ones that several modules need (status, stat, cmdline, the
 * fd directory). Every read is bounded: /proc files are generated as
 * they are read, and a tracee decides how long some of them are (its
 * maps, its arguments, its epoll watches), so a file longer than its
 * bound is either cut or refused, never followed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

#define FIRST_CAP	4096		/* most /proc files fit in a page */
#define STATUS_MAX	16384		/* the fields wanted are in the first 2 KiB */
#define CMDLINE_MAX	(256 << 10)	/* what is shown of an argv */

static int
open_retry(const char *path)
{
	int fd;

	while ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == EINTR)
		;
	return fd;
}

static ssize_t
read_retry(int fd, void *buf, size_t n)
{
	ssize_t r;

	while ((r = read(fd, buf, n)) == -1 && errno == EINTR)
		;
	return r;
}

/* Whether fd has more to read; -1 with errno if the read fails. */
static int
has_more(int fd)
{
	char c;
	ssize_t r = read_retry(fd, &c, 1);

	return r < 0 ? -1 : r > 0;
}

ssize_t
procfs_read_into(const char *path, size_t max, enum procfs_fit fit,
    char **buf, size_t *cap)
{
	size_t len = 0, room;
	int fd, more = 0, saved;

	if ((fd = open_retry(path)) == -1)
		return -1;
	if (*cap == 0) {
		*cap = (max < FIRST_CAP ? max : FIRST_CAP) + 1;
		*buf = xmalloc(*cap);
	}
	/* room: what the buffer may hold, never more than max. */
	room = *cap - 1 < max ? *cap - 1 : max;
	for (;;) {
		ssize_t n;

		if (len == room) {
			if (len == max) {
				more = has_more(fd);
				break;
			}
			room = room > 0 ? room * 2 : FIRST_CAP;
			if (room > max)
				room = max;
			*buf = xrealloc(*buf, room + 1);
			*cap = room + 1;
		}
		n = read_retry(fd, *buf + len, room - len);
		if (n == -1) {
			more = -1;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	saved = errno;
	close(fd);
	if (more < 0 || (more > 0 && fit == PROCFS_WHOLE)) {
		errno = more < 0 ? saved : EFBIG;
		return -1;
	}
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

char *
procfs_read(const char *path, size_t max, enum procfs_fit fit, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = procfs_read_into(path, max, fit, &buf, &cap);

	if (n < 0) {
		int saved = errno;

		free(buf);
		errno = saved;
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

int
procfs_parse_status(const char *text, struct proc_status *st)
{
	enum { STATE = 1, TRACER = 2, PPID = 4, UID = 8 };
	const char *line = text;
	unsigned seen = 0;

	memset(st, 0, sizeof *st);
	st->uid = -1;
	st->seccomp = -1;
	while (line != NULL && *line != '\0') {
		if (strncmp(line, "State:", 6) == 0) {
			const char *s = line + 6;

			while (*s == ' ' || *s == '\t')
				s++;
			st->state = *s;
			seen |= STATE;
		} else if (strncmp(line, "TracerPid:", 10) == 0) {
			st->tracer = (int)strtol(line + 10, NULL, 10);
			seen |= TRACER;
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			st->tgid = (int)strtol(line + 5, NULL, 10);
		} else if (strncmp(line, "PPid:", 5) == 0) {
			st->ppid = (int)strtol(line + 5, NULL, 10);
			seen |= PPID;
		} else if (strncmp(line, "Uid:", 4) == 0) {
			st->uid = strtol(line + 4, NULL, 10);
			seen |= UID;
		} else if (strncmp(line, "Seccomp:", 8) == 0) {
			st->seccomp = (int)strtol(line + 8, NULL, 10);
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return seen == (STATE | TRACER | PPID | UID) ? 0 : -1;
}

int
procfs_read_status(pid_t pid, struct proc_status *st)
{
	char path[64], *text;
	size_t len;
	int rc;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((text = procfs_read(path, STATUS_MAX, PROCFS_HEAD, &len)) == NULL)
		return -1;
	rc = procfs_parse_status(text, st);
	free(text);
	return rc;
}

long
procfs_parse_stat_flags(const char *text)
{
	const char *s = strrchr(text, ')');	/* comm may hold spaces and parens */
	unsigned long flags;
	char *end;

	if (s == NULL)
		return -1;
	/* Fields after comm: state ppid pgrp session tty_nr tpgid flags. */
	s++;
	for (int field = 0; field < 6; field++) {
		while (*s == ' ')
			s++;
		s += strcspn(s, " ");
	}
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	flags = strtoul(s, &end, 10);
	if (errno != 0 || flags > (unsigned long)LONG_MAX || (*end != ' ' && *end != '\0'))
		return -1;
	return (long)flags;
}

char **
procfs_parse_cmdline(const char *text, size_t len)
{
	size_t n = 0, k = 0;
	char **argv, *copy;

	/* A NUL ends each argument; text after the last NUL is one more. */
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\0';
	if (len > 0 && text[len - 1] != '\0')
		n++;
	argv = xmalloc((n + 1) * sizeof *argv + len + 1);
	copy = (char *)(argv + n + 1);
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	for (size_t i = 0; k < n; i++) {
		argv[k++] = copy + i;
		i += strlen(copy + i);
	}
	argv[n] = NULL;
	return argv;
}

char *
procfs_comm(pid_t pid)
{
	char path[64], *text;
	size_t len;

	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if ((text = procfs_read(path, 64, PROCFS_HEAD, &len)) == NULL)
		return xstrdup("?");
	text[strcspn(text, "\n")] = '\0';
	return text;
}

char **
procfs_argv_copy(char *const *argv)
{
	size_t len = 0, at = 0;
	char *text, **copy;

	if (argv == NULL)
		return NULL;
	for (size_t i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	text = xmalloc(len + 1);
	for (size_t i = 0; argv[i] != NULL; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(text + at, argv[i], n);
		at += n;
	}
	copy = procfs_parse_cmdline(text, len);
	free(text);
	return copy;
}

char **
procfs_read_cmdline(pid_t pid)
{
	char path[64], *text, **argv;
	size_t len, n = 0;

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((text = procfs_read(path, CMDLINE_MAX, PROCFS_HEAD, &len)) == NULL)
		return NULL;
	argv = procfs_parse_cmdline(text, len);
	free(text);
	while (argv[n] != NULL)
		n++;
	/* A process that wrote its title over argv (nginx) pads it with NULs. */
	while (n > 1 && argv[n - 1][0] == '\0')
		argv[--n] = NULL;
	return argv;
}

int
procfs_list_fds(pid_t tid, int **fds)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int *v = NULL, self_fd = -1;
	size_t n = 0, cap = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)tid);
	if ((d = opendir(path)) == NULL)
		return -1;
	/* Listing our own table: the directory's fd is ours, not the caller's. */
	if (tid == getpid() || tid == gettid())
		self_fd = dirfd(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		char *end;
		long v1;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		errno = 0;
		v1 = strtol(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || v1 > 0x7fffffff ||
		    v1 == self_fd)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = (int)v1;
	}
	if (errno != 0) {
		int saved = errno;

		closedir(d);
		free(v);
		errno = saved;
		return -1;
	}
	closedir(d);
	if (v == NULL)
		v = xmalloc(sizeof *v);
	qsort(v, n, sizeof *v, int_cmp);
	*fds = v;
	return (int)n;
}

/* The value of the line "key\t..." of fdinfo text, as a number of base; 0 or -1. */
static int
fdinfo_number(const char *text, size_t len, const char *key, int base,
    unsigned long long *v)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > klen && memcmp(p, key, klen) == 0) {
			char buf[32], *e;
			size_t n = l - klen;

			if (n >= sizeof buf)
				return -1;
			memcpy(buf, p + klen, n);
			buf[n] = '\0';
			errno = 0;
			*v = strtoull(buf, &e, base);
			while (*e == ' ' || *e == '\t')
				e++;
			return errno == 0 && e != buf && *e == '\0' ? 0 : -1;
		}
		p += l + 1;
	}
	return -1;
}

int
procfs_parse_fd_ident(const char *text, size_t len, struct fd_ident *out)
{
	unsigned long long ino, flags, mnt = 0, xid = 0;

	memset(out, 0, sizeof *out);
	if (fdinfo_number(text, len, "ino:", 10, &ino) < 0 ||
	    fdinfo_number(text, len, "flags:", 8, &flags) < 0)
		return -1;
	fdinfo_number(text, len, "mnt_id:", 10, &mnt);
	fdinfo_number(text, len, "eventfd-id:", 10, &xid);
	out->ino = ino;
	out->mnt_id = (uint32_t)mnt;
	out->xid = (uint32_t)xid;
	out->accmode = (uint8_t)(flags & O_ACCMODE);
	return 0;
}

int
procfs_fd_ident(pid_t tid, int fd, struct fd_ident *out)
{
	char path[64], buf[512];
	ssize_t n;
	int f;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	if ((f = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	/* The fields wanted come first; the rest (epoll's watches) may be long. */
	while ((n = read(f, buf, sizeof buf - 1)) < 0 && errno == EINTR)
		;
	close(f);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (procfs_parse_fd_ident(buf, (size_t)n, out) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

unsigned long long
procfs_parse_start_time(const char *text)
{
	const char *s = strrchr(text, ')');	/* comm may hold spaces and parens */
	unsigned long long v;
	char *end;

	if (s == NULL)
		return 0;
	/* Fields after comm: state (3) up to starttime (22). */
	s++;
	for (int field = 3; field < 22; field++) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return 0;
		s += strcspn(s, " ");
	}
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno == 0 && (*end == ' ' || *end == '\0' || *end == '\n') ? v : 0;
}

unsigned long long
procfs_start_time(pid_t pid)
{
	char path[64], *text;
	unsigned long long v;
	size_t len;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((text = procfs_read(path, 4096, PROCFS_HEAD, &len)) == NULL)
		return 0;
	v = procfs_parse_start_time(text);
	free(text);
	return v;
}

int
procfs_children(pid_t pid, pid_t **out)
{
	char path[64];
	struct dirent *de;
	pid_t *v = NULL;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char file[320], *text, *p, *end;
		size_t len;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(file, sizeof file, "/proc/%d/task/%s/children", (int)pid,
		    de->d_name);
		if ((text = procfs_read(file, 1 << 20, PROCFS_HEAD, &len)) == NULL)
			continue;	/* the thread is gone */
		for (p = text; *p != '\0'; p = end) {
			long c;

			errno = 0;
			c = strtol(p, &end, 10);
			if (end == p || errno != 0)
				break;
			if (c > 0 && c <= INT_MAX) {
				v = xgrow(v, n, sizeof *v);
				v[n++] = (pid_t)c;
			}
		}
		free(text);
	}
	closedir(d);
	if (v == NULL)
		v = xmalloc(sizeof *v);
	qsort(v, n, sizeof *v, int_cmp);
	*out = v;
	return (int)n;
}
