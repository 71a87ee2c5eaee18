// SPDX-License-Identifier: MIT
/* main.c - options, usage and exit statuses; the work is elsewhere. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demangle.h"
#include "dump.h"
#include "report-read.h"
#include "report.h"
#include "stack.h"
#include "suppress.h"
#include "symbolize.h"
#include "symstack.h"
#include "tracer.h"
#include "unwind.h"
#include "util.h"

/* What --error-exitcode counts (--error-on). */
#define ERROR_ON_LEAKS		0x1
#define ERROR_ON_MISUSE		0x2
#define ERROR_ON_INHERITED	0x4

enum {
	OPT_FORMAT = 256,
	OPT_ERROR_EXITCODE,
	OPT_DEPTH,
	OPT_STD_FDS,
	OPT_NO_SECCOMP,
	OPT_LIBC_FRAMES,
	OPT_DURATION,
	OPT_INTERVAL,
	OPT_MIN_AGE,
	OPT_SUPPRESSIONS,
	OPT_GEN_SUPPRESSIONS,
	OPT_ERROR_ON,
	OPT_NO_DEFAULT_SUPPRESSIONS,
	OPT_ONLY_FROM,
	OPT_SAMPLE,
	OPT_SAMPLE_WINDOW,
	OPT_SKIP_FORK_INHERITED,
	OPT_TREE,
	OPT_FROM,
	OPT_JSON_FILE,
};

/* Options that shape a trace: --from reads one already made. */
static const int trace_options[] = {
	OPT_DEPTH, OPT_DURATION, OPT_INTERVAL, OPT_LIBC_FRAMES, OPT_MIN_AGE,
	OPT_NO_DEFAULT_SUPPRESSIONS, OPT_NO_SECCOMP, OPT_ONLY_FROM, OPT_STD_FDS,
	OPT_SUPPRESSIONS, OPT_GEN_SUPPRESSIONS, OPT_JSON_FILE, OPT_SAMPLE,
	OPT_SAMPLE_WINDOW, OPT_SKIP_FORK_INHERITED, OPT_TREE, 'p',
};

/* The default length of a sampling window (see the man page for why). */
#define SAMPLE_WINDOW_MS	200

static const struct option long_options[] = {
	{ "depth",		required_argument, NULL, OPT_DEPTH },
	{ "duration",		required_argument, NULL, OPT_DURATION },
	{ "error-exitcode",	required_argument, NULL, OPT_ERROR_EXITCODE },
	{ "error-on",		required_argument, NULL, OPT_ERROR_ON },
	{ "format",		required_argument, NULL, OPT_FORMAT },
	{ "from",		required_argument, NULL, OPT_FROM },
	{ "gen-suppressions",	required_argument, NULL, OPT_GEN_SUPPRESSIONS },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "json-file",		required_argument, NULL, OPT_JSON_FILE },
	{ "libc-frames",	no_argument,	   NULL, OPT_LIBC_FRAMES },
	{ "min-age",		required_argument, NULL, OPT_MIN_AGE },
	{ "no-default-suppressions", no_argument, NULL, OPT_NO_DEFAULT_SUPPRESSIONS },
	{ "no-seccomp",		no_argument,	   NULL, OPT_NO_SECCOMP },
	{ "only-from",		required_argument, NULL, OPT_ONLY_FROM },
	{ "output",		required_argument, NULL, 'o' },
	{ "pid",		required_argument, NULL, 'p' },
	{ "sample",		required_argument, NULL, OPT_SAMPLE },
	{ "sample-window",	required_argument, NULL, OPT_SAMPLE_WINDOW },
	{ "skip-fork-inherited", no_argument,	   NULL, OPT_SKIP_FORK_INHERITED },
	{ "std-fds",		no_argument,	   NULL, OPT_STD_FDS },
	{ "suppressions",	required_argument, NULL, OPT_SUPPRESSIONS },
	{ "tree",		no_argument,	   NULL, OPT_TREE },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Why getopt_long refused the long option arg ("--name" or
 * "--name=value"): ambiguous (the candidates listed), given a value it
 * takes none, or unknown. One line.
 */
static void
explain_bad_long(const char *arg)
{
	const char *name = arg + (strncmp(arg, "--", 2) == 0 ? 2 : 0);
	size_t len = strcspn(name, "="), nmatch = 0;
	char list[512] = "";

	for (const struct option *o = long_options; o->name != NULL; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len) {
			/* An exact name refused: it was given a value. */
			warnmsg("option '--%s' takes no argument (see fdleak "
			    "--help)", o->name);
			return;
		}
		if (nmatch++ > 0)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, "--", sizeof list - strlen(list) - 1);
		strncat(list, o->name, sizeof list - strlen(list) - 1);
	}
	if (nmatch > 1)
		warnmsg("option '--%.*s' is ambiguous: it may be %s", (int)len,
		    name, list);
	else if (nmatch == 1)
		warnmsg("option '%s' takes no argument (see fdleak --help)", arg);
	else
		warnmsg("unknown option '%s' (see fdleak --help)", arg);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: fdleak [options] [--] command [args...]\n"
	    "       fdleak [options] -p pid [-p pid ...]\n"
	    "       fdleak --from=FILE.json [--format=FMT] [-o FILE]\n"
	    "Trace command and its descendants, or attach to running processes; report\n"
	    "every fd opened under trace and never closed.\n"
	    "\n"
	    "  --depth=N            capture at most N stack frames per fd (default 32, 0-256)\n"
	    "  --duration=SECONDS   with -p: detach after SECONDS\n"
	    "  --error-exitcode=N   exit with N (1-255) if anything --error-on counts\n"
	    "                       was reported\n"
	    "  --error-on=LIST      what --error-exitcode counts: leaks (default),\n"
	    "                       misuse, inherited, comma-separated\n"
	    "  --format=FMT         report format: text (default), json, sarif, html\n"
	    "                       or folded\n"
	    "  --from=FILE          write the JSON report FILE (of --format=json or\n"
	    "                       --json-file) in --format, to standard output\n"
	    "  --gen-suppressions=FILE  write a suppression entry per reported site\n"
	    "  -h, --help           show this help and exit\n"
	    "  --interval=SECONDS   write a dump of outstanding fds every SECONDS\n"
	    "  --json-file=FILE     also write the report as JSON to FILE, for --from\n"
	    "  --libc-frames        keep the libc wrapper frames at the top of stacks,\n"
	    "                       and give libc frames file:line from its debuginfo\n"
	    "  --min-age=SECONDS    leave out fds younger than SECONDS\n"
	    "  --no-default-suppressions  report what the shipped suppressions of\n"
	    "                       shells, build tools and runtimes would hide\n"
	    "  --no-seccomp         stop at every syscall instead of filtering (slower)\n"
	    "  --only-from=GLOB     report only entries with a frame in a module whose\n"
	    "                       path matches GLOB (repeatable)\n"
	    "  -o, --output=FILE    write the report to FILE instead of stderr\n"
	    "  -p, --pid=PID        attach to process PID and all its threads (repeatable)\n"
	    "  --sample=PERCENT     with -p: stay attached PERCENT of the time (1-100),\n"
	    "                       in windows; the process runs free in between\n"
	    "  --sample-window=MS   length of a sampling window (default 200)\n"
	    "  --skip-fork-inherited  leave out a child's fds that an ancestor made\n"
	    "                       before forking it\n"
	    "  --std-fds            also report fds 0, 1 and 2 that were inherited\n"
	    "  --suppressions=FILE  hide what FILE's entries match (repeatable)\n"
	    "  --tree               with -p: attach to each process's descendants too\n"
	    "  -V, --version        show the version and exit\n"
	    "\n"
	    "Exit status: the command's (128+N if killed by signal N); N of\n"
	    "--error-exitcode if leaks were found; 125 fdleak failed; 126 command\n"
	    "cannot be executed; 127 command not found.\n"
	    "The text report is coloured on a terminal unless NO_COLOR is set.\n");
}

/* --version, as strace -V: the version, the licence, what is built in. */
static void
print_version(void)
{
	printf("fdleak %s\n"
	    "Copyright (c) 2026 the fdleak authors. MIT licence: you may use, "
	    "change\nand share it; there is NO WARRANTY.\n"
	    "Unwinder: %s\n"
	    "Symbolizer: %s\n"
	    "Features: seccomp-bpf filter, sock_diag socket tables, "
	    "report formats %s\n",
	    FDLEAK_VERSION, unwind_backend(), symbolize_backend(),
	    report_writer_names());
}

/* A number in [lo, hi] or -1 after saying what is wrong. */
static long
parse_number(const char *opt, const char *arg, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
		warnmsg("invalid %s '%s': expected a number from %ld to %ld",
		    opt, arg, lo, hi);
		return -1;
	}
	return v;
}

/* Seconds as a decimal number in [lo, 1 year]; -1 after saying what is wrong. */
static double
parse_seconds(const char *opt, const char *arg, double lo)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= lo) || v > 31536000) {
		warnmsg("invalid %s '%s': expected a number of seconds%s", opt, arg,
		    lo > 0 ? " greater than 0" : "");
		return -1;
	}
	if (lo > 0 && v == 0) {
		warnmsg("invalid %s '%s': expected a number of seconds greater than 0",
		    opt, arg);
		return -1;
	}
	return v;
}

/* A pid: a decimal number above 0; -1 after saying what is wrong. */
static pid_t
parse_pid(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v <= 0 || v > INT_MAX) {
		warnmsg("invalid pid '%s': expected a process id greater than 0", arg);
		return -1;
	}
	return (pid_t)v;
}

/* --error-on=leaks,misuse: the ERROR_ON_* set, or -1 after saying what is wrong. */
static int
parse_error_on(const char *arg)
{
	static const struct {
		const char *name;
		int bit;
	} words[] = {
		{ "leaks", ERROR_ON_LEAKS },
		{ "misuse", ERROR_ON_MISUSE },
		{ "inherited", ERROR_ON_INHERITED },
	};
	char *copy = xstrdup(arg), *save = NULL, *w;
	int set = 0;

	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(words); i++) {
			if (strcmp(w, words[i].name) == 0)
				break;
		}
		if (i == ARRAY_SIZE(words)) {
			warnmsg("invalid --error-on '%s': expected leaks, misuse or "
			    "inherited, comma-separated", arg);
			free(copy);
			return -1;
		}
		set |= words[i].bit;
	}
	free(copy);
	if (set == 0) {
		warnmsg("invalid --error-on '%s': expected leaks, misuse or "
		    "inherited, comma-separated", arg);
		return -1;
	}
	return set;
}

/*
 * Lists the options build: file-scope, so that an early exit for a bad
 * option leaves nothing a leak checker calls lost.
 */
static const char **supp_paths;	/* --suppressions files, loaded after the options */
static size_t nsupp;
static const char **only_from;	/* --only-from globs */
static size_t nonly_from;
static pid_t *pids;		/* -p */
static size_t npids;
static bool write_failed;	/* a write of the report failed */

struct output {
	FILE *f;
	const struct report_writer *writer;
	struct report *rep;
	struct suppress supp;
	struct supp_writer gen;
	FILE *json_f;		/* --json-file */
	unsigned dumps;		/* live dumps so far */
};

/*
 * Write what fn writes to f in whole lines: gathered first, then written
 * in pieces of whole lines of at most PIPE_BUF bytes each (a line longer
 * than that alone), so that a report sharing stderr with the traced
 * program is never torn inside a line, and a section costs few writes.
 */
static void
emit(FILE *f, void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0, at = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		fn(f, arg);
		fflush(f);
		return;
	}
	fn(m, arg);
	fclose(m);
	fflush(f);
	while (at < len) {
		size_t end = at, piece;
		ssize_t n;

		/* As many whole lines as fit in PIPE_BUF, or one long line. */
		for (size_t i = at; i < len && i - at < PIPE_BUF; i++) {
			if (buf[i] == '\n')
				end = i + 1;
		}
		if (end == at) {
			const char *nl = memchr(buf + at, '\n', len - at);

			end = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		}
		piece = end - at;
		n = write(fileno(f), buf + at, piece);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			write_failed = true;	/* fclose will not see it */
			break;
		}
		at += (size_t)n;
	}
	free(buf);
}

struct dump_job {
	const struct output *out;
	const struct dump *d;
};

static void
write_dump(FILE *f, void *arg)
{
	struct dump_job *j = arg;

	j->out->writer->dump(f, j->out->rep, j->d);
}

static void
write_json_dump(FILE *f, void *arg)
{
	struct dump_job *j = arg;

	dump_write_json(f, j->out->rep, j->d);
}

static void
print_dump(const struct dump *d, void *arg)
{
	struct output *out = arg;
	struct dump_job j = { out, d };

	for (size_t i = 0; i < d->nprocs; i++) {
		symstacks_for_process(out->rep->stacks, d->procs[i].pid);
		for (size_t k = 0; k < d->procs[i].nsites; k++)
			symstacks_resolve(out->rep->stacks, d->procs[i].sites[k].stack);
	}
	out->dumps = d->n;
	if (out->json_f != NULL)
		emit(out->json_f, write_json_dump, &j);
	if (out->writer->keeps_dumps) {
		report_add_dump(out->rep, d);
		return;
	}
	/* A one-document format (SARIF) cannot hold dumps: they go to stderr. */
	emit(out->writer->dumps_to_stderr ? stderr : out->f, write_dump, &j);
}

struct process_job {
	const struct output *out;
	const struct proc_report *p;
};

static void
write_process(FILE *f, void *arg)
{
	struct process_job *j = arg;

	j->out->writer->process(f, j->out->rep, j->p);
}

/*
 * A process ended: its stacks symbolized while its modules exist, then
 * what the suppressions and --only-from hide taken out (before anything
 * is written or counted), its suppression entries written, then the
 * process itself in formats that write as processes end.
 */
static void
print_process(struct proc_report *p, void *arg)
{
	struct output *out = arg;
	struct process_job j = { out, p };

	p->dumps_before = out->dumps;
	if (p->end_ns != 0 && p->end_ns >= tracer_start_ns())
		p->ended = (double)(p->end_ns - tracer_start_ns()) / 1e9;
	report_resolve_process(out->rep, p);
	suppress_apply(&out->supp, out->rep, p);
	suppress_only_from(out->rep, p, only_from, nonly_from);
	suppress_write_process(&out->gen, out->rep, p);
	if (out->writer->process != NULL) {
		emit(out->f, write_process, &j);
		/* Written: only the summary's counts are still needed (not by JSON). */
		if (out->json_f == NULL &&
		    p == &out->rep->procs[out->rep->nprocs - 1])
			report_retire_last(out->rep);
	}
}

static void
write_end(FILE *f, void *arg)
{
	const struct output *out = arg;

	out->writer->end(f, out->rep);
}

static void
write_json_end(FILE *f, void *arg)
{
	const struct output *out = arg;

	report_json(f, out->rep);
}

/*
 * --from: write the saved report as the live run wrote it: its dumps and
 * process sections interleaved as they came (a process after the dumps
 * made before it ended), then the end. A one-document format's dumps
 * (sent to stderr live) are left out: they stay in the file.
 */
static void
replay(struct output *out)
{
	const struct report *r = out->rep;
	const struct report_writer *w = out->writer;
	size_t d = 0;

	for (size_t i = 0; i <= r->nprocs; i++) {
		for (; d < r->ndumps && (i == r->nprocs ||
		    r->dumps[d].n <= r->procs[i].dumps_before); d++) {
			struct dump_job j = { out, &r->dumps[d] };

			if (w->dump != NULL && !w->keeps_dumps && !w->dumps_to_stderr)
				emit(out->f, write_dump, &j);
		}
		if (i < r->nprocs && w->process != NULL) {
			struct process_job j = { out, &r->procs[i] };

			emit(out->f, write_process, &j);
		}
	}
	emit(out->f, write_end, out);
}

/* The option in trace_options that c is, by name; NULL if c is not one. */
static const char *
trace_option(int c, int longindex)
{
	for (size_t i = 0; i < ARRAY_SIZE(trace_options); i++) {
		if (trace_options[i] == c)
			return c == 'p' ? "-p" : long_options[longindex].name;
	}
	return NULL;
}

/*
 * The default suppressions, unless --no-default-suppressions: 0, or -1
 * after one line naming the problem (a broken file is fdleak's fault).
 */
static int
load_default_suppressions(struct suppress *s)
{
	char *path = suppress_default_path("/proc/self/exe"), *err;
	int rc = 0;

	if (path == NULL) {
		warnmsg("no default suppressions found (looked beside the binary "
		    "and in " FDLEAK_DATADIR "); reports may hold what shells, "
		    "build tools and runtimes do by design");
		return 0;
	}
	if (suppress_load(s, path, true, &err) < 0) {
		warnmsg("%s", err);
		free(err);
		rc = -1;
	}
	free(path);
	return rc;
}

/* NO_COLOR (https://no-color.org): set and not empty turns colour off. */
static bool
want_color(FILE *f)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fileno(f)) && (no == NULL || no[0] == '\0');
}

/* What --error-exitcode counts in r (--error-on). */
static size_t
counted_errors(const struct report *r, int error_on)
{
	size_t errors = 0;

	if (error_on & ERROR_ON_LEAKS)
		errors += report_total_leaks(r);
	if (error_on & ERROR_ON_MISUSE)
		errors += report_total_misuse(r);
	if (error_on & ERROR_ON_INHERITED)
		errors += report_total_inherited(r);
	return errors;
}

/*
 * --from=path: read the saved JSON report and write it in format, to
 * output_path or standard output. The exit status: 0, error_exitcode if
 * the report holds what error_on counts, or 125 after one line naming
 * the problem.
 */
static int
render_saved(const char *path, const char *format, const char *output_path,
    long error_exitcode, int error_on)
{
	struct report rep = { 0 };
	struct output out = { .f = stdout, .rep = &rep };
	FILE *in;
	char *err = NULL;
	int rc = 0;

	out.writer = report_writer_find(format);
	if ((in = fopen(path, "re")) == NULL) {
		warnerr("cannot read '%s'", path);
		return EXIT_FDLEAK_ERROR;
	}
	if (report_read(in, path, &rep, &err) < 0) {
		warnmsg("%s", err);
		free(err);
		fclose(in);
		report_free(&rep);
		return EXIT_FDLEAK_ERROR;
	}
	fclose(in);
	if (output_path != NULL && (out.f = fopen(output_path, "we")) == NULL) {
		warnerr("cannot write '%s'", output_path);
		report_free(&rep);
		return EXIT_FDLEAK_ERROR;
	}
	rep.opts.color = strcmp(format, "text") == 0 && want_color(out.f);
	replay(&out);
	if (out.f == stdout)
		rc = fflush(out.f);
	else
		rc = fclose(out.f);
	if (rc != 0 || write_failed) {
		warnerr("cannot write '%s'", output_path != NULL ? output_path :
		    "standard output");
		rc = EXIT_FDLEAK_ERROR;
	} else if (error_exitcode != 0 && counted_errors(&rep, error_on) > 0)
		rc = (int)error_exitcode;
	else
		rc = 0;
	report_free(&rep);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct tracer_opts topts = { .depth = 32, .seccomp = true,
	    .sample_window = SAMPLE_WINDOW_MS / 1000.0 };
	struct output out = { .f = stderr };
	const char *format = "text";
	bool default_supp = true, window_given = false;
	struct report rep = { 0 };
	const char *output_path = NULL, *gen_path = NULL;
	const char *from_path = NULL, *json_path = NULL, *trace_opt = NULL;
	long error_exitcode = 0, v;
	int error_on = ERROR_ON_LEAKS;
	size_t errors;
	char *err;
	pid_t pid;
	int c, rc, wstatus = 0, status, longindex = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ho:p:V", long_options,
	    &longindex)) != -1) {
		if (trace_option(c, longindex) != NULL)
			trace_opt = trace_option(c, longindex);
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			print_version();
			return 0;
		case 'o':
			output_path = optarg;
			break;
		case 'p':
			if ((pid = parse_pid(optarg)) < 0)
				return EXIT_FDLEAK_ERROR;
			pids = xreallocarray(pids, npids + 1, sizeof *pids);
			pids[npids++] = pid;
			break;
		case OPT_DURATION:
			if ((topts.duration = parse_seconds("--duration", optarg, 1e-9)) < 0)
				return EXIT_FDLEAK_ERROR;
			break;
		case OPT_INTERVAL:
			if ((topts.interval = parse_seconds("--interval", optarg, 1e-9)) < 0)
				return EXIT_FDLEAK_ERROR;
			break;
		case OPT_MIN_AGE:
			if ((topts.min_age = parse_seconds("--min-age", optarg, 0)) < 0)
				return EXIT_FDLEAK_ERROR;
			break;
		case OPT_FORMAT:
			if (report_writer_find(optarg) == NULL) {
				warnmsg("invalid --format '%s': expected %s", optarg,
				    report_writer_names());
				return EXIT_FDLEAK_ERROR;
			}
			format = optarg;
			break;
		case OPT_NO_DEFAULT_SUPPRESSIONS:
			default_supp = false;
			break;
		case OPT_SAMPLE:
			if ((v = parse_number("--sample", optarg, 1, 100)) < 0)
				return EXIT_FDLEAK_ERROR;
			topts.sample = v == 100 ? 0 : (unsigned)v;
			break;
		case OPT_SAMPLE_WINDOW:
			if ((v = parse_number("--sample-window", optarg, 1,
			    3600000)) < 0)
				return EXIT_FDLEAK_ERROR;
			topts.sample_window = (double)v / 1000;
			window_given = true;
			break;
		case OPT_ONLY_FROM:
			only_from = xreallocarray(only_from, nonly_from + 1,
			    sizeof *only_from);
			only_from[nonly_from++] = optarg;
			break;
		case OPT_ERROR_ON:
			if ((error_on = parse_error_on(optarg)) < 0)
				return EXIT_FDLEAK_ERROR;
			break;
		case OPT_SUPPRESSIONS:
			supp_paths = xreallocarray(supp_paths, nsupp + 1,
			    sizeof *supp_paths);
			supp_paths[nsupp++] = optarg;
			break;
		case OPT_GEN_SUPPRESSIONS:
			gen_path = optarg;
			break;
		case OPT_FROM:
			from_path = optarg;
			break;
		case OPT_JSON_FILE:
			json_path = optarg;
			break;
		case OPT_ERROR_EXITCODE:
			if ((error_exitcode = parse_number("--error-exitcode", optarg, 1, 255)) < 0)
				return EXIT_FDLEAK_ERROR;
			break;
		case OPT_DEPTH:
			if ((v = parse_number("--depth", optarg, 0, 256)) < 0)
				return EXIT_FDLEAK_ERROR;
			topts.depth = (unsigned)v;
			break;
		case OPT_TREE:
			topts.tree = true;
			break;
		case OPT_SKIP_FORK_INHERITED:
			topts.skip_fork_inherited = true;
			break;
		case OPT_STD_FDS:
			topts.std_fds = true;
			break;
		case OPT_LIBC_FRAMES:
			rep.opts.libc_frames = true;
			symbolize_libc_lines(true);
			break;
		case OPT_NO_SECCOMP:
			topts.seccomp = false;
			break;
		case ':':
			warnmsg("option '%s' needs an argument (see fdleak --help)",
			    argv[optind - 1]);
			return EXIT_FDLEAK_ERROR;
		default:
			if (optopt != 0 && optopt < 256)
				warnmsg("unknown option '-%c' (see fdleak --help)", optopt);
			else
				explain_bad_long(argv[optind - 1]);
			return EXIT_FDLEAK_ERROR;
		}
	}
	if (from_path != NULL && (optind < argc || trace_opt != NULL)) {
		warnmsg("--from reads a report already made: %s cannot be given "
		    "with it", optind < argc ? "a command" : trace_opt);
		return EXIT_FDLEAK_ERROR;
	}
	if (from_path != NULL)
		return render_saved(from_path, format, output_path, error_exitcode,
		    error_on);
	if (npids > 0 && optind < argc) {
		warnmsg("-p and a command cannot be given together");
		return EXIT_FDLEAK_ERROR;
	}
	if (npids == 0 && optind >= argc) {
		warnmsg("no command given (usage: fdleak [options] -- command [args...])");
		return EXIT_FDLEAK_ERROR;
	}
	if (npids == 0 && topts.duration > 0) {
		warnmsg("--duration needs -p (a launched command runs to its end)");
		return EXIT_FDLEAK_ERROR;
	}
	if (npids == 0 && (topts.sample != 0 || window_given)) {
		warnmsg("--sample and --sample-window need -p (a launched command "
		    "is traced whole)");
		return EXIT_FDLEAK_ERROR;
	}
	if (npids == 0 && topts.tree) {
		warnmsg("--tree needs -p (a launched command's descendants are "
		    "traced anyway)");
		return EXIT_FDLEAK_ERROR;
	}
	if (default_supp && load_default_suppressions(&out.supp) < 0) {
		suppress_free(&out.supp);
		return EXIT_FDLEAK_ERROR;
	}
	for (size_t i = 0; i < nsupp; i++) {
		if (suppress_load(&out.supp, supp_paths[i], false, &err) < 0) {
			warnmsg("%s", err);
			free(err);
			suppress_free(&out.supp);
			return EXIT_FDLEAK_ERROR;
		}
	}
	free(supp_paths);
	supp_paths = NULL;
	if (output_path != NULL && (out.f = fopen(output_path, "we")) == NULL) {
		warnerr("cannot write '%s'", output_path);
		suppress_free(&out.supp);
		return EXIT_FDLEAK_ERROR;
	}
	if ((gen_path != NULL && (out.gen.f = fopen(gen_path, "we")) == NULL) ||
	    (json_path != NULL && (out.json_f = fopen(json_path, "we")) == NULL)) {
		warnerr("cannot write '%s'", out.gen.f == NULL && gen_path != NULL ?
		    gen_path : json_path);
		if (out.gen.f != NULL)
			fclose(out.gen.f);
		if (out.f != stderr)
			fclose(out.f);
		suppress_free(&out.supp);
		return EXIT_FDLEAK_ERROR;
	}
	out.writer = report_writer_find(format);
	/* A document for a program to read, on a terminal among the command's output. */
	if (strcmp(format, "text") != 0 && out.f == stderr && isatty(2))
		warnmsg("the %s report goes to standard error, a terminal, "
		    "between the command's own output; -o FILE writes it to "
		    "a file", format);
	rep.opts.color = strcmp(format, "text") == 0 && want_color(out.f);
	rep.opts.depth = topts.depth;
	rep.opts.attach = npids > 0;
	rep.stacks = symstacks_new(&rep.opts);
	out.rep = &rep;
	topts.on_process = print_process;
	topts.on_dump = print_dump;
	topts.arg = &out;

	if (npids > 0)
		rc = tracer_attach(pids, npids, &topts, &rep);
	else
		rc = tracer_launch(argv + optind, &topts, &rep, &wstatus);
	free(pids);
	pids = NULL;
	free(only_from);
	only_from = NULL;
	for (size_t i = 0; i < out.supp.n; i++) {
		const struct supp_entry *e = &out.supp.entries[i];

		if (e->hits > 0)
			report_add_supp(&rep, e->name, e->file, e->line, e->builtin,
			    e->hits);
	}
	if (rc == 0)
		emit(out.f, write_end, &out);
	if (rc == 0 && out.json_f != NULL)
		emit(out.json_f, write_json_end, &out);
	if (out.json_f != NULL && fclose(out.json_f) != 0 && rc == 0) {
		warnerr("cannot write '%s'", json_path);
		rc = EXIT_FDLEAK_ERROR;
	}
	if (((out.f != stderr && fclose(out.f) != 0) || write_failed) && rc == 0) {
		warnerr("cannot write '%s'", output_path);
		rc = EXIT_FDLEAK_ERROR;
	}
	if (out.gen.f != NULL && fclose(out.gen.f) != 0 && rc == 0) {
		warnerr("cannot write '%s'", gen_path);
		rc = EXIT_FDLEAK_ERROR;
	}
	errors = counted_errors(&rep, error_on);
	if (rc != 0)
		status = rc;
	else if (error_exitcode != 0 && errors > 0)
		status = (int)error_exitcode;
	else if (WIFSIGNALED(wstatus))
		status = 128 + WTERMSIG(wstatus);
	else
		status = WEXITSTATUS(wstatus);
	report_free(&rep);
	suppress_free(&out.supp);
	suppress_writer_free(&out.gen);
	demangle_cleanup();
	symbolize_cleanup();
	unwind_cleanup();
	stack_cleanup();
	return status;
}
