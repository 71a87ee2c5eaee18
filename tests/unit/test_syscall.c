// SPDX-License-Identifier: MIT
/*
 * test_syscall.c - the syscall table and the seccomp filter generated
 * from it, run through a small classic-BPF interpreter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <asm/unistd_64.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "syscall.h"

/* Just enough classic BPF for the filter we generate; fails the test on anything else. */
static uint32_t
run_filter(const struct sock_fprog *prog, const struct seccomp_data *sd)
{
	uint32_t a = 0;

	for (unsigned pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *i = &prog->filter[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k + 4 <= sizeof *sd);
			memcpy(&a, (const char *)sd + i->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += (a == i->k) ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += (a >= i->k) ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			fail_msg("unexpected BPF opcode 0x%x at %u", i->code, pc);
		}
	}
	fail_msg("filter fell off its end");
	return 0;
}

static uint32_t
verdict(long nr, uint64_t a0, uint64_t a1, uint32_t arch)
{
	struct sock_fprog prog;
	struct seccomp_data sd = { .nr = (int)nr, .arch = arch };
	uint32_t v;

	sd.args[0] = a0;
	sd.args[1] = a1;
	syscall_seccomp_filter(&prog);
	assert_true(prog.len > 4);
	v = run_filter(&prog, &sd);
	free(prog.filter);
	return v;
}

static void
test_lookup(void **state)
{
	(void)state;
	assert_string_equal(syscall_lookup(__NR_openat)->name, "openat");
	assert_int_equal(syscall_lookup(__NR_close)->class, SC_CLOSE);
	assert_true(syscall_lookup(__NR_close)->entry_only);
	assert_int_equal(syscall_lookup(__NR_socketpair)->pair_arg, 3);
	assert_int_equal(syscall_lookup(__NR_pipe2)->kind, FDK_PIPE);
	assert_null(syscall_lookup(__NR_getpid));
	assert_null(syscall_lookup(-1));
	assert_null(syscall_lookup(100000));
	assert_string_equal(syscall_name(__NR_dup3), "dup3");
	assert_string_equal(syscall_name(__NR_getpid), "syscall_39");
	/* every row is found by its own number */
	for (unsigned i = 0; i < syscall_count(); i++)
		assert_ptr_equal(syscall_lookup(syscall_at(i)->nr), syscall_at(i));
	assert_null(syscall_at(syscall_count()));
}

static void
test_filter_traces_the_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);

		if (d->filter != FILTER_NONE)
			continue;	/* argument-filtered, below */
		assert_int_equal(verdict(d->nr, 0, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_TRACE);
	}
	assert_int_equal(verdict(__NR_getpid, 0, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(__NR_read, 3, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(__NR_execve, 0, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
}

static void
test_filter_arguments(void **state)
{
	(void)state;
	assert_int_equal(verdict(__NR_fcntl, 3, F_DUPFD, AUDIT_ARCH_X86_64), SECCOMP_RET_TRACE);
	assert_int_equal(verdict(__NR_fcntl, 3, F_DUPFD_CLOEXEC, AUDIT_ARCH_X86_64), SECCOMP_RET_TRACE);
	assert_int_equal(verdict(__NR_fcntl, 3, F_GETFL, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(__NR_fcntl, 3, F_SETFD, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(__NR_clone, CLONE_VM | CLONE_THREAD, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(__NR_clone, 0x1000 /* CLONE_PIDFD */, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_TRACE);
	assert_int_equal(verdict(__NR_ioctl, 3, 0x5441 /* TIOCGPTPEER */, AUDIT_ARCH_X86_64), SECCOMP_RET_TRACE);
	assert_int_equal(verdict(__NR_ioctl, 3, 0x5401 /* TCGETS */, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
}

/* syscall_wanted makes the filter's argument tests, for tracing without it. */
static void
test_wanted_matches_filter(void **state)
{
	static const uint64_t probes[] = { 0, 1, F_DUPFD, F_DUPFD_CLOEXEC,
	    F_GETFL, 0x1000, 0x5441, 0x5401, 0x11000, 0xffffffff00005441ULL };

	(void)state;
	for (unsigned i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *d = syscall_at(i);

		for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
			uint64_t args[6] = { 0 };
			uint32_t v;

			args[d->filter_arg] = probes[k];
			v = verdict(d->nr, args[0], args[1], AUDIT_ARCH_X86_64);
			if ((v == SECCOMP_RET_TRACE) != syscall_wanted(d, args))
				fail_msg("%s with 0x%llx: filter and syscall_wanted differ",
				    d->name, (unsigned long long)probes[k]);
		}
	}
}

/*
 * Numbers of another ABI must never be read as x86_64 ones: they never
 * reach the tracer (i386 41 is dup, x86_64 41 is socket).
 */
static void
test_filter_foreign_abi(void **state)
{
	(void)state;
	assert_int_equal(verdict(41, 3, 0, AUDIT_ARCH_I386), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(6 /* i386 close */, 3, 0, AUDIT_ARCH_I386), SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(0x40000000 | __NR_openat, 0, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_filter_traces_the_table),
		cmocka_unit_test(test_filter_arguments),
		cmocka_unit_test(test_wanted_matches_filter),
		cmocka_unit_test(test_filter_foreign_abi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
