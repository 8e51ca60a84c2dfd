/* SPDX-License-Identifier: MIT */
/* sm_hex.c - hex text to bytes (keys, captures) and key hygiene. */
#include <ctype.h>
#include <string.h>

#include "sm_names.h"

const char sm_hex_upper[16] = "0123456789ABCDEF";

void sm_hex_encode(const uint8_t *p, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = sm_hex_upper[p[i] >> 4];
    out[2 * i + 1] = sm_hex_upper[p[i] & 15];
  }
  out[2 * n] = '\0';
}

int sm_hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

long sm_hex_decode(const char *text, size_t text_len, uint8_t *out,
                   size_t size) {
  size_t n = 0;
  int high = -1;
  for (size_t i = 0; i < text_len; i++) {
    char c = text[i];
    if (isspace((unsigned char)c) || c == ':' || c == '-')
      continue;
    int v = sm_hex_digit(c);
    if (v < 0)
      return -1;
    if (high < 0) {
      high = v;
      continue;
    }
    if (n == size)
      return -1;
    out[n++] = (uint8_t)(high << 4 | v);
    high = -1;
  }
  return high < 0 ? (long)n : -1;
}

int sm_key_parse(const char *text, uint8_t key[SM_KEY_LEN]) {
  uint8_t tmp[SM_KEY_LEN + 1];
  long n = text ? sm_hex_decode(text, strlen(text), tmp, sizeof tmp) : -1;
  if (n == SM_KEY_LEN)
    memcpy(key, tmp, SM_KEY_LEN);
  sm_wipe(tmp, sizeof tmp);
  return n == SM_KEY_LEN ? 0 : -1;
}

void sm_wipe(void *p, size_t n) {
  explicit_bzero(p, n);
}
