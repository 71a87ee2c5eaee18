/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - shared by the libFuzzer harnesses. A harness checks what the
 * header of the parser promises; a broken promise aborts, and libFuzzer
 * saves the input that did it.
 */
#ifndef FDLEAK_FUZZ_H
#define FDLEAK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
