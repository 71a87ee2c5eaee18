// SPDX-License-Identifier: MIT
/*
 * test_symbolize.c - symbolize this very binary, libc, ELF files written
 * here with odd segment layouts, and a non-PIE executable from /usr/bin.
 * Addresses become (module, file offset) through /proc/self/maps, as the
 * tracer does for a tracee.
 */
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stack.h"
#include "symbolize.h"

#define MAXF 16

void *volatile sym_test_sink;
volatile int sym_test_line, sym_test_after;
/*
 * Initialised, so it lives in .data, in the RW PT_LOAD, where the linker
 * may make p_vaddr - p_offset differ from the text segment's.
 */
int sym_test_data[64] = { 1 };

static int asm_line, inline_call_line;

enum { CALLEE_FIRST_LINE = __LINE__ };
__attribute__((noinline, noclone)) void
sym_test_callee(void)
{
	sym_test_sink = __builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}
enum { CALLEE_LAST_LINE = __LINE__ };

/*
 * The return address is the store on the line after the call, so only
 * a lookup of pc - 1 finds the call's line.
 */
__attribute__((noinline, noclone)) void
sym_test_caller(void)
{
	sym_test_line = __LINE__; sym_test_callee();
	sym_test_after = 1;
}

/* The address of the lea itself, so it is inside the inlined body. */
static inline __attribute__((always_inline)) void *
sym_test_inline(void)
{
	void *pc;

	__asm__ volatile("1: lea 1b(%%rip), %0" : "=r"(pc)); asm_line = __LINE__;
	return pc;
}

__attribute__((noinline, noclone)) void *
sym_test_outer(void)
{
	void *pc = sym_test_inline(); inline_call_line = __LINE__;

	sym_test_sink = pc;
	return pc;
}

/* Where p is mapped, as (module, file offset); false if not file-backed. */
static bool
frame_of(const void *p, struct frame *f)
{
	uintptr_t a = (uintptr_t)p;
	char line[4096];
	bool found = false;
	FILE *fp;

	if ((fp = fopen("/proc/self/maps", "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof line, fp) != NULL) {
		unsigned long start, end, off;
		char *path;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &start, &end,
		    &off, &pos) < 3 || pos == 0 || a < start || a >= end)
			continue;
		path = line + pos;
		path[strcspn(path, "\n")] = '\0';
		if (path[0] != '/')
			break;
		f->pc = a;
		f->offset = a - start + off;
		f->module = module_intern(path);
		found = true;
	}
	fclose(fp);
	return found;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void
assert_this_file(const struct sym_frame *s)
{
	assert_non_null(s->file);
	assert_true(ends_with(s->file, "test_symbolize.c"));
}

static void
test_return_address_line(void **state)
{
	struct sym_frame out[MAXF];
	struct frame f;
	unsigned n;

	sym_test_caller();
	assert_true(frame_of(sym_test_sink, &f));
	n = symbolize_frame(&f, true, out, MAXF);
	assert_int_equal(n, 1);
	assert_non_null(out[0].function);
	assert_string_equal(out[0].function, "sym_test_caller");
	assert_this_file(&out[0]);
	assert_int_equal(out[0].line, sym_test_line);
	assert_false(out[0].inlined);
}

static void
test_function_entry(void **state)
{
	struct sym_frame out[MAXF];
	struct frame f;
	unsigned n;

	assert_true(frame_of((void *)sym_test_callee, &f));
	n = symbolize_frame(&f, false, out, MAXF);
	assert_int_equal(n, 1);
	assert_non_null(out[0].function);
	assert_string_equal(out[0].function, "sym_test_callee");
	assert_this_file(&out[0]);
	assert_in_range(out[0].line, CALLEE_FIRST_LINE + 1, CALLEE_LAST_LINE - 1);
}

/* .data is in another PT_LOAD than .text: the offset must go through it. */
static void
test_data_segment(void **state)
{
	struct sym_frame out[MAXF];
	struct frame f;

	assert_true(frame_of(&sym_test_data[10], &f));
	assert_int_equal(symbolize_frame(&f, false, out, MAXF), 1);
	assert_non_null(out[0].function);
	assert_string_equal(out[0].function, "sym_test_data");
}

static void
test_libc(void **state)
{
	struct sym_frame out[MAXF];
	struct frame f;
	unsigned n;

	assert_true(frame_of((void *)getpid, &f));
	assert_non_null(strstr(module_path(f.module), "libc"));
	n = symbolize_frame(&f, false, out, MAXF);
	assert_true(n >= 1);
	assert_non_null(out[n - 1].function);
	assert_non_null(strstr(out[n - 1].function, "getpid"));
	assert_false(out[n - 1].inlined);
	/* By default libc frames are named from its symbol table alone. */
	assert_int_equal(n, 1);
	assert_null(out[0].file);
	assert_int_equal(out[0].line, 0);

	/* --libc-frames: DWARF too, where libc6-dbg is installed; same name. */
	symbolize_cleanup();
	symbolize_libc_lines(true);
	assert_true(frame_of((void *)getpid, &f));
	n = symbolize_frame(&f, false, out, MAXF);
	assert_true(n >= 1);
	assert_non_null(strstr(out[n - 1].function, "getpid"));
	if (access("/usr/lib/debug/.build-id", F_OK) == 0 && out[0].file == NULL)
		print_message("note: no file:line for libc even with its DWARF on\n");
	symbolize_libc_lines(false);
	symbolize_cleanup();
}

static void
test_inline(void **state)
{
	struct sym_frame out[MAXF];
	struct frame f;
	unsigned n;

	assert_true(frame_of(sym_test_outer(), &f));
	n = symbolize_frame(&f, false, out, MAXF);
	assert_int_equal(n, 2);

	assert_true(out[0].inlined);
	assert_non_null(out[0].function);
	assert_string_equal(out[0].function, "sym_test_inline");
	assert_this_file(&out[0]);
	assert_int_equal(out[0].line, asm_line);

	assert_false(out[1].inlined);
	assert_non_null(out[1].function);
	assert_string_equal(out[1].function, "sym_test_outer");
	assert_this_file(&out[1]);
	assert_int_equal(out[1].line, inline_call_line);

	/* Short of room, the real function is the frame kept. */
	assert_int_equal(symbolize_frame(&f, false, out, 1), 1);
	assert_false(out[0].inlined);
	assert_string_equal(out[0].function, "sym_test_outer");
	assert_int_equal(out[0].line, inline_call_line);
	assert_int_equal(symbolize_frame(&f, false, out, 0), 0);
}

/* An unknown frame gives one empty sym_frame, and nothing on stderr. */
static void
assert_unknown(const struct frame *f, bool is_return)
{
	struct sym_frame out[MAXF];
	int saved, tmp;
	unsigned n;
	off_t size;
	FILE *fp;

	memset(out, 0xa5, sizeof out);
	assert_non_null(fp = tmpfile());
	tmp = fileno(fp);
	fflush(stderr);
	assert_true((saved = dup(STDERR_FILENO)) >= 0);
	assert_int_equal(dup2(tmp, STDERR_FILENO), STDERR_FILENO);
	n = symbolize_frame(f, is_return, out, MAXF);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	size = lseek(tmp, 0, SEEK_END);
	fclose(fp);

	assert_int_equal(size, 0);
	assert_int_equal(n, 1);
	assert_null(out[0].function);
	assert_null(out[0].file);
	assert_int_equal(out[0].line, 0);
	assert_false(out[0].inlined);
}

static void
test_unknown(void **state)
{
	struct frame f = { 0x7f0000001234, 0x1234, 0 };

	assert_unknown(&f, false);
	assert_unknown(&f, true);
	f.module = module_intern("/nonexistent/fdleak-test/libnothing.so.1");
	assert_unknown(&f, true);
	assert_unknown(&f, true);	/* cached */
	f.module = module_intern("/dev/null");
	assert_unknown(&f, false);
	/* A real module, but an offset no PT_LOAD holds. */
	assert_true(frame_of((void *)sym_test_callee, &f));
	f.offset = (uint64_t)1 << 40;
	assert_unknown(&f, true);
}

/* Strings stay valid and identical as the caches grow. */
static void
test_strings_stable(void **state)
{
	struct sym_frame first[MAXF], again[MAXF], tmp[MAXF];
	struct frame f, g;
	char *fn, *file;

	sym_test_caller();
	assert_true(frame_of(sym_test_sink, &f));
	assert_int_equal(symbolize_frame(&f, true, first, MAXF), 1);
	fn = strdup(first[0].function);
	file = strdup(first[0].file);

	assert_true(frame_of((void *)getpid, &g));
	for (unsigned i = 0; i < 3000; i++) {
		g.offset += 7;
		symbolize_frame(&g, i & 1, tmp, MAXF);
	}
	assert_int_equal(symbolize_frame(&f, true, again, MAXF), 1);
	assert_ptr_equal(again[0].function, first[0].function);
	assert_ptr_equal(again[0].file, first[0].file);
	assert_string_equal(first[0].function, fn);
	assert_string_equal(first[0].file, file);
	free(fn);
	free(file);
}

/* Offset of name in a string table of NUL-terminated strings; 0 if absent. */
static size_t
strtab_index(const char *tab, size_t size, const char *name)
{
	for (size_t i = 1; i < size; i += strlen(tab + i) + 1) {
		if (strcmp(tab + i, name) == 0)
			return i;
	}
	return 0;
}

/*
 * A minimal ELF of the given type whose two PT_LOADs map file offsets
 * 0x1000 and 0x2000 to vaddrs 0x5000 and 0x9000: different deltas, both
 * non-zero, as linkers are free to produce.
 */
static bool
write_elf(const char *path, int type)
{
	static const char strtab[] =
	    "\0synth_local\0synth_text\0synth_data\0synth_ver@@SYNTH_1.0";
	static const char shstrtab[] =
	    "\0.text\0.data\0.symtab\0.strtab\0.shstrtab";
	static unsigned char text[0x100], data[0x100];
	Elf64_Sym syms[] = {
		{ 0 },
		{ 1, ELF64_ST_INFO(STB_LOCAL, STT_FUNC), 0, 1, 0x5080, 0x10 },
		{ 13, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1, 0x5010, 0x20 },
		{ 24, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 2, 0x9040, 0x10 },
		{ 35, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1, 0x50a0, 0x10 },
	};
	struct {
		const char *name;
		Elf64_Word type, link, info;
		Elf64_Xword flags, addr, off, entsize, align;
		void *buf;
		size_t size;
	} secs[] = {
		{ ".text", SHT_PROGBITS, 0, 0, SHF_ALLOC | SHF_EXECINSTR,
		    0x5000, 0x1000, 0, 16, text, sizeof text },
		{ ".data", SHT_PROGBITS, 0, 0, SHF_ALLOC | SHF_WRITE,
		    0x9000, 0x2000, 0, 16, data, sizeof data },
		{ ".symtab", SHT_SYMTAB, 4, 2, 0, 0, 0x2100, sizeof syms[0], 8,
		    syms, sizeof syms },
		{ ".strtab", SHT_STRTAB, 0, 0, 0, 0, 0x2200, 0, 1,
		    (void *)strtab, sizeof strtab },
		{ ".shstrtab", SHT_STRTAB, 0, 0, 0, 0, 0x2300, 0, 1,
		    (void *)shstrtab, sizeof shstrtab },
	};
	Elf64_Phdr *ph;
	Elf64_Ehdr *eh;
	bool ok = false;
	Elf *elf;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return false;
	if ((elf = elf_begin(fd, ELF_C_WRITE, NULL)) == NULL)
		goto out;
	if ((eh = elf64_newehdr(elf)) == NULL ||
	    (ph = elf64_newphdr(elf, 2)) == NULL)
		goto out;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof *eh;
	eh->e_shoff = 0x2400;
	eh->e_shstrndx = 5;
	ph[0] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, 0x1000, 0x5000, 0x5000,
	    0x100, 0x100, 0x1000 };
	ph[1] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_W, 0x2000, 0x9000, 0x9000,
	    0x100, 0x100, 0x1000 };
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
		Elf_Scn *scn = elf_newscn(elf);
		Elf64_Shdr *sh;
		Elf_Data *d;

		if (scn == NULL || (sh = elf64_getshdr(scn)) == NULL ||
		    (d = elf_newdata(scn)) == NULL)
			goto out;
		d->d_buf = secs[i].buf;
		d->d_size = secs[i].size;
		d->d_type = secs[i].type == SHT_SYMTAB ? ELF_T_SYM : ELF_T_BYTE;
		d->d_align = secs[i].align;
		d->d_version = EV_CURRENT;
		sh->sh_name = strtab_index(shstrtab, sizeof shstrtab,
		    secs[i].name);
		sh->sh_type = secs[i].type;
		sh->sh_flags = secs[i].flags;
		sh->sh_addr = secs[i].addr;
		sh->sh_offset = secs[i].off;
		sh->sh_size = secs[i].size;
		sh->sh_link = secs[i].link;
		sh->sh_info = secs[i].info;
		sh->sh_addralign = secs[i].align;
		sh->sh_entsize = secs[i].entsize;
	}
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	ok = elf_update(elf, ELF_C_WRITE) > 0;
out:
	if (elf != NULL)
		elf_end(elf);
	close(fd);
	return ok;
}

static void
check_synthetic(int type)
{
	static const struct {
		uint64_t offset;
		bool is_return;
		const char *function;
	} cases[] = {
		{ 0x1010, false, "synth_text" },
		{ 0x102f, false, "synth_text" },
		{ 0x1030, true, "synth_text" },	/* looks up 0x102f */
		{ 0x1030, false, NULL },		/* past its end */
		{ 0x1088, false, "synth_local" },
		{ 0x10a4, false, "synth_ver" },	/* symbol version dropped */
		{ 0x2044, false, "synth_data" },
		{ 0x2050, false, NULL },
		{ 0x3000, false, NULL },		/* in no PT_LOAD */
	};
	char path[] = "/tmp/fdleak-test-elf-XXXXXX";
	struct sym_frame out[MAXF];
	uint32_t module;
	int fd;

	elf_version(EV_CURRENT);
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_true(write_elf(path, type));
	module = module_intern(path);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct frame f = { 0, cases[i].offset, module };

		assert_int_equal(symbolize_frame(&f, cases[i].is_return, out,
		    MAXF), 1);
		/* libdw holds the file open now; no leftover if an assert fails. */
		if (i == 0)
			unlink(path);
		if (cases[i].function == NULL)
			assert_null(out[0].function);
		else {
			assert_non_null(out[0].function);
			assert_string_equal(out[0].function, cases[i].function);
		}
		assert_null(out[0].file);
	}
}

static void
test_synthetic_dyn(void **state)
{
	check_synthetic(ET_DYN);
}

static void
test_synthetic_exec(void **state)
{
	check_synthetic(ET_EXEC);
}

/* A defined function symbol of an ET_EXEC file, as a file offset. */
static bool
exec_function(const char *path, char *name, size_t namesz,
    uint64_t *offset, uint64_t *size, uint64_t *value)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	bool found = false;
	size_t phnum;
	Elf *elf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if ((elf = elf_begin(fd, ELF_C_READ, NULL)) == NULL)
		goto out;
	if (gelf_getehdr(elf, &eh) == NULL || eh.e_type != ET_EXEC ||
	    eh.e_machine != EM_X86_64 || elf_getphdrnum(elf, &phnum) != 0)
		goto out;
	while (!found && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0 || (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; !found && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (gelf_getsym(data, i, &sym) == NULL ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF || sym.st_size < 2 ||
			    (s = elf_strptr(elf, sh.sh_link, sym.st_name)) == NULL ||
			    strlen(s) >= namesz)
				continue;
			for (size_t j = 0; j < phnum; j++) {
				GElf_Phdr ph;

				if (gelf_getphdr(elf, j, &ph) == NULL ||
				    ph.p_type != PT_LOAD ||
				    sym.st_value < ph.p_vaddr ||
				    sym.st_value >= ph.p_vaddr + ph.p_filesz)
					continue;
				strcpy(name, s);
				*offset = sym.st_value - ph.p_vaddr + ph.p_offset;
				*size = sym.st_size;
				*value = sym.st_value;
				found = true;
				break;
			}
		}
	}
out:
	if (elf != NULL)
		elf_end(elf);
	close(fd);
	return found;
}

/* The value of symbol name in path's symbol tables; 0 when absent. */
static uint64_t
symbol_value(const char *path, const char *name)
{
	Elf_Scn *scn = NULL;
	uint64_t value = 0;
	Elf *elf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if ((elf = elf_begin(fd, ELF_C_READ, NULL)) == NULL) {
		close(fd);
		return 0;
	}
	while (value == 0 && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0 || (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; value == 0 && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (gelf_getsym(data, i, &sym) != NULL &&
			    sym.st_shndx != SHN_UNDEF &&
			    (s = elf_strptr(elf, sh.sh_link, sym.st_name)) != NULL &&
			    strcmp(s, name) == 0)
				value = sym.st_value;
		}
	}
	elf_end(elf);
	close(fd);
	return value;
}

/* The smallest ET_EXEC in /usr/bin with a function symbol, to stay fast. */
static bool
find_non_pie(char *path, size_t pathsz, char *name, size_t namesz,
    uint64_t *offset, uint64_t *size, uint64_t *value)
{
	off_t best = -1;
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir("/usr/bin")) == NULL)
		return false;
	while ((d = readdir(dir)) != NULL) {
		unsigned char h[18];
		char p[512], n[512];
		uint64_t o, sz, v;
		struct stat st;
		int fd;

		snprintf(p, sizeof p, "/usr/bin/%s", d->d_name);
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (best >= 0 && st.st_size >= best))
			continue;
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (read(fd, h, sizeof h) != sizeof h || memcmp(h, ELFMAG, 4) != 0 ||
		    h[EI_CLASS] != ELFCLASS64 || h[16] != ET_EXEC || h[17] != 0) {
			close(fd);
			continue;
		}
		close(fd);
		if (!exec_function(p, n, sizeof n, &o, &sz, &v) ||
		    strlen(p) >= pathsz || strlen(n) >= namesz)
			continue;
		strcpy(path, p);
		strcpy(name, n);
		*offset = o;
		*size = sz;
		*value = v;
		best = st.st_size;
	}
	closedir(dir);
	return best >= 0;
}

static void
test_non_pie(void **state)
{
	struct sym_frame out[MAXF];
	char path[512], name[512];
	uint64_t offset = 0, size = 0, value = 0;
	struct frame f;
	unsigned n;

	elf_version(EV_CURRENT);
	if (!find_non_pie(path, sizeof path, name, sizeof name, &offset, &size,
	    &value)) {
		print_message("no non-PIE executable in /usr/bin; skipped\n");
		skip();
		return;
	}
	f = (struct frame){ 0, offset + size / 2, module_intern(path) };
	n = symbolize_frame(&f, false, out, MAXF);
	assert_true(n >= 1);
	assert_non_null(out[n - 1].function);
	/* An alias of the function, at the same address, is as good. */
	if (strcmp(out[n - 1].function, name) != 0 &&
	    symbol_value(path, out[n - 1].function) != value)
		fail_msg("%s+%#llx: got %s, want %s", path,
		    (unsigned long long)f.offset, out[n - 1].function, name);
}

static int
teardown(void **state)
{
	symbolize_cleanup();
	stack_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_return_address_line),
		cmocka_unit_test(test_function_entry),
		cmocka_unit_test(test_data_segment),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_strings_stable),
		cmocka_unit_test(test_synthetic_dyn),
		cmocka_unit_test(test_synthetic_exec),
		cmocka_unit_test(test_non_pie),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
