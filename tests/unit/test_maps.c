// SPDX-License-Identifier: MIT
/*
 * test_maps.c - the /proc/PID/maps parser on real and malformed lines,
 * and the cache on this process's own maps: lookups, re-read policy,
 * module ids, deleted files.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "maps.h"
#include "stack.h"

/* Parse a heap copy of exactly strlen + 1 bytes, so ASan sees overreads. */
static int
parse(const char *text, struct mapping *m, char **path, char **copy)
{
	size_t n = strlen(text) + 1;

	*copy = malloc(n);
	assert_non_null(*copy);
	memcpy(*copy, text, n);
	return maps_parse_line(*copy, m, path);
}

static void
test_parse_file(void **state)
{
	struct mapping m;
	char *path, *copy;

	(void)state;
	assert_int_equal(parse("55f43a5c9000-55f43a5ce000 r-xp 00002000 fe:00 "
	    "247134                     /usr/bin/cat\n", &m, &path, &copy), 0);
	assert_int_equal(m.start, 0x55f43a5c9000ULL);
	assert_int_equal(m.end, 0x55f43a5ce000ULL);
	assert_int_equal(m.offset, 0x2000);
	assert_int_equal(m.inode, 247134);
	assert_int_equal(m.module, 0);
	assert_true(m.exec);
	assert_false(m.write);
	assert_false(m.deleted);
	assert_string_equal(path, "/usr/bin/cat");
	free(copy);

	assert_int_equal(parse("7f59faa97000-7f59faa99000 rw-p 001d3000 fe:00 "
	    "332835                     /usr/lib/x86_64-linux-gnu/libc.so.6",
	    &m, &path, &copy), 0);
	assert_int_equal(m.offset, 0x1d3000);
	assert_false(m.exec);
	assert_true(m.write);
	assert_string_equal(path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	free(copy);

	/* Shared mapping, large device numbers, 64-bit kernel address. */
	assert_int_equal(parse("ffffffffff600000-ffffffffff601000 --xs 00000000 "
	    "103:0a 0                  [vsyscall]\n", &m, &path, &copy), 0);
	assert_int_equal(m.start, 0xffffffffff600000ULL);
	assert_true(m.exec);
	assert_string_equal(path, "[vsyscall]");
	free(copy);
}

static void
test_parse_anon(void **state)
{
	struct mapping m;
	char *path, *copy;

	(void)state;
	/* The kernel pads some lines with a blank, some not. */
	assert_int_equal(parse("7f59fa841000-7f59fa863000 rw-p 00000000 00:00 0 \n",
	    &m, &path, &copy), 0);
	assert_null(path);
	assert_int_equal(m.inode, 0);
	assert_true(m.write);
	free(copy);
	assert_int_equal(parse("7f59fa841000-7f59fa863000 ---p 00000000 00:00 0",
	    &m, &path, &copy), 0);
	assert_null(path);
	assert_false(m.exec);
	assert_false(m.write);
	free(copy);
	assert_int_equal(parse("7ffc1d2e3000-7ffc1d304000 rw-p 00000000 00:00 0"
	    "                          [stack]\n", &m, &path, &copy), 0);
	assert_string_equal(path, "[stack]");
	free(copy);
}

static void
test_parse_spaces_and_deleted(void **state)
{
	struct mapping m;
	char *path, *copy;

	(void)state;
	assert_int_equal(parse("7f0000000000-7f0000001000 r-xp 00000000 08:01 12 "
	    "         /opt/my lib/lib x.so\n", &m, &path, &copy), 0);
	assert_string_equal(path, "/opt/my lib/lib x.so");
	assert_false(m.deleted);
	free(copy);

	assert_int_equal(parse("7f0000000000-7f0000001000 r-xp 00000000 08:01 12 "
	    "         /tmp/libgone.so (deleted)\n", &m, &path, &copy), 0);
	assert_string_equal(path, "/tmp/libgone.so");
	assert_true(m.deleted);
	free(copy);

	assert_int_equal(parse("7f0000000000-7f0000001000 r-xp 00000000 08:01 12 "
	    "         /tmp/a (deleted) b\n", &m, &path, &copy), 0);
	assert_string_equal(path, "/tmp/a (deleted) b");
	assert_false(m.deleted);
	free(copy);

	assert_int_equal(parse("7f0000000000-7f0000001000 rw-s 00000000 00:01 9 "
	    "         /memfd:jit (deleted)", &m, &path, &copy), 0);
	assert_string_equal(path, "/memfd:jit");
	assert_true(m.deleted);
	free(copy);
}

static void
test_parse_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"\n",
		"hello world",
		"55f43a5c9000",
		"55f43a5c9000-",
		"55f43a5c9000-55f43a5ce000",
		"55f43a5c9000-55f43a5ce000 ",
		"55f43a5c9000-55f43a5ce000 r-x",
		"55f43a5c9000-55f43a5ce000 r-xp",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000 fe:00",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000 fe:00 ",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000 fe00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000 :00 1 /x",
		"55f43a5c9000-55f43a5ce000 rwzp 00002000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xq 00002000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xpp 00002000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 0x2000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 00002000 fe:00 x /x",
		"55f43a5c9000 55f43a5ce000 r-xp 00002000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000r-xp 00002000 fe:00 1 /x",
		"-55f43a5ce000 r-xp 00002000 fe:00 1 /x",
		/* start >= end, unaligned */
		"55f43a5ce000-55f43a5c9000 r-xp 00002000 fe:00 1 /x",
		"55f43a5ce000-55f43a5ce000 r-xp 00002000 fe:00 1 /x",
		"55f43a5c9001-55f43a5ce000 r-xp 00002000 fe:00 1 /x",
		/* numbers that do not fit */
		"155f43a5c90000000-255f43a5c90000000 r-xp 0 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 100000000000000000 fe:00 1 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 0 fe:00 99999999999999999999 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 0 fe:00 18446744073709551616 /x",
		"55f43a5c9000-55f43a5ce000 r-xp 0 123456789:00 1 /x",
		/* a newline inside the path */
		"55f43a5c9000-55f43a5ce000 r-xp 0 fe:00 1 /x\n/y",
	};
	struct mapping m;
	char *path, *copy;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse(bad[i], &m, &path, &copy) != -1)
			fail_msg("accepted: \"%s\"", bad[i]);
		free(copy);
	}
	/* The largest values that do fit are fine. */
	assert_int_equal(parse("fffffffffffff000-ffffffffffffffff r-xp "
	    "ffffffffffffffff fe:00 18446744073709551615 /x", &m, &path,
	    &copy), -1);	/* end not page aligned */
	free(copy);
	assert_int_equal(parse("ffffffffffffe000-fffffffffffff000 r-xp "
	    "ffffffffffffffff fe:00 18446744073709551615 /x", &m, &path,
	    &copy), 0);
	assert_int_equal(m.offset, UINT64_MAX);
	assert_int_equal(m.inode, UINT64_MAX);
	free(copy);
}

/* Every prefix of a valid line: parsed or refused, never read past it. */
static void
test_parse_prefixes(void **state)
{
	const char *line = "55f43a5c9000-55f43a5ce000 r-xp 00002000 fe:00 "
	    "247134   /usr/bin/cat (deleted)\n";
	const char *inode = strstr(line, "247134");
	struct mapping m;
	char *path, *copy;
	char buf[256];

	(void)state;
	for (size_t len = 0; len <= strlen(line); len++) {
		int r;

		memcpy(buf, line, len);
		buf[len] = '\0';
		r = parse(buf, &m, &path, &copy);
		/* Complete as soon as the inode has its first digit. */
		assert_int_equal(r, len > (size_t)(inode - line) ? 0 : -1);
		free(copy);
	}
}

static const char *
self_exe(void)
{
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	return exe;
}

static void
test_find_self(void **state)
{
	uint64_t fn = (uint64_t)(uintptr_t)test_find_self;
	const struct mapping *m, *base;
	struct maps *maps;
	int local;

	(void)state;
	maps = maps_new(getpid());
	assert_int_equal(maps_reads(maps), 0);	/* nothing read yet */
	m = maps_find(maps, fn);
	assert_non_null(m);
	assert_int_equal(maps_reads(maps), 1);
	assert_true(m->start <= fn && fn < m->end);
	assert_true(m->exec);
	assert_false(m->write);
	assert_false(m->deleted);
	assert_int_not_equal(m->inode, 0);
	assert_int_not_equal(m->module, 0);
	assert_string_equal(module_path(m->module), self_exe());

	/* The ELF header of the test binary is at the start of its base. */
	base = maps_file_base(maps, m);
	assert_non_null(base);
	assert_int_equal(base->offset, 0);
	assert_int_equal(base->module, m->module);
	assert_memory_equal((const void *)(uintptr_t)base->start, "\177ELF", 4);

	/* The stack is a mapping, but no module. */
	m = maps_find(maps, (uint64_t)(uintptr_t)&local);
	assert_non_null(m);
	assert_int_equal(m->module, 0);
	assert_true(m->write);

	/* The vDSO has an id, so reports can name it. */
	if (getauxval(AT_SYSINFO_EHDR) != 0) {
		m = maps_find(maps, getauxval(AT_SYSINFO_EHDR));
		assert_non_null(m);
		assert_string_equal(module_path(m->module), "[vdso]");
	}

	/* Page 0 is never mapped. */
	assert_null(maps_find(maps, 0x1000));
	assert_null(maps_find(maps, 0));
	assert_null(maps_find(maps, UINT64_MAX));
	assert_int_equal(maps_reads(maps), 1);
	maps_free(maps);
}

static void
test_reread_policy(void **state)
{
	struct maps *maps;
	unsigned gen;
	void *p;

	(void)state;
	maps = maps_new(getpid());
	assert_non_null(maps_find(maps, (uint64_t)(uintptr_t)test_reread_policy));
	assert_int_equal(maps_reads(maps), 1);
	gen = maps_generation(maps);

	/* A miss in a new batch re-reads once; then it is known unmapped. */
	maps_tick(maps);
	assert_null(maps_find(maps, 0x1000));
	assert_int_equal(maps_reads(maps), 2);
	assert_null(maps_find(maps, 0x1000));
	assert_null(maps_find(maps, 0x2000));
	assert_int_equal(maps_reads(maps), 2);
	maps_tick(maps);
	assert_null(maps_find(maps, 0x1000));
	assert_int_equal(maps_reads(maps), 2);

	/* New anonymous memory: found after one re-read, generation same. */
	p = mmap(NULL, 4096 * 3, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_null(maps_lookup(maps, (uint64_t)(uintptr_t)p));
	assert_int_equal(maps_reads(maps), 2);	/* lookup never re-reads */
	maps_tick(maps);
	assert_non_null(maps_find(maps, (uint64_t)(uintptr_t)p + 4096));
	assert_int_equal(maps_reads(maps), 3);
	assert_int_equal(maps_generation(maps), gen);
	assert_non_null(maps_lookup(maps, (uint64_t)(uintptr_t)p));

	/*
	 * A new file mapping changes the generation. (The anonymous one
	 * stays mapped meanwhile: were the file mapped at its address, the
	 * stale entry would be found without a re-read.)
	 */
	{
		int fd = open(self_exe(), O_RDONLY);
		const struct mapping *m;
		void *q;

		assert_true(fd >= 0);
		q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		assert_true(q != MAP_FAILED);
		maps_tick(maps);
		m = maps_find(maps, (uint64_t)(uintptr_t)q);
		assert_non_null(m);
		assert_non_null(module_path(m->module));
		assert_string_equal(module_path(m->module), self_exe());
		assert_int_not_equal(maps_generation(maps), gen);
		munmap(q, 4096);
	}
	munmap(p, 4096 * 3);

	/* Invalidate forgets everything; the next lookup reads. */
	gen = maps_generation(maps);
	maps_invalidate(maps);
	assert_int_not_equal(maps_generation(maps), gen);
	assert_non_null(maps_find(maps, (uint64_t)(uintptr_t)test_reread_policy));
	assert_int_equal(maps_reads(maps), 5);
	maps_free(maps);
	maps_free(NULL);
}

static void
test_deleted_file(void **state)
{
	char name[] = "/tmp/test_maps.XXXXXX";
	const struct mapping *m;
	struct maps *maps;
	char page[4096];
	void *p;
	int fd;

	(void)state;
	memset(page, 'x', sizeof page);
	fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, page, sizeof page), (ssize_t)sizeof page);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	assert_int_equal(unlink(name), 0);

	maps = maps_new(getpid());
	m = maps_find(maps, (uint64_t)(uintptr_t)p);
	assert_non_null(m);
	assert_true(m->deleted);
	assert_int_not_equal(m->module, 0);
	assert_string_equal(module_path(m->module), name);
	maps_free(maps);
	munmap(p, 4096);
}

/* A process that is gone: misses, and no re-read storm. */
static void
test_dead_pid(void **state)
{
	struct maps *maps = maps_new(INT_MAX);

	(void)state;
	assert_null(maps_find(maps, 0x400000));
	assert_null(maps_find(maps, 0x400000));
	assert_int_equal(maps_reads(maps), 1);
	maps_tick(maps);
	assert_null(maps_lookup(maps, 0x400000));
	assert_int_equal(maps_reads(maps), 2);
	maps_free(maps);
}

static int leader_exit_pipe[2];

static void *
leader_exit_thread(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)arg;
	if (write(leader_exit_pipe[1], &tid, sizeof tid) != sizeof tid)
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

/* State letter of /proc/pid/status, or 0. */
static char
proc_state(pid_t pid)
{
	char path[64], line[256], st = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "State: %c", &st) == 1)
			break;
	}
	fclose(f);
	return st;
}

/*
 * The leader of a process has called pthread_exit: /proc/PID/maps is now
 * empty, but a stack taken in a thread still resolves through that thread.
 */
static void
test_leader_exited(void **state)
{
	uint64_t pc = (uint64_t)(uintptr_t)&getpid;	/* libc, mapped alike in the child */
	struct maps *maps;
	pthread_t t;
	pid_t child, tid = 0;

	(void)state;
	assert_int_equal(pipe(leader_exit_pipe), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Dies with the test, even one that fails before its kill. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pthread_create(&t, NULL, leader_exit_thread, NULL) != 0)
			_exit(1);
		pthread_exit(NULL);
	}
	assert_int_equal(read(leader_exit_pipe[0], &tid, sizeof tid), sizeof tid);
	for (int i = 0; i < 500 && proc_state(child) != 'Z'; i++)
		usleep(2000);
	assert_int_equal(proc_state(child), 'Z');

	maps = maps_new(child);
	assert_null(maps_find(maps, pc));	/* the leader's file is empty */
	maps_set_tid(maps, tid);
	maps_tick(maps);
	assert_non_null(maps_find(maps, pc));
	assert_non_null(strstr(module_path(maps_find(maps, pc)->module), "libc"));
	maps_free(maps);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(leader_exit_pipe[0]);
	close(leader_exit_pipe[1]);
}

static int
teardown_all(void **state)
{
	(void)state;
	stack_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_anon),
		cmocka_unit_test(test_parse_spaces_and_deleted),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_find_self),
		cmocka_unit_test(test_reread_policy),
		cmocka_unit_test(test_deleted_file),
		cmocka_unit_test(test_dead_pid),
		cmocka_unit_test(test_leader_exited),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
