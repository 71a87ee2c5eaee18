// SPDX-License-Identifier: MIT
/*
 * unwind_bench.c - cost of one stack capture (src/unwind.c) on a stopped
 * child that recursed DEPTH levels, against libunwind-ptrace's stock
 * _UPT_* accessors on the same stack. Not part of `make check`.
 *
 * Build (from the top of the tree, after `make`):
 *
 *   gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Iinclude \
 *       $(pkg-config --cflags libunwind-generic) \
 *       tests/bench/unwind_bench.c build/libfdleak.a \
 *       $(pkg-config --libs libunwind-generic libdw libelf) -lunwind-ptrace \
 *       -o build/unwind_bench
 *
 * Run:  build/unwind_bench [N [noupt]]  (N captures per case, default 10000;
 *                                      noupt skips the slow _UPT_ case)
 *
 * Variants of src/unwind.c are measured by compiling it into the bench
 * instead of linking libfdleak.a's copy, e.g. the snapshot size or
 * libunwind's caching policy:
 *
 *   gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Iinclude -DBENCH_INCLUDE_UNWIND \
 *       -DUNWIND_SNAP_SIZE=8192 -DUNWIND_CACHING=UNW_CACHE_NONE \
 *       tests/bench/unwind_bench.c build/libfdleak.a ... (as above)
 *
 * To count system calls per capture: strace -c -o /tmp/s build/unwind_bench
 * (the child is traced by the bench, so no -f).
 *
 * The other design the speed issue names is measured too: elfutils libdw's
 * dwfl_attach_state with our own thread callbacks (registers from the
 * stop, memory from one process_vm_readv snapshot of the stack, anything
 * else read with process_vm_readv), one Dwfl kept across captures so its
 * modules and CFI stay cached, as our unwinder keeps its tables.
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <libunwind-ptrace.h>
#include <libunwind.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_INCLUDE_UNWIND
#include "../../src/unwind.c"
#else
#include "stack.h"
#include "arch.h"
#include "unwind.h"
#endif

#define DEPTH	30
#define MAXF	128

__attribute__((noipa)) static int
recurse(int n)
{
	volatile int pad = n;
	int r;

	if (n == 0) {
		raise(SIGSTOP);
		return 0;
	}
	r = recurse(n - 1);
	return r + pad;
}

static pid_t
spawn(void)
{
	int status;
	pid_t pid = fork();

	if (pid == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
			_exit(1);
		recurse(DEPTH);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP) {
		fprintf(stderr, "child did not stop\n");
		exit(1);
	}
	return pid;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Time n captures of at most max frames; prints and returns us each. */
static double
bench_capture(const char *what, struct unwinder *u, pid_t pid,
    const struct arch_regs *regs, unsigned max, unsigned n)
{
	struct frame f[MAXF];
	unsigned got = 0;
	double t0, t;

	t0 = now_us();
	for (unsigned i = 0; i < n; i++)
		got = unwind_capture(u, pid, regs, f, max);
	t = (now_us() - t0) / n;
	printf("%-44s %8.2f us/capture  (%u frames, N=%u)\n", what, t, got, n);
	return t;
}

/* The stock libunwind-ptrace accessors; fills pcs, returns the count. */
static unsigned
upt_capture(pid_t pid, unw_word_t *pcs, unsigned max)
{
	unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
	void *upt = _UPT_create(pid);
	unw_cursor_t c;
	unsigned n = 0;

	if (as != NULL && upt != NULL && unw_init_remote(&c, as, upt) == 0) {
		do {
			unw_word_t pc;

			if (unw_get_reg(&c, UNW_REG_IP, &pc) < 0 || pc == 0)
				break;
			pcs[n++] = pc;
		} while (n < max && unw_step(&c) > 0);
	}
	if (upt != NULL)
		_UPT_destroy(upt);
	if (as != NULL)
		unw_destroy_addr_space(as);
	return n;
}

/* --- libdw: dwfl_attach_state with a snapshot reader --- */

#define DW_SNAP	(16 * 1024)

struct dw_state {
	pid_t pid;
	const struct arch_regs *regs;
	uint8_t snap[DW_SNAP];
	uint64_t snap_lo;
	size_t snap_len;
	bool given;		/* next_thread handed out the one thread */
	unw_word_t *pcs;
	unsigned n, max;
};

static pid_t
dw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct dw_state *st = arg;

	(void)dwfl;
	if (st->given)
		return 0;
	st->given = true;
	*thread_argp = st;
	return st->pid;
}

static bool
dw_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct dw_state *st = arg;

	(void)dwfl;
	*thread_argp = st;
	return tid == st->pid;
}

static bool
dw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct dw_state *st = arg;
	struct iovec local = { result, sizeof *result };
	struct iovec remote = { (void *)(uintptr_t)addr, sizeof *result };

	(void)dwfl;
	if (addr >= st->snap_lo && addr - st->snap_lo + sizeof *result <=
	    st->snap_len) {
		memcpy(result, st->snap + (addr - st->snap_lo), sizeof *result);
		return true;
	}
	return process_vm_readv(st->pid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)sizeof *result;
}

static bool
dw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct dw_state *st = arg;
	Dwarf_Word dw[16];

	/* libunwind's numbering of rax..r15 is DWARF's on x86_64. */
	for (int i = 0; i < 16; i++) {
		uint64_t v = 0;

		arch_unw_reg(st->regs, i, &v);
		dw[i] = v;
	}
	dwfl_thread_state_register_pc(thread, arch_pc(st->regs));
	return dwfl_thread_state_registers(thread, 0, 16, dw);
}

static const Dwfl_Thread_Callbacks dw_callbacks = {
	.next_thread = dw_next_thread,
	.get_thread = dw_get_thread,
	.memory_read = dw_memory_read,
	.set_initial_registers = dw_set_initial_registers,
};

static int
dw_frame(Dwfl_Frame *frame, void *arg)
{
	struct dw_state *st = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(frame, &pc, NULL) || st->n >= st->max)
		return DWARF_CB_ABORT;
	st->pcs[st->n++] = pc;
	return st->n < st->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static const Dwfl_Callbacks dw_proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* A Dwfl for pid with its modules reported and its state attached. */
static Dwfl *
dw_open(struct dw_state *st)
{
	Dwfl *dwfl = dwfl_begin(&dw_proc_callbacks);

	if (dwfl == NULL || dwfl_linux_proc_report(dwfl, st->pid) != 0 ||
	    dwfl_report_end(dwfl, NULL, NULL) != 0 ||
	    !dwfl_attach_state(dwfl, NULL, st->pid, &dw_callbacks, st)) {
		fprintf(stderr, "libdw: %s\n", dwfl_errmsg(-1));
		if (dwfl != NULL)
			dwfl_end(dwfl);
		return NULL;
	}
	return dwfl;
}

/* One capture: the snapshot, then libdw's unwinder over it. */
static unsigned
dw_capture(Dwfl *dwfl, struct dw_state *st, unw_word_t *pcs, unsigned max)
{
	struct iovec local = { st->snap, DW_SNAP };
	struct iovec remote;
	ssize_t r;

	st->snap_lo = (arch_sp(st->regs) - 128) & ~7ULL;
	remote.iov_base = (void *)(uintptr_t)st->snap_lo;
	remote.iov_len = DW_SNAP;
	r = process_vm_readv(st->pid, &local, 1, &remote, 1, 0);
	st->snap_len = r > 0 ? (size_t)r : 0;
	st->pcs = pcs;
	st->n = 0;
	st->max = max;
	dwfl_getthread_frames(dwfl, st->pid, dw_frame, st);
	return st->n;
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	struct arch_regs regs;
	struct frame f[MAXF];
	unw_word_t pcs[MAXF];
	struct unwinder *u;
	unsigned got, ugot, cold_n = n / 10 ? n / 10 : 1;
	unsigned upt_n = n / 50 ? n / 50 : 1;
	double t0, t;
	bool same;
	pid_t pid;

	pid = spawn();
	if (arch_get_regs(pid, &regs) == -1) {
		perror("PTRACE_GETREGS");
		return 1;
	}
	u = unwind_new(pid);

	/* First capture: reads maps, opens ELFs, fills libunwind's cache. */
	t0 = now_us();
	got = unwind_capture(u, pid, &regs, f, MAXF);
	printf("%-44s %8.2f us          (%u frames)\n",
	    "first capture (cold caches)", now_us() - t0, got);

	bench_capture("depth 30 (max=30)", u, pid, &regs, 30, n);
	bench_capture("whole stack (max=128)", u, pid, &regs, MAXF, n);
	bench_capture("depth 1 (max=1)", u, pid, &regs, 1, n);
	bench_capture("depth 2 (max=2: snapshot + one step)", u, pid, &regs,
	    2, n);

	/* A new process every time: maps read, tables rebuilt, ELFs cached. */
	t0 = now_us();
	for (unsigned i = 0; i < cold_n; i++) {
		struct unwinder *v = unwind_new(pid);

		got = unwind_capture(v, pid, &regs, f, 30);
		unwind_free(v);
	}
	t = (now_us() - t0) / cold_n;
	printf("%-44s %8.2f us/capture  (%u frames, N=%u)\n",
	    "depth 30, new unwinder each time", t, got, cold_n);

	/* libdw, one Dwfl for all captures. */
	{
		static struct dw_state st;
		unw_word_t dpcs[MAXF];
		Dwfl *dwfl;
		unsigned dgot = 0;

		st.pid = pid;
		st.regs = &regs;
		t0 = now_us();
		dwfl = dw_open(&st);
		if (dwfl != NULL) {
			dgot = dw_capture(dwfl, &st, dpcs, 30);
			printf("%-44s %8.2f us          (%u frames)\n",
			    "libdw: first capture (cold caches)", now_us() - t0,
			    dgot);
			t0 = now_us();
			for (unsigned i = 0; i < n; i++)
				dgot = dw_capture(dwfl, &st, dpcs, 30);
			t = (now_us() - t0) / n;
			printf("%-44s %8.2f us/capture  (%u frames, N=%u)\n",
			    "depth 30, libdw dwfl_attach_state", t, dgot, n);
			got = unwind_capture(u, pid, &regs, f, 30);
			same = got == dgot;
			for (unsigned i = 0; same && i < got; i++)
				same = f[i].pc == dpcs[i];
			printf("same pcs as libdw: %s (%u vs %u frames)\n",
			    same ? "yes" : "NO", got, dgot);
			dwfl_end(dwfl);
		}
	}

	if (argc > 2 && strcmp(argv[2], "noupt") == 0)
		goto out;
	/* libunwind-ptrace, stock accessors, fresh address space each time. */
	t0 = now_us();
	for (unsigned i = 0; i < upt_n; i++)
		ugot = upt_capture(pid, pcs, 30);
	t = (now_us() - t0) / upt_n;
	printf("%-44s %8.2f us/capture  (%u frames, N=%u)\n",
	    "depth 30, libunwind-ptrace _UPT_*", t, ugot, upt_n);

	/* Both must see the same stack. */
	got = unwind_capture(u, pid, &regs, f, 30);
	same = got == ugot;
	for (unsigned i = 0; same && i < got; i++) {
		if (f[i].pc != pcs[i]) {
			printf("MISMATCH at frame %u: %#llx vs _UPT %#llx\n", i,
			    (unsigned long long)f[i].pc,
			    (unsigned long long)pcs[i]);
			same = false;
		}
	}
	printf("same pcs as _UPT: %s (%u vs %u frames)\n", same ? "yes" : "NO",
	    got, ugot);
out:
	unwind_free(u);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unwind_cleanup();
	stack_cleanup();
	return 0;
}
