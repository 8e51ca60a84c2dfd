/* SPDX-License-Identifier: MIT */
/* conv_check.c - reads and checks the settings of a kaifareader meter.json
 * (pyserial constants such as "serial.PARITY_EVEN" included). Serial
 * settings and the key must be right (a reader with wrong ones reads
 * nothing); what only loses a detail is noted for a warning instead. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conv_field.h"
#include "conv_kaifa.h"
#include "sm_names.h"

typedef struct named_int {
  const char *name;
  int value;
} named_int;

static const named_int bytesizes[] = {{"FIVEBITS", 5},
                                      {"SIXBITS", 6},
                                      {"SEVENBITS", 7},
                                      {"EIGHTBITS", 8},
                                      {NULL, 0}};
static const named_int stopbits[] = {
    {"STOPBITS_ONE", 1}, {"STOPBITS_TWO", 2}, {NULL, 0}};

static int parse_positive(const char *s, long max, int *out) {
  char *end;
  long v = strtol(s, &end, 10);

  if (*s == '\0' || *end != '\0' || v <= 0 || v > max)
    return -1;
  *out = (int)v;
  return 0;
}

/* A JSON integer, a decimal string or (with a table) a pyserial constant
 * with or without "serial.". Returns 0 (also when not set) or -1. */
static int number(const json_t *j, const char *key, const named_int *table,
                  long max, int *out) {
  json_int_t i;
  const char *s;

  if (conv_field_int(j, key, &i)) {
    if (i <= 0 || i > max)
      return -1;
    *out = (int)i;
    return 0;
  }
  s = conv_field_text(j, key);
  if (s == NULL)
    return 0;
  if (strncmp(s, "serial.", 7) == 0)
    s += 7;
  for (const named_int *t = table; t != NULL && t->name != NULL; t++) {
    if (strcasecmp(s, t->name) == 0) {
      *out = t->value;
      return 0;
    }
  }
  return parse_positive(s, max, out);
}

static conv_err fail(conv_fail *f, conv_err e, const char *key) {
  f->err = e;
  f->key = key;
  return e;
}

static conv_err check_serial(const json_t *j, conv_kaifa *k, conv_fail *f) {
  const char *s;

  k->port = conv_field_text(j, "port");
  if (number(j, "baudrate", NULL, 4000000, &k->baud) != 0)
    return fail(f, CONV_ERR_BAUD, "baudrate");
  if ((s = conv_field_text(j, "parity")) != NULL) {
    if (sm_parity_parse(s, &k->parity) != 0)
      return fail(f, CONV_ERR_PARITY, "parity");
    k->has_parity = true;
  }
  if (number(j, "bytesize", bytesizes, 8, &k->data_bits) != 0 ||
      (k->data_bits != 0 && k->data_bits < 5))
    return fail(f, CONV_ERR_BYTESIZE, "bytesize");
  if (number(j, "stopbits", stopbits, 2, &k->stop_bits) != 0)
    return fail(f, CONV_ERR_STOPBITS, "stopbits");
  return CONV_OK;
}

static conv_err check_key(const json_t *j, conv_kaifa *k, conv_fail *f) {
  const char *s = conv_field_text(j, "key_hex_string");

  if (s == NULL || s[strspn(s, " \t")] == '\0')
    return CONV_OK; /* the template's "": a placeholder is printed */
  if (sm_key_parse(s, k->key) != 0)
    return fail(f, CONV_ERR_KEY, "key_hex_string");
  k->has_key = true;
  return CONV_OK;
}

static void check_supplier(const json_t *j, conv_kaifa *k) {
  k->supplier_given = conv_field_text(j, "supplier");
  if (k->supplier_given != NULL &&
      sm_supplier_parse(k->supplier_given, &k->supplier) != 0) {
    k->supplier = NULL; /* decoding does not need it: only a warning */
    k->unmapped |= CONV_UNMAPPED_SUPPLIER;
  }
}

/* Python logging level -> collectd LogLevel (debug is not compiled into
 * Debian's collectd, so it becomes info). */
static void check_log_level(const json_t *j, conv_kaifa *k) {
  static const struct {
    const char *py, *collectd;
  } map[] = {{"DEBUG", "info"},   {"INFO", "info"}, {"WARNING", "warning"},
             {"WARN", "warning"}, {"ERROR", "err"}, {"CRITICAL", "err"},
             {"FATAL", "err"}};
  const char *s = conv_field_text(j, "loglevel");

  k->log_level_given = s;
  if (s == NULL)
    return;
  if (strncmp(s, "logging.", 8) == 0)
    s += 8;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strcasecmp(s, map[i].py) == 0)
      k->log_level = map[i].collectd;
  }
  if (k->log_level == NULL)
    k->unmapped |= CONV_UNMAPPED_LOGLEVEL;
}

static bool flag(const json_t *j, const char *key, conv_kaifa *k,
                 unsigned unclear) {
  conv_flag v = conv_field_flag(j, key);

  if (v == CONV_FLAG_UNCLEAR)
    k->unmapped |= unclear;
  return v == CONV_FLAG_ON;
}

static void check_outputs(const json_t *j, conv_kaifa *k) {
  k->file_export = flag(j, "file_export_enabled", k, CONV_UNCLEAR_FILE);
  k->file_path = conv_field_text(j, "file_export_abspath");
  k->mqtt = flag(j, "mqtt_enabled", k, CONV_UNCLEAR_MQTT);
  k->mqtt_server = conv_field_text(j, "mqtt_server");
  k->mqtt_user = conv_field_text(j, "mqtt_user");
  k->mqtt_password = conv_field_text(j, "mqtt_password");
  k->mqtt_topic = conv_field_text(j, "mqtt_basetopic");
  if (number(j, "mqtt_port", NULL, 65535, &k->mqtt_port) != 0) {
    k->mqtt_port = 0;
    k->unmapped |= CONV_UNMAPPED_MQTT_PORT;
  }
  k->influx = flag(j, "influxdb_enabled", k, CONV_UNCLEAR_INFLUX);
  k->influx_url = conv_field_text(j, "influxdb_url");
  k->influx_token = conv_field_text(j, "influxdb_token");
  k->influx_org = conv_field_text(j, "influxdb_org");
  k->influx_bucket = conv_field_text(j, "influxdb_bucket");
  k->influx_measurement = conv_field_text(j, "influxdb_measurement");
}

conv_err conv_kaifa_check(const json_t *json, conv_kaifa *k, conv_fail *f) {
  conv_err e;

  memset(k, 0, sizeof *k);
  k->json = json;
  e = conv_field_check(json, &f->key);
  if (e != CONV_OK)
    return fail(f, e, f->key);
  if ((e = check_serial(json, k, f)) != CONV_OK ||
      (e = check_key(json, k, f)) != CONV_OK)
    return e;
  check_supplier(json, k);
  check_log_level(json, k);
  check_outputs(json, k);
  return CONV_OK;
}

void conv_kaifa_wipe(conv_kaifa *k) {
  sm_wipe(k, sizeof *k);
}
