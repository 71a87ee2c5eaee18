// SPDX-License-Identifier: MIT
/*
 * report-text.c - the human report. The grammar is stable and quoted by
 * the man page; every line starts with "fdleak: " so that the report can
 * be grepped out of a program's own output:
 *
 *	fdleak: process pid=P ppid=PP (exit=N|signal=SIGNAME|exit=?) leaks=N command=Q
 *	fdleak: leak pid=P fd=N kind=K syscall=(NAME|?) tid=T[ cloexec][ across-exec][ origin=unknown] target=Q
 *	fdleak:    at 0xPC: FUNCTION[ (FILE:LINE)][ [MODULE]][ (inlined)]
 *	fdleak:    by 0xPC: ...
 *	fdleak:    (no stack)
 *	fdleak: summary leaks=N processes=M leaking=K
 *
 * Q is ? when unknown, else a double-quoted string in which \" \\ \n \t
 * \r are escaped, other bytes below 0x20, 0x7f and bytes of invalid UTF-8
 * are written \xNN (lowercase hex), and valid UTF-8 is kept as it is.
 * FUNCTION, FILE and MODULE are not quoted; only their control bytes and
 * invalid UTF-8 become \xNN, so that a line never breaks.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "syscall.h"

#define PREFIX		"fdleak: "
#define MAX_INLINE	16	/* inline frames printed per captured frame */

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
			text_bytes(f, sf[j].function != NULL ?
			    sf[j].function : "???", 0);
			if (sf[j].file != NULL) {
				fputs(" (", f);
				text_bytes(f, sf[j].file, 0);
				fprintf(f, ":%d)", sf[j].line);
			}
			if (mod != NULL) {
				fputs(" [", f);
				text_bytes(f, mod, 0);
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

void
report_text_process(FILE *f, const struct proc_report *p,
    const struct report_opts *o)
{
	char sig[32];

	if (p->nleaks == 0)
		return;
	fprintf(f, PREFIX "process pid=%d ppid=%d ", p->pid, p->ppid);
	if (p->exit_signal != 0)
		fprintf(f, "signal=%s",
		    report_signal_name(p->exit_signal, sig, sizeof sig));
	else if (p->exited)
		fprintf(f, "exit=%d", p->exit_code);
	else
		fputs("exit=?", f);
	fprintf(f, " leaks=%zu command=", p->nleaks);
	text_quote(f, p->command);
	fputc('\n', f);

	for (size_t i = 0; i < p->nleaks; i++) {
		const struct leak *l = &p->leaks[i];

		fprintf(f, PREFIX "leak pid=%d fd=%d kind=%s syscall=%s tid=%d",
		    p->pid, l->fd, fd_kind_name(l->kind),
		    l->unknown_origin || l->nr < 0 ? "?" : syscall_name(l->nr),
		    l->tid);
		if (l->cloexec)
			fputs(" cloexec", f);
		if (l->across_exec)
			fputs(" across-exec", f);
		if (l->unknown_origin)
			fputs(" origin=unknown", f);
		fputs(" target=", f);
		text_quote(f, l->target);
		fputc('\n', f);
		text_frames(f, l->stack, o);
	}
}

void
report_text_summary(FILE *f, const struct report *r)
{
	size_t leaking = 0;

	for (size_t i = 0; i < r->nprocs; i++) {
		if (r->procs[i].nleaks > 0)
			leaking++;
	}
	fprintf(f, PREFIX "summary leaks=%zu processes=%zu leaking=%zu\n",
	    report_total_leaks(r), r->nprocs, leaking);
}

void
report_text_frames(FILE *f, uint32_t stack, const struct report_opts *o)
{
	text_frames(f, stack, o);
}
