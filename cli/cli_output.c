/* cli_output.c - picks the writer and flushes once per telegram. */
#include "cli_output.h"

#include "sm_names.h"

int cli_output_telegram(const cli_out_ctx *c, const sm_telegram *t) {
  switch (c->o->format) {
  case CLI_FORMAT_JSON:
    cli_out_json(stdout, c, t);
    break;
  case CLI_FORMAT_INFLUX:
    cli_out_influx(stdout, c, t);
    break;
  default:
    cli_out_text(stdout, c, t);
    break;
  }
  if (fflush(stdout) != 0 || ferror(stdout))
    return -1;
  return 0;
}

void cli_hex_title(const sm_telegram *t, char buf[17]) {
  static const char digits[] = "0123456789ABCDEF";

  for (int i = 0; i < 8; i++) {
    buf[2 * i] = digits[t->system_title[i] >> 4];
    buf[2 * i + 1] = digits[t->system_title[i] & 0x0F];
  }
  buf[16] = '\0';
}

const char *cli_unit_text(const sm_value *v, char *buf, size_t size) {
  const char *sym = sm_unit_symbol(v->unit);

  if (*sym != '\0' || v->unit == 255)
    return sym;
  snprintf(buf, size, "unit_%u", (unsigned)v->unit);
  return buf;
}
