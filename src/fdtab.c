// SPDX-License-Identifier: MIT
/*
 * fdtab.c - the fd model: an open-addressing hash table fd -> record per
 * kernel fd table. Hashing rather than an array indexed by fd keeps a
 * process with one fd at 1 000 000 as cheap as one with fd 3.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fdevent.h"
#include "fdtab.h"
#include "util.h"

#define EMPTY	(-1)

struct fdtab {
	struct fd_record *slot;	/* size a power of two; slot[i].fd == EMPTY if free */
	size_t size;
	size_t count;
	unsigned users;
	struct fdtab *closed;	/* fd -> the close that closed it (record.stack), for double closes */
};

/* Creation order across all tables, for reports that sort by age. */
static uint64_t next_serial = 1;

/*
 * Knuth's multiplicative hash, not hash.h's hash_int: fds are dense, and
 * multiplying by an odd number maps a run of fds to distinct slots, where
 * a mixing hash clusters them (measured: 5 000 open fds cost 50% more per
 * operation with hash_int).
 */
static size_t
home(const struct fdtab *t, int fd)
{
	uint32_t h = (uint32_t)fd * 2654435761u;

	return h & (t->size - 1);
}

static void
alloc_slots(struct fdtab *t, size_t size)
{
	t->slot = xmalloc(size * sizeof *t->slot);
	for (size_t i = 0; i < size; i++)
		t->slot[i].fd = EMPTY;
	t->size = size;
}

struct fdtab *
fdtab_new(void)
{
	struct fdtab *t = xcalloc(1, sizeof *t);

	alloc_slots(t, 16);
	t->users = 1;
	return t;
}

struct fdtab *
fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = xcalloc(1, sizeof *t);

	t->slot = xmalloc(src->size * sizeof *t->slot);
	memcpy(t->slot, src->slot, src->size * sizeof *t->slot);
	t->size = src->size;
	t->count = src->count;
	t->users = 1;
	t->closed = src->closed != NULL ? fdtab_copy(src->closed) : NULL;
	return t;
}

struct fdtab *
fdtab_fork(const struct fdtab *src)
{
	struct fdtab *t = fdtab_copy(src);
	struct fd_record *r;
	size_t pos = 0;

	if (t->closed != NULL) {
		while ((r = fdtab_next(t->closed, &pos)) != NULL)
			r->flags |= FDREC_CLOSED_IN_PARENT;
	}
	return t;
}

struct fdtab *
fdtab_ref(struct fdtab *t)
{
	t->users++;
	return t;
}

void
fdtab_unref(struct fdtab *t)
{
	if (t == NULL || --t->users > 0)
		return;
	fdtab_unref(t->closed);
	free(t->slot);
	free(t);
}

unsigned
fdtab_users(const struct fdtab *t)
{
	return t->users;
}

static size_t
find(const struct fdtab *t, int fd)
{
	size_t i = home(t, fd);

	while (t->slot[i].fd != EMPTY && t->slot[i].fd != fd)
		i = (i + 1) & (t->size - 1);
	return i;
}

static void
grow(struct fdtab *t)
{
	struct fd_record *old = t->slot;
	size_t old_size = t->size;

	alloc_slots(t, old_size * 2);
	for (size_t i = 0; i < old_size; i++) {
		if (old[i].fd != EMPTY)
			t->slot[find(t, old[i].fd)] = old[i];
	}
	free(old);
}

void
fdtab_add(struct fdtab *t, const struct fd_record *rec)
{
	size_t i;

	if ((t->count + 1) * 4 > t->size * 3)
		grow(t);
	i = find(t, rec->fd);
	if (t->slot[i].fd == EMPTY)
		t->count++;
	t->slot[i] = *rec;
}

struct fd_record *
fdtab_lookup(struct fdtab *t, int fd)
{
	size_t i;

	if (fd < 0)
		return NULL;
	i = find(t, fd);
	return t->slot[i].fd == EMPTY ? NULL : &t->slot[i];
}

/* Remove slot i, shifting later members of its cluster back (no tombstones). */
static void
remove_slot(struct fdtab *t, size_t i)
{
	size_t j = i, mask = t->size - 1;

	for (;;) {
		size_t k;

		t->slot[i].fd = EMPTY;
		do {
			j = (j + 1) & mask;
			if (t->slot[j].fd == EMPTY) {
				t->count--;
				return;
			}
			k = home(t, t->slot[j].fd);
			/* Stay if home k lies cyclically in (i, j]. */
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		t->slot[i] = t->slot[j];
		i = j;
	}
}

bool
fdtab_close(struct fdtab *t, int fd)
{
	size_t i;

	if (fd < 0)
		return false;
	i = find(t, fd);
	if (t->slot[i].fd == EMPTY)
		return false;
	remove_slot(t, i);
	return true;
}

/*
 * The fds of t in [lo, hi], malloc'd (NULL when none), their number in *n:
 * a small range is probed fd by fd, a large one found by scanning the slots.
 */
static int *
fds_in_range(struct fdtab *t, unsigned lo, unsigned hi, size_t *n)
{
	int *fds = NULL;
	size_t pos = 0;
	struct fd_record *r;

	*n = 0;
	if (lo > hi)
		return NULL;
	if ((uint64_t)hi - lo < t->size) {
		for (uint64_t fd = lo; fd <= hi; fd++) {
			if (fdtab_lookup(t, (int)fd) != NULL) {
				fds = xgrow(fds, *n, sizeof *fds);
				fds[(*n)++] = (int)fd;
			}
		}
		return fds;
	}
	while ((r = fdtab_next(t, &pos)) != NULL) {
		if ((unsigned)r->fd >= lo && (unsigned)r->fd <= hi) {
			fds = xgrow(fds, *n, sizeof *fds);
			fds[(*n)++] = r->fd;
		}
	}
	return fds;
}

size_t
fdtab_close_range(struct fdtab *t, unsigned lo, unsigned hi)
{
	size_t n;
	int *fds = fds_in_range(t, lo, hi, &n);

	for (size_t i = 0; i < n; i++)
		fdtab_close(t, fds[i]);
	free(fds);
	return n;
}

void
fdtab_exec(struct fdtab *t, const int *open, size_t n, unsigned missing_flags)
{
	int *sorted = xmalloc((n ? n : 1) * sizeof *sorted);
	int *gone = xmalloc((t->count ? t->count : 1) * sizeof *gone);
	size_t ngone = 0;

	memcpy(sorted, open, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, int_cmp);
	for (size_t i = 0; i < t->size; i++) {
		struct fd_record *r = &t->slot[i];

		if (r->fd == EMPTY)
			continue;
		if (bsearch(&r->fd, sorted, n, sizeof *sorted, int_cmp) == NULL)
			gone[ngone++] = r->fd;
		else if (!(r->flags & FDREC_BASELINE))
			r->flags |= FDREC_ACROSS_EXEC;
	}
	for (size_t i = 0; i < ngone; i++)
		fdtab_close(t, gone[i]);
	fdtab_unref(t->closed);
	t->closed = NULL;
	for (size_t i = 0; i < n; i++) {
		if (fdtab_lookup(t, sorted[i]) == NULL) {
			struct fd_record rec = {
				.fd = sorted[i],
				.nr = -1,
				.flags = (uint8_t)missing_flags,
				.serial = next_serial++,
				.time_ns = now_ns(),
			};
			fdtab_add(t, &rec);
		}
	}
	free(sorted);
	free(gone);
}

void
fdtab_baseline(struct fdtab *t, const int *open, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fd_record rec = {
			.fd = open[i],
			.nr = -1,
			.flags = FDREC_BASELINE,
			.serial = next_serial++,
			.time_ns = now_ns(),
		};

		if (fdtab_lookup(t, open[i]) == NULL)
			fdtab_add(t, &rec);
	}
}

size_t
fdtab_count(const struct fdtab *t)
{
	return t->count;
}

struct fd_record *
fdtab_next(struct fdtab *t, size_t *pos)
{
	while (*pos < t->size) {
		struct fd_record *r = &t->slot[(*pos)++];

		if (r->fd != EMPTY)
			return r;
	}
	return NULL;
}

void
fdtab_forget_closed(struct fdtab *t, int fd)
{
	if (t->closed != NULL)
		fdtab_close(t->closed, fd);
}

void
fdtab_forget_all_closed(struct fdtab *t)
{
	if (t->closed != NULL)
		fdtab_close_range(t->closed, 0, UINT_MAX);
}

const struct fd_record *
fdtab_closed(struct fdtab *t, int fd)
{
	return t->closed != NULL ? fdtab_lookup(t->closed, fd) : NULL;
}

static int
record_fd_cmp(const void *a, const void *b)
{
	const struct fd_record *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

struct fd_record *
fdtab_closed_range(struct fdtab *t, unsigned lo, unsigned hi, size_t *n)
{
	struct fd_record *out = NULL, *r;
	size_t pos = 0;

	*n = 0;
	if (t->closed == NULL || lo > hi)
		return NULL;
	while ((r = fdtab_next(t->closed, &pos)) != NULL) {
		if ((unsigned)r->fd < lo || (unsigned)r->fd > hi)
			continue;
		out = xreallocarray(out, *n + 1, sizeof *out);
		out[(*n)++] = *r;
	}
	if (*n > 1)
		qsort(out, *n, sizeof *out, record_fd_cmp);
	return out;
}

/*
 * fd is closed: keep its record in the closed table, with the close's
 * stack, so that closing it again is known for a double close and can
 * name both where it was made and where it was closed first.
 */
static void
close_fd(struct fdtab *t, int fd, uint32_t stack)
{
	struct fd_record *r = fdtab_lookup(t, fd), rec;

	if (r == NULL)
		return;
	rec = *r;
	rec.close_stack = stack;
	fdtab_close(t, fd);
	if (t->closed == NULL)
		t->closed = fdtab_new();
	fdtab_add(t->closed, &rec);
}

/* close_range: every recorded fd in [lo, hi], as close_fd. */
static void
close_range_fds(struct fdtab *t, unsigned lo, unsigned hi, uint32_t stack)
{
	size_t n;
	int *fds = fds_in_range(t, lo, hi, &n);

	for (size_t i = 0; i < n; i++)
		close_fd(t, fds[i], stack);
	free(fds);
}

struct fdtab *
fdtab_apply(struct fdtab *t, const struct fd_event *ev, uint32_t stack,
    int tid, int pid, uint64_t time_ns)
{
	const struct fd_record *src;
	unsigned copy_flags = 0;

	switch (ev->type) {
	case FDE_NONE:
		break;
	case FDE_CREATE:
		/*
		 * A copy of what was open before tracing refers to the same
		 * open file: dash saving fd 1 and dup2'ing it back restores
		 * its stdout, it does not make a new one.
		 */
		if ((ev->flags & FDE_DUP) && (src = fdtab_lookup(t, ev->src)) != NULL &&
		    (src->flags & (FDREC_BASELINE | FDREC_INHERITED_COPY)))
			copy_flags = FDREC_INHERITED_COPY;
		for (unsigned i = 0; i < ev->nfds; i++) {
			struct fd_record rec = {
				.fd = ev->fds[i],
				.stack = stack,
				.tid = tid,
				.pid = pid,
				.nr = (int16_t)ev->nr,
				.kind = (uint8_t)ev->kind,
				.flags = (uint8_t)(copy_flags |
				    ((ev->flags & FDE_CLOEXEC) ? FDREC_CLOEXEC : 0)),
				.serial = next_serial++,
				.time_ns = time_ns,
			};

			if (rec.fd < 0)
				continue;
			fdtab_add(t, &rec);
			if (t->closed != NULL)
				fdtab_close(t->closed, rec.fd);
		}
		break;
	case FDE_CLOSE:
		if (ev->nfds > 0)
			close_fd(t, ev->fds[0], stack);
		break;
	case FDE_CLOSE_RANGE:
		if ((ev->flags & FDE_UNSHARE) && t->users > 1) {
			struct fdtab *copy = fdtab_copy(t);

			fdtab_unref(t);
			t = copy;
		}
		close_range_fds(t, ev->lo, ev->hi, stack);
		break;
	}
	return t;
}
