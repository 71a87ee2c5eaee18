/* SPDX-License-Identifier: MIT */
/* maps.h - a cached view of one process's /proc/PID/maps. */
#ifndef FDLEAK_MAPS_H
#define FDLEAK_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mapping {
	uint64_t start, end;	/* [start, end) in the tracee */
	uint64_t offset;	/* file offset of start */
	uint64_t inode;		/* inode of the file, 0 for anonymous memory */
	uint32_t module;	/* module_intern(path), 0 for anonymous memory */
	bool exec;		/* mapped executable */
	bool write;		/* mapped writable: may differ from the file */
	bool deleted;		/* "(deleted)": the path may name another file */
};

struct maps;

/* An empty cache for pid; nothing is read until the first lookup. */
struct maps *maps_new(pid_t pid);
/* NULL is fine. */
void maps_free(struct maps *m);
/*
 * The mapping that holds addr, or NULL. A miss re-reads /proc/PID/maps,
 * at most once per maps_generation tick so a bad pc costs one read.
 * Borrowed until the next re-read.
 */
const struct mapping *maps_find(struct maps *m, uint64_t addr);
/* Start a new lookup batch (one per captured stack): allows one re-read. */
void maps_tick(struct maps *m);
/*
 * Read the maps through thread tid of the process (0: the process's own
 * file). Once the thread group leader has exited, /proc/PID/maps is empty
 * while the other threads run on; /proc/PID/task/TID/maps is not.
 */
void maps_set_tid(struct maps *m, pid_t tid);
/* Forget everything (after execve); the next lookup re-reads. */
void maps_invalidate(struct maps *m);
/* Count of re-reads so far (for tests and the benchmark). */
unsigned maps_reads(const struct maps *m);
/*
 * Bumped when a re-read finds the file-backed mappings changed (anonymous
 * churn does not count): caches keyed by address must then be dropped.
 */
unsigned maps_generation(const struct maps *m);
/*
 * As maps_find, but a miss never re-reads (only the first lookup ever
 * reads): for data addresses, where a miss is normal.
 */
const struct mapping *maps_lookup(struct maps *m, uint64_t addr);
/*
 * The mapping of file offset 0 of the same file as map (where its ELF
 * header is), searching down from map; NULL if none. Borrowed as above.
 */
const struct mapping *maps_file_base(struct maps *m, const struct mapping *map);

/*
 * Parse one line of /proc/PID/maps. On success fills *out (module left 0)
 * and points *path at the pathname inside line (or NULL), returns 0;
 * returns -1 on a malformed line. Writes into line: the newline and a
 * " (deleted)" suffix are cut off (out->deleted tells). Pure: used by
 * the fuzzer.
 */
int maps_parse_line(char *line, struct mapping *out, char **path);

#endif
