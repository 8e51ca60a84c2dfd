/* cli_out_influx.c - InfluxDB line protocol for Telegraf inputs.execd:
 *   smartmeter,meter=<tag> <name>=<value>,... <ns>
 * Numbers are written as sm_value_format() prints them, without an "i"
 * suffix, so Influx stores every reading as a float whatever its scaler;
 * text readings are quoted strings.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli_output.h"
#include "cli_time.h"
#include "sm_names.h"

/* Tag values and field keys: ',', '=' and ' ' need a backslash; line
 * breaks and other control characters are not allowed, so become '_'. */
static void influx_key(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == ',' || *p == '=' || *p == ' ')
      putc('\\', f);
    putc(*p < 0x20 || *p == 0x7F ? '_' : *p, f);
  }
}

/* String field values: '"' and '\' need a backslash. */
static void influx_string(FILE *f, const char *s) {
  putc('"', f);
  for (const char *p = s; *p; p++) {
    if (*p == '"' || *p == '\\')
      putc('\\', f);
    putc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
  }
  putc('"', f);
}

static const char *tag_value(const cli_out_ctx *c, const sm_telegram *t,
                             char title[17]) {
  if (c->o->meter != NULL && *c->o->meter != '\0')
    return c->o->meter;
  if (*t->meter_number != '\0')
    return t->meter_number;
  if (t->encrypted) {
    cli_hex_title(t, title);
    return title;
  }
  return "unknown";
}

static bool writable(const sm_value *v) {
  return v->kind == SM_VALUE_TEXT || !v->is_float || isfinite(v->value);
}

static void influx_field(FILE *f, const sm_value *v) {
  char name[SM_NAME_MAX], num[SM_NUM_MAX];

  sm_obis_name(v->obis, name, sizeof name);
  influx_key(f, name);
  putc('=', f);
  if (v->kind == SM_VALUE_TEXT) {
    influx_string(f, v->text);
    return;
  }
  sm_value_format(v, num, sizeof num);
  fputs(num, f);
}

static int64_t timestamp_ns(const cli_out_ctx *c, const sm_telegram *t) {
  int64_t ns;

  if (c->o->timestamp == CLI_TS_METER && cli_meter_time_ns(&t->meter_time, &ns))
    return ns;
  return cli_timespec_ns(&c->received);
}

void cli_out_influx(FILE *f, const cli_out_ctx *c, const sm_telegram *t) {
  char title[17];
  size_t fields = 0;

  for (size_t i = 0; i < t->n_values; i++)
    fields += writable(&t->values[i]);
  if (fields == 0)
    return; /* a point needs at least one field */
  fputs("smartmeter,meter=", f);
  influx_key(f, tag_value(c, t, title));
  putc(' ', f);
  fields = 0;
  for (size_t i = 0; i < t->n_values; i++) {
    if (!writable(&t->values[i]))
      continue;
    if (fields++ > 0)
      putc(',', f);
    influx_field(f, &t->values[i]);
  }
  fprintf(f, " %lld\n", (long long)timestamp_ns(c, t));
}
