/* SPDX-License-Identifier: MIT */
/* json.h - JSON string output valid for any bytes. */
#ifndef FDLEAK_JSON_H
#define FDLEAK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Write s[0..len) as a quoted JSON string: control characters, quotes
 * and backslashes escaped; each byte that is not part of valid UTF-8
 * becomes U+FFFD. NULL writes null.
 */
void json_string(FILE *f, const char *s, size_t len);
/* As json_string, for a NUL-terminated string (or NULL -> null). */
void json_cstring(FILE *f, const char *s);

/*
 * Same output as json_string (quotes included, NULL gives null) into buf,
 * NUL-terminated when size > 0; returns the length of the whole output,
 * not counting the NUL, as snprintf does. Pure, for tests.
 */
size_t json_escape(char *buf, size_t size, const char *s, size_t len);
/* Length (1-4) of the valid UTF-8 sequence at s[0..len), or 0 if none. */
size_t json_utf8_seq(const char *s, size_t len);
/* Whether json_cstring writes s as it is: NULL, or valid UTF-8 throughout. */
bool json_lossless(const char *s);
/*
 * What json_cstring loses, kept: `, "KEY_hex": "HEX"`, s's bytes in
 * lowercase hexadecimal, when s is not valid UTF-8; nothing otherwise.
 */
void json_hex(FILE *f, const char *key, const char *s);
/*
 * The same for an array of n strings: `, "KEY_hex": [...]`, one HEX or
 * null (valid UTF-8) per string, when one of them is not valid UTF-8.
 */
void json_hex_array(FILE *f, const char *key, const char *const *v, size_t n);

#endif
