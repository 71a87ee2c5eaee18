// SPDX-License-Identifier: MIT
/*
 * unwind.c - program counters of a stopped thread, on the hot path of
 * every fd-creating syscall.
 *
 * libunwind does the DWARF work, but through our own remote accessors
 * instead of libunwind-ptrace's, which re-read /proc/PID/maps, re-open
 * every ELF and PTRACE_PEEKDATA one word at a time (about 0.5 ms a stack).
 * Here a capture costs one process_vm_readv of the stack, and every other
 * word libunwind asks for comes from memory we already hold:
 *
 *  - the stack snapshot, read from rsp upward at the start of a capture;
 *  - read-only file mappings (.eh_frame_hdr, .eh_frame, code bytes),
 *    served from one read-only mmap per ELF file, shared by all traced
 *    processes (module cache, keyed by module id);
 *  - "images": copies of the segment holding .eh_frame_hdr for modules
 *    whose file we cannot trust or open ([vdso], "(deleted)" files, a
 *    file whose inode differs from the one mapped, e.g. in a container),
 *    read from the tracee once per process;
 *  - anything else through a few pages cached for one capture.
 *
 * find_proc_info builds one unw_dyn_info_t (REMOTE_TABLE over the
 * binary-search table of .eh_frame_hdr) per text segment and process, and
 * hands the lookup to libunwind's own dwarf_search_unwind_table. A module
 * without .eh_frame_hdr gets no unwind info; libunwind then falls back to
 * its frame-pointer heuristics for that frame. .debug_frame is not used.
 *
 * Every address comes from the tracee and may be garbage: each access is
 * bounds-checked, a failed read is an error returned to libunwind, never
 * a crash, and the frame count is bounded by max.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libunwind.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arch.h"
#include "maps.h"
#include "stack.h"
#include "unwind.h"
#include "util.h"

/*
 * Exported by libunwind-x86_64.so.8 (1.6) but not declared by its public
 * headers: the REMOTE_TABLE search that _UPT_find_proc_info also uses.
 */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
    unw_word_t ip, unw_dyn_info_t *di, unw_proc_info_t *pi,
    int need_unwind_info, void *arg);

#define UW_PAGE		4096ULL
#define UW_PAGE_MASK	(UW_PAGE - 1)
/* Stack bytes read per capture; -D overridable for the benchmark. */
#ifndef UNWIND_SNAP_SIZE
#define UNWIND_SNAP_SIZE ((size_t)16 * 1024)
#endif
#define SNAP_SIZE	UNWIND_SNAP_SIZE
/*
 * libunwind's per-address-space cache. PER_THREAD would be one
 * thread-local cache shared by every traced process (and Debian's build
 * silently makes it GLOBAL anyway); NONE re-parses CFI on every frame.
 */
#ifndef UNWIND_CACHING
#define UNWIND_CACHING	UNW_CACHE_GLOBAL
#endif
#define SNAP_BELOW	128u		/* the red zone below rsp */
#define SNAP_IOVS	(SNAP_SIZE / UW_PAGE + 2)
#define NPAGES		8		/* per-capture page cache */
#define NREGIONS	8		/* recently used memory regions */
#define IMAGE_MAX	(64u << 20)	/* largest segment copied from a tracee */
#define PHDR_MAX	128

/* .eh_frame_hdr pointer encodings (DWARF DW_EH_PE_*). */
#define EH_PE_omit	0xff
#define EH_PE_absptr	0x00
#define EH_PE_udata2	0x02
#define EH_PE_udata4	0x03
#define EH_PE_udata8	0x04
#define EH_PE_sdata2	0x0a
#define EH_PE_sdata4	0x0b
#define EH_PE_sdata8	0x0c
#define EH_PE_datarel	0x30

/* A PT_LOAD program header. */
struct seg {
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags;
};

/* One ELF file, opened once for all processes; indexed by module id. */
struct elfmod {
	int state;		/* 0 not tried, 1 usable, -1 unusable */
	Elf *elf;
	const uint8_t *image;	/* the whole file, read-only */
	size_t size;
	uint64_t ino;
	struct seg *segs;
	unsigned nsegs;
	bool table;		/* has a usable .eh_frame_hdr table */
	uint64_t hdr_vaddr;	/* .eh_frame_hdr */
	uint64_t table_vaddr;	/* its binary-search table */
	uint64_t fde_count;
};

static struct elfmod *mods;
static size_t mods_cap;
static unsigned mods_epoch;	/* bumped by unwind_cleanup */

/* Tracee addresses [lo, hi) readable at data. */
struct region {
	uint64_t lo, hi;
	const uint8_t *data;
};

/* Unwind info for the text range [lo, hi) of one process; ok = has some. */
struct range {
	uint64_t lo, hi;
	bool ok;
	unw_dyn_info_t di;
};

/* A segment copied from the tracee. */
struct image {
	uint64_t lo, hi;
	uint8_t *buf;
};

struct page {
	uint64_t addr;
	unsigned serial;	/* valid for the capture with this serial */
	bool ok;
	uint8_t *data;
};

struct unwinder {
	pid_t pid;
	pid_t tid;		/* thread being captured */
	unw_addr_space_t as;
	struct maps *maps;
	unsigned gen;		/* maps_generation our caches match */
	unsigned epoch;		/* mods_epoch our regions match */
	bool flush_pending;	/* libunwind's cache must be flushed */

	/* The capture begun by unwind_begin(). */
	struct arch_regs regs;	/* of the thread being unwound */
	bool runs_on;		/* the thread runs on: the snapshot alone is read */

	uint8_t *snap;		/* stack snapshot */
	uint64_t snap_lo;
	size_t snap_len;

	struct region regions[NREGIONS];
	unsigned nregions, region_next;

	struct range *ranges;	/* sorted by lo, not overlapping */
	size_t nranges, ranges_cap;

	struct image *images;
	size_t nimages;

	struct page pages[NPAGES];
	uint8_t *pagebuf;
	unsigned serial;
};

#ifndef UNWIND_NO_SIGMASK_SKIP
/*
 * libunwind 1.6 as Debian builds it (--enable-block-signals) blocks all
 * signals around every access to its caches and memory pool: two
 * rt_sigprocmask system calls per frame, most of a capture's cost (a
 * 30-frame capture took 27 us with them, 8 us without, on our VMs). The
 * tracer never unwinds in a signal handler, so for the length of a
 * capture the mask need not change. This definition interposes on libc's
 * sigprocmask for the whole program (libunwind calls it through its PLT)
 * and skips the system call only while unwind_capture runs on this
 * thread; everyone else gets the real thing. Build with
 * -DUNWIND_NO_SIGMASK_SKIP to do without.
 */
static __thread bool in_capture;

int
sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int e;

	if (in_capture) {
		/* libunwind only hands *old back to us, to restore. */
		if (old != NULL)
			sigemptyset(old);
		return 0;
	}
	if ((e = pthread_sigmask(how, set, old)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}
#define CAPTURE_BEGIN()	(in_capture = true)
#define CAPTURE_END()	(in_capture = false)
#else
#define CAPTURE_BEGIN()	((void)0)
#define CAPTURE_END()	((void)0)
#endif

static ssize_t
vm_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

/* Bytes taken by a fixed-size encoded value; -1 if not fixed-size. */
static int
eh_pe_size(uint8_t enc)
{
	if (enc == EH_PE_omit)
		return 0;
	switch (enc & 0x0f) {
	case EH_PE_absptr:
	case EH_PE_udata8:
	case EH_PE_sdata8:
		return 8;
	case EH_PE_udata4:
	case EH_PE_sdata4:
		return 4;
	case EH_PE_udata2:
	case EH_PE_sdata2:
		return 2;
	default:
		return -1;
	}
}

/*
 * Parse an .eh_frame_hdr of avail bytes: the offset of its search table
 * and the number of entries. -1 unless it has the sorted table of
 * datarel|sdata4 pairs that dwarf_search_unwind_table expects.
 */
static int
eh_hdr_parse(const uint8_t *p, uint64_t avail, uint64_t *table_off,
    uint64_t *count)
{
	uint64_t off = 4, n = 0;
	int sz;

	if (avail < 4 || p[0] != 1 ||
	    p[3] != (EH_PE_datarel | EH_PE_sdata4))
		return -1;
	if ((sz = eh_pe_size(p[1])) < 0)
		return -1;
	off += (uint64_t)sz;
	/* The count is a plain number: no pc- or data-relative bits. */
	if ((p[2] & 0x70) != 0 || (sz = eh_pe_size(p[2])) <= 0 ||
	    off + (uint64_t)sz > avail)
		return -1;
	if (sz == 2) {
		uint16_t v;

		memcpy(&v, p + off, 2);
		n = v;
	} else if (sz == 4) {
		uint32_t v;

		memcpy(&v, p + off, 4);
		n = v;
	} else
		memcpy(&n, p + off, 8);
	off += (uint64_t)sz;
	if (n == 0 || n > (avail - off) / 8)
		return -1;
	*table_off = off;
	*count = n;
	return 0;
}

static void
elfmod_load(struct elfmod *mod, uint32_t id)
{
	static bool elf_ready;
	const char *path = module_path(id);
	GElf_Ehdr ehdr;
	struct stat st;
	size_t phnum;
	int fd;

	mod->state = -1;
	/* Pseudo-paths ([vdso]) are read from the tracee instead. */
	if (path == NULL || path[0] != '/')
		return;
	if (!elf_ready) {
		if (elf_version(EV_CURRENT) == EV_NONE)
			return;
		elf_ready = true;
	}
	/* O_NONBLOCK: the name may now be a FIFO; only regular files pass. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (mod->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) == NULL) {
		close(fd);
		return;
	}
	/* Everything in memory now, so the descriptor can go. */
	if (elf_kind(mod->elf) != ELF_K_ELF ||
	    elf_cntl(mod->elf, ELF_C_FDREAD) != 0 ||
	    (mod->image = (const uint8_t *)elf_rawfile(mod->elf,
	    &mod->size)) == NULL) {
		close(fd);
		goto fail;
	}
	elf_cntl(mod->elf, ELF_C_FDDONE);
	close(fd);
	mod->ino = st.st_ino;

	if (gelf_getehdr(mod->elf, &ehdr) == NULL ||
	    ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
	    ehdr.e_machine != EM_X86_64 ||
	    (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) ||
	    elf_getphdrnum(mod->elf, &phnum) != 0 || phnum > PHDR_MAX)
		goto fail;
	mod->segs = xcalloc(phnum ? phnum : 1, sizeof *mod->segs);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(mod->elf, (int)i, &ph) == NULL)
			goto fail;
		if (ph.p_offset > mod->size ||
		    ph.p_filesz > mod->size - ph.p_offset)
			continue;	/* truncated file: ignore the segment */
		if (ph.p_type == PT_LOAD) {
			mod->segs[mod->nsegs++] = (struct seg){ ph.p_offset,
			    ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_flags };
		} else if (ph.p_type == PT_GNU_EH_FRAME) {
			uint64_t off, n;

			if (eh_hdr_parse(mod->image + ph.p_offset, ph.p_filesz,
			    &off, &n) == 0) {
				mod->table = true;
				mod->hdr_vaddr = ph.p_vaddr;
				mod->table_vaddr = ph.p_vaddr + off;
				mod->fde_count = n;
			}
		}
	}
	mod->state = 1;
	return;
fail:
	free(mod->segs);
	mod->segs = NULL;
	mod->nsegs = 0;
	elf_end(mod->elf);
	mod->elf = NULL;
	mod->image = NULL;
	mod->state = -1;
}

/* The module's ELF file, opened on first use; NULL if unusable. */
static struct elfmod *
elfmod_get(uint32_t id)
{
	if (id == 0)
		return NULL;
	if (id >= mods_cap)	/* a new module: not on every frame */
		mods = xgrow_index(mods, &mods_cap, id, sizeof *mods);
	if (mods[id].state == 0)
		elfmod_load(&mods[id], id);
	return mods[id].state == 1 ? &mods[id] : NULL;
}

/*
 * The PT_LOAD that a mapping at file offset off maps; with want_exec,
 * an executable one is preferred (segments may share a file page).
 */
static const struct seg *
seg_at(const struct seg *segs, unsigned n, uint64_t off, bool want_exec)
{
	const struct seg *any = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct seg *s = &segs[i];

		if (off < (s->offset & ~UW_PAGE_MASK) ||
		    off >= s->offset + s->filesz)
			continue;
		if (!want_exec || (s->flags & PF_X))
			return s;
		if (any == NULL)
			any = s;
	}
	return any;
}

/* Drop what is cached about the tracee's address space. */
static void
drop_process_caches(struct unwinder *u)
{
	for (size_t i = 0; i < u->nimages; i++)
		free(u->images[i].buf);
	free(u->images);
	u->images = NULL;
	u->nimages = 0;
	u->nranges = 0;
	u->nregions = u->region_next = 0;
	u->flush_pending = true;
}

/* Caches keyed by address are stale once the file mappings changed. */
static void
check_generation(struct unwinder *u)
{
	unsigned g = maps_generation(u->maps);

	if (g != u->gen || u->epoch != mods_epoch) {
		drop_process_caches(u);
		u->gen = g;
		u->epoch = mods_epoch;
	}
}

static const struct region *
region_add(struct unwinder *u, uint64_t lo, uint64_t hi, const uint8_t *data)
{
	struct region *r = &u->regions[u->region_next];

	*r = (struct region){ lo, hi, data };
	u->region_next = (u->region_next + 1) % NREGIONS;
	if (u->nregions < NREGIONS)
		u->nregions++;
	return r;
}

/*
 * Find or make a region holding addr: an image, or a read-only file
 * mapping whose bytes are those of the file (not writable, not in a
 * writable segment such as RELRO, not deleted, same inode).
 */
static const struct region *
region_find(struct unwinder *u, uint64_t addr)
{
	const struct mapping *mp;
	const struct elfmod *mod;
	const struct seg *s;
	uint64_t hi;

	for (unsigned i = 0; i < u->nregions; i++) {
		const struct region *r = &u->regions[i];

		if (addr >= r->lo && addr < r->hi)
			return r;
	}
	for (size_t i = 0; i < u->nimages; i++) {
		const struct image *im = &u->images[i];

		if (addr >= im->lo && addr < im->hi)
			return region_add(u, im->lo, im->hi, im->buf);
	}
	mp = maps_lookup(u->maps, addr);
	check_generation(u);
	if (mp == NULL || mp->module == 0 || mp->write || mp->deleted)
		return NULL;
	if ((mod = elfmod_get(mp->module)) == NULL ||
	    (mp->inode != 0 && mp->inode != mod->ino))
		return NULL;
	s = seg_at(mod->segs, mod->nsegs, mp->offset, mp->exec);
	if (s == NULL || (s->flags & PF_W))
		return NULL;
	hi = s->offset + s->filesz - mp->offset;
	hi = hi < mp->end - mp->start ? mp->start + hi : mp->end;
	if (addr >= hi)
		return NULL;
	return region_add(u, mp->start, hi, mod->image + mp->offset);
}

/* Read through the per-capture page cache. */
static int
page_read(struct unwinder *u, uint64_t addr, unw_word_t *val)
{
	uint64_t pg = addr & ~UW_PAGE_MASK;
	struct page *p = &u->pages[(pg / UW_PAGE) % NPAGES];

	/* The thread runs on: what lies beyond the snapshot may be gone. */
	if (u->runs_on)
		return -UNW_EINVAL;
	if (addr - pg > UW_PAGE - sizeof *val) {
		/* Straddles two pages: never for the aligned words asked. */
		if (vm_read(u->tid, addr, val, sizeof *val) != sizeof *val)
			return -UNW_EINVAL;
		return 0;
	}
	if (p->serial != u->serial || p->addr != pg) {
		p->addr = pg;
		p->serial = u->serial;
		p->ok = vm_read(u->tid, pg, p->data, UW_PAGE) == UW_PAGE;
	}
	if (!p->ok)
		return -UNW_EINVAL;
	memcpy(val, p->data + (addr - pg), sizeof *val);
	return 0;
}

static int
uw_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
    int write, void *arg)
{
	struct unwinder *u = arg;
	const struct region *r;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (addr >= u->snap_lo && addr - u->snap_lo <= u->snap_len &&
	    u->snap_len - (addr - u->snap_lo) >= sizeof *val) {
		memcpy(val, u->snap + (addr - u->snap_lo), sizeof *val);
		return 0;
	}
	check_generation(u);
	if ((r = region_find(u, addr)) != NULL &&
	    r->hi - addr >= sizeof *val) {
		memcpy(val, r->data + (addr - r->lo), sizeof *val);
		return 0;
	}
	return page_read(u, addr, val);
}

static int
uw_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
    int write, void *arg)
{
	const struct unwinder *u = arg;
	uint64_t v;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	if (arch_unw_reg(&u->regs, (int)reg, &v) < 0)
		return -UNW_EBADREG;
	*val = v;
	return 0;
}

static int
uw_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
    int write, void *arg)
{
	(void)as, (void)reg, (void)val, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int
uw_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static int
uw_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as, (void)addr, (void)arg;
	return -UNW_ENOINFO;
}

static int
uw_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
    unw_word_t *off, void *arg)
{
	(void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_ENOINFO;
}

/*
 * Nothing to release. dwarf_search_unwind_table takes pi->unwind_info
 * from libunwind's own pool, and libunwind returns it there itself
 * (dwarf/Gparser.c put_unwind_info); this callback is only reached for
 * dynamically registered info (pi_is_dynamic), which cannot happen while
 * get_dyn_info_list_addr says there is none. free() here would corrupt
 * the heap, which is what _UPT_put_unwind_info would do were it called.
 */
static void
uw_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)pi, (void)arg;
}

/* The range holding ip, by binary search; NULL if none. */
static struct range *
range_find(struct unwinder *u, uint64_t ip)
{
	size_t lo = 0, hi = u->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct range *r = &u->ranges[mid];

		if (ip < r->lo)
			hi = mid;
		else if (ip >= r->hi)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static struct range *
range_add(struct unwinder *u, uint64_t lo, uint64_t hi,
    const unw_dyn_info_t *di)
{
	size_t i;

	if (lo >= hi)
		return NULL;
	/* Keep the array sorted and disjoint: refuse an overlap. */
	for (i = 0; i < u->nranges && u->ranges[i].lo < lo; i++)
		;
	if ((i > 0 && u->ranges[i - 1].hi > lo) ||
	    (i < u->nranges && u->ranges[i].lo < hi))
		return NULL;
	if (u->nranges == u->ranges_cap) {
		u->ranges_cap = u->ranges_cap ? u->ranges_cap * 2 : 32;
		u->ranges = xreallocarray(u->ranges, u->ranges_cap,
		    sizeof *u->ranges);
	}
	memmove(&u->ranges[i + 1], &u->ranges[i],
	    (u->nranges - i) * sizeof *u->ranges);
	u->nranges++;
	u->ranges[i].lo = lo;
	u->ranges[i].hi = hi;
	u->ranges[i].ok = di != NULL;
	if (di != NULL)
		u->ranges[i].di = *di;
	return &u->ranges[i];
}

/* The REMOTE_TABLE for a module loaded with bias l. */
static void
make_di(unw_dyn_info_t *di, uint64_t lo, uint64_t hi, uint64_t l,
    uint64_t hdr_vaddr, uint64_t table_vaddr, uint64_t count)
{
	memset(di, 0, sizeof *di);
	di->start_ip = lo;
	di->end_ip = hi;
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di->u.rti.name_ptr = 0;
	/* "datarel" in the table is relative to .eh_frame_hdr itself. */
	di->u.rti.segbase = l + hdr_vaddr;
	di->u.rti.table_data = l + table_vaddr;
	/* Counted in words; an entry is two int32s. */
	di->u.rti.table_len = count * 8 / sizeof(unw_word_t);
}

/* The copy of tracee bytes [lo, lo + size), made once; NULL if unreadable. */
static const struct image *
image_get(struct unwinder *u, uint64_t lo, uint64_t size)
{
	struct image *im;
	uint8_t *buf;

	for (size_t i = 0; i < u->nimages; i++) {
		if (u->images[i].lo == lo && u->images[i].hi - lo == size)
			return &u->images[i];
	}
	if (size == 0 || size > IMAGE_MAX)
		return NULL;
	buf = xmalloc(size);
	if (vm_read(u->tid, lo, buf, size) != (ssize_t)size) {
		free(buf);
		return NULL;
	}
	u->images = xreallocarray(u->images, u->nimages + 1,
	    sizeof *u->images);
	im = &u->images[u->nimages++];
	im->lo = lo;
	im->hi = lo + size;
	im->buf = buf;
	return im;
}

/*
 * Unwind info of a module whose file is not usable, from the tracee's
 * memory: the ELF header at base (file offset 0), its program headers,
 * then the whole segment that holds .eh_frame_hdr (and, normally,
 * .eh_frame) copied once.
 */
static struct range *
range_from_memory(struct unwinder *u, const struct mapping *mp,
    const struct mapping *base, uint64_t ip)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PHDR_MAX];
	const Elf64_Phdr *text = NULL, *hdr = NULL, *holder = NULL;
	uint64_t l = 0, lo, hi, off, toff, n;
	bool have_l = false;
	const struct image *im;
	unw_dyn_info_t di;
	size_t phsize;

	if (base == NULL ||
	    vm_read(u->tid, base->start, &eh, sizeof eh) != sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > PHDR_MAX)
		goto none;
	phsize = eh.e_phnum * sizeof(Elf64_Phdr);
	if (eh.e_phoff > base->end - base->start ||
	    phsize > base->end - base->start - eh.e_phoff ||
	    vm_read(u->tid, base->start + eh.e_phoff, ph, phsize) !=
	    (ssize_t)phsize)
		goto none;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_l &&
		    (ph[i].p_offset & ~UW_PAGE_MASK) == 0) {
			l = base->start + ph[i].p_offset - ph[i].p_vaddr;
			have_l = true;
		} else if (ph[i].p_type == PT_GNU_EH_FRAME)
			hdr = &ph[i];
	}
	if (!have_l)
		goto none;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if ((ph[i].p_flags & PF_X) && ip - l >= ph[i].p_vaddr &&
		    ip - l - ph[i].p_vaddr < ph[i].p_memsz)
			text = &ph[i];
		if (hdr != NULL && hdr->p_vaddr >= ph[i].p_vaddr &&
		    hdr->p_vaddr - ph[i].p_vaddr < ph[i].p_filesz)
			holder = &ph[i];
	}
	if (text == NULL)
		goto none;
	lo = l + text->p_vaddr;
	hi = lo + text->p_memsz;
	if (hdr == NULL || holder == NULL)
		return range_add(u, lo, hi, NULL);

	if ((im = image_get(u, l + holder->p_vaddr, holder->p_filesz)) == NULL)
		return range_add(u, lo, hi, NULL);
	off = hdr->p_vaddr - holder->p_vaddr;
	if (eh_hdr_parse(im->buf + off, holder->p_filesz - off, &toff, &n) != 0)
		return range_add(u, lo, hi, NULL);
	make_di(&di, lo, hi, l, hdr->p_vaddr, hdr->p_vaddr + toff, n);
	return range_add(u, lo, hi, &di);
none:
	return range_add(u, mp->start, mp->end, NULL);
}

/* Build (and cache) the unwind info covering ip. */
static struct range *
range_build(struct unwinder *u, uint64_t ip)
{
	const struct mapping *found, *b;
	struct mapping mp, base;
	const struct elfmod *mod;
	const struct seg *s;
	unw_dyn_info_t di;
	uint64_t l, lo, hi;

	if ((found = maps_find(u->maps, ip)) == NULL)
		return NULL;
	mp = *found;
	b = maps_file_base(u->maps, found);
	if (b != NULL)
		base = *b;
	check_generation(u);
	if (mp.module == 0 || !mp.exec)
		return range_add(u, mp.start, mp.end, NULL);
	mod = elfmod_get(mp.module);
	if (mod == NULL || mp.deleted || (mp.inode != 0 && mp.inode != mod->ino))
		return range_from_memory(u, &mp, b != NULL ? &base : NULL, ip);

	if ((s = seg_at(mod->segs, mod->nsegs, mp.offset, true)) == NULL)
		return range_add(u, mp.start, mp.end, NULL);
	/* The load bias: where vaddr 0 of the file is in this process. */
	l = mp.start - mp.offset + s->offset - s->vaddr;
	lo = l + s->vaddr;
	hi = lo + s->memsz;
	if (ip < lo || ip >= hi)
		return NULL;
	if (!mod->table)
		return range_add(u, lo, hi, NULL);
	make_di(&di, lo, hi, l, mod->hdr_vaddr, mod->table_vaddr,
	    mod->fde_count);
	return range_add(u, lo, hi, &di);
}

static int
uw_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
    int need_unwind_info, void *arg)
{
	struct unwinder *u = arg;
	struct range *r;

	check_generation(u);
	if ((r = range_find(u, ip)) == NULL && (r = range_build(u, ip)) == NULL)
		return -UNW_ENOINFO;
	if (!r->ok)
		return -UNW_ENOINFO;
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &r->di, pi,
	    need_unwind_info, arg);
}

static unw_accessors_t accessors = {
	.find_proc_info = uw_find_proc_info,
	.put_unwind_info = uw_put_unwind_info,
	.get_dyn_info_list_addr = uw_get_dyn_info_list_addr,
	.access_mem = uw_access_mem,
	.access_reg = uw_access_reg,
	.access_fpreg = uw_access_fpreg,
	.resume = uw_resume,
	.get_proc_name = uw_get_proc_name,
};

struct unwinder *
unwind_new(pid_t pid)
{
	struct unwinder *u = xcalloc(1, sizeof *u);

	u->pid = pid;
	u->as = unw_create_addr_space(&accessors, 0);
	if (u->as == NULL) {
		free(u);
		return NULL;
	}
	unw_set_caching_policy(u->as, UNWIND_CACHING);
	u->maps = maps_new(pid);
	u->snap = xmalloc(SNAP_SIZE);
	u->pagebuf = xmalloc(NPAGES * UW_PAGE);
	for (unsigned i = 0; i < NPAGES; i++)
		u->pages[i].data = u->pagebuf + i * UW_PAGE;
	return u;
}

void
unwind_free(struct unwinder *u)
{
	if (u == NULL)
		return;
	drop_process_caches(u);
	unw_destroy_addr_space(u->as);
	maps_free(u->maps);
	free(u->ranges);
	free(u->snap);
	free(u->pagebuf);
	free(u);
}

void
unwind_exec(struct unwinder *u)
{
	maps_invalidate(u->maps);
	drop_process_caches(u);
	u->gen = maps_generation(u->maps);
	unw_flush_cache(u->as, 0, 0);
	u->flush_pending = false;
}

/*
 * Read the stack from just below rsp upward, one page per remote iovec:
 * a read running off the end of the stack still returns the pages before.
 */
static void
snapshot(struct unwinder *u, uint64_t rsp)
{
	struct iovec local = { u->snap, SNAP_SIZE };
	struct iovec remote[SNAP_IOVS];
	uint64_t lo = rsp > SNAP_BELOW ? (rsp - SNAP_BELOW) & ~7ULL : 0;
	uint64_t a = lo, end;
	unsigned n = 0;
	ssize_t r;

	end = lo > UINT64_MAX - SNAP_SIZE ? UINT64_MAX : lo + SNAP_SIZE;
	while (a < end && n < SNAP_IOVS) {
		uint64_t next = (a & ~UW_PAGE_MASK) + UW_PAGE;

		if (next > end || next == 0)
			next = end;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = next - a;
		n++;
		a = next;
	}
	r = process_vm_readv(u->tid, &local, 1, remote, n, 0);
	u->snap_lo = lo;
	u->snap_len = r > 0 ? (size_t)r : 0;
}

static struct frame
frame_at(struct unwinder *u, uint64_t pc)
{
	const struct mapping *mp = maps_find(u->maps, pc);
	struct frame f = { .pc = pc, .offset = pc, .module = 0 };

	if (mp != NULL) {
		f.module = mp->module;
		f.offset = pc - mp->start + mp->offset;
	}
	return f;
}

void
unwind_begin(struct unwinder *u, pid_t tid, const struct arch_regs *regs,
    bool runs_on)
{
	u->tid = tid;
	maps_set_tid(u->maps, tid);
	maps_tick(u->maps);
	u->regs = *regs;
	u->snap_len = 0;
	u->runs_on = runs_on;
	if (runs_on)
		snapshot(u, arch_sp(regs));
}

unsigned
unwind_frames(struct unwinder *u, struct frame *out, unsigned max)
{
	const struct arch_regs *regs = &u->regs;
	unw_cursor_t c;
	unw_word_t pc, sp, prev_pc, prev_sp;
	unsigned n = 0;

	if (max == 0)
		goto done;
	out[0] = frame_at(u, arch_pc(regs));
	n = 1;
	if (max == 1)
		goto done;

	check_generation(u);
	if (u->flush_pending) {
		unw_flush_cache(u->as, 0, 0);
		u->flush_pending = false;
	}
	if (++u->serial == 0) {
		for (unsigned i = 0; i < NPAGES; i++)
			u->pages[i].serial = 0;
		u->serial = 1;
	}
	if (!u->runs_on)
		snapshot(u, arch_sp(regs));
	CAPTURE_BEGIN();
	if (unw_init_remote(&c, u->as, u) < 0)
		goto out;
	prev_pc = arch_pc(regs);
	prev_sp = arch_sp(regs);
	while (n < max && unw_step(&c) > 0) {
		if (unw_get_reg(&c, UNW_REG_IP, &pc) < 0 ||
		    unw_get_reg(&c, UNW_REG_SP, &sp) < 0 || pc == 0)
			break;
		if (pc == prev_pc && sp == prev_sp)
			break;
		out[n++] = frame_at(u, pc);
		prev_pc = pc;
		prev_sp = sp;
	}
out:
	CAPTURE_END();
done:
	u->snap_len = 0;
	u->runs_on = false;
	return n;
}

unsigned
unwind_capture(struct unwinder *u, pid_t tid, const struct arch_regs *regs,
    struct frame *out, unsigned max)
{
	unwind_begin(u, tid, regs, false);
	return unwind_frames(u, out, max);
}

void
unwind_cleanup(void)
{
	for (size_t i = 0; i < mods_cap; i++) {
		free(mods[i].segs);
		if (mods[i].elf != NULL)
			elf_end(mods[i].elf);
	}
	free(mods);
	mods = NULL;
	mods_cap = 0;
	mods_epoch++;
}

const char *
unwind_backend(void)
{
#define UNW_STR2(x) #x
#define UNW_STR(x) UNW_STR2(x)
	return "libunwind " UNW_STR(UNW_VERSION_MAJOR) "." UNW_STR(UNW_VERSION_MINOR)
	    "." UNW_STR(UNW_VERSION_EXTRA) " (remote, own accessors, cached "
	    ".eh_frame_hdr tables)";
#undef UNW_STR
#undef UNW_STR2
}
