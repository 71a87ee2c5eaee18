// SPDX-License-Identifier: MIT
/*
 * fuzz_fdinfo_link.c - fdinfo_kind_from_link and fdinfo_target_from_link
 * on arbitrary /proc/PID/fd link texts. Input: one byte whose high
 * nibble is the file type (st_mode >> 12, all 16 values, 0 = stat
 * failed), then the link text. The kind must follow the table of link
 * forms at the top of fdinfo.c, written out again here; the target must
 * be the link itself except for the memfd and secretmem forms.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "fdinfo.h"
#include "fuzz.h"

static bool
prefixed(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The kind of "anon_inode:NAME" for the names fdinfo.c lists. */
static enum fd_kind
ref_anon(const char *name)
{
	static const struct {
		const char *name;
		enum fd_kind kind;
	} exact[] = {
		{ "[eventfd]", FDK_EVENTFD }, { "[timerfd]", FDK_TIMERFD },
		{ "[signalfd]", FDK_SIGNALFD }, { "[eventpoll]", FDK_EPOLL },
		{ "inotify", FDK_INOTIFY }, { "[fanotify]", FDK_FANOTIFY },
		{ "[pidfd]", FDK_PIDFD }, { "[userfaultfd]", FDK_USERFAULTFD },
		{ "[io_uring]", FDK_IO_URING },
		{ "[perf_event]", FDK_PERF_EVENT },
		{ "btf", FDK_BPF },
	};

	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
		if (strcmp(name, exact[i].name) == 0)
			return exact[i].kind;
	}
	if ((prefixed(name, "bpf-") || prefixed(name, "bpf_")) &&
	    strlen(name) > 4)
		return FDK_BPF;
	return FDK_OTHER;
}

static bool
is_memfd_form(const char *link)
{
	size_t len = strlen(link);

	return prefixed(link, "/memfd:") && len >= 17 &&
	    strcmp(link + len - 10, " (deleted)") == 0;
}

static enum fd_kind
ref_kind(const char *link, unsigned mode)
{
	if (link[0] == '/') {
		unsigned fmt = mode & S_IFMT;

		if ((fmt == 0 || fmt == S_IFREG) && (is_memfd_form(link) ||
		    strcmp(link, "/secretmem (deleted)") == 0))
			return FDK_MEMFD;
		switch (fmt) {
		case 0:
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
		default:
			return FDK_OTHER;
		}
	}
	if (prefixed(link, "socket:["))
		return FDK_SOCKET;
	if (prefixed(link, "pipe:["))
		return FDK_PIPE;
	if (prefixed(link, "anon_inode:"))
		return ref_anon(link + 11);
	if (prefixed(link, "pidfd:"))
		return FDK_PIDFD;
	return FDK_OTHER;
}

static void
check_target(const char *link, enum fd_kind kind)
{
	char *t = fdinfo_target_from_link(link, kind);
	size_t len = strlen(link);

	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(strlen(t) <= len);
	if (kind == FDK_MEMFD && is_memfd_form(link)) {
		FUZZ_CHECK(strlen(t) == len - 11);
		FUZZ_CHECK(memcmp(t, "memfd:", 6) == 0);
		FUZZ_CHECK(memcmp(t + 6, link + 7, len - 17) == 0);
	} else if (kind == FDK_MEMFD &&
	    strcmp(link, "/secretmem (deleted)") == 0)
		FUZZ_CHECK(strcmp(t, "secretmem") == 0);
	else
		FUZZ_CHECK(strcmp(t, link) == 0);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum fd_kind kind;
	unsigned mode;
	const char *name;
	char *link;

	if (size == 0) {
		FUZZ_CHECK(fdinfo_kind_from_link(NULL, 0) == FDK_OTHER);
		FUZZ_CHECK(fdinfo_target_from_link(NULL, FDK_FILE) == NULL);
		return 0;
	}
	mode = (unsigned)(data[0] >> 4) << 12 | 0644;
	link = malloc(size);
	FUZZ_CHECK(link != NULL);
	memcpy(link, data + 1, size - 1);
	link[size - 1] = '\0';

	kind = fdinfo_kind_from_link(link, mode);
	FUZZ_CHECK(kind > FDK_UNKNOWN && kind < FDK_COUNT);
	FUZZ_CHECK(kind == ref_kind(link, mode));
	name = fd_kind_name(kind);
	FUZZ_CHECK(name != NULL && name[0] != '\0');

	/* The kind it found, and every other kind a caller might pass. */
	for (int k = 0; k < FDK_COUNT; k++)
		check_target(link, (enum fd_kind)k);
	free(link);
	return 0;
}
