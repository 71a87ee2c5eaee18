// SPDX-License-Identifier: MIT
/*
 * report-html.c - the report as one self-contained HTML page, for people:
 * a summary, the call sites (most fds first, each opening to its stack), a
 * flame graph of the leaked fds, the timeline of the live dumps, misuse,
 * inherited fds and the suppressions that hid something.
 *
 * Nothing is fetched: style and script are inline, and the page's
 * Content-Security-Policy forbids any load and any script but its own
 * (by hash), so a page opened from file:// or from a CI artifact reaches
 * no network, and a string that escaping somehow let through could not
 * run. Every string from the traced programs goes through html_text().
 * Everything is drawn in C: the page reads whole with JavaScript off; the
 * script only zooms the flame graph, tells what was clicked, and opens
 * every stack before printing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "flame.h"
#include "json.h"
#include "report.h"
#include "syscall.h"
#include "util.h"

#define FLAME_W		1200.0	/* flame graph units across */
#define FLAME_ROW	17u	/* height of a frame */
/*
 * Frames narrower than a quarter of a pixel (at 1200 px) are not drawn,
 * as flamegraph.pl's --minwidth: they could not be seen or clicked, and a
 * report of 10 000 one-fd sites would draw 10 000 of them.
 */
#define FLAME_MIN_W	0.25
#define CHAR_W		7.2	/* width of a 12px monospace character */
#define FDS_LISTED	40	/* fds named per site */
#define TL_W		900	/* timeline chart size */
#define TL_H		300
#define TL_LEFT		60
#define TL_RIGHT	20
#define TL_TOP		16
#define TL_BOTTOM	36
#define TL_SITES	6	/* growing sites drawn and named per process */
#define TL_PROCS	8	/* processes given a chart */

/* Timeline colours: the process's fds, its outstanding ones, then sites. */
static const char *const colors[] = {
	"#222222", "#888888", "#d62728", "#1f77b4", "#2ca02c", "#9467bd",
	"#ff7f0e", "#8c564b",
};

/*
 * The script, kept small; its SHA-256 (base64) is in the page's CSP:
 * after a change, take the new one from the test html-report, which
 * checks it, or from
 *	python3 -c 'import base64,hashlib,sys; print(base64.b64encode(
 *	    hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())'
 * fed the text between <script> and </script>.
 */
static const char script[] =
    "(function(){"
    "var svg=document.getElementById('flame-svg'),info=document.getElementById('flame-info'),"
    "L=document.getElementById('flame-labels');"
    "function fit(s,w){var n=Math.floor((w-6)/7.2);"
    "return n<3?'':s.length>n?s.slice(0,n-2)+'..':s;}"
    "function at(r){if(r.x0===undefined){r.x0=+r.getAttribute('x');"
    "r.w0=+r.getAttribute('width');r.d=+r.getAttribute('y');}return r;}"
    "function zoom(n){at(n);var x0=n.x0,w0=n.w0,d0=n.d,e=1e-6;"
    "L.textContent='';"
    "svg.querySelectorAll('rect.f').forEach(function(r){at(r);"
    "var x=r.x0,w=r.w0,d=r.d,"
    "a=d<d0&&x<=x0+e&&x+w>=x0+w0-e,i=d>=d0&&x>=x0-e&&x+w<=x0+w0+e;"
    "r.style.display=a||i?'':'none';if(!a&&!i)return;"
    "var nx=a?0:(x-x0)/w0*1200,nw=a?1200:w/w0*1200,s=fit(r.firstChild.textContent.split('\\n')[0],nw);"
    "r.setAttribute('x',nx);r.setAttribute('width',nw);if(!s)return;"
    "var t=document.createElementNS('http://www.w3.org/2000/svg','text');"
    "t.setAttribute('x',nx+3);t.setAttribute('y',d+12);"
    "t.textContent=s;L.appendChild(t);});"
    "info.textContent=n.firstChild.textContent.replace('\\n',': ');}"
    "if(svg)svg.addEventListener('click',function(ev){"
    "if(ev.target.matches('rect.f'))zoom(ev.target);});"
    "window.addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});"
    "})();";
static const char script_sha256[] = "sha256-12OaZwkTeCrGqjBgj42hRLmErSUyHECb5TBLKOI+qig=";

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1240px;"
    "padding:0 16px 40px;color:#1b1b1b;background:#fff}"
    "h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}"
    "nav a{margin-right:14px}.meta{color:#555;margin:0}"
    "code,.mono,pre,svg text{font-family:ui-monospace,monospace}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}"
    ".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:96px}"
    ".card b{display:block;font-size:22px}.card.bad b{color:#c62828}"
    "table{border-collapse:collapse;margin:6px 0}"
    "th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top}"
    "th{border-bottom:1px solid #ccc}td.n,th.n{text-align:right}"
    "details{border:1px solid #e2e2e2;border-radius:5px;margin:5px 0;padding:4px 8px}"
    "details[open]{background:#fafafa}summary{cursor:pointer}"
    "summary>b:first-child,summary .count{display:inline-block;min-width:3.5em;color:#c62828}"
    "details.site{content-visibility:auto;contain-intrinsic-size:auto 30px}"
    ".kinds,.dim{color:#666;overflow-wrap:anywhere}"
    "pre.stack{font-size:12.5px;margin:4px 0;overflow-x:auto}"
    ".mod{color:#777}.note{color:#555}"
    "svg{max-width:100%;height:auto;display:block}"
    "#flame-svg rect.f{cursor:pointer}#flame-svg rect.f:hover{stroke:#000;stroke-width:.6}"
    "#flame-svg text{font-size:12px;pointer-events:none}"
    "#flame-info{min-height:1.4em;font-family:ui-monospace,monospace}"
    ".legend{list-style:none;padding:0;margin:4px 0}.legend li{margin:2px 0}"
    ".sw{display:inline-block;width:22px;height:4px;vertical-align:middle;margin-right:6px}"
    "@media print{nav,#flame-info{display:none}body{max-width:none;font-size:11px}"
    "details{break-inside:avoid}section{break-before:auto}}";

/*
 * s as HTML text (or an attribute value): & < > " ' as entities, valid
 * UTF-8 as it is, control bytes and invalid UTF-8 as \xNN, as the text
 * report writes them; at most max characters (0: all), then "..".
 * NULL writes "?".
 */
static void
html_text_max(FILE *f, const char *s, size_t max)
{
	size_t len, i = 0, chars = 0, n;

	if (s == NULL)
		s = "?";
	len = strlen(s);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (max != 0 && chars == max) {
			fputs("..", f);
			return;
		}
		chars++;
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&#39;", f);
		else if (c >= 0x20 && c != 0x7f &&
		    (n = json_utf8_seq(s + i, len - i)) != 0) {
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		} else
			fprintf(f, "\\x%02x", c);
		i++;
	}
}

static void
html_text(FILE *f, const char *s)
{
	html_text_max(f, s, 0);
}

/* The number of characters html_text_max counts in s. */
static size_t
text_chars(const char *s)
{
	size_t len = strlen(s), i = 0, chars = 0, n;

	while (i < len) {
		n = json_utf8_seq(s + i, len - i);
		i += n ? n : 1;
		chars++;
	}
	return chars;
}

/* "name (file:line)" of frame i of st, the frame a person looks at. */
static void
html_where(FILE *f, const struct report_stack *st, long i)
{
	char label[512];

	if (i < 0) {
		fputs("(no stack)", f);
		return;
	}
	html_text(f, report_frame_label(&st->frames[i], label, sizeof label));
	if (st->frames[i].file != NULL) {
		fputs(" (", f);
		html_text(f, st->frames[i].file);
		fprintf(f, ":%d)", st->frames[i].line);
	}
}

/* Write n spaces: columns of a stack line up. */
static void
pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* The file name of module, or "-" for anonymous memory. */
static const char *
module_name(const char *module)
{
	return module == NULL ? "-" : path_base(module);
}

/*
 * The lines of stack id, one per printed frame, innermost first:
 * "#N  FUNCTION  MODULE  0xPC  FILE:LINE", the first frame outside libc
 * in bold, "(inlined)" after an inlined one. One text node per stack,
 * not a table, and the long column last: a page of 10 000 sites stays
 * small and quick to open.
 */
static void
html_stack_lines(FILE *f, const struct report *r, uint32_t id)
{
	struct report_stack st = report_stack(r, id);
	long user = report_user_frame(&st);
	size_t wl = 0, wm = 0;
	char label[512];

	if (st.n == 0) {
		fputs("(no stack)\n", f);
		return;
	}
	for (unsigned i = 0; i < st.n; i++) {
		size_t l = text_chars(report_frame_label(&st.frames[i], label,
		    sizeof label)) + (st.frames[i].inlined ? 10 : 0);
		size_t m = text_chars(module_name(st.frames[i].module));

		wl = l > wl ? l : wl;
		wm = m > wm ? m : wm;
	}
	for (unsigned i = 0; i < st.n; i++) {
		const struct report_frame *fr = &st.frames[i];
		const char *name = report_frame_label(fr, label, sizeof label);
		const char *mod = module_name(fr->module);

		fprintf(f, "#%-3u", i);
		fputs((long)i == user ? "<b>" : "", f);
		html_text(f, name);
		fputs((long)i == user ? "</b>" : "", f);
		fputs(fr->inlined ? " (inlined)" : "", f);
		pad(f, wl - text_chars(name) - (fr->inlined ? 10 : 0) + 2);
		html_text(f, mod);
		pad(f, wm - text_chars(mod) + 2);
		fprintf(f, "0x%" PRIx64, fr->pc);
		if (fr->file != NULL) {
			fputs("  ", f);
			html_text(f, fr->file);
			fprintf(f, ":%d", fr->line);
		}
		fputc('\n', f);
	}
}

static void
html_stack(FILE *f, const struct report *r, uint32_t id)
{
	fputs("<pre class=stack>", f);
	html_stack_lines(f, r, id);
	fputs("</pre>\n", f);
}

/* The command line of p as its last exec had it, else its executable. */
static void
html_command(FILE *f, const struct proc_report *p)
{
	if (p->argv == NULL || p->argv[0] == NULL) {
		html_text(f, p->command);
		return;
	}
	for (size_t i = 0; p->argv[i] != NULL; i++) {
		fputs(i ? " " : "", f);
		html_text(f, p->argv[i]);
	}
	if (p->command != NULL && strcmp(p->command, p->argv[0]) != 0) {
		fputs(" <span class=dim>(", f);
		html_text(f, p->command);
		fputs(")</span>", f);
	}
}

static void
card(FILE *f, const char *what, size_t n, bool bad)
{
	fprintf(f, "<div class=\"card%s\"><b>%zu</b>%s</div>\n",
	    bad && n > 0 ? " bad" : "", n, what);
}

static void
html_summary(FILE *f, const struct report *r)
{
	unsigned kinds[FDK_COUNT] = { 0 };

	fputs("<section id=summary><h2>Summary</h2>\n<div class=cards>\n", f);
	card(f, "leaked fds", report_total_leaks(r), true);
	card(f, "call sites", report_total_sites(r), true);
	card(f, "leaking processes", report_total_leaking(r), true);
	card(f, "processes", report_total_procs(r), false);
	card(f, "failed closes", report_total_misuse(r), true);
	card(f, "inherited fds", report_total_inherited(r), true);
	card(f, "suppressed", report_total_suppressed(r) +
	    report_total_suppressed_misuse(r) +
	    report_total_suppressed_inherited(r), false);
	fputs("</div>\n", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		for (size_t j = 0; j < r->procs[i].nleaks; j++)
			kinds[fd_kind_counted(r->procs[i].leaks[j].kind)]++;
	}
	fputs("<p>Leaks by kind: <span class=kinds>", f);
	report_text_kinds(f, kinds);
	if (report_total_leaks(r) == 0)
		fputs("none", f);
	/* As the text report's hidden line, whose words the man page explains. */
	fputs("</span></p>\n<p class=note>Hidden: ", f);
	report_text_hidden(f, r);
	fputs(".</p>\n", f);
	fputs("<table class=procs>\n<tr><th class=n>pid</th><th class=n>ppid</th>"
	    "<th>command line</th><th>end</th><th class=n>leaks</th>"
	    "<th class=n>sites</th><th class=n>misuse</th>"
	    "<th class=n>inherited</th><th class=n>suppressed</th></tr>\n", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc_report *p = &r->procs[i];
		struct site *s;
		size_t ns;

		s = report_sites(p, &ns);
		report_sites_free(s, ns);
		fprintf(f, "<tr><td class=n>%d</td><td class=n>%d</td><td class=mono>",
		    p->pid, p->ppid);
		html_command(f, p);
		fputs("</td><td>", f);
		report_text_status(f, p);
		fprintf(f, "</td><td class=n>%zu</td><td class=n>%zu</td>"
		    "<td class=n>%zu</td><td class=n>%zu</td><td class=n>%zu</td>"
		    "</tr>\n", p->nleaks, ns, report_proc_misuse(p), p->ninherited,
		    p->nsuppressed + p->nsuppressed_misuse +
		    p->nsuppressed_inherited);
	}
	fputs("</table>\n</section>\n", f);
}

struct any_site {
	const struct proc_report *p;
	struct site s;
};

static int
any_site_cmp(const void *a, const void *b)
{
	const struct any_site *x = a, *y = b;

	if (x->s.count != y->s.count)
		return x->s.count < y->s.count ? 1 : -1;
	if (x->p != y->p)
		return x->p > y->p ? 1 : -1;
	return 0;
}

static void
html_site(FILE *f, const struct report *r, const struct any_site *a)
{
	const struct proc_report *p = a->p;
	const struct site *s = &a->s;
	struct report_stack st = report_stack(r, s->stack);
	const char **targets;
	size_t nt;

	fprintf(f, "<details class=site data-stack=\"%" PRIu32 "\"><summary>"
	    "<b>%zu</b> ", s->stack, s->count);
	report_text_kinds(f, s->kinds);
	fputs(" <code>", f);
	html_where(f, &st, report_user_frame(&st));
	/* The pid alone: the table of processes names its command. */
	fprintf(f, "</code> pid %d: ", p->pid);
	targets = report_site_targets(p, s, &nt);
	for (size_t i = 0; i < nt && i < 3; i++) {
		fputs(i ? ", " : "", f);
		html_text(f, targets[i]);
	}
	if (nt > 3)
		fprintf(f, " and %zu more", nt - 3);
	free(targets);
	fprintf(f, "</summary>\n<pre class=stack>fds ");
	for (size_t i = 0; i < s->count && i < FDS_LISTED; i++)
		fprintf(f, "%s%d", i ? ", " : "", p->leaks[s->leaks[i]].fd);
	if (s->count > FDS_LISTED)
		fprintf(f, " and %zu more", s->count - FDS_LISTED);
	fputs("\n", f);
	html_stack_lines(f, r, s->stack);
	fputs("</pre>\n", f);
	fputs("</details>\n", f);
}

static void
html_sites(FILE *f, const struct report *r)
{
	struct any_site *all = NULL;
	size_t n = 0;

	for (size_t i = 0; i < r->nprocs; i++) {
		struct site *s;
		size_t ns;

		s = report_sites(&r->procs[i], &ns);
		for (size_t j = 0; j < ns; j++) {
			all = xgrow(all, n, sizeof *all);
			all[n++] = (struct any_site){ &r->procs[i], s[j] };
		}
		free(s);	/* the sites' leak arrays now belong to all */
	}
	if (n > 1)
		qsort(all, n, sizeof *all, any_site_cmp);
	fputs("<section id=sites><h2>Call sites</h2>\n", f);
	if (n == 0)
		fputs("<p>No leaks.</p>\n", f);
	else
		fputs("<p class=note>Most fds first; each opens to its stack, "
		    "innermost frame first (the frame in bold is the first one "
		    "outside libc).</p>\n", f);
	for (size_t i = 0; i < n; i++) {
		html_site(f, r, &all[i]);
		free(all[i].s.leaks);
	}
	free(all);
	fputs("</section>\n", f);
}

/* A warm colour from the name, as flamegraph.pl; processes are blue. */
static void
flame_color(FILE *f, const struct flame_node *nd)
{
	uint64_t h = hash_bytes(HASH_INIT, nd->name, strlen(nd->name));
	unsigned a = h & 0xff, b = (h >> 8) & 0xff;

	if (nd->depth <= 1)
		fprintf(f, "#%02x%02x%02x", 0x6b + a / 8, 0x9b + b / 8, 0xd8);
	else
		fprintf(f, "#%02x%02x%02x", 205 + a * 50 / 255, 80 + b * 150 / 255,
		    40 + (unsigned)(h >> 16 & 0xff) * 40 / 255);
}

/*
 * Node i and those under it, x units from the left: a rect (its title
 * tells the frame and count on hover) and, where the label fits, a text
 * into labels, drawn after every rect so that none hides one. A node
 * narrower than FLAME_MIN_W is left out with what is under it.
 */
static void
flame_node_draw(FILE *f, FILE *labels, const struct flame *fl, uint32_t i,
    double x, double total)
{
	const struct flame_node *nd = &fl->nodes[i];
	double w = (double)nd->count / total * FLAME_W;
	size_t nc, fit;
	uint32_t *kids;

	if (w < FLAME_MIN_W)
		return;
	fprintf(f, "<rect class=f x=\"%.3f\" y=\"%u\" width=\"%.3f\" height=\"%u\" "
	    "fill=\"", x, nd->depth * FLAME_ROW, w, FLAME_ROW - 1);
	flame_color(f, nd);
	fputs("\"><title>", f);
	html_text(f, nd->name);
	fprintf(f, "\n%zu fd%s (%.1f%%)</title></rect>\n", nd->count,
	    nd->count == 1 ? "" : "s", 100.0 * (double)nd->count / total);
	fit = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0;
	if (fit >= 3) {
		fprintf(labels, "<text x=\"%.2f\" y=\"%u\">", x + 3,
		    nd->depth * FLAME_ROW + 12);
		html_text_max(labels, nd->name, text_chars(nd->name) > fit ?
		    fit - 2 : 0);
		fputs("</text>\n", labels);
	}
	kids = flame_children(fl, i, &nc);
	for (size_t k = 0; k < nc; k++) {
		flame_node_draw(f, labels, fl, kids[k], x, total);
		x += (double)fl->nodes[kids[k]].count / total * FLAME_W;
	}
	free(kids);
}

static void
html_flame(FILE *f, const struct report *r)
{
	struct flame fl;
	unsigned depth = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *labels;

	flame_build(&fl, r);
	fputs("<section id=flame><h2>Flame graph of the leaked fds</h2>\n", f);
	if (fl.nodes[0].count == 0) {
		fputs("<p>No leaks.</p>\n</section>\n", f);
		flame_free(&fl);
		return;
	}
	for (size_t i = 0; i < fl.n; i++) {
		if (fl.nodes[i].depth > depth)
			depth = fl.nodes[i].depth;
	}
	fputs("<p class=note>Each site's stack, root at the top and weighted by "
	    "the fds leaked there; frames are merged from the root. Hover a frame "
	    "for its count; click one to zoom in on it (the top bar zooms out)."
	    "</p>\n", f);
	fprintf(f, "<svg id=flame-svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %u\" width=\"%.0f\" height=\"%u\" role=img "
	    "aria-label=\"flame graph\">\n", FLAME_W, (depth + 1) * FLAME_ROW,
	    FLAME_W, (depth + 1) * FLAME_ROW);
	labels = open_memstream(&text, &len);
	if (labels == NULL) {
		flame_free(&fl);
		return;
	}
	flame_node_draw(f, labels, &fl, 0, 0, (double)fl.nodes[0].count);
	fclose(labels);
	fprintf(f, "<g id=flame-labels>\n%s</g>\n</svg>\n<p id=flame-info></p>\n"
	    "</section>\n", text);
	free(text);
	flame_free(&fl);
}

/* One site's counts across a process's dumps. */
struct tl_site {
	uint32_t stack;
	long *counts;		/* per dump of the process; 0 where absent */
	long growth;		/* last count minus first */
};

struct tl_proc {
	int pid;
	size_t n;		/* dumps holding the process */
	double *t;		/* their elapsed times */
	long *fds, *outstanding;
	struct tl_site *sites;
	size_t nsites;
};

/* The site of stack in tp, made with zero counts if new. */
static struct tl_site *
tl_site(struct tl_proc *tp, uint32_t stack, size_t ndumps)
{
	for (size_t k = 0; k < tp->nsites; k++) {
		if (tp->sites[k].stack == stack)
			return &tp->sites[k];
	}
	tp->sites = xgrow(tp->sites, tp->nsites, sizeof *tp->sites);
	tp->sites[tp->nsites] = (struct tl_site){ stack,
	    xcalloc(ndumps, sizeof(long)), 0 };
	return &tp->sites[tp->nsites++];
}

/* Process pid's counts in r's dumps. */
static void
tl_gather(const struct report *r, int pid, struct tl_proc *tp)
{
	size_t nd = r->ndumps;

	memset(tp, 0, sizeof *tp);
	tp->pid = pid;
	tp->t = xcalloc(nd, sizeof *tp->t);
	tp->fds = xcalloc(nd, sizeof *tp->fds);
	tp->outstanding = xcalloc(nd, sizeof *tp->outstanding);
	for (size_t d = 0; d < nd; d++) {
		for (size_t i = 0; i < r->dumps[d].nprocs; i++) {
			const struct dump_proc *p = &r->dumps[d].procs[i];

			if (p->pid != pid)
				continue;
			tp->t[tp->n] = r->dumps[d].elapsed;
			tp->fds[tp->n] = p->fds;
			tp->outstanding[tp->n] = (long)p->outstanding;
			for (size_t s = 0; s < p->nsites; s++)
				tl_site(tp, p->sites[s].stack, nd)->counts[tp->n] =
				    (long)p->sites[s].count;
			tp->n++;
			break;
		}
	}
	for (size_t k = 0; k < tp->nsites; k++)
		tp->sites[k].growth = tp->sites[k].counts[tp->n - 1] -
		    tp->sites[k].counts[0];
}

static void
tl_free(struct tl_proc *tp)
{
	for (size_t k = 0; k < tp->nsites; k++)
		free(tp->sites[k].counts);
	free(tp->sites);
	free(tp->t);
	free(tp->fds);
	free(tp->outstanding);
}

static int
tl_growth_cmp(const void *a, const void *b)
{
	const struct tl_site *x = a, *y = b;

	if (x->growth != y->growth)
		return x->growth < y->growth ? 1 : -1;
	return (x->stack > y->stack) - (x->stack < y->stack);
}

struct tl_axes {
	double tmax, ymax;
};

static double
tl_x(const struct tl_axes *ax, double t)
{
	return TL_LEFT + (ax->tmax > 0 ? t / ax->tmax : 0.5) *
	    (TL_W - TL_LEFT - TL_RIGHT);
}

static double
tl_y(const struct tl_axes *ax, double v)
{
	return TL_H - TL_BOTTOM - (ax->ymax > 0 ? v / ax->ymax : 0) *
	    (TL_H - TL_TOP - TL_BOTTOM);
}

/* The name of a series: what, or the site of stack st when st is given. */
static void
tl_name(FILE *f, const struct report_stack *st, const char *what)
{
	if (st != NULL)
		html_where(f, st, report_user_frame(st));
	else
		html_text(f, what);
}

/* One series: a line through its points, each with its value on hover. */
static void
tl_series(FILE *f, const struct tl_axes *ax, const struct tl_proc *tp,
    const long *v, const char *color, const struct report_stack *st,
    const char *what)
{
	fprintf(f, "<polyline class=series fill=none stroke=\"%s\" "
	    "stroke-width=2 points=\"", color);
	for (size_t j = 0; j < tp->n; j++)
		fprintf(f, "%s%.1f,%.1f", j ? " " : "", tl_x(ax, tp->t[j]),
		    tl_y(ax, (double)v[j]));
	fputs("\"/>\n", f);
	for (size_t j = 0; j < tp->n; j++) {
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=3 fill=\"%s\"><title>",
		    tl_x(ax, tp->t[j]), tl_y(ax, (double)v[j]), color);
		tl_name(f, st, what);
		fprintf(f, ": %ld at %.1f s</title></circle>\n", v[j], tp->t[j]);
	}
}

static void
tl_axes_draw(FILE *f, const struct tl_axes *ax)
{
	fprintf(f, "<g stroke=\"#999\"><line x1=%d y1=%d x2=%d y2=%d />"
	    "<line x1=%d y1=%d x2=%d y2=%d /></g>\n", TL_LEFT, TL_TOP, TL_LEFT,
	    TL_H - TL_BOTTOM, TL_LEFT, TL_H - TL_BOTTOM, TL_W - TL_RIGHT,
	    TL_H - TL_BOTTOM);
	fputs("<g font-size=11 fill=\"#444\">\n", f);
	for (int i = 0; i <= 4; i++) {
		double v = ax->ymax * i / 4, t = ax->tmax * i / 4;

		fprintf(f, "<text x=%d y=\"%.1f\" text-anchor=end>%g</text>"
		    "<text x=\"%.1f\" y=%d text-anchor=middle>%g s</text>\n",
		    TL_LEFT - 6, tl_y(ax, v) + 4, v, tl_x(ax, t),
		    TL_H - TL_BOTTOM + 16, t);
	}
	fprintf(f, "<text x=%d y=%d text-anchor=middle>seconds since the "
	    "trace began</text></g>\n", (TL_W + TL_LEFT) / 2, TL_H - 4);
}

static double
dmax(double a, double b)
{
	return a > b ? a : b;
}

/* The least of 1, 2, 2.5, 5 times a power of ten not below v: axis ends. */
static double
nice_ceiling(double v)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p = 1;

	if (v <= 0)
		return 1;
	while (p * 10 <= v)
		p *= 10;
	while (p > v)
		p /= 10;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		if (steps[i] * p >= v)
			return steps[i] * p;
	}
	return 10 * p;
}

/* A legend line's colour; the words and </li> follow. */
static void
tl_legend_item(FILE *f, const char *color)
{
	fprintf(f, "<li><span class=sw style=\"background:%s\"></span>", color);
}

static void
html_timeline_proc(FILE *f, const struct report *r, struct tl_proc *tp)
{
	struct tl_axes ax = { 0, 0 };
	size_t drawn = 0;
	bool have_fds = false;

	if (tp->nsites > 1)
		qsort(tp->sites, tp->nsites, sizeof *tp->sites, tl_growth_cmp);
	for (size_t j = 0; j < tp->n; j++) {
		ax.tmax = dmax(ax.tmax, tp->t[j]);
		ax.ymax = dmax(ax.ymax, (double)tp->fds[j]);
		ax.ymax = dmax(ax.ymax, (double)tp->outstanding[j]);
		have_fds |= tp->fds[j] >= 0;
	}
	ax.ymax = nice_ceiling(dmax(4, ax.ymax));
	ax.tmax = nice_ceiling(ax.tmax);
	fprintf(f, "<h3>pid %d</h3>\n<svg class=timeline xmlns=\"http://www.w3.org/"
	    "2000/svg\" viewBox=\"0 0 %d %d\" width=%d height=%d role=img "
	    "aria-label=\"fds of pid %d over time\">\n", tp->pid, TL_W, TL_H,
	    TL_W, TL_H, tp->pid);
	tl_axes_draw(f, &ax);
	if (have_fds)
		tl_series(f, &ax, tp, tp->fds, colors[0], NULL,
		    "all fds of the process");
	tl_series(f, &ax, tp, tp->outstanding, colors[1], NULL,
	    "outstanding fds");
	for (; drawn < tp->nsites && drawn < TL_SITES &&
	    tp->sites[drawn].growth > 0; drawn++) {
		struct report_stack st = report_stack(r, tp->sites[drawn].stack);

		tl_series(f, &ax, tp, tp->sites[drawn].counts, colors[2 + drawn],
		    &st, NULL);
	}
	fputs("</svg>\n<ul class=legend>\n", f);
	if (have_fds) {
		tl_legend_item(f, colors[0]);
		fputs("all fds of the process</li>\n", f);
	}
	tl_legend_item(f, colors[1]);
	fputs("outstanding fds: made while traced, still open</li>\n", f);
	for (size_t k = 0; k < drawn; k++) {
		struct report_stack st = report_stack(r, tp->sites[k].stack);

		tl_legend_item(f, colors[2 + k]);
		fprintf(f, "growing site <b>+%ld</b> <code>",
		    tp->sites[k].growth);
		html_where(f, &st, report_user_frame(&st));
		fputs("</code></li>\n", f);
	}
	if (drawn == 0)
		fputs("<li>no site grew from the first dump to the last</li>\n", f);
	fputs("</ul>\n", f);
}

static void
html_timeline(FILE *f, const struct report *r)
{
	int *pids = NULL;
	size_t npids = 0;

	fputs("<section id=timeline><h2>Timeline of the live dumps</h2>\n", f);
	if (r->ndumps == 0) {
		fputs("<p>No dumps: attach with <code>-p PID --interval=SECONDS</code> "
		    "(or send fdleak SIGUSR1) to see outstanding fds grow over time."
		    "</p>\n</section>\n", f);
		return;
	}
	fprintf(f, "<p class=note>%zu dumps, from %.1f s to %.1f s: per process, "
	    "all its fds, the outstanding ones, and the sites that grew the most "
	    "from its first dump to its last, named below its chart.</p>\n",
	    r->ndumps, r->dumps[0].elapsed, r->dumps[r->ndumps - 1].elapsed);
	for (size_t d = 0; d < r->ndumps; d++) {
		for (size_t i = 0; i < r->dumps[d].nprocs; i++) {
			size_t k;

			for (k = 0; k < npids; k++) {
				if (pids[k] == r->dumps[d].procs[i].pid)
					break;
			}
			if (k == npids) {
				pids = xgrow(pids, npids, sizeof *pids);
				pids[npids++] = r->dumps[d].procs[i].pid;
			}
		}
	}
	for (size_t k = 0; k < npids && k < TL_PROCS; k++) {
		struct tl_proc tp;

		tl_gather(r, pids[k], &tp);
		html_timeline_proc(f, r, &tp);
		tl_free(&tp);
	}
	if (npids > TL_PROCS)
		fprintf(f, "<p class=note>%zu more processes are in the dumps, not "
		    "drawn.</p>\n", npids - TL_PROCS);
	free(pids);
	fputs("</section>\n", f);
}

/* A titled stack inside a misuse or inherited entry. */
static void
html_titled_stack(FILE *f, const struct report *r, const char *title,
    uint32_t id)
{
	fprintf(f, "<p class=note>%s:</p>\n", title);
	html_stack(f, r, id);
}

static void
html_misuse(FILE *f, const struct report *r)
{
	fputs("<section id=misuse><h2>Misuse: closes that failed</h2>\n", f);
	if (report_total_misuse(r) == 0)
		fputs("<p>None.</p>\n", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc_report *p = &r->procs[i];

		for (size_t j = 0; j < p->nmisuse; j++) {
			const struct misuse *m = &p->misuse[j];
			struct report_stack st = report_stack(r, m->stack);

			fprintf(f, "<details class=misuse><summary><span class=count>"
			    "%zu</span> %s of fd %d", m->count,
			    report_misuse_name(m->type), m->fd);
			if (m->kind != FDK_UNKNOWN)
				fprintf(f, " (%s)", fd_kind_name(m->kind));
			fprintf(f, " by %s <code>", m->nr >= 0 ?
			    syscall_name(m->nr) : "close");
			html_where(f, &st, report_user_frame(&st));
			fprintf(f, "</code> <span class=dim>pid %d ", p->pid);
			html_text(f, p->command);
			fputs("</span></summary>\n<p class=fds>fds ", f);
			for (unsigned k = 0; k < m->nfds; k++)
				fprintf(f, "%s%d", k ? ", " : "", m->fds[k]);
			if (m->more_fds > 0)
				fprintf(f, " and %zu failures at other fds", m->more_fds);
			fputs("</p>\n", f);
			html_titled_stack(f, r, "the failing close", m->stack);
			if (m->type == MISUSE_DOUBLE_CLOSE) {
				html_titled_stack(f, r, "the close before it",
				    m->prev_stack);
				if (m->open_stack != 0)
					html_titled_stack(f, r, "where the fd was made",
					    m->open_stack);
			}
			fputs("</details>\n", f);
		}
		if (p->unopened_closes > 0)
			fprintf(f, "<p class=note>pid %d closed %zu fds that never "
			    "existed (%d-%d), as closefrom-style loops do.</p>\n",
			    p->pid, p->unopened_closes, p->unopened_lo,
			    p->unopened_hi);
	}
	fputs("</section>\n", f);
}

static void
html_inherited(FILE *f, const struct report *r)
{
	fputs("<section id=inherited><h2>Inherited across exec</h2>\n", f);
	if (report_total_inherited(r) == 0)
		fputs("<p>None.</p>\n", f);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct proc_report *p = &r->procs[i];

		for (size_t j = 0; j < p->ninherited; j++) {
			const struct inherited *in = &p->inherited[j];
			struct report_stack st = report_stack(r, in->stack);

			fprintf(f, "<details class=inherited><summary>fd %d (%s) ",
			    in->fd, fd_kind_name(in->kind));
			html_text(f, in->target);
			fputs(" into <span class=mono>", f);
			html_text(f, in->program);
			fprintf(f, "</span> <span class=dim>pid %d</span>, made "
			    "<code>", p->pid);
			html_where(f, &st, report_user_frame(&st));
			fputs("</code></summary>\n", f);
			html_stack(f, r, in->stack);
			fputs("</details>\n", f);
		}
	}
	fputs("</section>\n", f);
}

static void
html_supps(FILE *f, const struct report *r)
{
	if (r->nsupps == 0)
		return;
	fputs("<section id=suppressions><h2>Suppressions that hid something"
	    "</h2>\n<table>\n<tr><th>entry</th><th>file:line</th>"
	    "<th class=n>hid</th></tr>\n", f);
	for (size_t i = 0; i < r->nsupps; i++) {
		const struct report_supp *e = &r->supps[i];

		fputs("<tr><td class=mono>", f);
		html_text(f, e->name);
		fputs("</td><td class=mono>", f);
		html_text(f, e->file);
		fprintf(f, ":%u%s</td><td class=n>%zu</td></tr>\n", e->line,
		    e->builtin ? " (default)" : "", e->hits);
	}
	fputs("</table>\n</section>\n", f);
}

void
report_html(FILE *f, const struct report *r)
{
	const char *cmd = r->nprocs > 0 ? r->procs[0].command : NULL;

	fprintf(f, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
	    "<meta http-equiv=Content-Security-Policy content=\"default-src "
	    "'none'; style-src 'unsafe-inline'; script-src '%s'\">\n"
	    "<meta name=viewport content=\"width=device-width, initial-scale=1\">\n"
	    "<title>fdleak: %zu leaked fds", script_sha256, report_total_leaks(r));
	if (cmd != NULL) {
		fputs(" in ", f);
		html_text(f, cmd);
	}
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>"
	    "<h1>fdleak report</h1>\n<p class=meta>fdleak %s, %s", style,
	    FDLEAK_VERSION, r->opts.attach ? "attached to running processes" :
	    "launched");
	if (cmd != NULL) {
		fputs(" <span class=mono>", f);
		html_text(f, cmd);
		fputs("</span>", f);
	}
	fprintf(f, "; stacks of at most %u frames%s.</p>\n<nav><a href=#summary>"
	    "Summary</a><a href=#sites>Call sites</a><a href=#flame>Flame graph"
	    "</a><a href=#timeline>Timeline</a><a href=#misuse>Misuse</a>"
	    "<a href=#inherited>Inherited</a></nav>\n</header>\n<main>\n",
	    r->opts.depth, r->opts.libc_frames ? ", libc frames kept" : "");
	html_summary(f, r);
	html_sites(f, r);
	html_flame(f, r);
	html_timeline(f, r);
	html_misuse(f, r);
	html_inherited(f, r);
	html_supps(f, r);
	fprintf(f, "</main>\n<script>%s</script>\n</body>\n</html>\n", script);
}
