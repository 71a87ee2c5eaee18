// SPDX-License-Identifier: MIT
/*
 * fuzz_fdinfo_text.c - the readers of /proc/PID/fdinfo/N text:
 * fdinfo_field, fdinfo_count_lines and fdinfo_anon_text. Input: a byte
 * choosing the kind, a byte choosing the bpf link, then the fdinfo text,
 * not NUL-terminated (ASan sees any read past it). fdinfo_field and
 * fdinfo_count_lines must agree with references written here from their
 * header comments, at every value size; fdinfo_anon_text must give NULL
 * exactly for the kinds it does not describe, and otherwise one of the
 * forms its header lists, with no control characters (it names the fd in
 * reports) and, where it counts lines, the right count.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "fdinfo.h"
#include "fuzz.h"

/* Keys that anon_text looks up, and a short one that matches often. */
static const char *const keys[] = {
	"Pid:", "eventfd-count:", "tfd:", "f", "fanotify ",
};

static const char *const bpf_links[] = {
	"anon_inode:bpf-map", "anon_inode:bpf-prog", "anon_inode:bpf_link",
	"anon_inode:bpf_iter", "anon_inode:btf", "anon_inode:bpf-token",
	"anon_inode:bpf-newthing", "anon_inode:[eventfd]",
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Next line of t[*i..len) into [*a, *b); false at the end. */
static bool
next_line(const char *t, size_t len, size_t *i, size_t *a, size_t *b)
{
	const char *nl;

	if (*i >= len)
		return false;
	*a = *i;
	nl = memchr(t + *i, '\n', len - *i);
	*b = nl != NULL ? (size_t)(nl - t) : len;
	*i = *b + 1;
	return true;
}

static int
ref_field(const char *t, size_t len, const char *key, char *val, size_t size)
{
	size_t i = 0, a, b, klen = strlen(key);

	if (klen == 0)
		return -1;
	while (next_line(t, len, &i, &a, &b)) {
		if (b - a < klen || memcmp(t + a, key, klen) != 0)
			continue;
		a += klen;
		while (a < b && blank(t[a]))
			a++;
		while (b > a && (blank(t[b - 1]) || t[b - 1] == '\r'))
			b--;
		if (size > 0) {
			size_t n = b - a > size - 1 ? size - 1 : b - a;

			memcpy(val, t + a, n);
			val[n] = '\0';
		}
		return 0;
	}
	return -1;
}

static size_t
ref_count(const char *t, size_t len, const char *prefix)
{
	size_t i = 0, a, b, n = 0, plen = strlen(prefix);

	while (next_line(t, len, &i, &a, &b))
		n += b - a >= plen && memcmp(t + a, prefix, plen) == 0;
	return n;
}

static void
check_field(const char *t, size_t len, const char *key, size_t size)
{
	char *val = malloc(size ? size : 1), *want = malloc(size + 1);
	int r, rr;

	FUZZ_CHECK(val != NULL && want != NULL);
	memset(val, 0x5a, size ? size : 1);
	memset(want, 0x5a, size + 1);
	r = fdinfo_field(t, len, key, val, size);
	rr = ref_field(t, len, key, want, size);
	FUZZ_CHECK(r == rr);
	if (r == 0 && size > 0)
		FUZZ_CHECK(strlen(val) < size && strcmp(val, want) == 0);
	if (size == 0 || r != 0)
		FUZZ_CHECK((unsigned char)val[0] == 0x5a);
	free(val);
	free(want);
}

/* s starts with p; *s moves past it. */
static bool
eat(const char **s, const char *p)
{
	size_t n = strlen(p);

	if (strncmp(*s, p, n) != 0)
		return false;
	*s += n;
	return true;
}

/* One or more decimal digits (a '-' first if sign); *s moves past. */
static bool
eat_num(const char **s, bool sign)
{
	const char *p = *s;

	if (sign && *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	*s = p;
	return true;
}

/* One of the forms fdinfo.h lists for kind; "word" alone when no info. */
static bool
form_ok(enum fd_kind kind, const char *link, const char *s)
{
	const char *p = s;

	switch (kind) {
	case FDK_EVENTFD:
		if (strcmp(p, "eventfd") == 0)
			return true;
		return eat(&p, "eventfd count=") && eat_num(&p, false) &&
		    (*p == '\0' || strcmp(p, " semaphore") == 0);
	case FDK_TIMERFD:
		if (strcmp(p, "timerfd") == 0)
			return true;
		if (!eat(&p, "timerfd clock="))
			return false;
		while (*p != '\0' && *p != ' ')
			p++;
		return p > s + 14 && (*p == '\0' || strcmp(p, " armed") == 0);
	case FDK_SIGNALFD:
		if (strcmp(p, "signalfd") == 0 ||
		    strcmp(p, "signalfd mask=none") == 0)
			return true;
		if (!eat(&p, "signalfd mask="))
			return false;
		do {
			if (!eat(&p, "SIG") || !isalnum((unsigned char)*p))
				return false;
			while (isalnum((unsigned char)*p) || *p == '+')
				p++;
		} while (eat(&p, ","));
		return *p == '\0';
	case FDK_EPOLL:
		return eat(&p, "epoll watches=") && eat_num(&p, false) && !*p;
	case FDK_INOTIFY:
		return eat(&p, "inotify watches=") && eat_num(&p, false) && !*p;
	case FDK_FANOTIFY:
		return eat(&p, "fanotify marks=") && eat_num(&p, false) && !*p;
	case FDK_PIDFD:
		/* "pidfd (reaped)" and other states in parentheses. */
		if (strcmp(p, "pidfd") == 0 || (eat(&p, "pidfd (") &&
		    *p != '\0' && strchr(p, ')') == p + strlen(p) - 1))
			return true;
		p = s;
		return eat(&p, "pidfd pid=") && eat_num(&p, true) && !*p;
	case FDK_IO_URING:
		return strcmp(p, "io_uring") == 0 ||
		    (eat(&p, "io_uring entries=") && eat_num(&p, false) &&
		    !*p && strtoull(s + 17, NULL, 10) >= 1 &&
		    strtoull(s + 17, NULL, 10) <= 0xffffffffULL);
	case FDK_USERFAULTFD:
		return strcmp(p, "userfaultfd") == 0;
	case FDK_BPF: {
		static const char *const words[] = {
			"map", "prog", "link", "iter", "btf", "token",
		};
		const char *w = NULL;

		for (size_t i = 0; i < 6; i++) {
			if (strcmp(link, bpf_links[i]) == 0)
				w = words[i];
		}
		if (w == NULL || !eat(&p, "bpf ") || !eat(&p, w))
			return false;
		if (*p == '\0')
			return true;
		/* "type=" and a word. */
		return eat(&p, " type=") && *p != '\0' &&
		    strchr(p, ' ') == NULL;
	}
	default:
		return false;
	}
}

static bool
described(enum fd_kind kind, const char *link)
{
	switch (kind) {
	case FDK_EVENTFD: case FDK_TIMERFD: case FDK_SIGNALFD: case FDK_EPOLL:
	case FDK_INOTIFY: case FDK_FANOTIFY: case FDK_PIDFD: case FDK_IO_URING:
	case FDK_USERFAULTFD:
		return true;
	case FDK_BPF:
		for (size_t i = 0; i < 6; i++) {
			if (strcmp(link, bpf_links[i]) == 0)
				return true;
		}
		return false;
	default:
		return false;
	}
}

static void
check_anon(enum fd_kind kind, const char *link, const char *t, size_t len)
{
	char *s = fdinfo_anon_text(kind, link, t, len), want[64];
	size_t n;

	FUZZ_CHECK((s != NULL) == described(kind, link));
	if (s == NULL)
		return;
	for (const char *p = s; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	FUZZ_CHECK(form_ok(kind, link, s));
	if (t == NULL)
		len = 0;
	switch (kind) {
	case FDK_EPOLL:
		snprintf(want, sizeof want, "epoll watches=%zu",
		    ref_count(t, len, "tfd:"));
		FUZZ_CHECK(strcmp(s, want) == 0);
		break;
	case FDK_INOTIFY:
		snprintf(want, sizeof want, "inotify watches=%zu",
		    ref_count(t, len, "inotify wd:"));
		FUZZ_CHECK(strcmp(s, want) == 0);
		break;
	case FDK_FANOTIFY:
		n = ref_count(t, len, "fanotify ");
		if (n > 0 && ref_count(t, len, "fanotify flags:") > 0)
			n--;
		snprintf(want, sizeof want, "fanotify marks=%zu", n);
		FUZZ_CHECK(strcmp(s, want) == 0);
		break;
	default:
		break;
	}
	free(s);
}

static const char *
link_of(enum fd_kind kind, unsigned pick)
{
	switch (kind) {
	case FDK_EVENTFD: return "anon_inode:[eventfd]";
	case FDK_TIMERFD: return "anon_inode:[timerfd]";
	case FDK_SIGNALFD: return "anon_inode:[signalfd]";
	case FDK_EPOLL: return "anon_inode:[eventpoll]";
	case FDK_INOTIFY: return "anon_inode:inotify";
	case FDK_FANOTIFY: return "anon_inode:[fanotify]";
	case FDK_PIDFD: return "anon_inode:[pidfd]";
	case FDK_IO_URING: return "anon_inode:[io_uring]";
	case FDK_USERFAULTFD: return "anon_inode:[userfaultfd]";
	case FDK_BPF: return bpf_links[pick % 8];
	case FDK_SOCKET: return "socket:[1234]";
	case FDK_PIPE: return "pipe:[1234]";
	default: return "/tmp/x";
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 0, 1, 2, 8 };
	enum fd_kind kind;
	const char *t, *link;
	size_t len;

	if (size < 2)
		return 0;
	kind = (enum fd_kind)(data[0] % FDK_COUNT);
	link = link_of(kind, data[1]);
	t = (const char *)data + 2;
	len = size - 2;

	/* Each key at the size fdinfo.c uses; the short one at every size. */
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		check_field(t, len, keys[k], 64);
		FUZZ_CHECK(fdinfo_count_lines(t, len, keys[k]) ==
		    ref_count(t, len, keys[k]));
	}
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		check_field(t, len, "f", sizes[i]);
	FUZZ_CHECK(fdinfo_field(t, len, "", NULL, 0) == -1);
	FUZZ_CHECK(fdinfo_field(NULL, len, "Pid:", NULL, 0) == -1);
	FUZZ_CHECK(fdinfo_count_lines(NULL, len, "Pid:") == 0);

	check_anon(kind, link, t, len);
	check_anon(kind, link, NULL, len);
	FUZZ_CHECK(fdinfo_anon_text(kind, NULL, t, len) == NULL);
	return 0;
}
