/* SPDX-License-Identifier: MIT */
/* umem.h - bounded reads of tracee memory. */
#ifndef FDLEAK_UMEM_H
#define FDLEAK_UMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read up to len bytes at addr; returns bytes read (short at an unmapped page), or -1. */
ssize_t umem_read(pid_t tid, uint64_t addr, void *buf, size_t len);
/* Read exactly len bytes: 0, or -1. */
int umem_read_all(pid_t tid, uint64_t addr, void *buf, size_t len);
/* Read a NUL-terminated string into buf[size]; its length, or -1 if unreadable. Truncates. */
ssize_t umem_read_str(pid_t tid, uint64_t addr, char *buf, size_t size);

#endif
