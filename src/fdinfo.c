// SPDX-License-Identifier: MIT
/*
 * fdinfo.c - describe an open fd of a live process from /proc: the
 * /proc/TID/fd/N link text names it, stat() through that link gives the
 * target's type, and /proc/TID/fdinfo/N carries the open flags. Used at
 * attach, at exit and at report time, never per syscall.
 *
 * Link texts, as Linux 6.18 prints them (checked by creating each kind):
 *	/path, /path (deleted)		file, dir, device, fifo, socket by st_mode
 *	/memfd:NAME (deleted)		memfd (also hugetlb memfds)
 *	/secretmem (deleted)		memfd_secret
 *	socket:[INODE]			socket
 *	pipe:[INODE]			pipe
 *	anon_inode:[eventfd]		eventfd
 *	anon_inode:[timerfd]		timerfd
 *	anon_inode:[signalfd]		signalfd
 *	anon_inode:[eventpoll]		epoll
 *	anon_inode:inotify		inotify
 *	anon_inode:[fanotify]		fanotify
 *	anon_inode:[pidfd]		pidfd (pidfs keeps this spelling)
 *	anon_inode:[userfaultfd]	userfaultfd (also /dev/userfaultfd's fds)
 *	anon_inode:[io_uring]		io_uring
 *	anon_inode:[perf_event]		perf_event_open
 *	anon_inode:bpf-map, bpf-prog, bpf_link, bpf_iter, btf, bpf-token	bpf
 * Anything else (anon_inode:[fscontext], anon_inode:[landlock-ruleset],
 * anon_inode:seccomp notify, anon_inode:kvm-vm, net:[N] from nsfs, ...)
 * is "other".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdinfo.h"
#include "util.h"

#define DELETED_SUFFIX	" (deleted)"
#define MEMFD_PREFIX	"/memfd:"
#define SECRETMEM_LINK	"/secretmem" DELETED_SUFFIX

/* Names after "anon_inode:" that must match exactly. */
static const struct {
	const char *name;
	enum fd_kind kind;
} anon_kinds[] = {
	{ "[eventfd]", FDK_EVENTFD },
	{ "[timerfd]", FDK_TIMERFD },
	{ "[signalfd]", FDK_SIGNALFD },
	{ "[eventpoll]", FDK_EPOLL },
	{ "inotify", FDK_INOTIFY },
	{ "[fanotify]", FDK_FANOTIFY },
	{ "[pidfd]", FDK_PIDFD },
	{ "[userfaultfd]", FDK_USERFAULTFD },
	{ "[io_uring]", FDK_IO_URING },
	{ "[perf_event]", FDK_PERF_EVENT },
	{ "btf", FDK_BPF },
};

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* "/memfd:NAME (deleted)": the kernel prefixes and unlinks every memfd. */
static int
is_memfd_link(const char *link)
{
	size_t len = strlen(link);

	return has_prefix(link, MEMFD_PREFIX) &&
	    len >= strlen(MEMFD_PREFIX) + strlen(DELETED_SUFFIX) &&
	    has_suffix(link, len, DELETED_SUFFIX);
}

static enum fd_kind
kind_from_anon(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(anon_kinds); i++) {
		if (strcmp(name, anon_kinds[i].name) == 0)
			return anon_kinds[i].kind;
	}
	/* bpf-map, bpf-prog, bpf_link, bpf_iter, bpf-token and whatever comes next. */
	if ((has_prefix(name, "bpf-") || has_prefix(name, "bpf_")) &&
	    name[4] != '\0')
		return FDK_BPF;
	return FDK_OTHER;
}

enum fd_kind
fdinfo_kind_from_link(const char *link, unsigned mode)
{
	if (link == NULL || *link == '\0')
		return FDK_OTHER;
	if (link[0] == '/') {
		if ((S_ISREG(mode) || (mode & S_IFMT) == 0) &&
		    (is_memfd_link(link) || strcmp(link, SECRETMEM_LINK) == 0))
			return FDK_MEMFD;
		switch (mode & S_IFMT) {
		case S_IFREG:
			return FDK_FILE;
		case S_IFDIR:
			return FDK_DIR;
		case S_IFCHR:
		case S_IFBLK:
			return FDK_DEVICE;
		case S_IFIFO:
			return FDK_FIFO;
		case S_IFSOCK:
			return FDK_SOCKET;
		case 0:
			/* stat failed: a path is most likely a file. */
			return FDK_FILE;
		default:
			return FDK_OTHER;	/* O_PATH|O_NOFOLLOW on a symlink */
		}
	}
	if (has_prefix(link, "socket:["))
		return FDK_SOCKET;
	if (has_prefix(link, "pipe:["))
		return FDK_PIPE;
	if (has_prefix(link, "anon_inode:"))
		return kind_from_anon(link + strlen("anon_inode:"));
	/* Not printed by 6.18 (pidfs says anon_inode:[pidfd]), but cheap to accept. */
	if (has_prefix(link, "pidfd:"))
		return FDK_PIDFD;
	return FDK_OTHER;
}

int
fdinfo_parse_flags(const char *text, size_t len, unsigned *flags)
{
	static const char key[] = "flags:";
	const size_t klen = sizeof key - 1;
	size_t i = 0;

	if (text == NULL)
		return -1;
	/* Only at the start of a line: "fanotify flags:" must not match. */
	while (i < len) {
		size_t eol = i;

		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= klen && memcmp(text + i, key, klen) == 0) {
			unsigned long v = 0;
			size_t j = i + klen, digits = 0;

			while (j < eol && (text[j] == ' ' || text[j] == '\t'))
				j++;
			for (; j < eol && text[j] >= '0' && text[j] <= '7'; j++) {
				v = v * 8 + (unsigned)(text[j] - '0');
				if (v > 0xffffffffUL)
					return -1;
				digits++;
			}
			if (digits == 0)
				return -1;
			if (j < eol && text[j] != ' ' && text[j] != '\t')
				return -1;
			*flags = (unsigned)v;
			return 0;
		}
		i = eol + 1;
	}
	return -1;
}

char *
fdinfo_target_from_link(const char *link, enum fd_kind kind)
{
	if (link == NULL)
		return NULL;
	if (kind == FDK_MEMFD) {
		size_t len = strlen(link);

		if (is_memfd_link(link)) {
			size_t plen = strlen(MEMFD_PREFIX);
			size_t nlen = len - plen - strlen(DELETED_SUFFIX);

			/* "memfd:NAME": the leading '/' and " (deleted)" are not news. */
			return xasprintf("memfd:%.*s", (int)nlen, link + plen);
		}
		if (strcmp(link, SECRETMEM_LINK) == 0)
			return xstrdup("secretmem");
	}
	return xstrdup(link);
}

/* Read the start of a /proc file; the flags line is the second line. */
static ssize_t
read_head(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((size_t)total < size) {
		n = read(fd, buf + total, size - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	return total;
}

int
fdinfo_describe(pid_t tid, int fd, struct fd_desc *out)
{
	char path[64], info[4096];
	struct stat st;
	unsigned mode = 0, flags;
	ssize_t n;
	char *link;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)tid, fd);
	if ((link = xreadlink(path)) == NULL)
		return -1;
	/* stat() follows the magic link to the very inode the fd holds. */
	if (stat(path, &st) == 0)
		mode = st.st_mode;
	out->kind = fdinfo_kind_from_link(link, mode);
	out->target = fdinfo_target_from_link(link, out->kind);
	free(link);

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	n = read_head(path, info, sizeof info);
	out->cloexec = n > 0 && fdinfo_parse_flags(info, n, &flags) == 0 &&
	    (flags & O_CLOEXEC) != 0;
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int
fdinfo_list(pid_t tid, int **fds)
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
	qsort(v, n, sizeof *v, cmp_int);
	*fds = v;
	return (int)n;
}
