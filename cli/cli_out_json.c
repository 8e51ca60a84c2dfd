/* cli_out_json.c - one JSON object per telegram per line:
 * {"system_title":..,"frame_counter":..,"meter_time":..,"meter_number":..,
 *  "device_name":..,"values":{"A.B.C.D.E.F":{"name":..,"value":..,
 *  "unit":..},...}}
 */
#include <math.h>
#include <stdio.h>

#include "cli_output.h"
#include "sm_names.h"

/* A JSON string; bytes >= 0x80 are escaped as \u00XX (Latin-1) so that
 * the output is valid UTF-8 whatever the meter sent. */
static void json_string(FILE *f, const char *s) {
  putc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7F)
      fprintf(f, "\\u%04x", *p);
    else
      putc(*p, f);
  }
  putc('"', f);
}

/* A string, or null when empty. */
static void json_string_or_null(FILE *f, const char *s) {
  if (*s == '\0')
    fputs("null", f);
  else
    json_string(f, s);
}

static void json_value(FILE *f, const sm_value *v) {
  char num[SM_NUM_MAX];

  if (v->kind == SM_VALUE_TEXT) {
    json_string(f, v->text);
    return;
  }
  if (v->is_float && !isfinite(v->value)) {
    fputs("null", f);
    return;
  }
  sm_value_format(v, num, sizeof num);
  fputs(num, f);
}

static void json_reading(FILE *f, const sm_value *v) {
  char obis[32], name[SM_NAME_MAX], unit[16];

  sm_obis_format(v->obis, obis, sizeof obis);
  sm_obis_name(v->obis, name, sizeof name);
  json_string(f, obis);
  fputs(":{\"name\":", f);
  json_string(f, name);
  fputs(",\"value\":", f);
  json_value(f, v);
  fputs(",\"unit\":", f);
  json_string(f, cli_unit_text(v, unit, sizeof unit));
  putc('}', f);
}

static void json_header(FILE *f, const sm_telegram *t) {
  char title[17], when[SM_TIME_MAX];

  cli_hex_title(t, title);
  fputs("{\"system_title\":", f);
  json_string_or_null(f, t->encrypted ? title : "");
  fprintf(f, ",\"frame_counter\":");
  if (t->encrypted)
    fprintf(f, "%lu", (unsigned long)t->frame_counter);
  else
    fputs("null", f);
  fputs(",\"meter_time\":", f);
  sm_datetime_format(&t->meter_time, when, sizeof when);
  json_string_or_null(f, when);
  fputs(",\"meter_number\":", f);
  json_string_or_null(f, t->meter_number);
  fputs(",\"device_name\":", f);
  json_string_or_null(f, t->device_name);
}

void cli_out_json(FILE *f, const cli_out_ctx *c, const sm_telegram *t) {
  (void)c;
  json_header(f, t);
  fputs(",\"values\":{", f);
  for (size_t i = 0; i < t->n_values; i++) {
    if (i > 0)
      putc(',', f);
    json_reading(f, &t->values[i]);
  }
  fputs("}}\n", f);
}
