// SPDX-License-Identifier: MIT
/*
 * fuzz_json.c - json_escape, json_string, json_cstring and json_utf8_seq
 * on arbitrary bytes. The output must be one valid JSON string that
 * decodes to the input with each byte of invalid UTF-8 replaced by
 * U+FFFD; truncation must follow the snprintf contract; the FILE and
 * buffer writers must agree. The UTF-8 rules are checked against a
 * decoder written here by code point, not by byte ranges as json.c does.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
ref_utf8(const unsigned char *s, size_t len, uint32_t *cpp)
{
	uint32_t cp, min;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cpp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return n;
}

static size_t
put_utf8(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at j; -1 if not. */
static long
hex4(const unsigned char *s, size_t len, size_t j)
{
	long v = 0;

	if (len - j < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int d = hexval(s[j + k]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * Decode the JSON string that must be all of s[0..len) (RFC 8259, with
 * no lone surrogates) into out; the decoded length, or -1 if invalid.
 */
static long
json_decode(const unsigned char *s, size_t len, unsigned char *out)
{
	size_t i = 1, o = 0;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return -1;
	while (i < len - 1) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;

		if (c == '"' || c < 0x20)
			return -1;
		if (c != '\\') {
			if ((n = ref_utf8(s + i, len - 1 - i, &cp)) == 0)
				return -1;
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (++i >= len - 1)
			return -1;
		switch (s[i++]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			long v = hex4(s, len - 1, i), lo;

			if (v < 0)
				return -1;
			i += 4;
			if (v >= 0xdc00 && v <= 0xdfff)
				return -1;
			if (v >= 0xd800 && v <= 0xdbff) {
				if (len - 1 - i < 6 || s[i] != '\\' ||
				    s[i + 1] != 'u')
					return -1;
				lo = hex4(s, len - 1, i + 2);
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				i += 6;
				v = 0x10000 + ((v - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			o += put_utf8(out + o, (uint32_t)v);
			break;
		}
		default:
			return -1;
		}
	}
	return (long)o;
}

/* What the decoded output must be: invalid bytes -> U+FFFD. */
static size_t
expected(const unsigned char *s, size_t len, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = ref_utf8(s + i, len - i, &cp);

		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	return o;
}

/* json_escape into a buffer of exactly size bytes; check the contract. */
static void
check_truncated(const char *s, size_t len, const char *full, size_t flen,
    size_t size)
{
	char *buf = malloc(size + 8);
	size_t keep;

	FUZZ_CHECK(buf != NULL);
	memset(buf, 0xa5, size + 8);
	FUZZ_CHECK(json_escape(buf, size, s, len) == flen);
	if (size > 0) {
		keep = flen < size - 1 ? flen : size - 1;
		FUZZ_CHECK(memcmp(buf, full, keep) == 0);
		FUZZ_CHECK(buf[keep] == '\0');
	}
	for (size_t i = size; i < size + 8; i++)
		FUZZ_CHECK((unsigned char)buf[i] == 0xa5);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	unsigned char *dec, *want;
	char *full, *mem = NULL, *cstr;
	size_t flen, memlen = 0, wlen;
	long dlen;
	uint32_t cp;
	FILE *f;

	/* json_utf8_seq agrees with the code-point decoder everywhere. */
	FUZZ_CHECK(json_utf8_seq(s, 0) == 0);
	for (size_t i = 0; i < size; i++)
		FUZZ_CHECK(json_utf8_seq(s + i, size - i) ==
		    ref_utf8(data + i, size - i, &cp));

	/* Length first, as snprintf callers do; then the whole output. */
	flen = json_escape(NULL, 0, s, size);
	FUZZ_CHECK(flen >= 2 && flen <= 6 * size + 2);
	full = malloc(flen + 1);
	FUZZ_CHECK(full != NULL);
	FUZZ_CHECK(json_escape(full, flen + 1, s, size) == flen);
	FUZZ_CHECK(strlen(full) == flen);	/* no NUL gets through raw */

	/* Valid JSON that means the input, U+FFFD for each bad byte. */
	dec = malloc(flen);
	want = malloc(3 * size + 1);
	FUZZ_CHECK(dec != NULL && want != NULL);
	dlen = json_decode((const unsigned char *)full, flen, dec);
	FUZZ_CHECK(dlen >= 0);
	wlen = expected(data, size, want);
	FUZZ_CHECK((size_t)dlen == wlen && memcmp(dec, want, wlen) == 0);

	/* Truncation: snprintf contract at a few sizes around the end. */
	check_truncated(s, size, full, flen, 0);
	check_truncated(s, size, full, flen, 1);
	check_truncated(s, size, full, flen, flen / 2);
	check_truncated(s, size, full, flen, flen);
	check_truncated(s, size, full, flen, flen + 1);

	/* The FILE writer writes the same bytes. */
	f = open_memstream(&mem, &memlen);
	FUZZ_CHECK(f != NULL);
	json_string(f, s, size);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(memlen == flen && memcmp(mem, full, flen) == 0);
	free(mem);

	/* json_cstring stops at the first NUL. */
	cstr = strndup(s, size);
	FUZZ_CHECK(cstr != NULL);
	mem = NULL;
	f = open_memstream(&mem, &memlen);
	FUZZ_CHECK(f != NULL);
	json_cstring(f, cstr);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(memlen == json_escape(NULL, 0, cstr, strlen(cstr)));
	free(mem);
	free(cstr);

	if (size == 0) {
		char nb[8];

		FUZZ_CHECK(json_escape(nb, sizeof nb, NULL, 0) == 4);
		FUZZ_CHECK(strcmp(nb, "null") == 0);
	}
	free(full);
	free(dec);
	free(want);
	return 0;
}
