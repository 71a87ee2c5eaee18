/* SPDX-License-Identifier: MIT */
/*
 * perfmap.h - names of JIT-compiled code from /tmp/perf-PID.map, the
 * convention perf(1) reads: "START SIZE NAME" per line, hexadecimal,
 * written by node (--perf-basic-prof), JVM agents, LuaJIT and others.
 */
#ifndef FDLEAK_PERFMAP_H
#define FDLEAK_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct perfmap;

/*
 * The entries of text[0..len), one per line; lines that do not parse are
 * skipped. NULL when none does. Pure.
 */
struct perfmap *perfmap_parse(const char *text, size_t len);
/*
 * The map of pid: /tmp/perf-PID.map, a regular file (not followed if a
 * symbolic link), read up to 64 MiB. NULL when there is none.
 */
struct perfmap *perfmap_load(pid_t pid);
/*
 * The name of the code at pc, borrowed from m; NULL if no entry covers
 * it. Where entries overlap (code moved, its range reused), the one
 * written last wins, as in perf.
 */
const char *perfmap_lookup(const struct perfmap *m, uint64_t pc);
size_t perfmap_count(const struct perfmap *m);
/* NULL is fine. */
void perfmap_free(struct perfmap *m);

#endif
