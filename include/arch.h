/* SPDX-License-Identifier: MIT */
/*
 * arch.h - what fdleak reads from a stopped thread's registers: the
 * syscall it makes (number, arguments, result, ABI), where it is (pc,
 * sp), the flags of a fork-like call, and the registers the unwinder
 * asks for. One implementation per architecture (arch-x86_64.c); it alone
 * knows struct user_regs_struct, so a port adds a file, not a rewrite.
 */
#ifndef FDLEAK_ARCH_H
#define FDLEAK_ARCH_H

#include <stdint.h>
#include <sys/types.h>

/* Room for any architecture's general registers; arch-*.c checks its fit. */
#define ARCH_REGS_WORDS	40

/* A thread's general registers, as ptrace gives them; read them with arch_*(). */
struct arch_regs {
	unsigned long long w[ARCH_REGS_WORDS];
};

/* The ABI a syscall is made in. */
enum arch_abi {
	ARCH_ABI_NATIVE,	/* the 64-bit ABI fdleak decodes */
	ARCH_ABI_COMPAT,	/* 32-bit (i386, int 0x80): other numbers */
	ARCH_ABI_X32,		/* x32: native numbers with a flag, 32-bit pointers */
	ARCH_ABI_UNKNOWN,
};

/* A syscall as its stop shows it. */
struct arch_syscall {
	enum arch_abi abi;
	long nr;		/* in the native table when abi is native; else raw */
	uint64_t args[6];
	int64_t ret;		/* the result, at an exit stop */
};

/* Read tid's registers at a ptrace stop: 0, or -1 (errno set). */
int arch_get_regs(pid_t tid, struct arch_regs *r);
/* The syscall r is stopped in (entry, seccomp or exit stop). Pure. */
void arch_syscall_of(const struct arch_regs *r, struct arch_syscall *out);
/* The ABI of an AUDIT_ARCH_* value (PTRACE_GET_SYSCALL_INFO). Pure. */
enum arch_abi arch_abi_of_audit(uint32_t audit_arch);
/* The program counter and the stack pointer. Pure. */
uint64_t arch_pc(const struct arch_regs *r);
uint64_t arch_sp(const struct arch_regs *r);
/*
 * The clone flags of the fork-like syscall tid is stopped in (regs r):
 * clone's first argument, clone3's from its struct in tid's memory,
 * CLONE_VM | CLONE_VFORK for vfork, 0 for fork or when unreadable.
 */
uint64_t arch_clone_flags(pid_t tid, const struct arch_regs *r);
/*
 * The value of libunwind's register regnum (UNW_X86_64_RIP, ...) in r:
 * 0, or -1 for a register r does not hold. Pure.
 */
int arch_unw_reg(const struct arch_regs *r, int regnum, uint64_t *val);
/*
 * Registers for tests and for states that are made up: a thread stopped
 * at pc with stack pointer sp in syscall nr of abi with args and result
 * ret (the rest zero). Pure.
 */
void arch_regs_make(struct arch_regs *r, enum arch_abi abi, long nr,
    const uint64_t args[6], int64_t ret, uint64_t pc, uint64_t sp);
/* Set r's pc, stack pointer and frame pointer (for tests). Pure. */
void arch_set_frame(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t fp);

#endif
