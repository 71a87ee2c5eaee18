// SPDX-License-Identifier: MIT
/*
 * umem.c - bounded reads of tracee memory with process_vm_readv: one
 * syscall per read, never a word-at-a-time PTRACE_PEEKDATA loop. The
 * remote range is split at page boundaries so that a read running into
 * an unmapped page still returns what precedes it.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "umem.h"

#define PAGE		4096u
#define MAX_IOV		64

ssize_t
umem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote[MAX_IOV];
	size_t done = 0;
	int n = 0;

	if (len == 0)
		return 0;
	if (addr == 0 || addr + len < addr)
		return errno = EFAULT, -1;
	while (done < len && n < MAX_IOV) {
		uint64_t a = addr + done;
		size_t chunk = PAGE - (a & (PAGE - 1));

		if (chunk > len - done)
			chunk = len - done;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = chunk;
		done += chunk;
		n++;
	}
	local.iov_len = done;
	return process_vm_readv(tid, &local, 1, remote, n, 0);
}

int
umem_read_all(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = umem_read(tid, addr, buf, len);

	if (n < 0)
		return -1;
	if ((size_t)n != len)
		return errno = EFAULT, -1;
	return 0;
}

ssize_t
umem_read_str(pid_t tid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (size == 0)
		return -1;
	/* Read page by page so a string ending just before an unmapped page is fine. */
	while (got < size - 1) {
		uint64_t a = addr + got;
		size_t chunk = PAGE - (a & (PAGE - 1));
		ssize_t n;
		char *nul;

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		n = umem_read(tid, a, buf + got, chunk);
		if (n <= 0) {
			if (got == 0)
				return -1;
			break;
		}
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul != NULL)
			return nul - buf;
		got += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}
