/* SPDX-License-Identifier: MIT */
/*
 * flame.h - the leaked fds as flame graphs see them: each site's stack,
 * root first under its process, weighted by the fds leaked there. The
 * folded writer prints the paths; the HTML writer draws their tree.
 */
#ifndef FDLEAK_FLAME_H
#define FDLEAK_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "report.h"

#define FLAME_NONE	UINT32_MAX

struct flame_node {
	const char *name;	/* the frame's label; borrowed from the tree's pool */
	size_t count;		/* fds leaked at sites through this node */
	uint32_t parent;	/* FLAME_NONE for the root */
	uint32_t child;		/* first child, or FLAME_NONE */
	uint32_t next;		/* next sibling, or FLAME_NONE */
	unsigned depth;		/* 0 for the root, 1 for processes */
};

/* A tree of flame nodes; nodes[0] is the root, "all". */
struct flame {
	struct flame_node *nodes;	/* owned */
	size_t n;
	struct strpool names;
	struct hindex ix;	/* by (parent, name) */
};

/*
 * Call fn once per leak site of every process of r, in the report's
 * order, with the site's path root first: path[0] the process's label
 * (its command's file name), then each frame's label, outermost first;
 * path is borrowed for the call. "(no stack)" stands for a missing stack.
 */
void flame_walk(const struct report *r,
    void (*fn)(const char *const *path, size_t n, size_t count, void *arg),
    void *arg);
/*
 * A frame's label as flame graphs name it: report_frame_label with ';'
 * (the path separator) made ':' and control bytes and invalid UTF-8 '?'.
 * Written into buf, which is returned.
 */
const char *flame_label(const struct report_frame *f, char *buf, size_t size);
/* Build the merged tree of r's paths into fl (zeroed); free with flame_free. */
void flame_build(struct flame *fl, const struct report *r);
void flame_free(struct flame *fl);
/*
 * The children of node i, the most fds first (then by name): malloc'd
 * array of *n indices, NULL when none.
 */
uint32_t *flame_children(const struct flame *fl, uint32_t i, size_t *n);

#endif
