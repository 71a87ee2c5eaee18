// SPDX-License-Identifier: MIT
/*
 * syscall.c - the traced syscall set (rows in syscalls.def), its O(1)
 * lookup by number, and the seccomp-bpf filter generated from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <asm/unistd_64.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "syscall.h"
#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif

#ifndef TIOCGPTPEER
#define TIOCGPTPEER 0x5441	/* _IO('T', 0x41), Linux 4.13 */
#endif

static const struct syscall_desc rows[] = {
#define SYSCALL(name, class, kind, pair_arg, entry_only, farg, filter) \
	{ __NR_##name, #name, class, kind, pair_arg, entry_only, filter, farg },
#include "syscalls.def"
#undef SYSCALL
};

/* Syscall numbers on x86_64 stay well under this. */
#define SYSCALL_MAX 512
static const struct syscall_desc *by_nr[SYSCALL_MAX];
static bool by_nr_ready;

static void
build_index(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++)
		by_nr[rows[i].nr] = &rows[i];
	by_nr_ready = true;
}

const struct syscall_desc *
syscall_lookup(long nr)
{
	if (!by_nr_ready)
		build_index();
	if (nr < 0 || nr >= SYSCALL_MAX)
		return NULL;
	return by_nr[nr];
}

const struct syscall_desc *
syscall_at(unsigned i)
{
	return i < ARRAY_SIZE(rows) ? &rows[i] : NULL;
}

unsigned
syscall_count(void)
{
	return ARRAY_SIZE(rows);
}

bool
syscall_wanted(const struct syscall_desc *d, const uint64_t args[6])
{
	uint32_t a = (uint32_t)args[d->filter_arg];	/* as the filter reads it */

	switch (d->filter) {
	case FILTER_FCNTL_DUP:
		return a == F_DUPFD || a == F_DUPFD_CLOEXEC;
	case FILTER_CLONE_PIDFD:
		return (a & CLONE_PIDFD) != 0;
	case FILTER_IOCTL_PTPEER:
		return a == TIOCGPTPEER;
	case FILTER_NONE:
		break;
	}
	return true;
}

const char *
syscall_name(long nr)
{
	static char buf[32];
	const struct syscall_desc *d = syscall_lookup(nr);

	if (d != NULL)
		return d->name;
	snprintf(buf, sizeof buf, "syscall_%ld", nr);
	return buf;
}

/* Offsets into struct seccomp_data; args are read by their low 32 bits. */
#define SD_NR		offsetof(struct seccomp_data, nr)
#define SD_ARCH		offsetof(struct seccomp_data, arch)
#define SD_ARG(i)	(offsetof(struct seccomp_data, args) + (size_t)8 * (size_t)(i))
#define X32_SYSCALL_BIT	0x40000000u

struct bpf_builder {
	struct sock_filter *insn;
	unsigned n, cap;
};

static unsigned
emit(struct bpf_builder *b, unsigned short code, unsigned char jt,
    unsigned char jf, unsigned k)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 128;
		b->insn = xreallocarray(b->insn, b->cap, sizeof *b->insn);
	}
	b->insn[b->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	return b->n++;
}

/* Argument tests: the instructions that end in RET_TRACE or RET_ALLOW. */
static void
emit_arg_test(struct bpf_builder *b, const struct syscall_desc *r)
{
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_ARG(r->filter_arg));
	switch (r->filter) {
	case FILTER_FCNTL_DUP:
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, F_DUPFD);
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, F_DUPFD_CLOEXEC);
		break;
	case FILTER_CLONE_PIDFD:
		emit(b, BPF_JMP | BPF_JSET | BPF_K, 1, 0, CLONE_PIDFD);
		break;
	case FILTER_IOCTL_PTPEER:
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, TIOCGPTPEER);
		break;
	case FILTER_NONE:
		break;
	}
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRACE);
}

/*
 * Layout: arch and x32 checks; one JEQ per row jumping to a shared
 * RET_TRACE (plain rows) or to the row's argument test; RET_ALLOW; the
 * argument tests; RET_TRACE. Syscalls of other ABIs (int 0x80, x32) run
 * untraced: every stop is then an x86_64 one, whose registers say all,
 * and the fds they make are still found at exit, as origin unknown.
 */
void
syscall_seccomp_filter(struct sock_fprog *prog)
{
	struct bpf_builder b = { 0 };
	unsigned jumps[ARRAY_SIZE(rows)], arch_jump, x32_jump, allow, trace;

	emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_ARCH);
	arch_jump = emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, AUDIT_ARCH_X86_64);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_NR);
	x32_jump = emit(&b, BPF_JMP | BPF_JGE | BPF_K, 0, 0, X32_SYSCALL_BIT);
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++)
		jumps[i] = emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
		    (unsigned)rows[i].nr);
	allow = emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		if (rows[i].filter == FILTER_NONE)
			continue;
		b.insn[jumps[i]].jt = (unsigned char)(b.n - jumps[i] - 1);
		emit_arg_test(&b, &rows[i]);
	}
	trace = emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRACE);
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		if (rows[i].filter == FILTER_NONE)
			b.insn[jumps[i]].jt = (unsigned char)(trace - jumps[i] - 1);
	}
	b.insn[arch_jump].jf = (unsigned char)(allow - arch_jump - 1);
	b.insn[x32_jump].jt = (unsigned char)(allow - x32_jump - 1);
	prog->filter = b.insn;
	prog->len = (unsigned short)b.n;
}
