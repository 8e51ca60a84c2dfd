/* SPDX-License-Identifier: MIT */
/* conv_field.h - the kaifareader settings smartmeter-convert knows, and
 * typed access to them in the parsed meter.json.
 *
 * Promises: after conv_field_check() returned CONV_OK every known setting
 * has a JSON type its getter accepts, so the getters never fail on type;
 * a setting that is absent, null or "" reads as not set (NULL, false).
 * Returned strings live as long as the JSON object.
 */
#ifndef CONV_FIELD_H
#define CONV_FIELD_H

#include <jansson.h>
#include <stdbool.h>

#include "conv_error.h"

/* Whether key is one of kaifareader's settings. */
bool conv_field_known(const char *key);

/* Check the JSON type of every known setting; on an error *bad is the
 * setting's name (a constant, never text from the file). */
conv_err conv_field_check(const json_t *obj, const char **bad);

/* A string setting, or a number setting given as a string; NULL when
 * not set or not a string. */
const char *conv_field_text(const json_t *obj, const char *key);

/* A number setting given as a JSON integer: true with *out. */
bool conv_field_int(const json_t *obj, const char *key, json_int_t *out);

/* A flag: true/false, "true"/"false", 1/0 (as kaifareader users write
 * them); anything else is CONV_FLAG_UNCLEAR (and means off). */
typedef enum conv_flag {
  CONV_FLAG_OFF,
  CONV_FLAG_ON,
  CONV_FLAG_UNCLEAR,
} conv_flag;
conv_flag conv_field_flag(const json_t *obj, const char *key);

#endif
