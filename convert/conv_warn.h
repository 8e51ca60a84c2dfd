/* SPDX-License-Identifier: MIT */
/* conv_warn.h - smartmeter-convert's warnings: one line each on stderr,
 * "smartmeter-convert: warning: ...". Callers never pass a key, password
 * or token into one; file text is shown only through conv_warn_visible. */
#ifndef CONV_WARN_H
#define CONV_WARN_H

#include <stdbool.h>
#include <stdio.h>

void conv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* s with control characters shown as '?' (they would break the line). */
void conv_warn_visible(FILE *f, const char *s);

/* The secrets the output holds, to warn when others can read it. */
typedef struct conv_secrets {
  bool key, mqtt_password, influx_token;
} conv_secrets;

/* Warn when fd 1 is a regular file that group or others can read and the
 * output holds one of the secrets. */
void conv_warn_exposed(const conv_secrets *s);

#endif
