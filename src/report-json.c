// SPDX-License-Identifier: MIT
/*
 * report-json.c - the report as one JSON document, for programs. Every
 * process is listed, leaking or not, with its leaks (one per line keeps it
 * readable and diffable), the same leaks grouped by call site, its close
 * misuse and its inherited fds. Every string goes through json.c, so the
 * document parses whatever bytes the paths hold.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "demangle.h"
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
			json_cstring(f, demangle(sf[j].function));
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
	    "\"origin\": \"%s\", ", l->tid,
	    l->cloexec ? "true" : "false", l->across_exec ? "true" : "false",
	    l->unknown_origin ? "unknown" : "syscall");
	if (o != NULL && o->attach && l->age >= 0)
		fprintf(f, "\"age\": %.1f, ", l->age);
	fputs("\"backtrace\": ", f);
	json_backtrace(f, l->stack, o);
	fputs("}", f);
}

static void
json_site(FILE *f, const struct proc_report *p, const struct site *s,
    const struct report_opts *o)
{
	const char **targets;
	size_t nt;

	fprintf(f, "{\"count\": %zu, \"kinds\": ", s->count);
	report_json_kinds(f, s->kinds);
	fputs(", \"fds\": [", f);
	for (size_t i = 0; i < s->count; i++)
		fprintf(f, "%s%d", i ? ", " : "", p->leaks[s->leaks[i]].fd);
	fprintf(f, "], \"oldest_fd\": %d, \"newest_fd\": %d, \"targets\": [",
	    p->leaks[s->oldest].fd, p->leaks[s->newest].fd);
	targets = report_site_targets(p, s, &nt);
	for (size_t i = 0; i < nt; i++) {
		if (i > 0)
			fputs(", ", f);
		json_cstring(f, targets[i]);
	}
	free(targets);
	fputs("], \"backtrace\": ", f);
	json_backtrace(f, s->stack, o);
	fputs("}", f);
}

static void
json_misuse(FILE *f, const struct misuse *m, const struct report_opts *o)
{
	fputs("{\"type\": ", f);
	json_cstring(f, report_misuse_name(m->type));
	fprintf(f, ", \"fd\": %d, \"tid\": %d, \"backtrace\": ", m->fd, m->tid);
	json_backtrace(f, m->stack, o);
	fputs(", \"previous_close\": ", f);
	if (m->type == MISUSE_DOUBLE_CLOSE)
		json_backtrace(f, m->prev_stack, o);
	else
		fputs("null", f);
	fputs("}", f);
}

static void
json_inherited(FILE *f, const struct inherited *in, const struct report_opts *o)
{
	fprintf(f, "{\"fd\": %d, \"kind\": ", in->fd);
	json_cstring(f, fd_kind_name(in->kind));
	fputs(", \"target\": ", f);
	json_cstring(f, in->target);
	fputs(", \"syscall\": ", f);
	json_cstring(f, in->nr < 0 ? NULL : syscall_name(in->nr));
	fprintf(f, ", \"tid\": %d, \"program\": ", in->tid);
	json_cstring(f, in->program);
	fputs(", \"backtrace\": ", f);
	json_backtrace(f, in->stack, o);
	fputs("}", f);
}

static void
json_process(FILE *f, const struct proc_report *p, const struct report_opts *o)
{
	struct site *sites;
	size_t nsites;
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
	if (o != NULL && o->attach)
		fprintf(f, ", \"running\": %s", p->running ? "true" : "false");
	fputs(",\n     \"leaks\": [", f);
	for (size_t i = 0; i < p->nleaks; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_leak(f, &p->leaks[i], o);
	}
	fputs(p->nleaks ? "\n     ]" : "]", f);
	sites = report_sites(p, &nsites);
	fputs(",\n     \"sites\": [", f);
	for (size_t i = 0; i < nsites; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_site(f, p, &sites[i], o);
	}
	fputs(nsites ? "\n     ]" : "]", f);
	report_sites_free(sites, nsites);
	fputs(",\n     \"misuse\": [", f);
	for (size_t i = 0; i < p->nmisuse; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_misuse(f, &p->misuse[i], o);
	}
	fputs(p->nmisuse ? "\n     ]" : "]", f);
	fputs(",\n     \"inherited\": [", f);
	for (size_t i = 0; i < p->ninherited; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_inherited(f, &p->inherited[i], o);
	}
	fputs(p->ninherited ? "\n     ]" : "]", f);
	fprintf(f, ",\n     \"suppressed\": %zu}", p->nsuppressed);
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
	fprintf(f, "%s],\n  \"summary\": {\"leaks\": %zu, \"processes\": %zu, "
	    "\"sites\": %zu, \"misuse\": %zu, \"inherited\": %zu, "
	    "\"suppressed\": %zu}\n}\n", r->nprocs ? "\n  " : "",
	    report_total_leaks(r), r->nprocs, report_total_sites(r),
	    report_total_misuse(r), report_total_inherited(r),
	    report_total_suppressed(r));
}

void
report_json_kinds(FILE *f, const unsigned *kinds)
{
	const char *sep = "";

	fputc('{', f);
	for (unsigned k = 0; k < FDK_COUNT; k++) {
		if (kinds[k] == 0)
			continue;
		fputs(sep, f);
		json_cstring(f, fd_kind_name((enum fd_kind)k));
		fprintf(f, ": %u", kinds[k]);
		sep = ", ";
	}
	fputc('}', f);
}

void
report_json_backtrace(FILE *f, uint32_t stack, const struct report_opts *o)
{
	json_backtrace(f, stack, o);
}
