/* SPDX-License-Identifier: MIT */
/* conv_input.c - read meter.json (bounded, BOM skipped) and parse it. */
#include "conv_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conv_warn.h"
#include "sm_names.h"

static conv_err read_all(const char *path, char *buf, size_t size, size_t *n,
                         conv_fail *f) {
  FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  conv_err e = CONV_OK;

  if (in == NULL) {
    f->sys_errno = errno;
    return CONV_ERR_OPEN;
  }
  *n = fread(buf, 1, size, in);
  if (ferror(in)) {
    f->sys_errno = errno;
    e = CONV_ERR_READ;
  } else if (*n == size) {
    e = CONV_ERR_TOO_LARGE;
  }
  if (in != stdin)
    fclose(in);
  return e;
}

/* jansson's message without the " near '...'" it appends (that quotes the
 * file), and "X expected" said as "expected X". */
static void describe(const json_error_t *je, conv_fail *f) {
  static const char expected[] = " expected";
  char what[sizeof je->text];
  const char *near = strstr(je->text, " near ");
  size_t n = near != NULL ? (size_t)(near - je->text) : strlen(je->text);
  size_t e = sizeof expected - 1;

  memcpy(what, je->text, n);
  what[n] = '\0';
  if (n > e && strcmp(what + n - e, expected) == 0)
    snprintf(f->what, sizeof f->what, "expected %.*s", (int)(n - e), what);
  else
    snprintf(f->what, sizeof f->what, "%s", what);
  f->line = je->line;
  f->column = je->column;
  sm_wipe(what, sizeof what);
}

static conv_err parse(const char *text, size_t n, json_t **out, conv_fail *f) {
  json_error_t je;

  *out = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
  if (*out == NULL && json_error_code(&je) == json_error_duplicate_key) {
    conv_warn("line %d: a setting is given twice: the last one counts",
              je.line);
    *out = json_loadb(text, n, 0, &je);
  }
  if (*out == NULL) {
    describe(&je, f);
    sm_wipe(&je, sizeof je);
    return CONV_ERR_JSON;
  }
  sm_wipe(&je, sizeof je);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return CONV_ERR_NOT_OBJECT;
  }
  return CONV_OK;
}

conv_err conv_input_load(const char *path, json_t **out, conv_fail *f) {
  static char text[CONV_INPUT_MAX + 1];
  size_t n = 0, skip = 0;
  conv_err e = read_all(path, text, sizeof text, &n, f);

  *out = NULL;
  if (e == CONV_OK) {
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
      skip = 3; /* UTF-8 byte order mark, as some editors write it */
    e = parse(text + skip, n - skip, out, f);
  }
  sm_wipe(text, n);
  f->err = e;
  return e;
}
