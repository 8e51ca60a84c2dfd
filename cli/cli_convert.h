/* SPDX-License-Identifier: MIT */
/* cli_convert.h - --convert-kaifareader: a kaifareader meter.json turned
 * into the equivalent collectd configuration (smartmeter plugin, plus mqtt
 * and notes for InfluxDB v2 via Telegraf).
 *
 * The settings are read and checked completely before anything is
 * printed, so an error never leaves half a configuration on stdout.
 */
#ifndef CLI_CONVERT_H
#define CLI_CONVERT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_json.h"
#include "sm_decoder.h"
#include "sm_port.h"

/* Returns the exit code: 0 config printed, 1 unreadable or invalid file. */
int cli_convert_kaifareader(const char *path);

/* What meter.json says, checked. */
typedef struct cli_kaifa {
  const cli_json_object *json;
  int baud, data_bits, stop_bits; /* 0 = not given */
  sm_parity parity;
  bool has_parity;
  bool has_key;
  uint8_t key[SM_KEY_LEN];
  const char *supplier;  /* canonical spelling or NULL */
  const char *log_level; /* collectd LogLevel or NULL */
} cli_kaifa;

/* Fill k from json. Returns 0, or -1 with a message (never a key) in err. */
int cli_kaifa_check(const cli_json_object *json, cli_kaifa *k, char *err,
                    size_t errlen);

/* Print the configuration for k. */
void cli_kaifa_print(FILE *f, const cli_kaifa *k);

#endif
