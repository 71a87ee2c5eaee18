// SPDX-License-Identifier: MIT
/*
 * fuzz_scm_rights.c - SCM_RIGHTS control data, as a hostile or buggy
 * tracee could leave it. decode_scm_rights must return exactly the fds
 * that a walker written here from the x86_64 cmsghdr layout finds (no
 * more than max, only ints from inside SCM_RIGHTS data, in order, with
 * every max giving a prefix of the same list) and never write fds[max].
 * Then the same bytes go through decode_syscall for recvmsg and recvmmsg,
 * with this process as the "tracee" (process_vm_readv on oneself needs no
 * ptrace), which must yield the same fds.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "decode.h"
#include "fuzz.h"

/* x86_64 struct cmsghdr: size_t len at 0, int level at 8, int type at 12. */
#define HDR		16
#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)
/* decode.c's cap on the control data it reads from the tracee. */
#define CONTROL_MAX	(64 * 1024)

/* Offsets of the SCM_RIGHTS ints in p[0..len); their count. */
static size_t
ref_walk(const unsigned char *p, size_t len, size_t *offs)
{
	size_t off = 0, n = 0;

	while (off + HDR <= len) {
		uint64_t clen;
		int32_t level, type;

		memcpy(&clen, p + off, 8);
		memcpy(&level, p + off + 8, 4);
		memcpy(&type, p + off + 12, 4);
		if (clen < HDR || clen > len - off)
			break;
		if (level == SOL_SOCKET && type == SCM_RIGHTS) {
			for (size_t i = 0; i < (clen - HDR) / 4; i++)
				offs[n++] = off + HDR + 4 * i;
		}
		off += ALIGN8((size_t)clen);
	}
	return n;
}

static int
int_at(const unsigned char *p, size_t off)
{
	int v;

	memcpy(&v, p + off, sizeof v);
	return v;
}

/* decode_scm_rights with a buffer of exactly max ints. */
static void
check_max(const unsigned char *p, size_t len, const size_t *offs, size_t n,
    size_t max)
{
	int *fds = malloc((max ? max : 1) * sizeof *fds);
	size_t got, want = n < max ? n : max;

	FUZZ_CHECK(fds != NULL);
	got = decode_scm_rights(p, len, fds, max);
	FUZZ_CHECK(got == want);
	for (size_t i = 0; i < got; i++)
		FUZZ_CHECK(fds[i] == int_at(p, offs[i]));
	free(fds);
}

static bool self_read_works;

int
LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct syscall_desc d = {
		.nr = SYS_close, .name = "close", .class = SC_CLOSE,
	};
	unsigned char cm[CMSG_SPACE(sizeof(int))] = { 0 };
	struct cmsghdr *h = (struct cmsghdr *)cm;
	struct msghdr mh = { .msg_control = cm, .msg_controllen = sizeof cm };
	struct syscall_desc r = d;
	uint64_t args[6] = { 0 };
	struct fd_event ev;
	int fd = 42;

	(void)argc;
	(void)argv;
	/* Can this sandbox read its own memory with process_vm_readv? */
	h->cmsg_len = CMSG_LEN(sizeof fd);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	r.nr = SYS_recvmsg;
	r.class = SC_RECVMSG;
	args[1] = (uint64_t)(uintptr_t)&mh;
	decode_syscall(&r, getpid(), args, 0, &ev);
	self_read_works = ev.nfds == 1 && ev.fds[0] == 42;
	if (!self_read_works)
		fprintf(stderr, "fuzz_scm_rights: process_vm_readv on self "
		    "fails here; only decode_scm_rights is fuzzed\n");
	return 0;
}

static void
check_recvmsg(const unsigned char *p, size_t len, bool cloexec)
{
	static const struct syscall_desc d = {
		.nr = SYS_recvmsg, .name = "recvmsg", .class = SC_RECVMSG,
	};
	struct msghdr mh = { .msg_control = (void *)p, .msg_controllen = len };
	uint64_t args[6] = { 3, (uint64_t)(uintptr_t)&mh,
	    cloexec ? MSG_CMSG_CLOEXEC : 0 };
	size_t *offs = malloc((len / 4 + 1) * sizeof *offs), n;
	struct fd_event ev;

	FUZZ_CHECK(offs != NULL);
	decode_syscall(&d, getpid(), args, 1, &ev);
	/* The decoder reads at most CONTROL_MAX bytes of control data. */
	n = len < HDR ? 0 :
	    ref_walk(p, len < CONTROL_MAX ? len : CONTROL_MAX, offs);
	FUZZ_CHECK(ev.nfds == n);
	FUZZ_CHECK(ev.type == (n > 0 ? FDE_CREATE : FDE_NONE));
	FUZZ_CHECK((ev.flags & FDE_UNREADABLE) == 0);
	FUZZ_CHECK(!!(ev.flags & FDE_CLOEXEC) == cloexec);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(ev.fds[i] == int_at(p, offs[i]));
	free(offs);
}

/* The bytes split into two messages of one recvmmsg (each under the cap). */
static void
check_recvmmsg(const unsigned char *p, size_t len)
{
	static const struct syscall_desc d = {
		.nr = SYS_recvmmsg, .name = "recvmmsg", .class = SC_RECVMMSG,
	};
	size_t cut = len / 2, n0, n1;
	size_t *offs = malloc((len / 4 + 1) * sizeof *offs);
	unsigned char *a = malloc(cut + 1), *b = malloc(len - cut + 1);
	struct mmsghdr mm[2];
	uint64_t args[6] = { 3, (uint64_t)(uintptr_t)mm, 2, 0, 0, 0 };
	struct fd_event ev;
	size_t i;

	FUZZ_CHECK(offs != NULL && a != NULL && b != NULL);
	memcpy(a, p, cut);
	memcpy(b, p + cut, len - cut);
	memset(mm, 0, sizeof mm);
	mm[0].msg_hdr.msg_control = cut > 0 ? a : NULL;
	mm[0].msg_hdr.msg_controllen = cut;
	mm[1].msg_hdr.msg_control = len - cut > 0 ? b : NULL;
	mm[1].msg_hdr.msg_controllen = len - cut;
	decode_syscall(&d, getpid(), args, 2, &ev);

	n0 = cut >= HDR ? ref_walk(a, cut, offs) : 0;
	FUZZ_CHECK(ev.nfds >= n0);
	for (i = 0; i < n0; i++)
		FUZZ_CHECK(ev.fds[i] == int_at(a, offs[i]));
	n1 = len - cut >= HDR ? ref_walk(b, len - cut, offs) : 0;
	FUZZ_CHECK(ev.nfds == n0 + n1);
	for (i = 0; i < n1; i++)
		FUZZ_CHECK(ev.fds[n0 + i] == int_at(b, offs[i]));
	FUZZ_CHECK(ev.type == (n0 + n1 > 0 ? FDE_CREATE : FDE_NONE));
	FUZZ_CHECK(ev.flags == 0);
	free(offs);
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t *offs = malloc((size / 4 + 1) * sizeof *offs);
	size_t n;

	FUZZ_CHECK(offs != NULL);
	n = ref_walk(data, size, offs);
	FUZZ_CHECK(n <= size / 4);

	/* size / 4 is how decode.c sizes it. */
	check_max(data, size, offs, n, size / 4);
	check_max(data, size, offs, n, 0);
	check_max(data, size, offs, n, 1);
	if (n > 1)
		check_max(data, size, offs, n, n - 1);
	check_max(data, size, offs, n, n);

	if (self_read_works) {
		check_recvmsg(data, size, size & 1);
		if (size <= CONTROL_MAX)
			check_recvmmsg(data, size);
	}
	free(offs);
	return 0;
}
