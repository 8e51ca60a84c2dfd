/* SPDX-License-Identifier: MIT */
/* conv_error.c - error texts of smartmeter-convert. */
#include "conv_error.h"

#include <stdio.h>
#include <string.h>

#include "conv_input.h"

const char *conv_strerror(conv_err e) {
  switch (e) {
  case CONV_OK:
    return "no error";
  case CONV_ERR_OPEN:
    return "cannot open";
  case CONV_ERR_READ:
    return "cannot read";
  case CONV_ERR_TOO_LARGE:
    return "larger than " CONV_INPUT_MAX_TEXT ": not a meter.json";
  case CONV_ERR_JSON:
    return "not valid JSON";
  case CONV_ERR_NOT_OBJECT:
    return "expected '{' (a JSON object of settings)";
  case CONV_ERR_NESTED:
    return "is a nested object or array: not supported";
  case CONV_ERR_NOT_STRING:
    return "must be a string";
  case CONV_ERR_NOT_NUMBER:
    return "must be a whole number or a string";
  case CONV_ERR_BAUD:
    return "is not a positive number";
  case CONV_ERR_PARITY:
    return "is not none, even or odd";
  case CONV_ERR_BYTESIZE:
    return "is not 5..8 data bits";
  case CONV_ERR_STOPBITS:
    return "must be one or two stop bits";
  case CONV_ERR_KEY:
    return "is not 32 hex digits";
  case CONV_ERR_NO_MEMORY:
    return "out of memory";
  }
  return "unknown error";
}

void conv_fail_print(const char *name, const conv_fail *f) {
  fprintf(stderr, "smartmeter-convert: %s: ", name);
  if (f->err == CONV_ERR_JSON)
    fprintf(stderr, "line %d: %s (column %d)\n", f->line, f->what, f->column);
  else if (f->key != NULL)
    fprintf(stderr, "\"%s\" %s\n", f->key, conv_strerror(f->err));
  else if (f->err == CONV_ERR_OPEN || f->err == CONV_ERR_READ)
    fprintf(stderr, "%s: %s\n", conv_strerror(f->err), strerror(f->sys_errno));
  else
    fprintf(stderr, "%s\n", conv_strerror(f->err));
}
