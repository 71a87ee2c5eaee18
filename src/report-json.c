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

#include "json.h"
#include "report.h"
#include "util.h"
#include "syscall.h"

static void
json_backtrace(FILE *f, const struct report *r, uint32_t stack)
{
	struct report_stack st = report_stack(r, stack);

	fputs("[", f);
	for (unsigned i = 0; i < st.n; i++) {
		const struct report_frame *fr = &st.frames[i];

		fprintf(f, "%s{\"pc\": \"0x%" PRIx64 "\", \"module\": ",
		    i ? ", " : "", fr->pc);
		json_cstring(f, fr->module);
		fprintf(f, ", \"offset\": \"0x%" PRIx64 "\", \"function\": ",
		    fr->offset);
		json_cstring(f, fr->name);
		fputs(", \"file\": ", f);
		json_cstring(f, fr->file);
		if (fr->line > 0)
			fprintf(f, ", \"line\": %d", fr->line);
		else
			fputs(", \"line\": null", f);
		fprintf(f, ", \"inlined\": %s", fr->inlined ? "true" : "false");
		/* What --from needs to print the frame as this run did. */
		fputs(", \"symbol\": ", f);
		json_cstring(f, fr->function);
		fprintf(f, ", \"libc\": %s", fr->libc ? "true" : "false");
		json_hex(f, "module", fr->module);
		json_hex(f, "function", fr->name);
		json_hex(f, "symbol", fr->function);
		json_hex(f, "file", fr->file);
		fputs("}", f);
	}
	fputs("]", f);
}

static void
json_leak(FILE *f, const struct report *r, const struct leak *l)
{
	const struct report_opts *o = &r->opts;

	fprintf(f, "{\"fd\": %d, \"kind\": ", l->fd);
	json_cstring(f, fd_kind_name(l->kind));
	fputs(", \"target\": ", f);
	json_cstring(f, l->target);
	json_hex(f, "target", l->target);
	fputs(", \"syscall\": ", f);
	json_cstring(f, l->unknown_origin || l->nr < 0 ?
	    NULL : syscall_name(l->nr));
	fprintf(f, ", \"tid\": %d, \"created_in\": ", l->tid);
	if (l->created_in != 0)
		fprintf(f, "%d", l->created_in);
	else
		fputs("null", f);
	fprintf(f, ", \"cloexec\": %s, \"across_exec\": %s, "
	    "\"origin\": \"%s\", ",
	    l->cloexec ? "true" : "false", l->across_exec ? "true" : "false",
	    l->unknown_origin ? "unknown" : "syscall");
	if (l->unconfirmed)
		fputs("\"unconfirmed\": true, ", f);
	if (o != NULL && o->attach && l->age >= 0)
		fprintf(f, "\"age\": %.1f, ", l->age);
	fprintf(f, "\"serial\": %" PRIu64 ", \"stack\": %" PRIu32 ", ",
	    l->serial, l->stack);
	fputs("\"backtrace\": ", f);
	json_backtrace(f, r, l->stack);
	fputs("}", f);
}

static void
json_site(FILE *f, const struct report *r, const struct proc_report *p,
    const struct site *s)
{
	const char **targets;
	size_t nt;

	fprintf(f, "{\"count\": %zu, \"stack\": %" PRIu32 ", \"kinds\": ",
	    s->count, s->stack);
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
	fputs("]", f);
	if (p->sampling.on)
		fprintf(f, ", \"rate\": %.6g", report_site_rate(p, s));
	fputs(", \"backtrace\": ", f);
	json_backtrace(f, r, s->stack);
	fputs("}", f);
}

static void
json_misuse(FILE *f, const struct report *r, const struct misuse *m)
{
	fputs("{\"type\": ", f);
	json_cstring(f, report_misuse_name(m->type));
	fprintf(f, ", \"fd\": %d, \"tid\": %d, \"count\": %zu, \"fds\": [",
	    m->fd, m->tid, m->count);
	for (unsigned i = 0; i < m->nfds; i++)
		fprintf(f, "%s%d", i ? ", " : "", m->fds[i]);
	fprintf(f, "], \"more_fds\": %zu, \"syscall\": ", m->more_fds);
	json_cstring(f, m->nr < 0 ? NULL : syscall_name(m->nr));
	fputs(", \"kind\": ", f);
	json_cstring(f, m->kind != FDK_UNKNOWN ? fd_kind_name(m->kind) : NULL);
	fprintf(f, ", \"stack\": %" PRIu32 ", \"previous_close_stack\": %" PRIu32
	    ", \"created_stack\": %" PRIu32, m->stack, m->prev_stack,
	    m->open_stack);
	fputs(", \"backtrace\": ", f);
	json_backtrace(f, r, m->stack);
	fputs(", \"previous_close\": ", f);
	if (m->type == MISUSE_DOUBLE_CLOSE)
		json_backtrace(f, r, m->prev_stack);
	else
		fputs("null", f);
	fputs(", \"created\": ", f);
	if (m->type == MISUSE_DOUBLE_CLOSE && m->open_stack != 0)
		json_backtrace(f, r, m->open_stack);
	else
		fputs("null", f);
	fputs("}", f);
}

static void
json_inherited(FILE *f, const struct report *r, const struct inherited *in)
{
	fprintf(f, "{\"fd\": %d, \"kind\": ", in->fd);
	json_cstring(f, fd_kind_name(in->kind));
	fputs(", \"target\": ", f);
	json_cstring(f, in->target);
	fputs(", \"syscall\": ", f);
	json_cstring(f, in->nr < 0 ? NULL : syscall_name(in->nr));
	fprintf(f, ", \"tid\": %d, \"program\": ", in->tid);
	json_cstring(f, in->program);
	json_hex(f, "target", in->target);
	json_hex(f, "program", in->program);
	fprintf(f, ", \"stack\": %" PRIu32, in->stack);
	fputs(", \"backtrace\": ", f);
	json_backtrace(f, r, in->stack);
	fputs("}", f);
}

void
report_json_group(FILE *f, const struct report *r, const unsigned *kinds,
    const char *const *targets, size_t ntargets, size_t more, uint32_t stack)
{
	fputs("\"kinds\": ", f);
	report_json_kinds(f, kinds);
	fputs(", \"targets\": [", f);
	for (size_t k = 0; k < ntargets; k++) {
		fputs(k ? ", " : "", f);
		json_cstring(f, targets[k]);
	}
	fputc(']', f);
	json_hex_array(f, "targets", targets, ntargets);
	fprintf(f, ", \"more_targets\": %zu, \"stack\": %" PRIu32
	    ", \"backtrace\": ", more, stack);
	json_backtrace(f, r, stack);
}

/* Failed creations: counts by class, EMFILE and ENFILE sites, what ran out. */
static void
json_failures(FILE *f, const struct report *r, const struct proc_report *p)
{
	fprintf(f, ",\n     \"failures\": {\"emfile\": %zu, \"enfile\": %zu, "
	    "\"other\": %zu, \"sites\": [", p->failed[FAIL_EMFILE],
	    p->failed[FAIL_ENFILE], p->failed[FAIL_OTHER]);
	for (size_t i = 0; i < p->nfailures; i++) {
		const struct failure *fl = &p->failures[i];

		fprintf(f, "%s{\"errno\": \"%s\", \"count\": %zu, \"syscall\": ",
		    i ? ", " : "", failure_class_name(fl->class), fl->count);
		json_cstring(f, syscall_name(fl->nr));
		fprintf(f, ", \"stack\": %" PRIu32 ", \"backtrace\": ", fl->stack);
		json_backtrace(f, r, fl->stack);
		fputc('}', f);
	}
	fputs("]},\n     \"ran_out\": [", f);
	for (unsigned i = 0; i < p->nran_out; i++) {
		const struct ran_out *ro = &p->ran_out[i];

		fprintf(f, "%s{\"errno\": \"%s\", \"after\": %.3f, \"after_exact\": "
		    "%.17g, \"open\": ", i ? ", " : "",
		    failure_class_name(ro->class), ro->after, ro->after);
		if (ro->open >= 0)
			fprintf(f, "%ld", ro->open);
		else
			fputs("null", f);
		if (ro->limit != 0)
			fprintf(f, ", \"limit\": %llu", (unsigned long long)ro->limit);
		else
			fputs(", \"limit\": null", f);
		fputs(", \"holders\": [", f);
		for (unsigned j = 0; j < ro->nholders; j++) {
			const struct holder *h = &ro->holders[j];

			fprintf(f, "%s{\"count\": %zu, ", j ? ", " : "", h->count);
			report_json_group(f, r, h->kinds,
			    (const char *const *)h->targets, h->ntargets,
			    h->more_targets, h->stack);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputc(']', f);
}

static void
json_process(FILE *f, const struct report *r, const struct proc_report *p)
{
	const struct report_opts *o = &r->opts;
	struct site *sites;
	size_t nsites;
	char sig[32];

	fprintf(f, "    {\"pid\": %d, \"ppid\": %d, \"command\": ",
	    p->pid, p->ppid);
	json_cstring(f, p->command);
	json_hex(f, "command", p->command);
	fputs(", \"argv\": ", f);
	if (p->argv == NULL) {
		fputs("null", f);
	} else {
		fputc('[', f);
		size_t n;

		for (n = 0; p->argv[n] != NULL; n++) {
			fputs(n > 0 ? ", " : "", f);
			json_cstring(f, p->argv[n]);
		}
		fputc(']', f);
		json_hex_array(f, "argv", (const char *const *)p->argv, n);
	}
	if (p->exit_signal == 0 && p->exited)
		fprintf(f, ", \"exit_code\": %d", p->exit_code);
	else
		fputs(", \"exit_code\": null", f);
	fputs(", \"exit_signal\": ", f);
	json_cstring(f, p->exit_signal != 0 ?
	    signal_name(p->exit_signal, sig, sizeof sig) : NULL);
	if (o != NULL && o->attach)
		fprintf(f, ", \"running\": %s", p->running ? "true" : "false");
	if (p->sampling.on) {
		const struct sampling *sm = &p->sampling;

		fprintf(f, ",\n     \"sampling\": {\"attached\": %.3f, \"wall\": %.3f, "
		    "\"share\": %.4f, \"windows\": %u, \"seen\": %zu, "
		    "\"unsampled\": %zu, \"gone\": %zu, \"changed\": %zu, "
		    "\"lost\": %s, \"attached_exact\": %.17g, \"wall_exact\": %.17g}",
		    sm->attached, sm->wall,
		    report_sampled_share(sm), sm->windows, sm->seen, sm->unsampled,
		    sm->gone, sm->changed, sm->lost ? "true" : "false",
		    sm->attached, sm->wall);
	}
	/* Where it ended among the dumps, and when: --from and the timeline. */
	fprintf(f, ", \"dumps_before\": %u, \"ended\": ", p->dumps_before);
	if (p->ended >= 0)
		fprintf(f, "%.3f", p->ended);
	else
		fputs("null", f);
	fputs(",\n     \"leaks\": [", f);
	for (size_t i = 0; i < p->nleaks; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_leak(f, r, &p->leaks[i]);
	}
	fputs(p->nleaks ? "\n     ]" : "]", f);
	sites = report_sites(p, &nsites);
	fputs(",\n     \"sites\": [", f);
	for (size_t i = 0; i < nsites; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_site(f, r, p, &sites[i]);
	}
	fputs(nsites ? "\n     ]" : "]", f);
	report_sites_free(sites, nsites);
	fputs(",\n     \"misuse\": [", f);
	for (size_t i = 0; i < p->nmisuse; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_misuse(f, r, &p->misuse[i]);
	}
	fputs(p->nmisuse ? "\n     ]" : "]", f);
	fputs(",\n     \"inherited\": [", f);
	for (size_t i = 0; i < p->ninherited; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_inherited(f, r, &p->inherited[i]);
	}
	fputs(p->ninherited ? "\n     ]" : "]", f);
	json_failures(f, r, p);
	fprintf(f, ",\n     \"suppressed\": %zu, \"suppressed_misuse\": %zu, "
	    "\"suppressed_inherited\": %zu, \"suppressed_default\": %zu, "
	    "\"only_from_hidden\": %zu, \"min_age_hidden\": %zu, "
	    "\"fork_inherited_hidden\": %zu, \"unopened_closes\": {\"count\": %zu",
	    p->nsuppressed, p->nsuppressed_misuse, p->nsuppressed_inherited,
	    p->nsuppressed_default, p->nonly_from, p->nyoung, p->nforked,
	    p->unopened_closes);
	if (p->unopened_closes > 0)
		fprintf(f, ", \"lowest_fd\": %d, \"highest_fd\": %d}}",
		    p->unopened_lo, p->unopened_hi);
	else
		fputs(", \"lowest_fd\": null, \"highest_fd\": null}}", f);
}

void
report_json(FILE *f, const struct report *r)
{
	fputs("{\n  \"version\": ", f);
	json_cstring(f, FDLEAK_VERSION);
	/* The options that shaped the records, for --from. */
	fprintf(f, ",\n  \"options\": {\"depth\": %u, \"libc_frames\": %s, "
	    "\"attach\": %s}", r->opts.depth, r->opts.libc_frames ? "true" : "false",
	    r->opts.attach ? "true" : "false");
	fputs(",\n  \"processes\": [", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_process(f, r, &r->procs[i]);
	}
	fputs(r->nprocs ? "\n  ],\n  \"suppressions\": [" : "],\n  \"suppressions\": [", f);
	for (size_t i = 0; i < r->nsupps; i++) {
		const struct report_supp *e = &r->supps[i];

		fputs(i ? ",\n    " : "\n    ", f);
		fputs("{\"name\": ", f);
		json_cstring(f, e->name);
		fputs(", \"file\": ", f);
		json_cstring(f, e->file);
		json_hex(f, "name", e->name);
		json_hex(f, "file", e->file);
		fprintf(f, ", \"line\": %u, \"default\": %s, \"hits\": %zu}",
		    e->line, e->builtin ? "true" : "false", e->hits);
	}
	fprintf(f, "%s],\n  \"summary\": {\"leaks\": %zu, \"processes\": %zu, "
	    "\"leaking\": %zu, \"sites\": %zu, \"misuse\": %zu, "
	    "\"inherited\": %zu, \"suppressed\": %zu, "
	    "\"suppressed_misuse\": %zu, \"suppressed_inherited\": %zu, "
	    "\"suppressed_default\": %zu, \"only_from_hidden\": %zu, "
	    "\"min_age_hidden\": %zu, \"fork_inherited_hidden\": %zu, "
	    "\"unopened_closes\": %zu}\n}\n",
	    r->nsupps ? "\n  " : "",
	    report_total_leaks(r), r->nprocs, report_total_leaking(r),
	    report_total_sites(r), report_total_misuse(r),
	    report_total_inherited(r), report_total_suppressed(r),
	    report_total_suppressed_misuse(r),
	    report_total_suppressed_inherited(r),
	    report_total_suppressed_default(r), report_total_only_from(r),
	    report_total_young(r), report_total_forked(r),
	    report_total_unopened_closes(r));
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
report_json_backtrace(FILE *f, const struct report *r, uint32_t stack)
{
	json_backtrace(f, r, stack);
}
