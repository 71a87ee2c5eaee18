// SPDX-License-Identifier: MIT
/*
 * fuzz_suppress_gen.c - suppress_write_entry, as --gen-suppressions uses
 * it, on arbitrary names: the input is split at NUL bytes into the entry
 * name, a kind selector, a comment, then frames: a function name, or 'o'
 * and a module path (no function known), or '?' (nothing known). An
 * empty name stands for NULL, as the symbolizer gives unknown names.
 * Whatever the bytes, the entry written must parse (one entry, the kind
 * kept) and must match the very stack and kind it was written for.
 */
#include <stdbool.h>
#include <string.h>

#include "fdkind.h"
#include "fuzz.h"
#include "suppress.h"

#define MAXP	34

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *piece[MAXP];
	struct supp_sym syms[MAXP];
	struct suppress s = { 0 };
	char *copy, *buf = NULL, *err = NULL;
	const char *kind = NULL, *misuse;
	size_t np = 0, n = 0, blen = 0;
	enum supp_type type;
	FILE *f;

	/* NUL-separated pieces (the last one ends at the end). */
	copy = malloc(size + 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; np < MAXP; p += strlen(p) + 1) {
		piece[np++] = p;
		if (p + strlen(p) >= copy + size)
			break;
	}
	if (np < 3) {
		free(copy);
		return 0;
	}
	if (piece[1][0] != '\0')
		kind = fd_kind_name((enum fd_kind)((unsigned char)piece[1][0] %
		    FDK_COUNT));
	for (size_t i = 3; i < np; i++) {
		const char *p = piece[i];

		/* An empty name is NULL, as the symbolizer gives it. */
		if (p[0] == 'o')		/* a module only */
			syms[n++] = (struct supp_sym){ NULL, NULL,
			    p[1] != '\0' ? p + 1 : NULL };
		else if (p[0] == '?')	/* nothing known */
			syms[n++] = (struct supp_sym){ NULL, NULL, NULL };
		else
			syms[n++] = (struct supp_sym){ p[0] != '\0' ? p : NULL,
			    NULL, "/usr/lib/libx.so" };
	}

	/* The three types in turn, misuse ones with and without their type. */
	type = (enum supp_type)(size % 3);
	misuse = type == SUPP_MISUSE && size % 2 ? "double-close" : NULL;
	f = open_memstream(&buf, &blen);
	FUZZ_CHECK(f != NULL);
	suppress_write_entry(f, piece[2][0] != '\0' ? piece[2] : NULL, piece[0],
	    type, misuse, kind, syms, n);
	FUZZ_CHECK(fclose(f) == 0);
	if (suppress_parse(&s, "gen.supp", buf, blen, false, &err) != 0) {
		fprintf(stderr, "written entry does not parse: %s\n"
		    "---\n%s---\n", err, buf);
		FUZZ_CHECK(!"written entry parses");
	}
	FUZZ_CHECK(s.n == 1);
	FUZZ_CHECK(suppress_match_frames(&s.entries[0], syms, n));
	FUZZ_CHECK(s.entries[0].type == type);
	FUZZ_CHECK(suppress_match_record(&s.entries[0], &(struct supp_record){
	    type, "double-close", kind != NULL ? kind : "socket", "socket:[1]", 3, NULL }));
	FUZZ_CHECK(misuse == NULL || !suppress_match_record(&s.entries[0],
	    &(struct supp_record){ type, "bad-close", kind != NULL ? kind :
	    "socket", "socket:[1]", 3, NULL }));
	FUZZ_CHECK((kind == NULL) == (s.entries[0].kind == NULL));
	suppress_free(&s);
	free(buf);
	free(copy);
	return 0;
}
