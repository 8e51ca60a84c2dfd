/* SPDX-License-Identifier: MIT */
/* conv_kaifa.h - a kaifareader meter.json, checked, and the collectd
 * configuration (smartmeter plugin, mqtt, notes for InfluxDB v2 via
 * Telegraf) printed from it.
 *
 * Promises: conv_kaifa_check() reads everything before anything is
 * printed, so an invalid file never leaves half a configuration on stdout;
 * the key goes into the printed configuration and nowhere else (not into
 * errors or warnings); conv_kaifa_wipe() clears the copy in conv_kaifa.
 */
#ifndef CONV_KAIFA_H
#define CONV_KAIFA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv_error.h"
#include "conv_warn.h"
#include "sm_decoder.h"
#include "sm_port.h"

/* Settings that were there but could not be used as given. */
enum {
  CONV_UNMAPPED_LOGLEVEL = 1u << 0,
  CONV_UNMAPPED_SUPPLIER = 1u << 1,
  CONV_UNMAPPED_MQTT_PORT = 1u << 2,
  CONV_UNCLEAR_FILE = 1u << 3, /* *_enabled neither true nor false */
  CONV_UNCLEAR_MQTT = 1u << 4,
  CONV_UNCLEAR_INFLUX = 1u << 5,
};

/* What meter.json says, checked. Strings point into the JSON object (NULL
 * = not set) and live as long as it does. */
typedef struct conv_kaifa {
  const json_t *json;
  const char *port;
  int baud, data_bits, stop_bits; /* 0 = not given */
  sm_parity parity;
  bool has_parity;
  bool has_key;
  uint8_t key[SM_KEY_LEN];
  const char *supplier;       /* canonical spelling */
  const char *supplier_given; /* as written */
  const char *log_level_given;
  const char *log_level; /* collectd LogLevel, NULL when none fits */
  bool file_export;
  const char *file_path;
  bool mqtt;
  const char *mqtt_server, *mqtt_user, *mqtt_password, *mqtt_topic;
  int mqtt_port; /* 0 = not set or not a port */
  bool influx;
  const char *influx_url, *influx_token, *influx_org, *influx_bucket;
  const char *influx_measurement;
  unsigned unmapped; /* CONV_UNMAPPED_* / CONV_UNCLEAR_* */
} conv_kaifa;

/* Fill k from the object json. Returns CONV_OK, or the error with the
 * setting concerned in f. */
conv_err conv_kaifa_check(const json_t *json, conv_kaifa *k, conv_fail *f);

/* One warning per setting that does not carry over. */
void conv_kaifa_warn(const conv_kaifa *k);

/* Print the configuration for k; *s says which secrets it wrote. */
void conv_kaifa_print(FILE *f, const conv_kaifa *k, conv_secrets *s);

/* The parts of it for the MQTT and InfluxDB settings (conv_print_out.c). */
void conv_print_mqtt(FILE *f, const conv_kaifa *k);
void conv_print_influx(FILE *f, const conv_kaifa *k);
/* A collectd (or TOML) string: quotes and backslashes escaped, control
 * characters shown as '?' (so that they cannot end a comment line). */
void conv_print_quoted(FILE *f, const char *s);
void conv_print_option(FILE *f, const char *name, const char *value);

void conv_kaifa_wipe(conv_kaifa *k);

#endif
