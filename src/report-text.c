// SPDX-License-Identifier: MIT
/*
 * report-text.c - the human report. The grammar is stable and quoted by
 * the man page; every line starts with "fdleak: " so that the report can
 * be grepped out of a program's own output:
 *
 *	fdleak: process pid=P ppid=PP (exit=N|signal=SIGNAME|state=running|exit=?) leaks=N [argv=Q[ Q...]] command=Q
 *	fdleak: site pid=P count=N kinds=K:N[,K:N...] oldest-fd=N newest-fd=N[ rate=N/s] targets=TARGETS
 *	fdleak:    at 0xPC: FUNCTION[ (FILE:LINE)][ [MODULE]][ (inlined)]
 *	fdleak:    by 0xPC: ...
 *	fdleak:    (no stack)
 *	fdleak: sampling pid=P attached=SECONDS wall=SECONDS share=PCT% windows=N seen=N unsampled=N gone=N changed=N[ lost]
 *	fdleak: leak pid=P fd=N kind=K syscall=(NAME|?) tid=T[ created-in=PID][ cloexec][ across-exec][ origin=unknown][ unconfirmed][ age=SECONDS] target=Q
 *	fdleak: misuse pid=P type=(double-close|bad-close) fd=N tid=T count=C fds=N[,N...][ unlisted=M] syscall=NAME[ kind=K]
 *	fdleak:    previous close:
 *	fdleak:    created:
 *	fdleak: unopened-closes pid=P count=C fds=LO-HI
 *	fdleak: inherited pid=P fd=N kind=K syscall=(NAME|?) tid=T program=Q target=Q
 *	fdleak: ran-out pid=P errno=(EMFILE|ENFILE) after=SECONDS open=(N|?) limit=(N|?) failed=N other-failed=N
 *	fdleak: holder pid=P count=N kinds=K:N[,K:N...] targets=TARGETS
 *	fdleak: failed pid=P errno=(EMFILE|ENFILE) count=N syscall=NAME
 *	fdleak: hidden suppressed-leaks=X suppressed-misuse=A suppressed-inherited=B default=D only-from=H min-age=Y fork-inherited=F
 *	fdleak: summary leaks=N processes=M leaking=K sites=S misuse=M inherited=I suppressed=X
 *
 * A process's section is its process line, then each site (the most
 * leaks first) with its stack once and one leak line per fd without
 * frames, then each misuse site with the failing close's stack (and, for
 * a double close, "previous close:" and the first close's stack, and
 * "created:" and the stack that made the fd, when known), then the count
 * of closes of fds that never existed, then each inherited fd with the
 * stack that opened it, then the first time it ran out of fds (EMFILE,
 * ENFILE) with the sites holding the most then, each with its stack, and
 * each site whose creations failed so, with its stack. FUNCTION is the function, or MODULE+0xOFFSET
 * (the module's file name) when the symbol is not known.
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

#include "json.h"
#include "report.h"
#include "util.h"
#include "syscall.h"

#define PREFIX		"fdleak: "
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
text_frames(FILE *f, const struct report *r, uint32_t stack)
{
	const struct report_opts *o = &r->opts;
	struct report_stack st = report_stack(r, stack);
	char label[512];

	for (unsigned i = 0; i < st.n; i++) {
		const struct report_frame *fr = &st.frames[i];

		fprintf(f, PREFIX "   %s 0x%" PRIx64 ": ", i == 0 ? "at" : "by",
		    fr->pc);
		if (colored(o) && fr->name != NULL)
			fputs(C_BOLD, f);
		text_bytes(f, report_frame_label(fr, label, sizeof label), 0);
		if (colored(o) && fr->name != NULL)
			fputs(C_RESET, f);
		if (fr->file != NULL) {
			fputs(" (", f);
			text_bytes(f, fr->file, 0);
			fprintf(f, ":%d)", fr->line);
		}
		if (fr->module != NULL) {
			fputs(" [", f);
			if (colored(o))
				fputs(C_DIM, f);
			text_bytes(f, fr->module, 0);
			if (colored(o))
				fputs(C_RESET, f);
			fputc(']', f);
		}
		if (fr->inlined)
			fputs(" (inlined)", f);
		fputc('\n', f);
	}
	if (st.n == 0)
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
	if (l->created_in != 0 && l->created_in != pid)
		fprintf(f, " created-in=%d", l->created_in);
	if (l->cloexec)
		fputs(" cloexec", f);
	if (l->across_exec)
		fputs(" across-exec", f);
	if (l->unknown_origin)
		fputs(" origin=unknown", f);
	if (l->unconfirmed)
		fputs(" unconfirmed", f);
	if (o != NULL && o->attach && l->age >= 0)
		fprintf(f, " age=%.1f", l->age);
	fputs(" target=", f);
	text_quote(f, l->target);
	fputc('\n', f);
}

void
report_text_targets(FILE *f, const char *const *targets, size_t n,
    size_t more)
{
	if (n == 0)
		fputc('?', f);
	for (size_t i = 0; i < n && i < TARGETS_SHOWN; i++) {
		if (i > 0)
			fputs(", ", f);
		text_quote(f, targets[i]);
	}
	if (n + more > TARGETS_SHOWN)
		fprintf(f, " and %zu more", n + more - TARGETS_SHOWN);
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
text_site(FILE *f, const struct report *r, const struct proc_report *p,
    const struct site *s)
{
	const struct report_opts *o = &r->opts;
	const char **targets;
	size_t nt;

	text_head(f, o, C_SITE, "site");
	fprintf(f, " pid=%d count=%zu kinds=", p->pid, s->count);
	report_text_kinds(f, s->kinds);
	fprintf(f, " oldest-fd=%d newest-fd=%d", p->leaks[s->oldest].fd,
	    p->leaks[s->newest].fd);
	if (p->sampling.on)
		fprintf(f, " rate=%.3g/s", report_site_rate(p, s));
	fputs(" targets=", f);
	targets = report_site_targets(p, s, &nt);
	report_text_targets(f, targets, nt, 0);
	fputc('\n', f);
	free(targets);
	text_frames(f, r, s->stack);
	for (size_t i = 0; i < s->count; i++)
		text_leak(f, p->pid, &p->leaks[s->leaks[i]], o);
}

/* "fdleak:    WORD:" between the stacks of a misuse. */
static void
text_stack_title(FILE *f, const struct report_opts *o, const char *word)
{
	fputs(PREFIX "   ", f);
	if (colored(o))
		fprintf(f, C_MISUSE "%s:" C_RESET "\n", word);
	else
		fprintf(f, "%s:\n", word);
}

/* The first time p ran out of fds, and which sites held them. */
static void
text_ran_out(FILE *f, const struct report *r, const struct proc_report *p,
    const struct ran_out *ro)
{
	const struct report_opts *o = &r->opts;

	text_head(f, o, C_MISUSE, "ran-out");
	fprintf(f, " pid=%d errno=%s after=%.1f open=", p->pid,
	    failure_class_name(ro->class), ro->after);
	if (ro->open >= 0)
		fprintf(f, "%ld", ro->open);
	else
		fputc('?', f);
	if (ro->limit != 0)
		fprintf(f, " limit=%llu", (unsigned long long)ro->limit);
	else
		fputs(" limit=?", f);
	fprintf(f, " failed=%zu other-failed=%zu\n", p->failed[ro->class],
	    p->failed[FAIL_OTHER]);
	for (unsigned i = 0; i < ro->nholders; i++) {
		const struct holder *h = &ro->holders[i];

		text_head(f, o, C_SITE, "holder");
		fprintf(f, " pid=%d count=%zu kinds=", p->pid, h->count);
		report_text_kinds(f, h->kinds);
		fputs(" targets=", f);
		report_text_targets(f, (const char *const *)h->targets,
		    h->ntargets, h->more_targets);
		fputc('\n', f);
		text_frames(f, r, h->stack);
	}
}

/* A call site whose fd creations failed with EMFILE or ENFILE. */
static void
text_failure(FILE *f, const struct report *r, int pid,
    const struct failure *fl)
{
	text_head(f, &r->opts, C_MISUSE, "failed");
	fprintf(f, " pid=%d errno=%s count=%zu syscall=%s\n", pid,
	    failure_class_name(fl->class), fl->count, syscall_name(fl->nr));
	text_frames(f, r, fl->stack);
}

static void
text_misuse(FILE *f, const struct report *r, int pid, const struct misuse *m)
{
	const struct report_opts *o = &r->opts;

	text_head(f, o, C_MISUSE, "misuse");
	fprintf(f, " pid=%d type=%s fd=%d tid=%d count=%zu fds=", pid,
	    report_misuse_name(m->type), m->fd, m->tid, m->count);
	for (unsigned i = 0; i < m->nfds; i++)
		fprintf(f, "%s%d", i ? "," : "", m->fds[i]);
	if (m->more_fds > 0)
		fprintf(f, " unlisted=%zu", m->more_fds);
	fprintf(f, " syscall=%s", origin_syscall(m->nr, false));
	if (m->kind != FDK_UNKNOWN)
		fprintf(f, " kind=%s", fd_kind_name(m->kind));
	fputc('\n', f);
	text_frames(f, r, m->stack);
	if (m->type == MISUSE_DOUBLE_CLOSE) {
		text_stack_title(f, o, "previous close");
		text_frames(f, r, m->prev_stack);
		if (m->open_stack != 0) {
			text_stack_title(f, o, "created");
			text_frames(f, r, m->open_stack);
		}
	}
}

static void
text_inherited(FILE *f, const struct report *r, int pid,
    const struct inherited *in)
{
	const struct report_opts *o = &r->opts;

	text_head(f, o, C_INHERITED, "inherited");
	fprintf(f, " pid=%d fd=%d kind=%s syscall=%s tid=%d program=", pid,
	    in->fd, fd_kind_name(in->kind), origin_syscall(in->nr, false),
	    in->tid);
	text_quote(f, in->program);
	fputs(" target=", f);
	text_quote(f, in->target);
	fputc('\n', f);
	text_frames(f, r, in->stack);
}

/* The sampling line: how much of p fdleak saw (--sample). */
static void
text_sampling(FILE *f, const struct report_opts *o, const struct proc_report *p)
{
	const struct sampling *sm = &p->sampling;

	text_head(f, o, C_DIM, "sampling");
	fprintf(f, " pid=%d attached=%.2f wall=%.2f share=%.1f%% windows=%u "
	    "seen=%zu unsampled=%zu gone=%zu changed=%zu%s\n", p->pid,
	    sm->attached, sm->wall, 100 * report_sampled_share(sm), sm->windows,
	    sm->seen, sm->unsampled, sm->gone, sm->changed,
	    sm->lost ? " lost" : "");
}

void
report_text_hidden(FILE *f, const struct report *r)
{
	fprintf(f, "suppressed-leaks=%zu suppressed-misuse=%zu "
	    "suppressed-inherited=%zu default=%zu only-from=%zu min-age=%zu "
	    "fork-inherited=%zu",
	    report_total_suppressed(r), report_total_suppressed_misuse(r),
	    report_total_suppressed_inherited(r),
	    report_total_suppressed_default(r), report_total_only_from(r),
	    report_total_young(r), report_total_forked(r));
}

void
report_text_status(FILE *f, const struct proc_report *p)
{
	char sig[32];

	if (p->exit_signal != 0)
		fprintf(f, "signal=%s",
		    signal_name(p->exit_signal, sig, sizeof sig));
	else if (p->exited)
		fprintf(f, "exit=%d", p->exit_code);
	else if (p->running)
		fputs("state=running", f);
	else
		fputs("exit=?", f);
}

void
report_text_process(FILE *f, const struct report *r,
    const struct proc_report *p)
{
	const struct report_opts *o = &r->opts;
	struct site *sites;
	size_t nsites;

	if (p->nleaks == 0 && p->nmisuse == 0 && p->ninherited == 0 &&
	    p->unopened_closes == 0 && !p->sampling.on && p->nfailures == 0)
		return;
	text_head(f, o, C_BOLD, "process");
	fprintf(f, " pid=%d ppid=%d ", p->pid, p->ppid);
	report_text_status(f, p);
	fprintf(f, " leaks=%zu", p->nleaks);
	if (p->argv != NULL && p->argv[0] != NULL) {
		fputs(" argv=", f);
		for (size_t i = 0; p->argv[i] != NULL; i++) {
			if (i > 0)
				fputc(' ', f);
			text_quote(f, p->argv[i]);
		}
	}
	fputs(" command=", f);
	text_quote(f, p->command);
	fputc('\n', f);
	if (p->sampling.on)
		text_sampling(f, o, p);

	sites = report_sites(p, &nsites);
	for (size_t i = 0; i < nsites; i++)
		text_site(f, r, p, &sites[i]);
	report_sites_free(sites, nsites);
	for (size_t i = 0; i < p->nmisuse; i++)
		text_misuse(f, r, p->pid, &p->misuse[i]);
	if (p->unopened_closes > 0) {
		text_head(f, o, C_DIM, "unopened-closes");
		fprintf(f, " pid=%d count=%zu fds=%d-%d\n", p->pid,
		    p->unopened_closes, p->unopened_lo, p->unopened_hi);
	}
	for (size_t i = 0; i < p->ninherited; i++)
		text_inherited(f, r, p->pid, &p->inherited[i]);
	for (unsigned i = 0; i < p->nran_out; i++)
		text_ran_out(f, r, p, &p->ran_out[i]);
	for (size_t i = 0; i < p->nfailures; i++)
		text_failure(f, r, p->pid, &p->failures[i]);
}

/*
 * The closing lines: what suppressions and --only-from hid (leaks, failed
 * closes and inherited fds; default: of those, what the default
 * suppressions hid) and the fds --min-age left out, then the summary.
 */
void
report_text_summary(FILE *f, const struct report *r)
{
	text_head(f, &r->opts, C_DIM, "hidden");
	fputc(' ', f);
	report_text_hidden(f, r);
	fputc('\n', f);
	text_head(f, &r->opts, C_BOLD, "summary");
	fprintf(f, " leaks=%zu processes=%zu leaking=%zu sites=%zu misuse=%zu "
	    "inherited=%zu suppressed=%zu\n", report_total_leaks(r),
	    report_total_procs(r), report_total_leaking(r),
	    report_total_sites(r), report_total_misuse(r),
	    report_total_inherited(r), report_total_suppressed(r));
}

void
report_text_frames(FILE *f, const struct report *r, uint32_t stack)
{
	text_frames(f, r, stack);
}
