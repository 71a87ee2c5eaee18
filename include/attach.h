/* SPDX-License-Identifier: MIT */
/* attach.h - checks on a process before attaching to it. */
#ifndef FDLEAK_ATTACH_H
#define FDLEAK_ATTACH_H

#include <sys/types.h>

/*
 * Whether pid may be attached to: 0, or -1 after one line saying why (no
 * such process, fdleak itself or an ancestor, a zombie, a kernel thread,
 * already traced).
 */
int attach_check(pid_t pid);

#endif
