/* SPDX-License-Identifier: MIT */
/* conv_field.c - kaifareader's settings and their JSON types. */
#include "conv_field.h"

#include <string.h>
#include <strings.h>

typedef enum conv_kind {
  KIND_TEXT,   /* a string */
  KIND_NUMBER, /* a whole number, or a string (pyserial names, "2400") */
  KIND_FLAG,   /* true/false and the spellings conv_field_flag knows */
} conv_kind;

static const struct {
  const char *name;
  conv_kind kind;
} fields[] = {
    {"loglevel", KIND_TEXT},
    {"port", KIND_TEXT},
    {"baudrate", KIND_NUMBER},
    {"parity", KIND_TEXT},
    {"stopbits", KIND_NUMBER},
    {"bytesize", KIND_NUMBER},
    {"key_hex_string", KIND_TEXT},
    {"supplier", KIND_TEXT},
    {"file_export_enabled", KIND_FLAG},
    {"file_export_abspath", KIND_TEXT},
    {"mqtt_enabled", KIND_FLAG},
    {"mqtt_server", KIND_TEXT},
    {"mqtt_port", KIND_NUMBER},
    {"mqtt_user", KIND_TEXT},
    {"mqtt_password", KIND_TEXT},
    {"mqtt_basetopic", KIND_TEXT},
    {"influxdb_enabled", KIND_FLAG},
    {"influxdb_url", KIND_TEXT},
    {"influxdb_token", KIND_TEXT},
    {"influxdb_org", KIND_TEXT},
    {"influxdb_bucket", KIND_TEXT},
    {"influxdb_measurement", KIND_TEXT},
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

bool conv_field_known(const char *key) {
  for (size_t i = 0; i < N_FIELDS; i++) {
    if (strcmp(fields[i].name, key) == 0)
      return true;
  }
  return false;
}

static conv_err check_one(const json_t *v, conv_kind kind) {
  if (v == NULL || json_is_null(v))
    return CONV_OK;
  if (json_is_object(v) || json_is_array(v))
    return CONV_ERR_NESTED;
  switch (kind) {
  case KIND_TEXT:
    return json_is_string(v) ? CONV_OK : CONV_ERR_NOT_STRING;
  case KIND_NUMBER:
    return json_is_string(v) || json_is_integer(v) ? CONV_OK
                                                   : CONV_ERR_NOT_NUMBER;
  case KIND_FLAG:
    return CONV_OK; /* an unclear flag is a warning, not an error */
  }
  return CONV_OK;
}

conv_err conv_field_check(const json_t *obj, const char **bad) {
  for (size_t i = 0; i < N_FIELDS; i++) {
    conv_err e =
        check_one(json_object_get(obj, fields[i].name), fields[i].kind);
    if (e != CONV_OK) {
      *bad = fields[i].name;
      return e;
    }
  }
  return CONV_OK;
}

const char *conv_field_text(const json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));

  return s != NULL && *s != '\0' ? s : NULL;
}

bool conv_field_int(const json_t *obj, const char *key, json_int_t *out) {
  const json_t *v = json_object_get(obj, key);

  if (!json_is_integer(v))
    return false;
  *out = json_integer_value(v);
  return true;
}

conv_flag conv_field_flag(const json_t *obj, const char *key) {
  const json_t *v = json_object_get(obj, key);
  const char *s = json_string_value(v);

  if (v == NULL || json_is_null(v) || json_is_false(v) ||
      (s != NULL &&
       (*s == '\0' || strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)) ||
      (json_is_integer(v) && json_integer_value(v) == 0))
    return CONV_FLAG_OFF;
  if (json_is_true(v) ||
      (s != NULL && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)) ||
      (json_is_integer(v) && json_integer_value(v) == 1))
    return CONV_FLAG_ON;
  return CONV_FLAG_UNCLEAR;
}
