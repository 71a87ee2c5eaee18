// SPDX-License-Identifier: MIT
/*
 * test_unwind.c - unwind_capture against real stopped children: a child
 * recurses DEPTH levels through recurse() and stops (SIGSTOP, or a
 * syscall made from inside the vDSO); the captured stack must show every
 * level, with module and file offset right. Garbage registers and stacks
 * must give a short stack, never a crash or a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps.h"
#include "stack.h"
#include "arch.h"
#include "unwind.h"

#define DEPTH	30
#define MAXF	64

#define OUTER	10

enum child_mode { CHILD_RAISE, CHILD_VDSO, CHILD_SIGNAL };
static enum child_mode child_mode;

/*
 * noipa: no inlining, cloning or renaming; the volatile read after the
 * call keeps it from becoming a tail call or a loop.
 */
__attribute__((noipa)) int
recurse(int n)
{
	volatile int pad = n;
	int r;

	if (n == 0) {
		if (child_mode == CHILD_VDSO) {
			struct timespec ts;

			/* No vDSO fast path: the vDSO itself makes the syscall. */
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		} else
			raise(SIGSTOP);
		return 0;
	}
	r = recurse(n - 1);
	return r + pad;
}

/* Another recursion, under the signal handler in CHILD_SIGNAL mode. */
__attribute__((noipa)) int
outer(int n)
{
	volatile int pad = n;
	int r;

	if (n == 0) {
		raise(SIGUSR1);
		return 0;
	}
	r = outer(n - 1);
	return r + pad;
}

static void
on_usr1(int sig)
{
	(void)sig;
	recurse(DEPTH);
}

static __attribute__((noreturn)) void
child_main(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
		_exit(1);
	if (child_mode == CHILD_VDSO)
		raise(SIGSTOP);	/* let the parent set up syscall stops */
	if (child_mode == CHILD_SIGNAL) {
		signal(SIGUSR1, on_usr1);
		outer(OUTER);
	} else
		recurse(DEPTH);
	_exit(0);
}

/* A child stopped by SIGSTOP (CHILD_RAISE) or at its first stop. */
static pid_t
spawn(enum child_mode mode)
{
	int status;
	pid_t pid;

	child_mode = mode;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_main();
	for (;;) {
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSTOPPED(status));
		if (WSTOPSIG(status) == SIGSTOP)
			break;
		/* Deliver anything else (SIGUSR1 in CHILD_SIGNAL mode). */
		assert_int_equal(ptrace(PTRACE_CONT, pid, NULL,
		    (void *)(uintptr_t)WSTOPSIG(status)), 0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}

/* Size of function name in the ELF file path; 0 if not found. */
static uint64_t
symbol_size(const char *path, const char *name, uint64_t *value)
{
	uint64_t size = 0;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	while (size == 0 && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (gelf_getsym(d, (int)i, &sym) == NULL ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s != NULL && strcmp(s, name) == 0) {
				size = sym.st_size;
				*value = sym.st_value;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return size;
}

/* File offset of the main program's vaddr, computed from its phdrs. */
struct offset_query {
	uint64_t vaddr, offset;
	int found;
};

static int
offset_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct offset_query *q = arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && q->vaddr >= ph->p_vaddr &&
		    q->vaddr < ph->p_vaddr + ph->p_memsz) {
			q->offset = q->vaddr - ph->p_vaddr + ph->p_offset;
			q->found = 1;
		}
	}
	return 1;	/* the first object is the main program */
}

static uint64_t
main_vaddr_to_offset(uint64_t vaddr)
{
	struct offset_query q = { vaddr, 0, 0 };

	dl_iterate_phdr(offset_cb, &q);
	assert_true(q.found);
	return q.offset;
}

struct self {
	char exe[PATH_MAX];
	uint64_t start, size;	/* recurse() in this process */
	uint64_t file_lo, file_hi; /* recurse() as file offsets */
};

static void
self_info(struct self *s)
{
	uint64_t value = 0;
	ssize_t n = readlink("/proc/self/exe", s->exe, sizeof s->exe - 1);

	assert_true(n > 0);
	s->exe[n] = '\0';
	s->size = symbol_size(s->exe, "recurse", &value);
	assert_true(s->size > 0);
	s->start = (uint64_t)(uintptr_t)recurse;
	s->file_lo = main_vaddr_to_offset(value);
	s->file_hi = s->file_lo + s->size;
}

/* Frames compared field by field: struct frame has padding. */
static void
assert_frames_equal(const struct frame *a, const struct frame *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(a[i].pc, b[i].pc);
		assert_int_equal(a[i].module, b[i].module);
		assert_int_equal(a[i].offset, b[i].offset);
	}
}

/* Longest run of frames whose file offset lies in [lo, hi) of module. */
static unsigned
longest_run(const struct frame *f, unsigned n, uint64_t lo, uint64_t hi,
    uint32_t module, unsigned *first)
{
	unsigned best = 0, run = 0;

	for (unsigned i = 0; i < n; i++) {
		if (f[i].module == module && f[i].offset >= lo &&
		    f[i].offset < hi) {
			if (++run > best) {
				best = run;
				*first = i + 1 - run;
			}
		} else
			run = 0;
	}
	return best;
}

/* A CHILD_RAISE child, its registers, an unwinder and its first capture. */
/* The syscall a stopped thread is in, by its registers. */
static long
syscall_nr_of(const struct arch_regs *regs)
{
	struct arch_syscall sc;

	arch_syscall_of(regs, &sc);
	return sc.nr;
}

static pid_t
spawn_captured(struct arch_regs *regs, struct unwinder **u,
    struct frame *f, unsigned *n)
{
	pid_t pid = spawn(CHILD_RAISE);

	assert_int_equal(arch_get_regs(pid, regs), 0);
	*u = unwind_new(pid);
	assert_non_null(*u);
	*n = unwind_capture(*u, pid, regs, f, MAXF);
	assert_true(*n >= DEPTH + 1);
	return pid;
}

static void
test_capture_depth(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	struct self self;
	unsigned n, run = 0, first = 0;
	pid_t pid;

	(void)state;
	self_info(&self);
	pid = spawn_captured(&regs, &u, f, &n);
	assert_true(n <= MAXF);
	assert_int_equal(f[0].pc, arch_pc(&regs));

	/* Every activation recurse(DEPTH)..recurse(0), none skipped. */
	for (unsigned i = 0, cur = 0; i < n; i++) {
		if (f[i].pc >= self.start && f[i].pc < self.start + self.size) {
			if (++cur > run) {
				run = cur;
				first = i + 1 - cur;
			}
		} else
			cur = 0;
	}
	assert_int_equal(run, DEPTH + 1);
	for (unsigned i = first; i < first + run; i++) {
		assert_non_null(module_path(f[i].module));
		assert_string_equal(module_path(f[i].module), self.exe);
		/* Same layout as ours: this process is the child's parent. */
		assert_int_equal(f[i].offset,
		    f[i].pc - self.start + self.file_lo);
	}
	/* The frames above recurse are the child's callers, not garbage. */
	assert_true(first + run < n);

	/* A second capture is identical (cached tables, same answer). */
	{
		struct frame g[MAXF];
		unsigned m = unwind_capture(u, pid, &regs, g, MAXF);

		assert_int_equal(m, n);
		assert_frames_equal(f, g, n);
	}
	unwind_free(u);
	reap(pid);
}

/*
 * unwind_begin + unwind_frames: with the snapshot taken at begin, the
 * frames come from that copy alone, even once the thread is gone (the
 * tracer unwinds a close's stack while the thread runs on).
 */
static void
test_capture_deferred(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF], g[MAXF];
	struct unwinder *u;
	unsigned n, m;
	pid_t pid;

	(void)state;
	pid = spawn_captured(&regs, &u, f, &n);

	/* Begun without a snapshot: read at unwind_frames, live. */
	unwind_begin(u, pid, &regs, false);
	m = unwind_frames(u, g, MAXF);
	assert_int_equal(m, n);
	assert_frames_equal(f, g, n);

	/* The copy taken, the thread gone: the same stack from the copy. */
	unwind_begin(u, pid, &regs, true);
	reap(pid);
	memset(g, 0, sizeof g);
	m = unwind_frames(u, g, MAXF);
	assert_int_equal(m, n);
	assert_frames_equal(f, g, n);

	/* The thread gone and no copy: only the pc the registers name. */
	unwind_begin(u, pid, &regs, false);
	assert_int_equal(unwind_frames(u, g, MAXF), 1);
	assert_int_equal(g[0].pc, arch_pc(&regs));
	unwind_free(u);
}

static void
test_capture_max(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	pid_t pid;

	(void)state;
	pid = spawn(CHILD_RAISE);
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);
	assert_int_equal(unwind_capture(u, pid, &regs, f, 0), 0);
	memset(f, 0, sizeof f);
	assert_int_equal(unwind_capture(u, pid, &regs, f, 1), 1);
	assert_int_equal(f[0].pc, arch_pc(&regs));
	assert_int_not_equal(f[0].module, 0);
	assert_int_equal(f[1].pc, 0);	/* nothing written past max */
	assert_int_equal(unwind_capture(u, pid, &regs, f, 5), 5);
	unwind_free(u);
	reap(pid);
}

/* Fill buf with words that look like return addresses, or not. */
static void
fill_garbage(uint64_t *buf, size_t n, unsigned seed, const struct self *s)
{
	uint64_t libc = (uint64_t)(uintptr_t)&raise;

	srand(seed);
	for (size_t i = 0; i < n; i++) {
		uint64_t r = (uint64_t)rand() << 32 | (uint64_t)rand();

		switch (rand() % 5) {
		case 0:
			buf[i] = s->start + r % s->size;
			break;
		case 1:
			buf[i] = libc + r % 4096;
			break;
		case 2:	/* pointers back into the buffer: plausible rbp chain */
			buf[i] = (uint64_t)(uintptr_t)&buf[r % n];
			break;
		case 3:
			buf[i] = r;
			break;
		default:
			buf[i] = 0;
		}
	}
}

static void
test_capture_garbage(void **state)
{
	static uint64_t junk[8192];	/* same address in the forked child */
	struct arch_regs regs, bad;
	struct frame f[MAXF];
	struct unwinder *u;
	struct self self;
	void *anon;
	pid_t pid;

	(void)state;
	self_info(&self);
	fill_garbage(junk, sizeof junk / sizeof junk[0], 1, &self);
	/* Anonymous executable memory, as a JIT would have. */
	anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(anon != MAP_FAILED);
	memset(anon, 0xcc, 4096);
	pid = spawn(CHILD_RAISE);
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);

	const uint64_t rsps[] = { 0x10, 0, 8, UINT64_MAX - 7, 0xdead0000,
	    (uint64_t)(uintptr_t)junk, (uint64_t)(uintptr_t)&junk[4000] };
	const uint64_t rips[] = { arch_pc(&regs), 0, 0x1234, UINT64_MAX,
	    (uint64_t)(uintptr_t)anon + 16, self.start + 7 };
	for (size_t i = 0; i < sizeof rsps / sizeof rsps[0]; i++) {
		for (size_t j = 0; j < sizeof rips / sizeof rips[0]; j++) {
			unsigned n;

			bad = regs;
			arch_set_frame(&bad, rips[j], rsps[i],
			    (uint64_t)(uintptr_t)&junk[j * 100]);
			n = unwind_capture(u, pid, &bad, f, MAXF);
			assert_true(n >= 1 && n <= MAXF);
			assert_int_equal(f[0].pc, arch_pc(&bad));
		}
	}
	/* Random stacks, pcs and frame pointers. */
	for (unsigned seed = 0; seed < 200; seed++) {
		uint64_t sp, fp;
		unsigned n;

		srand(seed + 1000);
		bad = regs;
		sp = (uint64_t)(uintptr_t)&junk[rand() % 8192];
		fp = (uint64_t)(uintptr_t)&junk[rand() % 8192];
		arch_set_frame(&bad, seed % 2 ? self.start +
		    (unsigned)rand() % self.size :
		    (uint64_t)(uintptr_t)&raise + (unsigned)rand() % 256, sp, fp);
		n = unwind_capture(u, pid, &bad, f, MAXF);
		assert_true(n >= 1 && n <= MAXF);
	}
	/* After all that, the real stack still unwinds fully. */
	assert_true(unwind_capture(u, pid, &regs, f, MAXF) >= DEPTH + 1);
	unwind_free(u);
	reap(pid);
	munmap(anon, 4096);
}

/*
 * Stopped inside a signal handler: the unwind goes through the handler,
 * the kernel's signal frame and __restore_rt back to the interrupted
 * code, outer()'s levels.
 */
static void
test_capture_signal_frame(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	struct self self;
	uint64_t osize, ovalue = 0, olo;
	uint32_t mod;
	unsigned n, run, first = 0, orun, ofirst = 0;
	pid_t pid;

	(void)state;
	self_info(&self);
	osize = symbol_size(self.exe, "outer", &ovalue);
	assert_true(osize > 0);
	olo = main_vaddr_to_offset(ovalue);
	pid = spawn(CHILD_SIGNAL);
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);
	n = unwind_capture(u, pid, &regs, f, MAXF);
	mod = module_intern(self.exe);
	run = longest_run(f, n, self.file_lo, self.file_hi, mod, &first);
	assert_int_equal(run, DEPTH + 1);
	orun = longest_run(f, n, olo, olo + osize, mod, &ofirst);
	assert_int_equal(orun, OUTER + 1);
	/* Handler, trampoline, raise's frames: between the two runs. */
	assert_true(ofirst > first + run + 1);
	unwind_free(u);
	reap(pid);
}

/* A pid that does not exist: no crash, frame 0 only. */
static void
test_capture_dead(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	pid_t pid;

	(void)state;
	pid = spawn(CHILD_RAISE);
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	reap(pid);
	u = unwind_new(pid);
	assert_int_equal(unwind_capture(u, pid, &regs, f, MAXF), 1);
	assert_int_equal(f[0].module, 0);
	unwind_free(u);
}

/* Stopped at the syscall made inside the vDSO: frame 0 is [vdso]. */
static void
test_capture_vdso(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	struct self self;
	unsigned n, run, first = 0;
	int status, stops = 0;
	pid_t pid;

	(void)state;
	if (getauxval(AT_SYSINFO_EHDR) == 0)
		skip();
	self_info(&self);
	pid = spawn(CHILD_VDSO);
	assert_int_equal(ptrace(PTRACE_SETOPTIONS, pid, NULL,
	    (void *)PTRACE_O_TRACESYSGOOD), 0);
	for (;;) {
		assert_true(++stops < 10000);
		assert_int_equal(ptrace(PTRACE_SYSCALL, pid, NULL, NULL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSTOPPED(status));
		if (WSTOPSIG(status) != (SIGTRAP | 0x80))
			continue;
		assert_int_equal(arch_get_regs(pid, &regs), 0);
		if (syscall_nr_of(&regs) == SYS_clock_gettime)
			break;
	}
	u = unwind_new(pid);
	n = unwind_capture(u, pid, &regs, f, MAXF);
	assert_non_null(module_path(f[0].module));
	assert_string_equal(module_path(f[0].module), "[vdso]");
	assert_true(f[0].offset < 65536);
	run = longest_run(f, n, self.file_lo, self.file_hi,
	    module_intern(self.exe), &first);
	assert_int_equal(run, DEPTH + 1);
	unwind_free(u);
	reap(pid);
}

/* Run argv[0] traced; return once it stopped itself with SIGSTOP. */
static pid_t
spawn_exec(char *const argv[])
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	/* The exec stop, then the SIGSTOP from recurse(0). */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(WSTOPSIG(status), SIGTRAP);
	assert_int_equal(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(WSTOPSIG(status), SIGSTOP);
	return pid;
}

/* File offset of vaddr in the ELF file at path, from its PT_LOADs. */
static uint64_t
file_offset(const char *path, uint64_t vaddr)
{
	uint64_t off = UINT64_MAX;
	size_t n;
	Elf *elf;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getphdrnum(elf, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(elf, (int)i, &ph));
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_memsz)
			off = vaddr - ph.p_vaddr + ph.p_offset;
	}
	elf_end(elf);
	close(fd);
	assert_int_not_equal(off, UINT64_MAX);
	return off;
}

/*
 * A non-PIE executable (ET_EXEC: text at 0x401000, file offset 0x1000,
 * load bias 0) built without frame pointers: only right CFI lookups, with
 * the bias computed from the segment, unwind it.
 */
static void
test_capture_exec_nopie(void **state)
{
	static const char src[] =
	    "#include <signal.h>\n"
	    "__attribute__((noipa)) int recurse(int n) {\n"
	    "	volatile int pad = n; int r;\n"
	    "	if (n == 0) { raise(SIGSTOP); return 0; }\n"
	    "	r = recurse(n - 1); return r + pad; }\n"
	    "int main(void) { return recurse(30); }\n";
	char dir[] = "/tmp/test_unwind.XXXXXX", csrc[64], exe[64], cmd[256];
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	uint64_t value = 0, size, lo;
	unsigned n, run, first = 0;
	FILE *fp;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(csrc, sizeof csrc, "%s/nopie.c", dir);
	snprintf(exe, sizeof exe, "%s/nopie", dir);
	fp = fopen(csrc, "w");
	assert_non_null(fp);
	fputs(src, fp);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "cc -O2 -fomit-frame-pointer -no-pie -o %s %s "
	    ">/dev/null 2>&1", exe, csrc);
	if (system(cmd) != 0) {
		unlink(csrc);
		rmdir(dir);
		skip();
	}
	size = symbol_size(exe, "recurse", &value);
	assert_true(size > 0);
	assert_true(value >= 0x400000);	/* really ET_EXEC */
	lo = file_offset(exe, value);
	assert_int_not_equal(lo, value);

	{
		char *argv[] = { exe, NULL };

		pid = spawn_exec(argv);
	}
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);
	n = unwind_capture(u, pid, &regs, f, MAXF);
	run = longest_run(f, n, lo, lo + size, module_intern(exe), &first);
	assert_int_equal(run, DEPTH + 1);
	for (unsigned i = first; i < first + run; i++) {
		assert_true(f[i].pc >= value && f[i].pc < value + size);
		assert_int_equal(f[i].offset, f[i].pc - value + lo);
	}
	unwind_free(u);
	reap(pid);
	unlink(exe);
	unlink(csrc);
	rmdir(dir);
}

/*
 * The binary is deleted while the child runs it: its unwind tables come
 * from the child's memory, not from whatever file now has that name.
 */
static void
test_capture_deleted(void **state)
{
	char copy[] = "/tmp/test_unwind.XXXXXX";
	struct arch_regs regs;
	struct frame f[MAXF];
	struct unwinder *u;
	struct maps *m;
	struct self self;
	const struct mapping *mp;
	unsigned n, run, first = 0;
	int in, out;
	char buf[65536];
	ssize_t r;
	pid_t pid;

	(void)state;
	self_info(&self);
	in = open(self.exe, O_RDONLY);
	out = mkstemp(copy);
	assert_true(in >= 0 && out >= 0);
	while ((r = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)r), r);
	close(in);
	assert_int_equal(fchmod(out, 0700), 0);
	close(out);

	{
		char *argv[] = { copy, "--child-raise", NULL };

		pid = spawn_exec(argv);
	}
	/* Replace the file under its name with something else. */
	assert_int_equal(unlink(copy), 0);
	out = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(out >= 0);
	assert_int_equal(write(out, "not an ELF file", 15), 15);
	close(out);

	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);
	n = unwind_capture(u, pid, &regs, f, MAXF);
	run = longest_run(f, n, self.file_lo, self.file_hi,
	    module_intern(copy), &first);
	assert_int_equal(run, DEPTH + 1);

	/* The maps say so, and keep the name without the suffix. */
	m = maps_new(pid);
	mp = maps_find(m, f[first].pc);
	assert_non_null(mp);
	assert_true(mp->deleted);
	assert_string_equal(module_path(mp->module), copy);
	maps_free(m);

	unwind_free(u);
	reap(pid);
	unlink(copy);
}

/* After unwind_exec the next capture re-reads everything and still works. */
static void
test_capture_after_exec(void **state)
{
	struct arch_regs regs;
	struct frame f[MAXF], g[MAXF];
	struct unwinder *u;
	unsigned n;
	pid_t pid;

	(void)state;
	pid = spawn(CHILD_RAISE);
	assert_int_equal(arch_get_regs(pid, &regs), 0);
	u = unwind_new(pid);
	n = unwind_capture(u, pid, &regs, f, MAXF);
	assert_true(n >= DEPTH + 1);
	unwind_exec(u);
	assert_int_equal(unwind_capture(u, pid, &regs, g, MAXF), n);
	assert_frames_equal(f, g, n);
	/* Module files dropped under a live unwinder: reopened on demand. */
	unwind_cleanup();
	assert_int_equal(unwind_capture(u, pid, &regs, g, MAXF), n);
	assert_frames_equal(f, g, n);
	unwind_free(u);
	reap(pid);
}

static int
teardown_all(void **state)
{
	(void)state;
	unwind_cleanup();
	stack_cleanup();
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_depth),
		cmocka_unit_test(test_capture_max),
		cmocka_unit_test(test_capture_deferred),
		cmocka_unit_test(test_capture_garbage),
		cmocka_unit_test(test_capture_dead),
		cmocka_unit_test(test_capture_signal_frame),
		cmocka_unit_test(test_capture_vdso),
		cmocka_unit_test(test_capture_deleted),
		cmocka_unit_test(test_capture_exec_nopie),
		cmocka_unit_test(test_capture_after_exec),
	};

	/* Re-executed by test_capture_deleted as the traced child. */
	if (argc == 2 && strcmp(argv[1], "--child-raise") == 0) {
		recurse(DEPTH);
		_exit(0);
	}
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
