/* SPDX-License-Identifier: MIT */
/* cli_hex.c - streaming hex text decoder for --hex. */
#include "cli_hex.h"
#include "sm_names.h"

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

void cli_hex_init(cli_hex *h) {
  h->in_comment = false;
  h->nibble = -1;
  h->line = 1;
  h->bad = '\0';
}

/* One character. Returns 1 when a byte was completed into *out, 0 when
 * not, -1 on an invalid character. */
static int hex_char(cli_hex *h, char c, uint8_t *out) {
  int v;

  if (c == '\n') {
    h->line++;
    h->in_comment = false;
    return 0;
  }
  if (h->in_comment || is_space(c))
    return 0;
  if (c == '#') {
    h->in_comment = true;
    return 0;
  }
  v = sm_hex_digit(c);
  if (v < 0) {
    h->bad = c;
    return -1;
  }
  if (h->nibble < 0) {
    h->nibble = v;
    return 0;
  }
  *out = (uint8_t)(h->nibble << 4 | v);
  h->nibble = -1;
  return 1;
}

long cli_hex_convert(cli_hex *h, const char *in, size_t len, uint8_t *out) {
  long n = 0;

  for (size_t i = 0; i < len; i++) {
    int r = hex_char(h, in[i], out + n);

    if (r < 0)
      return -1;
    n += r;
  }
  return n;
}

bool cli_hex_pending(const cli_hex *h) {
  return h->nibble >= 0;
}
