// SPDX-License-Identifier: MIT
/*
 * cxxname.c - a leak in a function whose symbol is a C++ mangled name,
 * _ZN6fdleak5probe9leak_fileEi, that is fdleak::probe::leak_file(int):
 * the report must name it demangled. Written in C (the victims are), with
 * an assembler label for the symbol.
 */
#include "victim.h"

void leak_file(int flags) __asm__("_ZN6fdleak5probe9leak_fileEi");

void __attribute__((noinline))
leak_file(int flags)
{
	int fd = open("/etc/hostname", flags);

	if (fd < 0)
		victim_die("open");
	victim_expect(fd, "file", "openat", "fdleak::probe::leak_file(int)",
	    gettid(), 0, 0, "/etc/hostname");
}

int
main(void)
{
	victim_proc();
	leak_file(O_RDONLY);
	victim_exit(0);
}
