/* SPDX-License-Identifier: MIT */
/* conv_warn.c - warning lines, and the one about a readable output file. */
#include "conv_warn.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

void conv_warn(const char *fmt, ...) {
  va_list ap;

  fputs("smartmeter-convert: warning: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  putc('\n', stderr);
}

void conv_warn_visible(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    putc(*p < 0x20 || *p == 0x7F ? '?' : *p, f);
}

/* "the key, the MQTT password and the InfluxDB token" */
static void name_secrets(const conv_secrets *s, char *buf, size_t size) {
  const char *names[3];
  size_t n = 0, used = 0;

  if (s->key)
    names[n++] = "the key";
  if (s->mqtt_password)
    names[n++] = "the MQTT password";
  if (s->influx_token)
    names[n++] = "the InfluxDB token";
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++) {
    const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
    int w = snprintf(buf + used, size - used, "%s%s", sep, names[i]);

    if (w < 0)
      return;
    used += (size_t)w;
  }
}

void conv_warn_exposed(const conv_secrets *s) {
  struct stat st;
  char what[96];

  if (!s->key && !s->mqtt_password && !s->influx_token)
    return;
  if (fstat(STDOUT_FILENO, &st) != 0 || !S_ISREG(st.st_mode) ||
      (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
    return;
  name_secrets(s, what, sizeof what);
  conv_warn("the output file holds %s and group or others can read it: "
            "chmod 600 it (next time write it under umask 077), and keep "
            "the key in a KeyFile (mode 0600) instead of Key",
            what);
}
