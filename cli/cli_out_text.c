/* SPDX-License-Identifier: MIT */
/* cli_out_text.c - a readable table per telegram: header lines, then one
 * row per reading (OBIS, name, value, unit), then a blank line. (For
 * people, not pipelines: printf-formatted, into the line buffer.) */
#include "cli_output.h"
#include "sm_names.h"

static const char *or_dash(const char *s) {
  return *s != '\0' ? s : "-";
}

static void text_security(cli_buf *b, const sm_telegram *t) {
  if (!t->encrypted) {
    cli_buf_str(b, "  security:      none (not encrypted)\n");
    return;
  }
  cli_buf_printf(b, "  security:      0x%02X, encrypted%s\n", t->security,
                 t->authenticated ? ", authenticated"
                 : t->tag_unchecked
                     ? ", tag not checked (no authentication key)"
                     : "");
}

static void text_header(cli_buf *b, const cli_out_ctx *c,
                        const sm_telegram *t) {
  char title[17], when[SM_TIME_MAX];

  cli_hex_title(t->system_title, title);
  sm_datetime_format(&t->meter_time, when, sizeof when);
  cli_buf_printf(b, "telegram %lu\n", c->index);
  cli_buf_printf(b, "  system title:  %s\n", t->encrypted ? title : "-");
  if (t->encrypted)
    cli_buf_printf(b, "  frame counter: %lu\n",
                   (unsigned long)t->frame_counter);
  else
    cli_buf_str(b, "  frame counter: -\n");
  text_security(b, t);
  cli_buf_printf(b, "  meter time:    %s\n", or_dash(when));
  cli_buf_printf(b, "  meter number:  %s\n", or_dash(t->meter_number));
  cli_buf_printf(b, "  device name:   %s\n", or_dash(t->device_name));
}

static void text_row(cli_buf *b, const sm_value *v) {
  char obis[32], name[SM_NAME_MAX], num[SM_NUM_MAX], buf[16];
  const char *unit = cli_unit_text(v, buf, sizeof buf);

  sm_obis_format(v->obis, obis, sizeof obis);
  sm_obis_name(v->obis, name, sizeof name);
  sm_value_format(v, num, sizeof num);
  cli_buf_printf(b, "  %-16s %-24s %14s%s%s\n", obis, name, num,
                 *unit != '\0' ? " " : "", unit);
}

void cli_out_text(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t) {
  text_header(b, c, t);
  cli_buf_printf(b, "  %-16s %-24s %14s %s\n", "OBIS", "name", "value", "unit");
  for (size_t i = 0; i < t->n_values; i++)
    text_row(b, &t->values[i]);
  if (t->values_truncated)
    cli_buf_printf(b,
                   "  (more than %d readings sent; the rest are not shown)\n",
                   SM_MAX_VALUES);
  cli_buf_char(b, '\n');
}
