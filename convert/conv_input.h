/* SPDX-License-Identifier: MIT */
/* conv_input.h - meter.json from a file or stdin into a jansson object.
 *
 * Promises: the raw text is wiped before conv_input_load returns; with
 * conv_alloc_init() called first, so is every block jansson frees later.
 * Syntax errors are reported by line and column with the parser's words,
 * never with the text around them (it may be the key).
 */
#ifndef CONV_INPUT_H
#define CONV_INPUT_H

#include <jansson.h>

#include "conv_error.h"

/* A meter.json is a few hundred bytes; this only stops a wrong file. */
#define CONV_INPUT_MAX (64 * 1024)
#define CONV_INPUT_MAX_TEXT "64 KiB"

/* Make jansson wipe what it frees (meter.json holds keys, passwords). */
void conv_alloc_init(void);

/* Read path ("-" = stdin) and parse it. Returns CONV_OK with *out a JSON
 * object (the caller json_decref()s it), or the error, described in f.
 * A setting given twice is a warning (the last one counts, as in
 * kaifareader's Python). */
conv_err conv_input_load(const char *path, json_t **out, conv_fail *f);

#endif
