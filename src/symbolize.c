// SPDX-License-Identifier: MIT
/*
 * symbolize.c - (module, file offset) -> function, file:line and inline
 * frames through libdw. Runs at report time only. Each module gets one
 * Dwfl, opened on first use and kept until symbolize_cleanup, and every
 * answer is cached, because the same frames recur in thousands of
 * stacks. Process-wide tables: the tracer is single-threaded.
 *
 * libdw's own per-address searches are linear (dwfl_module_addrinfo scans
 * the symbol table, dwarf_getscopes walks the whole unit), so the symbol
 * table and each unit's functions are sorted once here and searched by
 * bisection; the answers match libdw's.
 *
 * C++ names are returned mangled: demangling needs __cxa_demangle from
 * libstdc++, a dependency this C program does not take.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "symbolize.h"
#include "util.h"

/* Frames kept per address; deeper inline chains lose middle frames. */
#define SYM_MAX_CHAIN 32
/* Nesting of DWARF scopes (blocks, inline instances) followed in a function. */
#define SYM_MAX_SCOPES 128

/* One PT_LOAD: how file offsets become ELF virtual addresses. */
struct sym_load {
	uint64_t offset;	/* p_offset */
	uint64_t filesz;	/* p_filesz */
	uint64_t vaddr;		/* p_vaddr */
	uint64_t align;		/* p_align, at least 1 */
};

/* One ELF symbol, at its Dwfl address. */
struct sym_symbol {
	GElf_Addr addr;
	GElf_Xword size;
	GElf_Addr sec_start;	/* its section, for sizeless symbols */
	GElf_Addr sec_end;
	const char *name;	/* libdw's; lives as long as the Dwfl */
	uint32_t index;		/* symbol table order breaks ties */
	int bind;		/* higher is better */
};

/* A pc range of an out-of-line function in one compilation unit. */
struct sym_range {
	Dwarf_Addr lo, hi;	/* [lo, hi), DWARF addresses */
	Dwarf_Die die;		/* the DW_TAG_subprogram */
};

/* A pc range of one compilation unit, for files without .debug_aranges. */
struct sym_unit {
	Dwarf_Addr lo, hi;	/* [lo, hi), DWARF addresses */
	Dwarf_Die die;		/* the unit DIE */
};

/* The functions of one compilation unit, by start address. */
struct sym_cu {
	Dwarf_Off off;		/* of the unit DIE, the key */
	struct sym_range *ranges;
	size_t n;
};

struct sym_module {
	bool tried;		/* opened once, successfully or not */
	bool names_only;	/* symbol table only, no DWARF (libc) */
	Dwfl *dwfl;		/* NULL when the file gave nothing usable */
	Dwfl_Module *mod;
	Dwarf_Addr bias;	/* Dwfl address - ELF vaddr */
	struct sym_load *loads;
	unsigned nloads;
	bool sorted;		/* syms built */
	struct sym_symbol *syms;	/* by address */
	GElf_Addr *max_end;	/* max end of syms[0..i] */
	size_t nsyms;
	struct sym_cu *cus;	/* indexed units, by offset */
	size_t ncus, cus_cap;
	bool units_built;	/* units built */
	struct sym_unit *units;	/* by start address */
	size_t nunits;
	Dwarf_Addr dwbias;	/* Dwfl address - DWARF address */
};

/* A cached answer: pool[first..first + n). */
struct sym_entry {
	uint64_t offset;
	uint32_t module;
	uint32_t first;
	uint16_t n;
	bool is_return;
};

static struct sym_module *mods;		/* index = module id */
static size_t mods_cap;

static struct sym_entry *entries;
static uint32_t entries_count;
static struct hindex entries_index;	/* by module, offset, is_return */
static struct sym_frame *pool;
static uint32_t pool_count, pool_cap;

/* Borrowed strings from libdw become ours, so they outlive any Dwfl. */
static struct strpool strs;

/* NULL: libdw's default path, which covers /usr/lib/debug and .debug. */
static char *sym_debuginfo_path;
static bool libc_lines;
static const Dwfl_Callbacks sym_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &sym_debuginfo_path,
};

static uint64_t
sym_hash_key(uint32_t module, uint64_t offset, bool is_return)
{
	return hash_mix(hash_int(offset), (uint64_t)module << 1 | is_return);
}

/*
 * Open path as an ELF file in a Dwfl of its own. Base 0 with add_p_vaddr
 * makes Dwfl addresses equal the file's p_vaddr for ET_DYN, and libdw
 * ignores the base of ET_EXEC, so either way the bias is 0; it is still
 * read back rather than assumed.
 */
static void
sym_module_open(struct sym_module *m, const char *path)
{
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias;
	size_t phnum;

	if (path == NULL || (dwfl = dwfl_begin(&sym_callbacks)) == NULL)
		return;
	dwfl_report_begin(dwfl);
	mod = dwfl_report_elf(dwfl, path, path, -1, 0, true);
	if (dwfl_report_end(dwfl, NULL, NULL) != 0 || mod == NULL)
		goto fail;
	if ((elf = dwfl_module_getelf(mod, &bias)) == NULL ||
	    elf_getphdrnum(elf, &phnum) != 0)
		goto fail;
	m->loads = xcalloc(phnum, sizeof *m->loads);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr mem, *ph = gelf_getphdr(elf, i, &mem);

		if (ph == NULL || ph->p_type != PT_LOAD)
			continue;
		m->loads[m->nloads++] = (struct sym_load){
			ph->p_offset, ph->p_filesz, ph->p_vaddr,
			ph->p_align ? ph->p_align : 1
		};
	}
	if (m->nloads == 0)
		goto fail;
	m->dwfl = dwfl;
	m->mod = mod;
	m->bias = bias;
	return;

fail:
	free(m->loads);
	m->loads = NULL;
	m->nloads = 0;
	dwfl_end(dwfl);
}

/* The usable module id, opening it on first use; NULL when unusable. */
static struct sym_module *
sym_module_get(uint32_t id)
{
	struct sym_module *m;

	if (id == 0)
		return NULL;
	mods = xgrow_index(mods, &mods_cap, id, sizeof *mods);
	m = &mods[id];
	if (!m->tried) {
		m->tried = true;
		sym_module_open(m, module_path(id));
		m->names_only = !libc_lines && module_is_libc(module_path(id));
	}
	return m->dwfl != NULL ? m : NULL;
}

/*
 * File offset -> ELF vaddr through the PT_LOAD that holds it. An offset
 * past p_filesz but in the same page was still mapped by that segment,
 * so the segment's delta holds there too.
 */
static bool
sym_vaddr(const struct sym_module *m, uint64_t off, uint64_t *vaddr)
{
	const struct sym_load *best = NULL;

	for (unsigned i = 0; i < m->nloads; i++) {
		const struct sym_load *l = &m->loads[i];

		if (off >= l->offset && off - l->offset < l->filesz) {
			best = l;
			break;
		}
	}
	for (unsigned i = 0; best == NULL && i < m->nloads; i++) {
		const struct sym_load *l = &m->loads[i];
		uint64_t start = l->offset & ~(l->align - 1);
		uint64_t end = (l->offset + l->filesz + l->align - 1) &
		    ~(l->align - 1);

		if (off >= start && off < end)
			best = l;
	}
	if (best == NULL)
		return false;
	*vaddr = off - best->offset + best->vaddr;
	return true;
}

static int
sym_bind_value(int bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 3;
	case STB_WEAK:
		return 2;
	case STB_LOCAL:
		return 1;
	default:
		return 0;
	}
}

static int
sym_symbol_cmp(const void *a, const void *b)
{
	const struct sym_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Sort the symbol table once. dwfl_module_addrinfo scans every symbol on
 * every call, which costs seconds over thousands of frames in libc.
 */
static void
sym_symbols_build(struct sym_module *m)
{
	int count = dwfl_module_getsymtab(m->mod);
	GElf_Addr end = 0;

	m->sorted = true;
	if (count <= 1)
		return;
	m->syms = xcalloc(count, sizeof *m->syms);
	for (int i = 1; i < count; i++) {
		struct sym_symbol *s = &m->syms[m->nsyms];
		GElf_Addr addr;
		GElf_Word shndx;
		GElf_Sym sym;
		Dwarf_Addr bias;
		const char *name;
		Elf *elf;
		int type;

		name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx,
		    &elf, &bias);
		if (name == NULL || name[0] == '\0' || shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE || type == STT_TLS)
			continue;
		*s = (struct sym_symbol){ addr, sym.st_size, addr, addr + 1,
		    name, i, sym_bind_value(GELF_ST_BIND(sym.st_info)) };
		if (sym.st_size == 0 && shndx < SHN_LORESERVE) {
			/* A label stands for the rest of its section only. */
			GElf_Shdr mem, *sh = gelf_getshdr(elf_getscn(elf, shndx),
			    &mem);

			if (sh != NULL) {
				s->sec_start = sh->sh_addr + bias;
				s->sec_end = sh->sh_addr + sh->sh_size + bias;
			}
		}
		m->nsyms++;
	}
	qsort(m->syms, m->nsyms, sizeof *m->syms, sym_symbol_cmp);
	m->max_end = xcalloc(m->nsyms, sizeof *m->max_end);
	for (size_t i = 0; i < m->nsyms; i++) {
		if (m->syms[i].addr + m->syms[i].size > end)
			end = m->syms[i].addr + m->syms[i].size;
		m->max_end[i] = end;
	}
}

/*
 * The symbol at Dwfl address addr, chosen as dwfl_module_addrsym does:
 * the sized symbol that contains addr and starts closest to it, global
 * before weak before local; failing that, a sizeless label just before
 * addr in the same section, unless some sized symbol reaches past it.
 */
static const char *
sym_symbol_name(struct sym_module *m, GElf_Addr addr)
{
	const struct sym_symbol *best = NULL, *s;
	size_t lo = 0, hi, idx;

	if (!m->sorted)
		sym_symbols_build(m);
	/* idx: the last symbol starting at or before addr. */
	hi = m->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	idx = lo - 1;

	/* No symbol at or below j ends past addr once max_end[j] <= addr. */
	for (size_t j = idx + 1; j-- > 0 && m->max_end[j] > addr;) {
		s = &m->syms[j];
		if (best != NULL && s->addr != best->addr)
			break;
		if (s->size == 0 || addr - s->addr >= s->size)
			continue;
		if (best == NULL || s->bind >= best->bind)
			best = s;
	}
	if (best != NULL)
		return best->name;

	if (m->max_end[idx] > m->syms[idx].addr)
		return NULL;
	for (size_t j = idx + 1; j-- > 0 &&
	    m->syms[j].addr == m->syms[idx].addr;) {
		s = &m->syms[j];
		if (addr >= s->sec_start && addr < s->sec_end &&
		    (best == NULL || s->bind >= best->bind))
			best = s;
	}
	return best != NULL ? best->name : NULL;
}

/* Function name of a subprogram or inline DIE, looking through abstract origins. */
static const char *
sym_die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name,
	    &attr));
	if (name == NULL)
		name = dwarf_formstring(dwarf_attr_integrate(die,
		    DW_AT_MIPS_linkage_name, &attr));
	if (name == NULL)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
		    &attr));
	return name;
}

/* The call site of an inlined subroutine DIE: the line in its caller. */
static void
sym_call_site(Dwarf_Die *die, const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word v;
	Dwarf_Die cu;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &v) == 0 &&
	    dwarf_diecu(die, &cu, NULL, NULL) != NULL &&
	    dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 && v < nfiles)
		*file = dwarf_filesrc(files, v, NULL, NULL);
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &v) == 0 &&
	    v <= INT32_MAX)
		*line = (int)v;
}

/* Function ranges by start address. */
static int
sym_range_cmp(const void *a, const void *b)
{
	const struct sym_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static void
sym_cu_add(struct sym_cu *cu, size_t *cap, Dwarf_Die *die)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (lo >= hi)
			continue;
		if (cu->n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			cu->ranges = xreallocarray(cu->ranges, *cap,
			    sizeof *cu->ranges);
		}
		cu->ranges[cu->n++] = (struct sym_range){ lo, hi, *die };
	}
}

/*
 * Step die to its next sibling; false at the last. Through a copy: the
 * same pointer as both arguments of dwarf_siblingof is allowed by libdw,
 * but clang's analyzer took the call for va_copy(x, x), now and then.
 */
static bool
sym_next_sibling(Dwarf_Die *die)
{
	Dwarf_Die next;

	if (dwarf_siblingof(die, &next) != 0)
		return false;
	*die = next;
	return true;
}

/*
 * Out-of-line function definitions sit at unit or namespace level (C++
 * member functions too, through DW_AT_specification); nested functions
 * are found later, under their parent.
 */
static void
sym_cu_walk(Dwarf_Die *parent, struct sym_cu *cu, size_t *cap, int depth)
{
	Dwarf_Die child;

	if (depth > 16 || dwarf_child(parent, &child) != 0)
		return;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			sym_cu_add(cu, cap, &child);
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
			sym_cu_walk(&child, cu, cap, depth + 1);
			break;
		}
	} while (sym_next_sibling(&child));
}

/*
 * The function index of the unit at cudie, built on first use and found
 * again by off. Walking a unit per lookup, as dwarf_getscopes does,
 * dominated the time spent on libc with its debuginfo.
 */
static struct sym_cu *
sym_cu_get(struct sym_module *m, Dwarf_Off off, Dwarf_Die *cudie)
{
	size_t lo = 0, hi = m->ncus, cap = 0;
	struct sym_cu *cu;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->cus[mid].off == off)
			return &m->cus[mid];
		if (m->cus[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (m->ncus == m->cus_cap) {
		m->cus_cap = m->cus_cap ? m->cus_cap * 2 : 64;
		m->cus = xreallocarray(m->cus, m->cus_cap, sizeof *m->cus);
	}
	memmove(&m->cus[lo + 1], &m->cus[lo], (m->ncus - lo) * sizeof *m->cus);
	m->ncus++;
	cu = &m->cus[lo];
	*cu = (struct sym_cu){ off, NULL, 0 };
	sym_cu_walk(cudie, cu, &cap, 0);
	if (cu->n > 0)
		qsort(cu->ranges, cu->n, sizeof *cu->ranges, sym_range_cmp);
	return cu;
}

static bool
sym_is_scope(int tag)
{
	switch (tag) {
	case DW_TAG_inlined_subroutine:
	case DW_TAG_lexical_block:
	case DW_TAG_subprogram:
	case DW_TAG_entry_point:
	case DW_TAG_try_block:
	case DW_TAG_catch_block:
	case DW_TAG_with_stmt:
		return true;
	default:
		return false;
	}
}

/*
 * The scopes holding pc, from the function DIE down to the innermost:
 * path[0] = fn. Only children whose pc ranges hold pc are entered.
 */
static unsigned
sym_descend(Dwarf_Die *fn, Dwarf_Addr pc, Dwarf_Die *path, unsigned max)
{
	unsigned n = 1;

	path[0] = *fn;
	while (n < max) {
		Dwarf_Die child;
		bool found = false;

		if (dwarf_child(&path[n - 1], &child) != 0)
			break;
		do {
			if (sym_is_scope(dwarf_tag(&child)) &&
			    dwarf_haspc(&child, pc) > 0) {
				found = true;
				break;
			}
		} while (sym_next_sibling(&child));
		if (!found)
			break;
		path[n++] = child;
	}
	return n;
}

/*
 * The inline chain at DWARF address pc of unit cudie, innermost first, into
 * out[0..max), max >= 2. file:line is the line-table answer, which belongs
 * to the innermost frame; each outer frame gets the call site recorded in
 * the inline instance it contains. The last frame written is always the
 * real function (inlined false). Returns 0 when DWARF has nothing here.
 */
static unsigned
sym_chain(struct sym_module *m, Dwarf_Die *cudie, Dwarf_Addr pc,
    const char *file, int line, struct sym_frame *out, unsigned max)
{
	Dwarf_Die split, path[SYM_MAX_SCOPES];
	struct sym_range *r = NULL;
	uint8_t unit_type;
	struct sym_cu *cu;
	Dwarf_Off off;
	size_t lo = 0, hi;
	unsigned n = 0, depth;

	/*
	 * With split DWARF (-gsplit-dwarf) the functions are in the .dwo
	 * unit. Every .dwo starts its own offsets at 0, so the skeleton's
	 * offset stays the key.
	 */
	off = dwarf_dieoffset(cudie);
	if (dwarf_cu_info(cudie->cu, NULL, &unit_type, NULL, &split, NULL, NULL,
	    NULL) == 0 && unit_type == DW_UT_skeleton &&
	    dwarf_tag(&split) == DW_TAG_compile_unit)
		cudie = &split;
	cu = sym_cu_get(m, off, cudie);
	/* The last function starting at or before pc; they do not overlap. */
	hi = cu->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cu->ranges[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && pc < cu->ranges[lo - 1].hi)
		r = &cu->ranges[lo - 1];
	if (r == NULL)
		return 0;

	depth = sym_descend(&r->die, pc, path, SYM_MAX_SCOPES);
	for (unsigned i = depth; i-- > 0;) {
		Dwarf_Die *die = &path[i];
		int tag = dwarf_tag(die);

		if (tag == DW_TAG_inlined_subroutine) {
			if (n < max - 1)
				out[n++] = (struct sym_frame){
					sym_die_name(die), file, line, true
				};
			sym_call_site(die, &file, &line);
		} else if (tag == DW_TAG_subprogram ||
		    tag == DW_TAG_entry_point) {
			out[n++] = (struct sym_frame){
				sym_die_name(die), file, line, false
			};
			break;
		}
	}
	return n;
}

static int
sym_unit_cmp(const void *a, const void *b)
{
	const struct sym_unit *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/* Index the pc ranges of every compilation unit, once per module. */
static void
sym_units_build(struct sym_module *m)
{
	Dwarf_CU *unit = NULL;
	Dwarf_Die cudie;
	size_t cap = 0;
	uint8_t type;
	Dwarf *dw;

	m->units_built = true;
	if ((dw = dwfl_module_getdwarf(m->mod, &m->dwbias)) == NULL)
		return;
	while (dwarf_get_units(dw, unit, &unit, NULL, &type, &cudie,
	    NULL) == 0) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;

		if (type != DW_UT_compile && type != DW_UT_skeleton)
			continue;
		while ((off = dwarf_ranges(&cudie, off, &base, &lo, &hi)) > 0) {
			if (lo >= hi)
				continue;
			if (m->nunits == cap) {
				cap = cap ? cap * 2 : 64;
				m->units = xreallocarray(m->units, cap,
				    sizeof *m->units);
			}
			m->units[m->nunits++] = (struct sym_unit){ lo, hi, cudie };
		}
	}
	if (m->nunits > 0)
		qsort(m->units, m->nunits, sizeof *m->units, sym_unit_cmp);
}

/*
 * The unit DIE holding Dwfl address addr, *bias set to the Dwfl - DWARF
 * address difference. libdw finds it through .debug_aranges, which clang
 * does not emit by default; then the units' own ranges are searched.
 */
static Dwarf_Die *
sym_addrdie(struct sym_module *m, Dwarf_Addr addr, Dwarf_Addr *bias)
{
	Dwarf_Die *cudie;
	size_t lo = 0, hi;
	Dwarf_Addr pc;

	if ((cudie = dwfl_module_addrdie(m->mod, addr, bias)) != NULL)
		return cudie;
	if (!m->units_built)
		sym_units_build(m);
	if (m->nunits == 0 || addr < m->dwbias)
		return NULL;
	pc = addr - m->dwbias;
	hi = m->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->units[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || pc >= m->units[lo - 1].hi)
		return NULL;
	*bias = m->dwbias;
	return &m->units[lo - 1].die;
}

/* Resolve one frame of module m into out[0..SYM_MAX_CHAIN); returns >= 1. */
static unsigned
sym_resolve(struct sym_module *m, uint64_t off, bool is_return,
    struct sym_frame *out)
{
	const char *name, *file = NULL, *at;
	Dwarf_Addr addr, bias;
	Dwarf_Die *cudie;
	Dwarf_Line *dwl;
	Dwfl_Line *dl;
	uint64_t vaddr;
	int line = 0;
	unsigned n;

	out[0] = (struct sym_frame){ NULL, NULL, 0, false };
	if (m == NULL || !sym_vaddr(m, off, &vaddr) || (is_return && vaddr == 0))
		return 1;
	/* A return address is after the call; pc - 1 is inside it. */
	addr = vaddr - (is_return ? 1 : 0) + m->bias;

	name = sym_symbol_name(m, addr);
	/* "__libc_start_main@@GLIBC_2.34": the version is noise in a stack. */
	if (name != NULL && (at = strchr(name, '@')) != NULL && at > name) {
		char *copy = xstrndup(name, at - name);

		name = strpool_intern(&strs, copy);
		free(copy);
	}
	if (m->names_only) {
		out[0].function = name;
		return 1;
	}
	cudie = sym_addrdie(m, addr, &bias);
	if ((dl = dwfl_module_getsrc(m->mod, addr)) != NULL)
		file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
	else if (cudie != NULL &&
	    (dwl = dwarf_getsrc_die(cudie, addr - bias)) != NULL &&
	    (file = dwarf_linesrc(dwl, NULL, NULL)) != NULL)
		dwarf_lineno(dwl, &line);
	if (file == NULL)
		line = 0;
	n = 0;
	if (cudie != NULL)
		n = sym_chain(m, cudie, addr - bias, file, line, out,
		    SYM_MAX_CHAIN);
	if (n == 0) {
		out[0] = (struct sym_frame){ name, file, line, false };
		return 1;
	}
	/*
	 * The symbol names the real function whether or not DWARF is
	 * there, so a stack reads the same with and without debuginfo.
	 */
	if (name != NULL)
		out[n - 1].function = name;
	return n;
}

/* Whether entry answers for the frame of k (its first and n unused). */
static bool
sym_key_eq(const void *arg, uint32_t entry)
{
	const struct sym_entry *k = arg;
	const struct sym_entry *e = &entries[entry];

	return e->module == k->module && e->offset == k->offset &&
	    e->is_return == k->is_return;
}

/* The cached answer for a frame, resolving and storing it on a miss. */
static const struct sym_entry *
sym_lookup(uint32_t module, uint64_t offset, bool is_return)
{
	struct sym_entry k = { .offset = offset, .module = module,
	    .is_return = is_return };
	struct sym_frame tmp[SYM_MAX_CHAIN];
	uint64_t h = sym_hash_key(module, offset, is_return);
	uint32_t e = hindex_find(&entries_index, h, sym_key_eq, &k);
	unsigned n;

	if (e != HINDEX_NONE)
		return &entries[e];
	n = sym_resolve(sym_module_get(module), offset, is_return, tmp);
	while (pool_count + n > pool_cap) {
		pool_cap = pool_cap ? pool_cap * 2 : 1024;
		pool = xreallocarray(pool, pool_cap, sizeof *pool);
	}
	for (unsigned i = 0; i < n; i++) {
		pool[pool_count + i] = (struct sym_frame){
			strpool_intern(&strs, tmp[i].function),
			strpool_intern(&strs, tmp[i].file), tmp[i].line,
			tmp[i].inlined
		};
	}
	entries = xgrow(entries, entries_count, sizeof *entries);
	entries[entries_count] = (struct sym_entry){ offset, module, pool_count,
	    n, is_return };
	pool_count += n;
	hindex_add(&entries_index, h, entries_count);
	return &entries[entries_count++];
}

/*
 * When max is short, the innermost inline frames are kept and the real
 * function stays last: its name is the one the ELF symbol table agrees on.
 */
unsigned
symbolize_frame(const struct frame *f, bool is_return,
    struct sym_frame *out, unsigned max)
{
	const struct sym_entry *e;
	const struct sym_frame *src;
	unsigned n;

	if (max == 0)
		return 0;
	if (f->module == 0 || module_path(f->module) == NULL) {
		out[0] = (struct sym_frame){ NULL, NULL, 0, false };
		return 1;
	}
	e = sym_lookup(f->module, f->offset, is_return);
	src = &pool[e->first];
	n = e->n;
	if (n <= max) {
		memcpy(out, src, n * sizeof *out);
		return n;
	}
	memcpy(out, src, (max - 1) * sizeof *out);
	out[max - 1] = src[n - 1];
	return max;
}

void
symbolize_libc_lines(bool on)
{
	libc_lines = on;
}

void
symbolize_cleanup(void)
{
	for (size_t i = 0; i < mods_cap; i++) {
		if (mods[i].dwfl != NULL)
			dwfl_end(mods[i].dwfl);
		free(mods[i].loads);
		free(mods[i].syms);
		free(mods[i].max_end);
		for (size_t j = 0; j < mods[i].ncus; j++)
			free(mods[i].cus[j].ranges);
		free(mods[i].cus);
		free(mods[i].units);
	}
	free(mods);
	mods = NULL;
	mods_cap = 0;

	free(entries);
	entries = NULL;
	entries_count = 0;
	hindex_free(&entries_index);
	free(pool);
	pool = NULL;
	pool_count = pool_cap = 0;

	strpool_free(&strs);
}

const char *
symbolize_backend(void)
{
	static char buf[64];

	snprintf(buf, sizeof buf, "elfutils libdw %s", dwfl_version(NULL));
	return buf;
}
