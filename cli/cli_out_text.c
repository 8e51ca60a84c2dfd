/* cli_out_text.c - a readable table per telegram: header lines, then one
 * row per reading (OBIS, name, value, unit), then a blank line. */
#include <stdio.h>

#include "cli_output.h"
#include "sm_names.h"

static const char *or_dash(const char *s) {
  return *s != '\0' ? s : "-";
}

static void text_security(FILE *f, const sm_telegram *t) {
  if (!t->encrypted) {
    fputs("  security:      none (not encrypted)\n", f);
    return;
  }
  fprintf(f, "  security:      0x%02X, encrypted%s\n", t->security,
          t->authenticated   ? ", authenticated"
          : t->tag_unchecked ? ", tag not checked (no authentication key)"
                             : "");
}

static void text_header(FILE *f, const cli_out_ctx *c, const sm_telegram *t) {
  char title[17], when[SM_TIME_MAX];

  cli_hex_title(t, title);
  sm_datetime_format(&t->meter_time, when, sizeof when);
  fprintf(f, "telegram %lu\n", c->index);
  fprintf(f, "  system title:  %s\n", t->encrypted ? title : "-");
  if (t->encrypted)
    fprintf(f, "  frame counter: %lu\n", (unsigned long)t->frame_counter);
  else
    fputs("  frame counter: -\n", f);
  text_security(f, t);
  fprintf(f, "  meter time:    %s\n", or_dash(when));
  fprintf(f, "  meter number:  %s\n", or_dash(t->meter_number));
  fprintf(f, "  device name:   %s\n", or_dash(t->device_name));
}

static void text_row(FILE *f, const sm_value *v) {
  char obis[32], name[SM_NAME_MAX], num[SM_NUM_MAX], buf[16];
  const char *unit = cli_unit_text(v, buf, sizeof buf);

  sm_obis_format(v->obis, obis, sizeof obis);
  sm_obis_name(v->obis, name, sizeof name);
  sm_value_format(v, num, sizeof num);
  fprintf(f, "  %-16s %-24s %14s%s%s\n", obis, name, num,
          *unit != '\0' ? " " : "", unit);
}

void cli_out_text(FILE *f, const cli_out_ctx *c, const sm_telegram *t) {
  text_header(f, c, t);
  fprintf(f, "  %-16s %-24s %14s %s\n", "OBIS", "name", "value", "unit");
  for (size_t i = 0; i < t->n_values; i++)
    text_row(f, &t->values[i]);
  if (t->values_truncated)
    fprintf(f, "  (more than %d readings sent; the rest are not shown)\n",
            SM_MAX_VALUES);
  putc('\n', f);
}
