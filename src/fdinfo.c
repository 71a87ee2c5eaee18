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
 *
 * The target then says what users want to know (see fdinfo.h): the
 * fdinfo fields of anonymous inodes (eventfd count, timerfd clock,
 * signalfd mask, epoll and inotify watches, pidfd pid, bpf object type);
 * which end of a pipe or FIFO an fd is and which fd of the same process
 * holds the other end; for sockets, the protocol from the sockfs xattr
 * "system.sockprotoname", then what sockinfo.c finds in the socket
 * tables (addresses, state, unix peer). Every parser of kernel text is a
 * pure function.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fdinfo.h"
#include "procfs.h"
#include "sockinfo.h"
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

#define INFO_HEAD	4096		/* enough for every field but the lists */
#define INFO_MAX	(1 << 20)	/* epoll, inotify, fanotify: one line per watch */
#define STAT_MAX	4096		/* /proc/TID/stat: one line */
#define SCHEDSTAT_MAX	256		/* /proc/TID/schedstat: three numbers */

/* ---- fdinfo fields (pure) ---- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
fdinfo_field(const char *text, size_t len, const char *key, char *val,
    size_t size)
{
	size_t klen, i = 0;

	if (text == NULL || key == NULL || (klen = strlen(key)) == 0)
		return -1;
	while (i < len) {
		size_t eol = i, a, b;

		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= klen && memcmp(text + i, key, klen) == 0) {
			a = i + klen;
			b = eol;
			while (a < b && is_blank(text[a]))
				a++;
			while (b > a && (is_blank(text[b - 1]) || text[b - 1] == '\r'))
				b--;
			if (size > 0) {
				size_t n = b - a < size - 1 ? b - a : size - 1;

				memcpy(val, text + a, n);
				val[n] = '\0';
			}
			return 0;
		}
		i = eol + 1;
	}
	return -1;
}

size_t
fdinfo_count_lines(const char *text, size_t len, const char *prefix)
{
	size_t plen, i = 0, n = 0;

	if (text == NULL || prefix == NULL)
		return 0;
	plen = strlen(prefix);
	while (i < len) {
		size_t eol = i;

		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= plen && memcmp(text + i, prefix, plen) == 0)
			n++;
		i = eol + 1;
	}
	return n;
}

/* A whole field as an unsigned number in base (0: C rules); -1 if not. */
static int
field_number(const char *text, size_t len, const char *key, int base,
    unsigned long long *v)
{
	char buf[64], *end;

	if (fdinfo_field(text, len, key, buf, sizeof buf) < 0 || buf[0] == '\0' ||
	    buf[0] == '-' || buf[0] == '+')
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, base);
	if (errno != 0 || end == buf || *end != '\0')
		return -1;
	return 0;
}

/* A whole field as a signed decimal number; -1 if not. */
static int
field_long(const char *text, size_t len, const char *key, long long *v)
{
	char buf[64], *end;

	if (fdinfo_field(text, len, key, buf, sizeof buf) < 0 || buf[0] == '\0')
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0')
		return -1;
	return 0;
}

static const char *const clock_names[] = {
	[0] = "realtime", [1] = "monotonic", [2] = "process-cputime",
	[3] = "thread-cputime", [4] = "monotonic-raw", [5] = "realtime-coarse",
	[6] = "monotonic-coarse", [7] = "boottime", [8] = "realtime-alarm",
	[9] = "boottime-alarm", [11] = "tai",
};

/* The map_type and prog_type numbers of linux/bpf.h, in order. */
static const char *const bpf_map_types[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array",
	"percpu_hash", "percpu_array", "stack_trace", "cgroup_array",
	"lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps",
	"hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash",
	"cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
	"queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf",
	"inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
	"cgrp_storage", "arena",
};

static const char *const bpf_prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act",
	"tracepoint", "xdp", "perf_event", "cgroup_skb", "cgroup_sock",
	"lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb", "cgroup_device",
	"sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
	"lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
	"ext", "lsm", "sk_lookup", "syscall", "netfilter",
};

static char *
signalfd_text(const char *info, size_t len)
{
	unsigned long long mask;
	char *s, *t, name[32];

	if (field_number(info, len, "sigmask:", 16, &mask) < 0)
		return xstrdup("signalfd");
	if (mask == 0)
		return xstrdup("signalfd mask=none");
	s = xstrdup("signalfd mask=");
	for (int bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		signal_name(bit + 1, name, sizeof name);
		t = xasprintf("%s%s%s", s, s[strlen(s) - 1] == '=' ? "" : ",",
		    name);
		free(s);
		s = t;
	}
	return s;
}

static char *
timerfd_text(const char *info, size_t len)
{
	unsigned long long clock;
	char value[64], cbuf[32];
	const char *cname = NULL;
	bool armed;

	if (field_number(info, len, "clockid:", 10, &clock) < 0)
		return xstrdup("timerfd");
	if (clock < ARRAY_SIZE(clock_names))
		cname = clock_names[clock];
	if (cname == NULL) {
		snprintf(cbuf, sizeof cbuf, "%llu", clock);
		cname = cbuf;
	}
	/* "it_value: (0, 0)" when disarmed. */
	armed = fdinfo_field(info, len, "it_value:", value, sizeof value) == 0 &&
	    strcmp(value, "(0, 0)") != 0;
	return xasprintf("timerfd clock=%s%s", cname, armed ? " armed" : "");
}

static char *
bpf_text(const char *link, const char *info, size_t len)
{
	static const struct {
		const char *link, *word, *field;
		const char *const *names;
		size_t nnames;
	} objs[] = {
		{ "anon_inode:bpf-map", "map", "map_type:", bpf_map_types,
		  ARRAY_SIZE(bpf_map_types) },
		{ "anon_inode:bpf-prog", "prog", "prog_type:", bpf_prog_types,
		  ARRAY_SIZE(bpf_prog_types) },
		{ "anon_inode:bpf_link", "link", "link_type:", NULL, 0 },
		{ "anon_inode:bpf_iter", "iter", NULL, NULL, 0 },
		{ "anon_inode:btf", "btf", NULL, NULL, 0 },
		{ "anon_inode:bpf-token", "token", NULL, NULL, 0 },
	};
	char val[64];

	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		unsigned long long type;

		if (strcmp(link, objs[i].link) != 0)
			continue;
		if (objs[i].field == NULL ||
		    fdinfo_field(info, len, objs[i].field, val, sizeof val) < 0 ||
		    val[0] == '\0')
			return xasprintf("bpf %s", objs[i].word);
		if (objs[i].names != NULL &&
		    field_number(info, len, objs[i].field, 10, &type) == 0 &&
		    type < objs[i].nnames)
			return xasprintf("bpf %s type=%s", objs[i].word,
			    objs[i].names[type]);
		/* A newer type number, or a link's type the kernel names itself. */
		for (char *p = val; *p != '\0'; p++) {
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				*p = '_';
		}
		return xasprintf("bpf %s type=%s", objs[i].word, val);
	}
	return NULL;
}

char *
fdinfo_anon_text(enum fd_kind kind, const char *link, const char *info,
    size_t len)
{
	unsigned long long v;
	long long pid;
	char semaphore[16];

	if (link == NULL)
		return NULL;
	if (info == NULL)
		len = 0;
	switch (kind) {
	case FDK_EVENTFD:
		/* Printed "%16llx": hexadecimal, padded. */
		if (field_number(info, len, "eventfd-count:", 16, &v) < 0)
			return xstrdup("eventfd");
		return xasprintf("eventfd count=%llu%s", v,
		    fdinfo_field(info, len, "eventfd-semaphore:", semaphore,
		    sizeof semaphore) == 0 && strcmp(semaphore, "1") == 0 ?
		    " semaphore" : "");
	case FDK_TIMERFD:
		return timerfd_text(info, len);
	case FDK_SIGNALFD:
		return signalfd_text(info, len);
	case FDK_EPOLL:
		return xasprintf("epoll watches=%zu",
		    fdinfo_count_lines(info, len, "tfd:"));
	case FDK_INOTIFY:
		return xasprintf("inotify watches=%zu",
		    fdinfo_count_lines(info, len, "inotify wd:"));
	case FDK_FANOTIFY:
		/* "fanotify flags:" is the group; each other "fanotify " line a mark. */
		v = fdinfo_count_lines(info, len, "fanotify ");
		if (v > 0 && fdinfo_count_lines(info, len, "fanotify flags:") > 0)
			v--;
		return xasprintf("fanotify marks=%llu", v);
	case FDK_PIDFD:
		if (field_long(info, len, "Pid:", &pid) < 0)
			return xstrdup("pidfd");
		/* -1: the process has been reaped; 0: it is outside our pid namespace. */
		if (pid == -1)
			return xstrdup("pidfd (reaped)");
		if (pid == 0)
			return xstrdup("pidfd (other pid namespace)");
		return xasprintf("pidfd pid=%lld", pid);
	case FDK_IO_URING:
		if (field_number(info, len, "SqMask:", 0, &v) < 0 || v >= UINT32_MAX)
			return xstrdup("io_uring");
		return xasprintf("io_uring entries=%llu", v + 1);
	case FDK_USERFAULTFD:
		return xstrdup("userfaultfd");
	case FDK_BPF:
		return bpf_text(link, info, len);
	default:
		return NULL;
	}
}

char *
fdinfo_pipe_text(const char *base, bool fifo, unsigned accmode,
    const int *others, size_t nothers)
{
	const char *end;
	char *o, *r;

	switch (accmode & O_ACCMODE) {
	case O_RDONLY:
		end = "read end";
		break;
	case O_WRONLY:
		end = "write end";
		break;
	default:
		end = "read-write";
		nothers = 0;	/* both ends at once: no "other" end */
		break;
	}
	o = sockinfo_others_text(others, nothers);
	if (fifo)
		r = xasprintf("%s (%s%s)", base, end, o);
	else
		r = xasprintf("%s %s%s", base, end, o);
	free(o);
	return r;
}

/* ---- the process's whole table, for "other end" ---- */

struct peer {
	unsigned long ino;
	dev_t dev;		/* FIFOs: the inode's device */
	int fd;
	char type;		/* 'p' pipe, 's' socket, 'f' FIFO */
	int accmode;		/* -1 until read */
};

struct peers {
	struct peer *v;
	size_t n;
	bool loaded;
	bool fifos;		/* FIFOs were looked for too */
};

static int
peer_cmp(const void *a, const void *b)
{
	const struct peer *x = a, *y = b;

	if (x->type != y->type)
		return x->type - y->type;
	if (x->ino != y->ino)
		return (x->ino > y->ino) - (x->ino < y->ino);
	if (x->dev != y->dev)
		return (x->dev > y->dev) - (x->dev < y->dev);
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* "pipe:[123]" -> 123 for the given prefix; 0 if the link is not one. */
static unsigned long
link_inode(const char *link, const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned long long v = 0;
	const char *p;

	if (strncmp(link, prefix, plen) != 0)
		return 0;
	p = link + plen;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > ULONG_MAX)
			return 0;
	}
	return strcmp(p, "]") == 0 ? (unsigned long)v : 0;
}

/* Every pipe, socket and (if fifos) FIFO fd of tid, sorted. */
static void
peers_load(struct peers *ps, pid_t tid, bool fifos)
{
	int *fds, n = procfs_list_fds(tid, &fds);
	size_t cap = 0;

	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
	ps->loaded = true;
	ps->fifos = fifos;
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		struct peer p = { .fd = fds[i], .accmode = -1 };
		char path[64], *link;
		struct stat st;

		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)tid, fds[i]);
		if ((link = xreadlink(path)) == NULL)
			continue;
		if ((p.ino = link_inode(link, "pipe:[")) != 0)
			p.type = 'p';
		else if ((p.ino = link_inode(link, "socket:[")) != 0)
			p.type = 's';
		else if (fifos && link[0] == '/' && stat(path, &st) == 0 &&
		    S_ISFIFO(st.st_mode)) {
			p.type = 'f';
			p.ino = st.st_ino;
			p.dev = st.st_dev;
		}
		free(link);
		if (p.type == 0)
			continue;
		if (ps->n == cap) {
			cap = cap ? cap * 2 : 16;
			ps->v = xreallocarray(ps->v, cap, sizeof *ps->v);
		}
		ps->v[ps->n++] = p;
	}
	free(fds);
	if (ps->n > 1)
		qsort(ps->v, ps->n, sizeof *ps->v, peer_cmp);
}

static int
fd_accmode(pid_t tid, int fd)
{
	char path[64];
	unsigned flags;
	size_t len;
	char *text;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	if ((text = procfs_read(path, INFO_HEAD, PROCFS_HEAD, &len)) == NULL)
		return -1;
	if (fdinfo_parse_flags(text, len, &flags) < 0) {
		free(text);
		return -1;
	}
	free(text);
	return (int)(flags & O_ACCMODE);
}

/*
 * The fds of tid other than fd holding the other end of what fd is:
 * same pipe or FIFO with another access mode (accmode >= 0), or the
 * unix peer socket (accmode < 0). Malloc'd into *out; their count.
 */
static size_t
peers_find(struct peers *ps, pid_t tid, char type, unsigned long ino,
    dev_t dev, int fd, int accmode, int **out)
{
	size_t n = 0, lo = 0, hi = ps->n;
	int *v = NULL;

	*out = NULL;
	/* Lower bound of (type, ino, dev). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct peer key = { .type = type, .ino = ino, .dev = dev, .fd = -1 };

		if (peer_cmp(&ps->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ps->n; i++) {
		struct peer *p = &ps->v[i];

		if (p->type != type || p->ino != ino || p->dev != dev)
			break;
		if (p->fd == fd)
			continue;
		if (accmode >= 0) {
			if (p->accmode < 0)
				p->accmode = fd_accmode(tid, p->fd);
			if (p->accmode < 0 || p->accmode == accmode)
				continue;
		}
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = p->fd;
	}
	*out = v;
	return n;
}

/* ---- describing ---- */

struct ctx {
	pid_t tid;
	struct sockinfo *socks;	/* made for the first socket */
	struct peers peers;
};

/* The "other end" table; FIFOs cost a stat() of every path fd, so only on demand. */
static struct peers *
ctx_peers(struct ctx *c, bool fifos)
{
	if (!c->peers.loaded || (fifos && !c->peers.fifos))
		peers_load(&c->peers, c->tid, fifos);
	return &c->peers;
}

/* The fds holding a unix socket's peer, for sockinfo_describe. */
static size_t
socket_peer_fds(void *arg, unsigned long peer_inode, int **fds)
{
	struct ctx *c = arg;

	return peers_find(ctx_peers(c, false), c->tid, 's', peer_inode, 0, -1,
	    -1, fds);
}

static char *
socket_target(struct ctx *c, const char *path, const char *link)
{
	unsigned long ino = link_inode(link, "socket:[");
	char proto[64];
	ssize_t n;

	if (ino == 0)
		return NULL;
	n = getxattr(path, "system.sockprotoname", proto, sizeof proto - 1);
	if (n <= 0)
		return NULL;
	proto[n] = '\0';
	if (c->socks == NULL)
		c->socks = sockinfo_new(c->tid);
	return sockinfo_describe(c->socks, proto, ino, socket_peer_fds, c);
}

static char *
pipe_target(struct ctx *c, int fd, const char *link, const struct stat *st,
    bool have_st, bool fifo, int accmode)
{
	unsigned long ino;
	dev_t dev = 0;
	int *others = NULL;
	size_t nothers = 0;
	char *base, *r;

	if (accmode < 0)
		return NULL;
	if (fifo) {
		if (!have_st)
			return NULL;
		ino = st->st_ino;
		dev = st->st_dev;
	} else if ((ino = link_inode(link, "pipe:[")) == 0) {
		return NULL;
	}
	if (accmode != O_RDWR)
		nothers = peers_find(ctx_peers(c, fifo), c->tid, fifo ? 'f' : 'p',
		    ino, dev, fd, accmode, &others);
	base = fifo ? xstrdup(link) : xasprintf("pipe:[%lu]", ino);
	r = fdinfo_pipe_text(base, fifo, (unsigned)accmode, others, nothers);
	free(base);
	free(others);
	return r;
}

/* Fill out for fd; 0, or -1 with errno if it is not open. */
static int
describe_one(struct ctx *c, int fd, struct fd_desc *out)
{
	char path[64], ipath[64], *link, *info, *rich = NULL;
	struct stat st;
	bool have_st;
	unsigned mode = 0, flags;
	size_t len = 0, max;
	int accmode = -1;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)c->tid, fd);
	if ((link = xreadlink(path)) == NULL)
		return -1;
	/* stat() follows the magic link to the very inode the fd holds. */
	if ((have_st = stat(path, &st) == 0))
		mode = st.st_mode;
	out->kind = fdinfo_kind_from_link(link, mode);
	out->cloexec = false;

	snprintf(ipath, sizeof ipath, "/proc/%d/fdinfo/%d", (int)c->tid, fd);
	max = out->kind == FDK_EPOLL || out->kind == FDK_INOTIFY ||
	    out->kind == FDK_FANOTIFY ? INFO_MAX : INFO_HEAD;
	if ((info = procfs_read(ipath, max, PROCFS_HEAD, &len)) != NULL &&
	    fdinfo_parse_flags(info, len, &flags) == 0) {
		out->cloexec = (flags & O_CLOEXEC) != 0;
		accmode = (int)(flags & O_ACCMODE);
	}
	switch (out->kind) {
	case FDK_SOCKET:
		rich = socket_target(c, path, link);
		break;
	case FDK_PIPE:
	case FDK_FIFO:
		rich = pipe_target(c, fd, link, &st, have_st,
		    out->kind == FDK_FIFO, accmode);
		break;
	default:
		if (info != NULL && strncmp(link, "anon_inode:", 11) == 0)
			rich = fdinfo_anon_text(out->kind, link, info, len);
		break;
	}
	out->target = rich != NULL ? rich : fdinfo_target_from_link(link, out->kind);
	free(info);
	free(link);
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	sockinfo_free(c->socks);
	free(c->peers.v);
}

/*
 * What fdinfo_describe learnt about a process (its socket tables, its
 * "other end" table), kept while the process stays stopped: a tracer
 * describes the fds of a stopped process one by one, and looking at all
 * of them for each would be quadratic. Only a stopped thread is trusted
 * (the run time of a running one is updated at scheduler ticks), and the
 * run time in /proc/TID/schedstat says whether it ran in between.
 */
static struct {
	struct ctx c;
	char stamp[64];
	bool valid;
} last;

/* A stopped tid's run time so far, as text; false if it runs or the kernel does not say. */
static bool
run_stamp(pid_t tid, char *buf, size_t size)
{
	char path[64], *text, *paren;
	size_t len, n;
	bool stopped;

	/* "pid (comm) S ...": the state follows the last ')'. */
	snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
	if ((text = procfs_read(path, STAT_MAX, PROCFS_HEAD, &len)) == NULL)
		return false;
	paren = strrchr(text, ')');
	stopped = paren != NULL && paren[1] == ' ' &&
	    (paren[2] == 't' || paren[2] == 'T');
	free(text);
	if (!stopped)
		return false;
	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)tid);
	if ((text = procfs_read(path, SCHEDSTAT_MAX, PROCFS_HEAD, &len)) == NULL)
		return false;
	n = strcspn(text, " \n");
	if (n == 0 || n >= size) {
		free(text);
		return false;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	free(text);
	return true;
}

int
fdinfo_describe(pid_t tid, int fd, struct fd_desc *out)
{
	struct ctx c = { .tid = tid };
	char stamp[sizeof last.stamp];
	bool stamped = run_stamp(tid, stamp, sizeof stamp);
	int rc, saved;

	if (last.valid && stamped && last.c.tid == tid &&
	    strcmp(last.stamp, stamp) == 0) {
		c = last.c;	/* the process has not run: what we knew holds */
	} else if (last.valid) {
		ctx_free(&last.c);
	}
	last.valid = false;
	rc = describe_one(&c, fd, out);
	saved = errno;
	if (stamped) {
		last.c = c;
		memcpy(last.stamp, stamp, sizeof stamp);
		last.valid = true;
	} else {
		ctx_free(&c);
	}
	errno = saved;
	return rc;
}

int
fdinfo_describe_all(pid_t tid, const int *fds, size_t n, struct fd_desc *out)
{
	struct ctx c = { .tid = tid };
	char path[64];
	int done = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)tid);
	if (access(path, F_OK) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (describe_one(&c, fds[i], &out[i]) == 0) {
			done++;
		} else {
			out[i].kind = FDK_UNKNOWN;
			out[i].target = NULL;
			out[i].cloexec = false;
		}
	}
	ctx_free(&c);
	return done;
}
