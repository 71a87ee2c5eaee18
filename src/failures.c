// SPDX-License-Identifier: MIT
/*
 * failures.c - fd creations that failed, for the question a user of a
 * leak tracer asks first: what ran out? EMFILE and ENFILE failures are
 * kept per call site; every other error is only counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* The kernel's restart codes, which a tracer may see as results. */
#define ERESTARTSYS_	512
#define ERESTART_LAST_	516

bool
failure_counts(int err)
{
	return err > 0 && err != EAGAIN && err != EINTR && err != EINPROGRESS &&
	    !(err >= ERESTARTSYS_ && err <= ERESTART_LAST_);
}

enum fail_class
failure_class(int err)
{
	return err == EMFILE ? FAIL_EMFILE : err == ENFILE ? FAIL_ENFILE :
	    FAIL_OTHER;
}

const char *
failure_class_name(enum fail_class c)
{
	static const char *const names[FAIL_CLASSES] = { "EMFILE", "ENFILE",
	    "other" };

	return c < FAIL_CLASSES ? names[c] : "?";
}

bool
report_add_failure(struct proc_report *p, uint32_t stack, int nr, int err)
{
	enum fail_class c = failure_class(err);
	struct failure *f;
	bool first = p->failed[c] == 0;

	p->failed[c]++;
	if (c == FAIL_OTHER)
		return false;
	/* A program that runs out fails at a few places, again and again. */
	for (size_t i = p->nfailures; i-- > 0;) {
		f = &p->failures[i];
		if (f->stack == stack && f->nr == nr && f->class == c) {
			f->count++;
			return first;
		}
	}
	p->failures = xgrow(p->failures, p->nfailures, sizeof *p->failures);
	f = &p->failures[p->nfailures++];
	*f = (struct failure){ .stack = stack, .nr = nr, .class = c, .count = 1 };
	return first;
}

struct ran_out *
report_add_ran_out(struct proc_report *p, enum fail_class c)
{
	struct ran_out *r;

	if (p->nran_out >= sizeof p->ran_out / sizeof p->ran_out[0])
		return NULL;
	r = &p->ran_out[p->nran_out++];
	memset(r, 0, sizeof *r);
	r->class = c;
	r->open = -1;
	return r;
}

void
report_failures_free(struct proc_report *p)
{
	for (unsigned i = 0; i < p->nran_out; i++) {
		for (unsigned j = 0; j < p->ran_out[i].nholders; j++) {
			struct holder *h = &p->ran_out[i].holders[j];

			for (unsigned k = 0; k < h->ntargets; k++)
				free(h->targets[k]);
		}
	}
	p->nran_out = 0;
	free(p->failures);
	p->failures = NULL;
	p->nfailures = 0;
}
