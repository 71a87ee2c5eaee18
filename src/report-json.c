// SPDX-License-Identifier: MIT
/*
 * report-json.c - the report as one JSON document, for programs. Every
 * process is listed, leaking or not; one leak per line keeps it readable
 * and diffable. Every string goes through json.c, so the document parses
 * whatever bytes the paths hold.
 */
#include <inttypes.h>

#include "json.h"
#include "report.h"
#include "stack.h"
#include "symbolize.h"
#include "syscall.h"

#define MAX_INLINE	16	/* inline frames written per captured frame */

static void
json_backtrace(FILE *f, uint32_t stack, const struct report_opts *o)
{
	struct sym_frame sf[MAX_INLINE];
	const struct frame *fr;
	unsigned first, n, written = 0;

	fr = report_frames(stack, o, &first, &n);
	fputs("[", f);
	for (unsigned i = first; i < n; i++) {
		unsigned ns = symbolize_frame(&fr[i], i > 0, sf, MAX_INLINE);

		if (ns == 0) {
			sf[0] = (struct sym_frame){ 0 };
			ns = 1;
		}
		for (unsigned j = 0; j < ns; j++) {
			fprintf(f, "%s{\"pc\": \"0x%" PRIx64 "\", \"module\": ",
			    written++ ? ", " : "", fr[i].pc);
			json_cstring(f, module_path(fr[i].module));
			fprintf(f, ", \"offset\": \"0x%" PRIx64 "\", \"function\": ",
			    fr[i].offset);
			json_cstring(f, sf[j].function);
			fputs(", \"file\": ", f);
			json_cstring(f, sf[j].file);
			if (sf[j].line > 0)
				fprintf(f, ", \"line\": %d", sf[j].line);
			else
				fputs(", \"line\": null", f);
			fprintf(f, ", \"inlined\": %s}",
			    sf[j].inlined ? "true" : "false");
		}
	}
	fputs("]", f);
}

static void
json_leak(FILE *f, const struct leak *l, const struct report_opts *o)
{
	fprintf(f, "{\"fd\": %d, \"kind\": ", l->fd);
	json_cstring(f, fd_kind_name(l->kind));
	fputs(", \"target\": ", f);
	json_cstring(f, l->target);
	fputs(", \"syscall\": ", f);
	json_cstring(f, l->unknown_origin || l->nr < 0 ?
	    NULL : syscall_name(l->nr));
	fprintf(f, ", \"tid\": %d, \"cloexec\": %s, \"across_exec\": %s, "
	    "\"origin\": \"%s\", \"backtrace\": ", l->tid,
	    l->cloexec ? "true" : "false", l->across_exec ? "true" : "false",
	    l->unknown_origin ? "unknown" : "syscall");
	json_backtrace(f, l->stack, o);
	fputs("}", f);
}

static void
json_process(FILE *f, const struct proc_report *p, const struct report_opts *o)
{
	char sig[32];

	fprintf(f, "    {\"pid\": %d, \"ppid\": %d, \"command\": ",
	    p->pid, p->ppid);
	json_cstring(f, p->command);
	if (p->exit_signal == 0 && p->exited)
		fprintf(f, ", \"exit_code\": %d", p->exit_code);
	else
		fputs(", \"exit_code\": null", f);
	fputs(", \"exit_signal\": ", f);
	json_cstring(f, p->exit_signal != 0 ?
	    report_signal_name(p->exit_signal, sig, sizeof sig) : NULL);
	fputs(",\n     \"leaks\": [", f);
	for (size_t i = 0; i < p->nleaks; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_leak(f, &p->leaks[i], o);
	}
	fputs(p->nleaks ? "\n     ]}" : "]}", f);
}

void
report_json(FILE *f, const struct report *r)
{
	fputs("{\n  \"version\": ", f);
	json_cstring(f, FDLEAK_VERSION);
	fputs(",\n  \"processes\": [", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_process(f, &r->procs[i], &r->opts);
	}
	fprintf(f, "%s],\n  \"summary\": {\"leaks\": %zu, \"processes\": %zu}\n}\n",
	    r->nprocs ? "\n  " : "", report_total_leaks(r), r->nprocs);
}

void
report_json_backtrace(FILE *f, uint32_t stack, const struct report_opts *o)
{
	json_backtrace(f, stack, o);
}
