/* SPDX-License-Identifier: MIT */
/* decode.h - syscall arguments and result -> struct fd_event. */
#ifndef FDLEAK_DECODE_H
#define FDLEAK_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fdevent.h"
#include "syscall.h"

/*
 * Decode syscall d of thread tid with arguments args and result ret (at
 * its exit stop; for entry_only rows ret is ignored). Fills *ev; never
 * fails: unreadable tracee memory sets FDE_UNREADABLE.
 */
void decode_syscall(const struct syscall_desc *d, pid_t tid,
    const uint64_t args[6], int64_t ret, struct fd_event *ev);

/*
 * SCM_RIGHTS fds in control data of length len (as the kernel wrote it
 * for an x86_64 process); writes at most max to fds, returns the count.
 * Pure: tests and the fuzzer call it.
 */
size_t decode_scm_rights(const void *control, size_t len, int *fds, size_t max);

#endif
