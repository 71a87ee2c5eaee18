// SPDX-License-Identifier: MIT
/*
 * arch-x86_64.c - arch.h for x86_64: struct user_regs_struct read with
 * PTRACE_GETREGS, the syscall ABI (rax/orig_rax, rdi rsi rdx r10 r8 r9),
 * the code segment that tells a 32-bit thread, and libunwind's numbering.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <linux/audit.h>
#include <libunwind-x86_64.h>

#include "arch.h"
#include "umem.h"

#define X32_SYSCALL_BIT	0x40000000L
#define CS_COMPAT	0x23	/* the 32-bit user code segment */

_Static_assert(sizeof(struct user_regs_struct) <= sizeof(struct arch_regs),
    "struct arch_regs is too small for x86_64");

/* r's words as x86_64 lays them out (all unsigned long long). */
static const struct user_regs_struct *
regs_of(const struct arch_regs *r)
{
	return (const struct user_regs_struct *)(const void *)r->w;
}

static struct user_regs_struct *
regs_mut(struct arch_regs *r)
{
	return (struct user_regs_struct *)(void *)r->w;
}

int
arch_get_regs(pid_t tid, struct arch_regs *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0L, regs_mut(r)) == 0 ? 0 : -1;
}

/* Where the syscall arguments are, by ABI: the kernel's entry conventions. */
#define REG(name)	offsetof(struct user_regs_struct, name)
static const size_t native_args[6] = {
	REG(rdi), REG(rsi), REG(rdx), REG(r10), REG(r8), REG(r9)
};
/* int 0x80 from 32-bit code: ebx ecx edx esi edi ebp. */
static const size_t compat_args[6] = {
	REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi), REG(rbp)
};
#undef REG

/* The register at offset off of x. */
static unsigned long long *
reg_at(const struct user_regs_struct *x, size_t off)
{
	return (unsigned long long *)(void *)((char *)(uintptr_t)x + off);
}

void
arch_syscall_of(const struct arch_regs *r, struct arch_syscall *out)
{
	const struct user_regs_struct *x = regs_of(r);
	long nr = (long)x->orig_rax;
	bool compat = x->cs == CS_COMPAT;

	memset(out, 0, sizeof *out);
	out->nr = nr;
	out->ret = compat ? (int32_t)x->rax : (int64_t)x->rax;
	out->abi = compat ? ARCH_ABI_COMPAT : nr >= 0 &&
	    (nr & X32_SYSCALL_BIT) ? ARCH_ABI_X32 : ARCH_ABI_NATIVE;
	for (int i = 0; i < 6; i++) {
		uint64_t v = *reg_at(x, compat ? compat_args[i] : native_args[i]);

		out->args[i] = compat ? (uint32_t)v : v;
	}
}

enum arch_abi
arch_abi_of_audit(uint32_t audit_arch)
{
	switch (audit_arch) {
	case AUDIT_ARCH_X86_64:
		return ARCH_ABI_NATIVE;
	case AUDIT_ARCH_I386:
		return ARCH_ABI_COMPAT;
	default:
		return ARCH_ABI_UNKNOWN;
	}
}

uint64_t
arch_pc(const struct arch_regs *r)
{
	return regs_of(r)->rip;
}

uint64_t
arch_sp(const struct arch_regs *r)
{
	return regs_of(r)->rsp;
}

uint64_t
arch_clone_flags(pid_t tid, const struct arch_regs *r)
{
	const struct user_regs_struct *x = regs_of(r);
	uint64_t flags;

	switch (x->orig_rax) {
	case SYS_clone:
		return x->rdi;
	case SYS_clone3:
		/* struct clone_args starts with its flags. */
		if (umem_read_all(tid, x->rdi, &flags, sizeof flags) == 0)
			return flags;
		return 0;
	case SYS_vfork:
		return CLONE_VM | CLONE_VFORK;
	default:
		return 0;	/* fork */
	}
}

int
arch_unw_reg(const struct arch_regs *r, int regnum, uint64_t *val)
{
	const struct user_regs_struct *x = regs_of(r);

	switch (regnum) {
	case UNW_X86_64_RAX: *val = x->rax; break;
	case UNW_X86_64_RDX: *val = x->rdx; break;
	case UNW_X86_64_RCX: *val = x->rcx; break;
	case UNW_X86_64_RBX: *val = x->rbx; break;
	case UNW_X86_64_RSI: *val = x->rsi; break;
	case UNW_X86_64_RDI: *val = x->rdi; break;
	case UNW_X86_64_RBP: *val = x->rbp; break;
	case UNW_X86_64_RSP: *val = x->rsp; break;
	case UNW_X86_64_R8: *val = x->r8; break;
	case UNW_X86_64_R9: *val = x->r9; break;
	case UNW_X86_64_R10: *val = x->r10; break;
	case UNW_X86_64_R11: *val = x->r11; break;
	case UNW_X86_64_R12: *val = x->r12; break;
	case UNW_X86_64_R13: *val = x->r13; break;
	case UNW_X86_64_R14: *val = x->r14; break;
	case UNW_X86_64_R15: *val = x->r15; break;
	case UNW_X86_64_RIP: *val = x->rip; break;
	default:
		return -1;
	}
	return 0;
}

void
arch_regs_make(struct arch_regs *r, enum arch_abi abi, long nr,
    const uint64_t args[6], int64_t ret, uint64_t pc, uint64_t sp)
{
	struct user_regs_struct *x = regs_mut(r);

	memset(r, 0, sizeof *r);
	x->orig_rax = (unsigned long long)nr;
	x->rax = (unsigned long long)ret;
	x->rip = pc;
	x->rsp = sp;
	x->cs = abi == ARCH_ABI_COMPAT ? CS_COMPAT : 0x33;
	if (abi == ARCH_ABI_X32)
		x->orig_rax |= X32_SYSCALL_BIT;
	for (int i = 0; i < 6; i++)
		*reg_at(x, abi == ARCH_ABI_COMPAT ? compat_args[i] :
		    native_args[i]) = args[i];
}

void
arch_set_frame(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t fp)
{
	regs_mut(r)->rip = pc;
	regs_mut(r)->rsp = sp;
	regs_mut(r)->rbp = fp;
}
