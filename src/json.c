// SPDX-License-Identifier: MIT
/*
 * json.c - JSON strings from arbitrary bytes. Paths and command lines
 * are not UTF-8 by contract, yet the document must parse: valid UTF-8
 * passes through, each byte of an invalid sequence becomes \ufffd.
 */
#include <string.h>

#include "json.h"

/* Output goes to a FILE or, for json_escape, to a bounded buffer. */
struct sink {
	FILE *f;
	char *buf;
	size_t size;
	size_t len;		/* bytes produced so far, stored or not */
};

static void
sink_put(struct sink *k, const char *p, size_t n)
{
	if (k->f != NULL)
		fwrite(p, 1, n, k->f);
	else if (k->size > 0 && k->len < k->size - 1) {
		size_t room = k->size - 1 - k->len;

		memcpy(k->buf + k->len, p, n < room ? n : room);
	}
	k->len += n;
}

size_t
json_utf8_seq(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (len == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2)		/* continuation byte, or overlong C0/C1 */
		return 0;
	if (p[0] < 0xe0)
		n = 2;
	else if (p[0] < 0xf0) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* UTF-16 surrogates */
	} else if (p[0] < 0xf5) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

static void
escape(struct sink *k, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	if (s == NULL) {
		sink_put(k, "null", 4);
		return;
	}
	sink_put(k, "\"", 1);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		const char *e = NULL;
		size_t elen = 2, n;

		switch (c) {
		case '"':  e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				e = u;
				elen = 6;
			}
			break;
		}
		if (e == NULL && (n = json_utf8_seq(s + i, len - i)) != 0) {
			/* Plain bytes are written in runs, not one by one. */
			run += n;
			i += n;
			continue;
		}
		if (run > 0) {
			sink_put(k, s + i - run, run);
			run = 0;
		}
		if (e == NULL) {
			e = "\\ufffd";
			elen = 6;
		}
		sink_put(k, e, elen);
		i++;
	}
	if (run > 0)
		sink_put(k, s + i - run, run);
	sink_put(k, "\"", 1);
}

void
json_string(FILE *f, const char *s, size_t len)
{
	struct sink k = { .f = f };

	escape(&k, s, len);
}

void
json_cstring(FILE *f, const char *s)
{
	json_string(f, s, s != NULL ? strlen(s) : 0);
}

size_t
json_escape(char *buf, size_t size, const char *s, size_t len)
{
	struct sink k = { .buf = buf, .size = size };

	escape(&k, s, len);
	if (size > 0)
		buf[k.len < size ? k.len : size - 1] = '\0';
	return k.len;
}

bool
json_lossless(const char *s)
{
	size_t len, i = 0, n;

	if (s == NULL)
		return true;
	len = strlen(s);
	while (i < len) {
		if ((n = json_utf8_seq(s + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

static void
hex_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fprintf(f, "%02x", *p);
	fputc('"', f);
}

void
json_hex(FILE *f, const char *key, const char *s)
{
	if (json_lossless(s))
		return;
	fprintf(f, ", \"%s_hex\": ", key);
	hex_string(f, s);
}

void
json_hex_array(FILE *f, const char *key, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && json_lossless(v[i]); i++)
		;
	if (i == n)
		return;
	fprintf(f, ", \"%s_hex\": [", key);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		if (json_lossless(v[i]))
			fputs("null", f);
		else
			hex_string(f, v[i]);
	}
	fputc(']', f);
}
