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

/* Same escaping into buf (always NUL-terminated); returns needed length. Pure, for tests. */
size_t json_escape(char *buf, size_t size, const char *s, size_t len);

#endif
