/* SPDX-License-Identifier: MIT */
/* cli_out_influx.c - InfluxDB line protocol for Telegraf inputs.execd:
 *   smartmeter,meter=<tag> <name>=<value>,... <ns>
 * Numbers are written as sm_value_format() prints them, without an "i"
 * suffix, so Influx stores every reading as a float whatever its scaler;
 * text readings are quoted strings.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cli_output.h"
#include "sm_names.h"

/* ---- timestamps: reception or the meter's clock, in ns ---------------- */

static int64_t timespec_ns(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static bool fully_specified(const sm_datetime *dt) {
  return dt->present && dt->year != 0xFFFF && dt->month >= 1 &&
         dt->month <= 12 && dt->day >= 1 && dt->day <= 31 && dt->hour < 24 &&
         dt->minute < 60 && dt->second < 60;
}

static bool meter_time_ns(const sm_datetime *dt, int64_t *ns) {
  struct tm tm = {0};
  time_t secs;
  int64_t frac = 0;

  if (!fully_specified(dt))
    return false;
  tm.tm_year = dt->year - 1900;
  tm.tm_mon = dt->month - 1;
  tm.tm_mday = dt->day;
  tm.tm_hour = dt->hour;
  tm.tm_min = dt->minute;
  tm.tm_sec = dt->second;
  tm.tm_isdst = -1;
  secs = mktime(&tm);
  if (secs == (time_t)-1)
    return false;
  if (dt->hundredths < 100)
    frac = (int64_t)dt->hundredths * 10000000;
  *ns = (int64_t)secs * 1000000000 + frac;
  return true;
}

/* Tag values and field keys: ',', '=' and ' ' need a backslash; line
 * breaks and other control characters are not allowed, so become '_',
 * and so does a backslash at the end: line protocol cannot escape one,
 * and it would escape the space that ends the tag set. */
static void influx_key(cli_buf *b, const char *s) {
  const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
  bool trailing = end > p && end[-1] == '\\';
  end -= trailing;
  while (p < end) {
    const unsigned char *run = p;
    while (p<end && * p> ' ' && *p != ',' && *p != '=' && *p != 0x7F)
      p++; /* plain bytes, copied as one run */
    cli_buf_put(b, (const char *)run, (size_t)(p - run));
    if (p == end)
      break;
    if (*p == ',' || *p == '=' || *p == ' ')
      cli_buf_char(b, '\\');
    cli_buf_char(b, *p < 0x20 || *p == 0x7F ? '_' : (char)*p);
    p++;
  }
  if (trailing)
    cli_buf_char(b, '_');
}

/* String field values: '"' and '\' need a backslash. */
static void influx_string(cli_buf *b, const char *s) {
  cli_buf_char(b, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"' || *p == '\\')
      cli_buf_char(b, '\\');
    cli_buf_char(b, *p == '\n' || *p == '\r' ? ' ' : *p);
  }
  cli_buf_char(b, '"');
}

static const char *tag_value(const cli_out_ctx *c, const sm_telegram *t,
                             char title[17]) {
  if (c->o->meter != NULL && *c->o->meter != '\0')
    return c->o->meter;
  if (*t->meter_number != '\0')
    return t->meter_number;
  if (t->encrypted) {
    cli_hex_title(t->system_title, title);
    return title;
  }
  return "unknown";
}

static bool writable(const sm_value *v) {
  return v->kind == SM_VALUE_TEXT || !v->is_float || isfinite(v->value);
}

/* name= */
static void influx_key_eq(cli_buf *b, const sm_value *v) {
  char name[SM_NAME_MAX];

  sm_obis_name(v->obis, name, sizeof name);
  influx_key(b, name);
  cli_buf_char(b, '=');
}

static void influx_value(cli_buf *b, const sm_value *v) {
  if (v->kind == SM_VALUE_TEXT) {
    influx_string(b, v->text);
    return;
  }
  /* Formatted in place: as into num[SM_NUM_MAX], without the copy. */
  size_t n = sm_value_format(v, cli_buf_room(b, SM_NUM_MAX), SM_NUM_MAX);
  b->len += n < SM_NUM_MAX ? n : SM_NUM_MAX - 1;
}

static void influx_field(cli_buf *b, const sm_value *v) {
  static cli_label labels[CLI_LABELS];
  bool hit;
  cli_label *l = cli_label_slot(labels, v, &hit);

  if (hit) {
    cli_buf_put_array(b, l->before, l->pre);
    influx_value(b, v);
    return;
  }
  cli_mark pre = cli_buf_mark(b);
  influx_key_eq(b, v);
  cli_mark value = cli_buf_mark(b);
  influx_value(b, v);
  cli_label_fill(l, b, pre, value, cli_buf_mark(b));
}

/* Reception time: the telegram was complete a moment ago (it is written
 * out as soon as it is decoded). */
static int64_t timestamp_ns(const cli_out_ctx *c, const sm_telegram *t) {
  int64_t ns;
  struct timespec now;

  if (c->o->timestamp == CLI_TS_METER && meter_time_ns(&t->meter_time, &ns))
    return ns;
  clock_gettime(CLOCK_REALTIME, &now);
  return timespec_ns(&now);
}

void cli_out_influx(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t) {
  char title[17];
  size_t fields = 0;

  for (size_t i = 0; i < t->n_values; i++)
    fields += writable(&t->values[i]);
  if (fields == 0)
    return; /* a point needs at least one field */
  cli_buf_put(b, "smartmeter,meter=", 17);
  influx_key(b, tag_value(c, t, title));
  cli_buf_char(b, ' ');
  fields = 0;
  for (size_t i = 0; i < t->n_values; i++) {
    if (!writable(&t->values[i]))
      continue;
    if (fields++ > 0)
      cli_buf_char(b, ',');
    influx_field(b, &t->values[i]);
  }
  cli_buf_char(b, ' ');
  cli_buf_i64(b, timestamp_ns(c, t));
  cli_buf_char(b, '\n');
}
