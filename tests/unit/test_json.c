// SPDX-License-Identifier: MIT
/* test_json.c - JSON string escaping for arbitrary bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* Escape s[0..len) into a fresh string, checking the length contract. */
static char *
esc(const char *s, size_t len)
{
	size_t need = json_escape(NULL, 0, s, len);
	char *buf = malloc(need + 1);

	assert_non_null(buf);
	assert_int_equal(json_escape(buf, need + 1, s, len), need);
	assert_int_equal(strlen(buf), need);
	return buf;
}

/* json_escape and json_string must produce the same bytes. */
static void
check(const char *s, size_t len, const char *want)
{
	char *got = esc(s, len), *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);

	assert_non_null(f);
	json_string(f, s, len);
	fclose(f);
	assert_string_equal(got, want);
	assert_string_equal(mem, want);
	free(got);
	free(mem);
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

static void
test_plain(void **state)
{
	CHECK("", "\"\"");
	CHECK("hello world", "\"hello world\"");
	CHECK("/etc/hostname", "\"/etc/hostname\"");
}

static void
test_quote_backslash(void **state)
{
	CHECK("a\"b", "\"a\\\"b\"");
	CHECK("a\\b", "\"a\\\\b\"");
	CHECK("\"\\\"", "\"\\\"\\\\\\\"\"");
	/* '/' needs no escape. */
	CHECK("a/b", "\"a/b\"");
}

static void
test_named_controls(void **state)
{
	CHECK("\n", "\"\\n\"");
	CHECK("\t", "\"\\t\"");
	CHECK("\r", "\"\\r\"");
	CHECK("\b", "\"\\b\"");
	CHECK("\f", "\"\\f\"");
	CHECK("a\nb\tc", "\"a\\nb\\tc\"");
}

static void
test_every_control(void **state)
{
	for (int c = 0; c < 0x20; c++) {
		char in[1] = { (char)c }, want[16];

		switch (c) {
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		default:
			snprintf(want, sizeof want, "\"\\u%04x\"", c);
			break;
		}
		check(in, 1, want);
	}
	/* NUL inside the data is data, not the end. */
	check("a\0b", 3, "\"a\\u0000b\"");
	CHECK("\x1b[0m", "\"\\u001b[0m\"");
}

static void
test_del(void **state)
{
	CHECK("\x7f", "\"\\u007f\"");
	CHECK("a\x7f" "b", "\"a\\u007fb\"");
	/* The last ASCII printable is kept. */
	CHECK("~", "\"~\"");
}

static void
test_valid_utf8(void **state)
{
	CHECK("caf\xc3\xa9", "\"caf\xc3\xa9\"");			/* U+00E9 */
	CHECK("\xc2\x80", "\"\xc2\x80\"");				/* U+0080, lowest 2-byte */
	CHECK("\xdf\xbf", "\"\xdf\xbf\"");				/* U+07FF */
	CHECK("\xe2\x82\xac", "\"\xe2\x82\xac\"");			/* U+20AC */
	CHECK("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");			/* U+0800, lowest 3-byte */
	CHECK("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");			/* U+D7FF */
	CHECK("\xee\x80\x80", "\"\xee\x80\x80\"");			/* U+E000 */
	CHECK("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");			/* U+FFFD itself */
	CHECK("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");		/* U+1F600 */
	CHECK("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");		/* U+10000 */
	CHECK("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");		/* U+10FFFF */
	CHECK("a\xc3\xa9" "b\xe2\x82\xac" "c", "\"a\xc3\xa9" "b\xe2\x82\xac" "c\"");
}

static void
test_invalid_utf8(void **state)
{
	CHECK("\x80", "\"\\ufffd\"");				/* lone continuation */
	CHECK("\xff", "\"\\ufffd\"");
	CHECK("\xfe", "\"\\ufffd\"");
	CHECK("a\xff" "b", "\"a\\ufffdb\"");
	CHECK("\xe2\x82", "\"\\ufffd\\ufffd\"");		/* truncated at the end */
	CHECK("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK("\xc3", "\"\\ufffd\"");
	CHECK("\xe2\x82" "a", "\"\\ufffd\\ufffda\"");		/* truncated mid-string */
	CHECK("\xc0\x80", "\"\\ufffd\\ufffd\"");		/* overlong NUL */
	CHECK("\xc1\xbf", "\"\\ufffd\\ufffd\"");		/* overlong */
	CHECK("\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong 3-byte */
	CHECK("\xf0\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate U+D800 */
	CHECK("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate U+DFFF */
	CHECK("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* U+110000 */
	CHECK("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* A valid sequence right after an invalid byte survives. */
	CHECK("\xff\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
	CHECK("\xc3\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}

static void
test_utf8_seq(void **state)
{
	assert_int_equal(json_utf8_seq("", 0), 0);
	assert_int_equal(json_utf8_seq("a", 1), 1);
	assert_int_equal(json_utf8_seq("\xc3\xa9", 2), 2);
	assert_int_equal(json_utf8_seq("\xc3\xa9", 1), 0);	/* len bounds the read */
	assert_int_equal(json_utf8_seq("\xe2\x82\xac", 3), 3);
	assert_int_equal(json_utf8_seq("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(json_utf8_seq("\xf0\x9f\x98\x80", 3), 0);
	assert_int_equal(json_utf8_seq("\x80", 1), 0);
}

static void
test_null(void **state)
{
	char buf[16];
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f;

	assert_int_equal(json_escape(buf, sizeof buf, NULL, 5), 4);
	assert_string_equal(buf, "null");
	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	json_cstring(f, NULL);
	fputc(' ', f);
	json_cstring(f, "x\"");
	fclose(f);
	assert_string_equal(mem, "null \"x\\\"\"");
	free(mem);
}

static void
test_buffer_contract(void **state)
{
	char buf[8];

	/* size 0: nothing written, not even the NUL; the length is still right. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(json_escape(buf, 0, "abc", 3), 5);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(json_escape(NULL, 0, "a\nb", 3), 6);

	/* size 1: only the NUL. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(json_escape(buf, 1, "abc", 3), 5);
	assert_string_equal(buf, "");

	/* Truncated like snprintf, bytes after the NUL untouched. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(json_escape(buf, 4, "abcdef", 6), 8);
	assert_string_equal(buf, "\"ab");
	assert_int_equal(buf[4], 'Z');

	/* Exactly enough room. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(json_escape(buf, 6, "abc", 3), 5);
	assert_string_equal(buf, "\"abc\"");

	/* Escapes count in full even when cut. */
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(json_escape(buf, 3, "\xff", 1), 8);
	assert_string_equal(buf, "\"\\");

	/* len, not a NUL, ends the input. */
	assert_int_equal(json_escape(buf, sizeof buf, "abcdef", 2), 4);
	assert_string_equal(buf, "\"ab\"");
}

/* Every single byte and every pair: the output is a well-formed JSON string. */
static void
test_all_bytes(void **state)
{
	char in[2], out[32];

	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			size_t n, i;

			in[0] = (char)a;
			in[1] = (char)b;
			n = json_escape(out, sizeof out, in, 2);
			assert_true(n < sizeof out);
			assert_int_equal(out[0], '"');
			for (i = 1; out[i] != '"'; i++) {
				unsigned char c = (unsigned char)out[i];

				assert_true(c >= 0x20 && c != 0x7f);
				if (c == '\\') {
					c = (unsigned char)out[++i];
					assert_true(c != 0 &&
					    strchr("\"\\bfnrtu", c) != NULL);
					for (int k = 0; c == 'u' && k < 4; k++) {
						c = (unsigned char)out[++i];
						assert_true(c != 0 &&
						    strchr("0123456789abcdef", c) != NULL);
					}
				} else if (c >= 0x80) {
					size_t m = json_utf8_seq(out + i, n - i);

					assert_true(m >= 2);
					i += m - 1;
				}
			}
			/* The closing quote is the last byte. */
			assert_int_equal(i, n - 1);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quote_backslash),
		cmocka_unit_test(test_named_controls),
		cmocka_unit_test(test_every_control),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_utf8_seq),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_buffer_contract),
		cmocka_unit_test(test_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
