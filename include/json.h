/* SPDX-License-Identifier: MIT */
/* json.h - JSON string output valid for any bytes. */
#ifndef FDLEAK_JSON_H
#define FDLEAK_JSON_H

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

#endif
