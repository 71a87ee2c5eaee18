// SPDX-License-Identifier: MIT
/*
 * launch.c - start a command under trace: find it as execvp(3) would,
 * fork, let the tracer seize the child before it installs the seccomp
 * filter and execs, then follow it with the tracer core.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "procfs.h"
#include "syscall.h"
#include "task.h"
#include "tracer.h"
#include "util.h"

/* Tracees die with fdleak (EXITKILL): a filtered one could not run on alone. */
#define LAUNCH_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
	PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

/* Find cmd as execvp(3) would; 0 and *path (malloc'd), or an exit code. */
static int
resolve_command(const char *cmd, char **path)
{
	const char *env = getenv("PATH"), *dir, *end;
	int saw_eacces = 0;
	struct stat st;

	if (*cmd == '\0') {
		warnmsg("cannot run '': command not found");
		return EXIT_NOT_FOUND;
	}
	if (strchr(cmd, '/') != NULL) {
		if (stat(cmd, &st) < 0) {
			warnerr("cannot run '%s'", cmd);
			return errno == ENOENT || errno == ENOTDIR ? EXIT_NOT_FOUND :
			    EXIT_CANNOT_EXEC;
		}
		if (S_ISDIR(st.st_mode)) {
			warnmsg("cannot run '%s': Is a directory", cmd);
			return EXIT_CANNOT_EXEC;
		}
		if (access(cmd, X_OK) < 0) {
			warnerr("cannot run '%s'", cmd);
			return EXIT_CANNOT_EXEC;
		}
		*path = xstrdup(cmd);
		return 0;
	}
	if (env == NULL)
		env = "/usr/local/bin:/usr/bin:/bin";
	for (dir = env; ; dir = end + 1) {
		char *cand;

		end = strchr(dir, ':');
		if (end == NULL)
			end = dir + strlen(dir);
		cand = xasprintf("%.*s%s%s", (int)(end - dir), dir,
		    end == dir ? "" : "/", cmd);
		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*path = cand;
				return 0;
			}
			saw_eacces = 1;
		}
		free(cand);
		if (*end == '\0')
			break;
	}
	if (saw_eacces) {
		warnmsg("cannot run '%s': Permission denied", cmd);
		return EXIT_CANNOT_EXEC;
	}
	warnmsg("cannot run '%s': command not found", cmd);
	return EXIT_NOT_FOUND;
}

/*
 * The filter only speeds tracing up; it must not change how the program
 * runs. A filter turns on the speculative store bypass mitigation for the
 * task where the kernel mitigates "seccomp" (the default on most
 * distributions), which can slow it: ask for the speculation as it was
 * (SPEC_ALLOW, Linux 4.17), and do without the flag on older kernels.
 */
static int
install_filter(const struct sock_fprog *filter)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_SPEC_ALLOW, filter) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter);
}

/*
 * path exists, yet exec says ENOENT: what is missing is its interpreter,
 * the "#!" line's program or an ELF file's dynamic loader. Say which (one
 * line, as "cannot run" says); false when path is not such a file.
 */
static bool
explain_missing_interpreter(const char *path, const char *cmd)
{
	char head[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n < 4)
		return false;
	head[n] = '\0';
	if (head[0] == '#' && head[1] == '!') {
		char *interp = head + 2;

		interp += strspn(interp, " \t");
		interp[strcspn(interp, " \t\r\n")] = '\0';
		warnmsg("cannot run '%s': its interpreter '%s' (on its #! line) "
		    "was not found", cmd, interp);
		return true;
	}
	if (memcmp(head, "\177ELF", 4) == 0) {
		warnmsg("cannot run '%s': its dynamic loader (ELF interpreter) "
		    "was not found", cmd);
		return true;
	}
	return false;
}

static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], int go, int status,
    const struct sock_fprog *filter)
{
	int err;
	char c;

	/* Wait until the tracer has seized us. */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	close(go);
	if (filter != NULL && install_filter(filter) < 0) {
		/* Without CAP_SYS_ADMIN a filter needs no_new_privs, as for strace. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			install_filter(filter);
	}
	execv(path, argv);
	err = errno;
	if (err != ENOENT || !explain_missing_interpreter(path, argv[0]))
		warnerr("cannot run '%s'", argv[0]);
	/* Tell the tracer: it then writes no report, as for any failure to start. */
	if (write(status, &err, sizeof err) < 0)
		_exit(EXIT_CANNOT_EXEC);
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}


int
tracer_launch(char *const argv[], const struct tracer_opts *o,
    struct report *rep, int *wstatus)
{
	struct sock_fprog filter = { 0, NULL };
	char *path = NULL;
	int go[2], status[2], rc, err;
	pid_t pid;

	if ((rc = resolve_command(argv[0], &path)) != 0)
		return rc;
	if (o->seccomp)
		syscall_seccomp_filter(&filter);
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0 ||
	    (pid = fork()) < 0) {
		warnerr("cannot start the command");
		free(path);
		free(filter.filter);
		return EXIT_FDLEAK_ERROR;
	}
	if (pid == 0) {
		close(go[1]);
		close(status[0]);
		child_exec(path, argv, go[0], status[1], o->seccomp ? &filter : NULL);
	}
	close(go[0]);
	close(status[1]);
	free(filter.filter);
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)LAUNCH_OPTIONS) < 0) {
		struct proc_status self;

		/* Under a tracer that follows forks, our child is its already. */
		if (errno == EPERM && procfs_read_status(getpid(), &self) == 0 &&
		    self.tracer != 0) {
			char *comm = procfs_comm(self.tracer);

			warnmsg("cannot trace the command: fdleak is itself traced "
			    "(by pid %d, %s), which traces its children too; run "
			    "one fdleak", self.tracer, comm);
			free(comm);
		} else {
			warnerr("cannot trace the command (ptrace)");
		}
		kill(pid, SIGKILL);
		close(go[1]);
		close(status[0]);
		waitpid(pid, NULL, 0);
		free(path);
		return EXIT_FDLEAK_ERROR;
	}
	tracer_begin(o, rep, o->seccomp, false);
	tracer_new_process(pid, getpid(), path, TASK_RUNNING);
	free(path);
	close(go[1]);		/* let the child exec */
	tracer_loop(o, NULL);
	/* Every traced process has ended: the pipe holds an errno or is at EOF. */
	rc = read(status[0], &err, sizeof err) == (ssize_t)sizeof err;
	close(status[0]);
	if (rc)
		return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	if (!tracer_status(pid, wstatus)) {
		warnmsg("lost track of the traced command");
		return EXIT_FDLEAK_ERROR;
	}
	return 0;
}
