// SPDX-License-Identifier: MIT
/*
 * report-text.c - the human report. The grammar is stable and quoted by
 * the man page; every line starts with "fdleak: " so that the report can
 * be grepped out of a program's own output:
 *
 *	fdleak: process pid=P ppid=PP (exit=N|signal=SIGNAME|state=running|exit=?) leaks=N command=Q
 *	fdleak: site pid=P count=N kinds=K:N[,K:N...] oldest-fd=N newest-fd=N targets=TARGETS
 *	fdleak:    at 0xPC: FUNCTION[ (FILE:LINE)][ [MODULE]][ (inlined)]
 *	fdleak:    by 0xPC: ...
 *	fdleak:    (no stack)
 *	fdleak: leak pid=P fd=N kind=K syscall=(NAME|?) tid=T[ cloexec][ across-exec][ origin=unknown][ age=SECONDS] target=Q
 *	fdleak: misuse pid=P type=(double-close|bad-close) fd=N tid=T
 *	fdleak:    previous close:
 *	fdleak: inherited pid=P fd=N kind=K syscall=(NAME|?) tid=T program=Q target=Q
 *	fdleak: summary leaks=N processes=M leaking=K sites=S misuse=M inherited=I suppressed=X
 *
 * A process's section is its process line, then each site (the most
 * leaks first) with its stack once and one leak line per fd without
 * frames, then each misuse with the failing close's stack (and, for a
 * double close, "previous close:" and the first close's stack), then each
 * inherited fd with the stack that opened it.
 *
 * TARGETS is ?, or up to TARGETS_SHOWN distinct targets Q separated by
 * ", ", oldest first, followed by " and N more" when there are more.
 * Q is ? when unknown, else a double-quoted string in which \" \\ \n \t
 * \r are escaped, other bytes below 0x20, 0x7f and bytes of invalid UTF-8
 * are written \xNN (lowercase hex), and valid UTF-8 is kept as it is.
 * FUNCTION, FILE and MODULE are not quoted; only their control bytes and
 * invalid UTF-8 become \xNN, so that a line never breaks.
 *
 * With o->color, ANSI colour codes surround some words; the words and
 * their order stay the same.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "json.h"
#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "syscall.h"

#define PREFIX		"fdleak: "
#define MAX_INLINE	16	/* inline frames printed per captured frame */
#define TARGETS_SHOWN	3	/* targets named on a site line */

#define C_RESET		"\033[0m"
#define C_BOLD		"\033[1m"
#define C_LEAK		"\033[1;31m"
#define C_SITE		"\033[1;33m"
#define C_MISUSE	"\033[1;35m"
#define C_INHERITED	"\033[1;36m"
#define C_DIM		"\033[2m"

/* Write s; quoted adds the quotes and the backslash escapes. */
static void
text_bytes(FILE *f, const char *s, int quoted)
{
	size_t len = strlen(s), i = 0;

	if (quoted)
		fputc('"', f);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;
		size_t n;

		if (quoted) {
			switch (c) {
			case '"':  e = "\\\""; break;
			case '\\': e = "\\\\"; break;
			case '\n': e = "\\n"; break;
			case '\t': e = "\\t"; break;
			case '\r': e = "\\r"; break;
			}
		}
		if (e != NULL) {
			fputs(e, f);
			i++;
		} else if (c >= 0x20 && c != 0x7f &&
		    (n = json_utf8_seq(s + i, len - i)) != 0) {
			fwrite(s + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\x%02x", c);
			i++;
		}
	}
	if (quoted)
		fputc('"', f);
}

static void
text_quote(FILE *f, const char *s)
{
	if (s == NULL)
		fputc('?', f);
	else
		text_bytes(f, s, 1);
}

static bool
colored(const struct report_opts *o)
{
	return o != NULL && o->color;
}

/* "fdleak: WORD" with WORD in colour c when colours are on. */
static void
text_head(FILE *f, const struct report_opts *o, const char *c, const char *word)
{
	if (colored(o))
		fprintf(f, PREFIX "%s%s" C_RESET, c, word);
	else
		fprintf(f, PREFIX "%s", word);
}

static void
text_frames(FILE *f, uint32_t stack, const struct report_opts *o)
{
	struct sym_frame sf[MAX_INLINE];
	const struct frame *fr;
	unsigned first, n, lines = 0;

	fr = report_frames(stack, o, &first, &n);
	for (unsigned i = first; i < n; i++) {
		const char *mod = module_path(fr[i].module);
		unsigned ns = symbolize_frame(&fr[i], i > 0, sf, MAX_INLINE);

		if (ns == 0) {
			/* Not promised by symbolize.h for max >= 1; print the pc anyway. */
			sf[0] = (struct sym_frame){ 0 };
			ns = 1;
		}
		for (unsigned j = 0; j < ns; j++) {
			fprintf(f, PREFIX "   %s 0x%" PRIx64 ": ",
			    lines++ == 0 ? "at" : "by", fr[i].pc);
			if (colored(o) && sf[j].function != NULL)
				fputs(C_BOLD, f);
			text_bytes(f, sf[j].function != NULL ?
			    demangle(sf[j].function) : "???", 0);
			if (colored(o) && sf[j].function != NULL)
				fputs(C_RESET, f);
			if (sf[j].file != NULL) {
				fputs(" (", f);
				text_bytes(f, sf[j].file, 0);
				fprintf(f, ":%d)", sf[j].line);
			}
			if (mod != NULL) {
				fputs(" [", f);
				if (colored(o))
					fputs(C_DIM, f);
				text_bytes(f, mod, 0);
				if (colored(o))
					fputs(C_RESET, f);
				fputc(']', f);
			}
			if (sf[j].inlined)
				fputs(" (inlined)", f);
			fputc('\n', f);
		}
	}
	if (lines == 0)
		fputs(PREFIX "   (no stack)\n", f);
}

static const char *
origin_syscall(int nr, bool unknown)
{
	return unknown || nr < 0 ? "?" : syscall_name(nr);
}

static void
text_leak(FILE *f, int pid, const struct leak *l, const struct report_opts *o)
{
	text_head(f, o, C_LEAK, "leak");
	fprintf(f, " pid=%d fd=%d kind=%s syscall=%s tid=%d", pid, l->fd,
	    fd_kind_name(l->kind), origin_syscall(l->nr, l->unknown_origin),
	    l->tid);
	if (l->cloexec)
		fputs(" cloexec", f);
	if (l->across_exec)
		fputs(" across-exec", f);
	if (l->unknown_origin)
		fputs(" origin=unknown", f);
	if (o != NULL && o->attach && l->age >= 0)
		fprintf(f, " age=%.1f", l->age);
	fputs(" target=", f);
	text_quote(f, l->target);
	fputc('\n', f);
}

void
report_text_kinds(FILE *f, const unsigned *kinds)
{
	const char *sep = "";

	for (unsigned k = 0; k < FDK_COUNT; k++) {
		if (kinds[k] == 0)
			continue;
		fprintf(f, "%s%s:%u", sep, fd_kind_name((enum fd_kind)k), kinds[k]);
		sep = ",";
	}
}

static void
text_site(FILE *f, const struct proc_report *p, const struct site *s,
    const struct report_opts *o)
{
	const char **targets;
	size_t nt;

	text_head(f, o, C_SITE, "site");
	fprintf(f, " pid=%d count=%zu kinds=", p->pid, s->count);
	report_text_kinds(f, s->kinds);
	fprintf(f, " oldest-fd=%d newest-fd=%d targets=", p->leaks[s->oldest].fd,
	    p->leaks[s->newest].fd);
	targets = report_site_targets(p, s, &nt);
	if (nt == 0)
		fputc('?', f);
	for (size_t i = 0; i < nt && i < TARGETS_SHOWN; i++) {
		if (i > 0)
			fputs(", ", f);
		text_quote(f, targets[i]);
	}
	if (nt > TARGETS_SHOWN)
		fprintf(f, " and %zu more", nt - TARGETS_SHOWN);
	fputc('\n', f);
	free(targets);
	text_frames(f, s->stack, o);
	for (size_t i = 0; i < s->count; i++)
		text_leak(f, p->pid, &p->leaks[s->leaks[i]], o);
}

static void
text_misuse(FILE *f, int pid, const struct misuse *m,
    const struct report_opts *o)
{
	text_head(f, o, C_MISUSE, "misuse");
	fprintf(f, " pid=%d type=%s fd=%d tid=%d\n", pid,
	    report_misuse_name(m->type), m->fd, m->tid);
	text_frames(f, m->stack, o);
	if (m->type == MISUSE_DOUBLE_CLOSE) {
		fputs(PREFIX "   ", f);
		if (colored(o))
			fputs(C_MISUSE "previous close:" C_RESET "\n", f);
		else
			fputs("previous close:\n", f);
		text_frames(f, m->prev_stack, o);
	}
}

static void
text_inherited(FILE *f, int pid, const struct inherited *in,
    const struct report_opts *o)
{
	text_head(f, o, C_INHERITED, "inherited");
	fprintf(f, " pid=%d fd=%d kind=%s syscall=%s tid=%d program=", pid,
	    in->fd, fd_kind_name(in->kind), origin_syscall(in->nr, false),
	    in->tid);
	text_quote(f, in->program);
	fputs(" target=", f);
	text_quote(f, in->target);
	fputc('\n', f);
	text_frames(f, in->stack, o);
}

void
report_text_process(FILE *f, const struct proc_report *p,
    const struct report_opts *o)
{
	struct site *sites;
	size_t nsites;
	char sig[32];

	if (p->nleaks == 0 && p->nmisuse == 0 && p->ninherited == 0)
		return;
	text_head(f, o, C_BOLD, "process");
	fprintf(f, " pid=%d ppid=%d ", p->pid, p->ppid);
	if (p->exit_signal != 0)
		fprintf(f, "signal=%s",
		    report_signal_name(p->exit_signal, sig, sizeof sig));
	else if (p->exited)
		fprintf(f, "exit=%d", p->exit_code);
	else if (p->running)
		fputs("state=running", f);
	else
		fputs("exit=?", f);
	fprintf(f, " leaks=%zu command=", p->nleaks);
	text_quote(f, p->command);
	fputc('\n', f);

	sites = report_sites(p, &nsites);
	for (size_t i = 0; i < nsites; i++)
		text_site(f, p, &sites[i], o);
	report_sites_free(sites, nsites);
	for (size_t i = 0; i < p->nmisuse; i++)
		text_misuse(f, p->pid, &p->misuse[i], o);
	for (size_t i = 0; i < p->ninherited; i++)
		text_inherited(f, p->pid, &p->inherited[i], o);
}

void
report_text_summary(FILE *f, const struct report *r)
{
	text_head(f, &r->opts, C_BOLD, "summary");
	fprintf(f, " leaks=%zu processes=%zu leaking=%zu sites=%zu misuse=%zu "
	    "inherited=%zu suppressed=%zu\n", report_total_leaks(r),
	    report_total_procs(r), report_total_leaking(r),
	    report_total_sites(r), report_total_misuse(r),
	    report_total_inherited(r), report_total_suppressed(r));
}

void
report_text_frames(FILE *f, uint32_t stack, const struct report_opts *o)
{
	text_frames(f, stack, o);
}
