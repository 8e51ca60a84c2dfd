/* SPDX-License-Identifier: MIT */
/* cli_kaifa_check.c - reads and checks the settings of a kaifareader
 * meter.json (pyserial constants such as "serial.PARITY_EVEN" included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_convert.h"
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

/* The text of a string or number member, or NULL when absent/null. */
static const char *text_of(const cli_json_object *j, const char *key) {
  const cli_json_member *m = cli_json_get(j, key);

  if (m == NULL || m->type == CLI_JSON_NULL || m->type == CLI_JSON_BOOL)
    return NULL;
  return m->text;
}

static int parse_positive(const char *s, int max, int *out) {
  char *end;
  long v = strtol(s, &end, 10);

  if (*s == '\0' || *end != '\0' || v <= 0 || v > max)
    return -1;
  *out = (int)v;
  return 0;
}

/* A number, or a pyserial constant name with or without "serial.". */
static int named_value(const char *s, const named_int *table, int max,
                       int *out) {
  if (strncmp(s, "serial.", 7) == 0)
    s += 7;
  for (const named_int *t = table; t->name != NULL; t++) {
    if (strcasecmp(s, t->name) == 0) {
      *out = t->value;
      return 0;
    }
  }
  return parse_positive(s, max, out);
}

static int bad(char *err, size_t errlen, const char *what) {
  snprintf(err, errlen, "%s", what);
  return -1;
}

static int check_serial(const cli_json_object *j, cli_kaifa *k, char *err,
                        size_t errlen) {
  const char *s;

  if ((s = text_of(j, "baudrate")) != NULL &&
      parse_positive(s, 4000000, &k->baud) != 0)
    return bad(err, errlen, "\"baudrate\" is not a positive number");
  if ((s = text_of(j, "parity")) != NULL) {
    if (sm_parity_parse(s, &k->parity) != 0)
      return bad(err, errlen, "\"parity\" is not none, even or odd");
    k->has_parity = true;
  }
  if ((s = text_of(j, "bytesize")) != NULL &&
      (named_value(s, bytesizes, 8, &k->data_bits) != 0 || k->data_bits < 5))
    return bad(err, errlen, "\"bytesize\" is not 5..8 data bits");
  if ((s = text_of(j, "stopbits")) != NULL &&
      named_value(s, stopbits, 2, &k->stop_bits) != 0)
    return bad(err, errlen, "\"stopbits\" must be one or two stop bits");
  return 0;
}

static int check_key(const cli_json_object *j, cli_kaifa *k, char *err,
                     size_t errlen) {
  const char *s = text_of(j, "key_hex_string");
  const char *p = s;

  while (p != NULL && (*p == ' ' || *p == '\t'))
    p++;
  if (p == NULL || *p == '\0')
    return 0;
  if (sm_key_parse(s, k->key) != 0)
    return bad(err, errlen, "\"key_hex_string\" is not 32 hex digits");
  k->has_key = true;
  return 0;
}

static int check_supplier(const cli_json_object *j, cli_kaifa *k, char *err,
                          size_t errlen) {
  static const char *const known[] = {"KSMWest", "EVN", "auto"};
  const char *s = text_of(j, "supplier");

  if (s == NULL || *s == '\0')
    return 0;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (strcasecmp(s, known[i]) == 0) {
      k->supplier = known[i];
      return 0;
    }
  }
  return bad(err, errlen, "\"supplier\" is not KSMWest, EVN or auto");
}

/* Python logging level -> collectd LogLevel (debug is not compiled into
 * Debian's collectd, so it becomes info). */
static void check_log_level(const cli_json_object *j, cli_kaifa *k) {
  static const struct {
    const char *py, *collectd;
  } map[] = {{"DEBUG", "info"},   {"INFO", "info"}, {"WARNING", "warning"},
             {"WARN", "warning"}, {"ERROR", "err"}, {"CRITICAL", "err"},
             {"FATAL", "err"}};
  const char *s = text_of(j, "loglevel");

  if (s == NULL)
    return;
  if (strncmp(s, "logging.", 8) == 0)
    s += 8;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (strcasecmp(s, map[i].py) == 0)
      k->log_level = map[i].collectd;
  }
}

int cli_kaifa_check(const cli_json_object *json, cli_kaifa *k, char *err,
                    size_t errlen) {
  memset(k, 0, sizeof *k);
  k->json = json;
  if (check_serial(json, k, err, errlen) != 0 ||
      check_key(json, k, err, errlen) != 0 ||
      check_supplier(json, k, err, errlen) != 0)
    return -1;
  check_log_level(json, k);
  return 0;
}
