/* SPDX-License-Identifier: MIT */
/* cli_out_json.c - one JSON object per telegram per line:
 * {"system_title":..,"frame_counter":..,"meter_time":..,"meter_number":..,
 *  "device_name":..,"values":{"A.B.C.D.E.F":{"name":..,"value":..,
 *  "unit":..},...}}
 */
#include <math.h>

#include "cli_output.h"
#include "sm_names.h"

/* Does byte c need an escape in a JSON string? */
static bool json_special(unsigned char c) {
  return c == '"' || c == '\\' || c < 0x20 || c >= 0x7F;
}

/* A JSON string; bytes >= 0x80 are escaped as \u00XX (Latin-1) so that
 * the output is valid UTF-8 whatever the meter sent (upper-case hex, which
 * JSON allows as well). Runs of plain bytes
 * (all of them, nearly always) go in with one copy. */
static void json_string(cli_buf *b, const char *s) {
  const char *hex = sm_hex_upper;
  const unsigned char *p = (const unsigned char *)s;

  cli_buf_char(b, '"');
  for (;;) {
    const unsigned char *run = p;
    while (!json_special(*p)) /* the NUL is special too */
      p++;
    cli_buf_put(b, (const char *)run, (size_t)(p - run));
    if (*p == '\0')
      break;
    if (*p == '"' || *p == '\\') {
      char esc[2] = {'\\', (char)*p};
      cli_buf_put(b, esc, 2);
    } else {
      char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
      cli_buf_put(b, esc, 6);
    }
    p++;
  }
  cli_buf_char(b, '"');
}

/* A string, or null when empty. */
static void json_string_or_null(cli_buf *b, const char *s) {
  if (*s == '\0')
    cli_buf_put(b, "null", 4);
  else
    json_string(b, s);
}

static void json_value(cli_buf *b, const sm_value *v) {
  if (v->kind == SM_VALUE_TEXT) {
    json_string(b, v->text);
    return;
  }
  if (v->is_float && !isfinite(v->value)) {
    cli_buf_put(b, "null", 4);
    return;
  }
  /* Formatted in place: as into num[SM_NUM_MAX], without the copy. */
  size_t n = sm_value_format(v, cli_buf_room(b, SM_NUM_MAX), SM_NUM_MAX);
  b->len += n < SM_NUM_MAX ? n : SM_NUM_MAX - 1;
}

#define PUT(b, lit) cli_buf_put(b, lit, sizeof lit - 1)

/* s[0..n) between quotes: for text that never needs an escape (OBIS codes,
 * reading names, hex titles, ISO times: digits, letters, '.', '_', '-',
 * ':'), so it is not scanned for one. */
static void json_plain(cli_buf *b, const char *s, size_t n) {
  cli_buf_char(b, '"');
  cli_buf_put(b, s, n);
  cli_buf_char(b, '"');
}

/* "1.0.32.7.0.255":{"name":"voltage_l1","value": */
static void json_key(cli_buf *b, const sm_value *v) {
  char obis[32], name[SM_NAME_MAX];
  size_t obis_n = sm_obis_format(v->obis, obis, sizeof obis);
  size_t name_n = sm_obis_name(v->obis, name, sizeof name);

  json_plain(b, obis, obis_n);
  PUT(b, ":{\"name\":");
  json_plain(b, name, name_n);
  PUT(b, ",\"value\":");
}

/* ,"unit":"V"} */
static void json_unit(cli_buf *b, const sm_value *v) {
  char unit[16];

  PUT(b, ",\"unit\":");
  json_string(b, cli_unit_text(v, unit, sizeof unit));
  cli_buf_char(b, '}');
}

static void json_reading(cli_buf *b, const sm_value *v) {
  static cli_label labels[CLI_LABELS];
  bool hit;
  cli_label *l = cli_label_slot(labels, v, &hit);

  if (hit) {
    cli_buf_put_array(b, l->before, l->pre);
    json_value(b, v);
    cli_buf_put_array(b, l->after, l->post);
    return;
  }
  cli_mark pre = cli_buf_mark(b);
  json_key(b, v);
  cli_mark value = cli_buf_mark(b);
  json_value(b, v);
  cli_mark post = cli_buf_mark(b);
  json_unit(b, v);
  cli_label_fill(l, b, pre, value, post);
}

static void json_header(cli_buf *b, const sm_telegram *t) {
  char title[17], when[SM_TIME_MAX];

  cli_hex_title(t->system_title, title);
  PUT(b, "{\"system_title\":");
  if (t->encrypted)
    json_plain(b, title, 16);
  else
    PUT(b, "null");
  PUT(b, ",\"frame_counter\":");
  if (t->encrypted)
    cli_buf_i64(b, t->frame_counter);
  else
    PUT(b, "null");
  PUT(b, ",\"meter_time\":");
  size_t when_n = sm_datetime_format(&t->meter_time, when, sizeof when);
  if (when_n)
    json_plain(b, when, when_n);
  else
    PUT(b, "null");
  PUT(b, ",\"meter_number\":");
  json_string_or_null(b, t->meter_number);
  PUT(b, ",\"device_name\":");
  json_string_or_null(b, t->device_name);
}

void cli_out_json(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t) {
  (void)c;
  json_header(b, t);
  PUT(b, ",\"values\":{");
  for (size_t i = 0; i < t->n_values; i++) {
    if (i > 0)
      cli_buf_char(b, ',');
    json_reading(b, &t->values[i]);
  }
  PUT(b, "}}\n");
}
