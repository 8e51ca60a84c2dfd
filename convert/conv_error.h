/* SPDX-License-Identifier: MIT */
/* conv_error.h - why smartmeter-convert refused its input.
 *
 * Promises: conv_strerror() never returns NULL; conv_fail_print() writes
 * one line to stderr that names the setting or the line concerned and
 * never quotes a value from the file (it may hold a key).
 */
#ifndef CONV_ERROR_H
#define CONV_ERROR_H

typedef enum conv_err {
  CONV_OK = 0,
  CONV_ERR_OPEN,       /* the file cannot be opened */
  CONV_ERR_READ,       /* reading failed */
  CONV_ERR_TOO_LARGE,  /* more than CONV_INPUT_MAX bytes */
  CONV_ERR_JSON,       /* not JSON (line, column and what in conv_fail) */
  CONV_ERR_NOT_OBJECT, /* JSON, but not one object */
  CONV_ERR_NESTED,     /* a known setting is an object or array */
  CONV_ERR_NOT_STRING, /* a known setting is not a string */
  CONV_ERR_NOT_NUMBER, /* neither a whole number nor a string */
  CONV_ERR_BAUD,
  CONV_ERR_PARITY,
  CONV_ERR_BYTESIZE,
  CONV_ERR_STOPBITS,
  CONV_ERR_KEY,
  CONV_ERR_NO_MEMORY,
} conv_err;

/* What went wrong, in words. */
const char *conv_strerror(conv_err e);

typedef struct conv_fail {
  conv_err err;
  const char *key;  /* the setting concerned, or NULL */
  int sys_errno;    /* CONV_ERR_OPEN / _READ: errno */
  int line, column; /* CONV_ERR_JSON: where */
  char what[192];   /* CONV_ERR_JSON: the parser's words, no file text */
} conv_fail;

/* "smartmeter-convert: NAME: ..." on stderr. */
void conv_fail_print(const char *name, const conv_fail *f);

#endif
