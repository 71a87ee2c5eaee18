// SPDX-License-Identifier: MIT
/*
 * test_arch.c - arch.h on made-up registers: which syscall a stop is in
 * and in which ABI (64-bit, i386 through int 0x80, x32), its arguments
 * and result; pc and sp; the registers libunwind asks for; the flags of
 * clone, clone3 (read from this process's memory), vfork and fork.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <libunwind.h>

#include <cmocka.h>

#include "arch.h"

static const uint64_t ARGS[6] = { 1, 2, 3, 4, 5, 6 };

static void
test_syscall_abis(void **state)
{
	struct arch_regs r;
	struct arch_syscall sc;

	(void)state;
	/* A 64-bit openat at its exit: the result is the new fd. */
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_openat, ARGS, 7, 0x401000,
	    0x7ffd0000);
	arch_syscall_of(&r, &sc);
	assert_int_equal(sc.abi, ARCH_ABI_NATIVE);
	assert_int_equal(sc.nr, SYS_openat);
	assert_memory_equal(sc.args, ARGS, sizeof ARGS);
	assert_int_equal(sc.ret, 7);
	assert_true(arch_pc(&r) == 0x401000 && arch_sp(&r) == 0x7ffd0000);
	/* A failure is negative. */
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_close, ARGS, -9, 0, 0);
	arch_syscall_of(&r, &sc);
	assert_int_equal(sc.ret, -9);
	/* int 0x80 from 32-bit code: 5 is i386's open, not 64-bit fstat. */
	arch_regs_make(&r, ARCH_ABI_COMPAT, 5, ARGS, -2, 0x8048000, 0xffd00000);
	arch_syscall_of(&r, &sc);
	assert_int_equal(sc.abi, ARCH_ABI_COMPAT);
	assert_int_equal(sc.nr, 5);
	assert_memory_equal(sc.args, ARGS, sizeof ARGS);
	assert_int_equal(sc.ret, -2);
	/* x32: native numbers with a flag. */
	arch_regs_make(&r, ARCH_ABI_X32, SYS_openat, ARGS, 3, 0, 0);
	arch_syscall_of(&r, &sc);
	assert_int_equal(sc.abi, ARCH_ABI_X32);
	assert_int_equal(sc.nr & 0xffff, SYS_openat);
	/* PTRACE_GET_SYSCALL_INFO's audit arch. */
	assert_int_equal(arch_abi_of_audit(AUDIT_ARCH_X86_64), ARCH_ABI_NATIVE);
	assert_int_equal(arch_abi_of_audit(AUDIT_ARCH_I386), ARCH_ABI_COMPAT);
	assert_int_equal(arch_abi_of_audit(AUDIT_ARCH_AARCH64), ARCH_ABI_UNKNOWN);
}

static void
test_unwinder_registers(void **state)
{
	struct arch_regs r;
	uint64_t v = 0;

	(void)state;
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_read, ARGS, 0, 0x1234, 0x5678);
	assert_int_equal(arch_unw_reg(&r, UNW_REG_IP, &v), 0);
	assert_true(v == 0x1234);
	assert_int_equal(arch_unw_reg(&r, UNW_REG_SP, &v), 0);
	assert_true(v == 0x5678);
	assert_int_equal(arch_unw_reg(&r, UNW_X86_64_RDI, &v), 0);
	assert_true(v == 1);
	assert_int_equal(arch_unw_reg(&r, 1000, &v), -1);
	arch_set_frame(&r, 0xaaaa, 0xbbbb, 0xcccc);
	assert_int_equal(arch_unw_reg(&r, UNW_X86_64_RBP, &v), 0);
	assert_true(v == 0xcccc && arch_pc(&r) == 0xaaaa && arch_sp(&r) == 0xbbbb);
}

static void
test_clone_flags(void **state)
{
	struct arch_regs r;
	uint64_t args[6] = { 0 };
	/* clone3's struct clone_args starts with its flags. */
	uint64_t clone_args[11] = { CLONE_VM | CLONE_FILES | CLONE_THREAD };
	pid_t self = getpid();

	(void)state;
	args[0] = CLONE_VM | CLONE_SIGHAND;
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_clone, args, 0, 0, 0);
	assert_true(arch_clone_flags(self, &r) == (CLONE_VM | CLONE_SIGHAND));
	args[0] = (uint64_t)(uintptr_t)clone_args;
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_clone3, args, 0, 0, 0);
	assert_true(arch_clone_flags(self, &r) ==
	    (CLONE_VM | CLONE_FILES | CLONE_THREAD));
	args[0] = 8;		/* unreadable: no flags rather than garbage */
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_clone3, args, 0, 0, 0);
	assert_true(arch_clone_flags(self, &r) == 0);
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_vfork, args, 0, 0, 0);
	assert_true(arch_clone_flags(self, &r) == (CLONE_VM | CLONE_VFORK));
	arch_regs_make(&r, ARCH_ABI_NATIVE, SYS_fork, args, 0, 0, 0);
	assert_true(arch_clone_flags(self, &r) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_abis),
		cmocka_unit_test(test_unwinder_registers),
		cmocka_unit_test(test_clone_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
