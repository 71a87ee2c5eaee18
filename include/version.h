/* SPDX-License-Identifier: MIT */
/* version.h - fdleak's version: the one place it is written (the Makefile reads it). */
#ifndef FDLEAK_VERSION_H
#define FDLEAK_VERSION_H

#define FDLEAK_VERSION "0.2.0"

#endif
