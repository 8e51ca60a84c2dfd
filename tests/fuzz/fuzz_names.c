/* SPDX-License-Identifier: MIT */
/* fuzz_names.c - libFuzzer target: the pure functions of sm_names.h on
 * arbitrary arguments - the parsers of user-supplied text (keys in
 * collectd.conf / KeyFile / CLI options, capture files) and the formatters
 * every output route uses.
 *
 * Input: byte 0 selects (modulo 3)
 *   0  hex: byte 1 = size of the output buffer (0..255), the rest = text;
 *      sm_hex_decode() and sm_key_parse() are compared with a plain model
 *      of the documented behaviour (whitespace, ':' and '-' ignored; -1 on
 *      any other non-hex character, an odd digit count or more than size
 *      bytes; a key is exactly 32 digits);
 *   1  a reading: obis[6], scaler, unit, raw (8, big endian), flags (bit 0
 *      float: raw holds the double's bits; bit 1 text: the rest is the
 *      text), through fz_check_value() (sm_value_format exact decimal,
 *      sm_obis_name, sm_obis_format, sm_unit_symbol);
 *   2  a date-time: present, year (2), month .. status (9 bytes), through
 *      fz_check_datetime().
 * Buffers are heap copies of exactly their size, so ASan sees any access
 * past them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool skipped(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r' || c == ':' || c == '-';
}

/* The model: -1 or the byte count, bytes into out (cap bytes). */
static long model(const char *s, size_t n, uint8_t *out, size_t cap) {
  size_t digits = 0;
  for (size_t i = 0; i < n; i++) {
    if (skipped(s[i]))
      continue;
    int v = digit(s[i]);
    if (v < 0)
      return -1;
    if (digits % 2 == 0) {
      if (digits / 2 < cap)
        out[digits / 2] = (uint8_t)(v << 4);
    } else if (digits / 2 < cap) {
      out[digits / 2] |= (uint8_t)v;
    }
    digits++;
  }
  if (digits % 2 || digits / 2 > cap)
    return -1;
  return (long)(digits / 2);
}

static void hex(const uint8_t *data, size_t size) {
  if (size == 0)
    return;
  size_t cap = data[0];
  size_t n = size - 1;
  char *text = malloc(n + 1);
  uint8_t *out = malloc(cap ? cap : 1);
  uint8_t *want = malloc(cap ? cap : 1);
  FZ_CHECK(text && out && want, "malloc");
  memcpy(text, data + 1, n);
  text[n] = '\0';

  long got = sm_hex_decode(text, n, out, cap);
  long exp = model(text, n, want, cap);
  FZ_CHECK(got == exp, "sm_hex_decode result differs from the model");
  if (got > 0)
    FZ_CHECK(!memcmp(out, want, (size_t)got), "sm_hex_decode bytes differ");

  /* sm_key_parse reads a C string: up to the first NUL. */
  uint8_t *key = malloc(SM_KEY_LEN);
  uint8_t want_key[SM_KEY_LEN];
  FZ_CHECK(key != NULL, "malloc");
  int kr = sm_key_parse(text, key);
  long kexp = model(text, strlen(text), want_key, SM_KEY_LEN);
  FZ_CHECK(kr == (kexp == SM_KEY_LEN ? 0 : -1),
           "sm_key_parse accepts/rejects unlike the model");
  if (kr == 0)
    FZ_CHECK(!memcmp(key, want_key, SM_KEY_LEN), "sm_key_parse bytes differ");
  FZ_CHECK(sm_key_parse(NULL, key) == -1, "sm_key_parse(NULL) accepted");

  sm_wipe(key, SM_KEY_LEN);
  free(key);
  free(text);
  free(out);
  free(want);
}

static void reading(const uint8_t *p, size_t n) {
  uint8_t b[17] = {0};
  memcpy(b, p, n < sizeof b ? n : sizeof b);
  sm_value *v = malloc(sizeof *v);
  FZ_CHECK(v != NULL, "malloc");
  memset(v, 0, sizeof *v);
  memcpy(v->obis, b, 6);
  v->scaler = (int8_t)b[6];
  v->unit = b[7];
  uint64_t u = 0;
  for (int i = 0; i < 8; i++)
    u = u << 8 | b[8 + i];
  if (b[16] & 2) {
    v->kind = SM_VALUE_TEXT;
    size_t k = n > 17 ? n - 17 : 0;
    if (k > SM_MAX_TEXT - 1)
      k = SM_MAX_TEXT - 1;
    memcpy(v->text, p + 17, k); /* may hold NULs: a C string anyway */
  } else if (b[16] & 1) {
    v->is_float = true;
    memcpy(&v->value, &u, sizeof v->value);
  } else {
    v->raw = (int64_t)u;
    /* As the decoder scales: raw * 10^scaler. */
    v->value = (double)v->raw * pow(10, v->scaler);
  }
  fz_check_value(v);
  free(v);
}

static void datetime(const uint8_t *p, size_t n) {
  uint8_t b[12] = {0};
  memcpy(b, p, n < sizeof b ? n : sizeof b);
  sm_datetime *dt = malloc(sizeof *dt);
  FZ_CHECK(dt != NULL, "malloc");
  dt->present = b[0] & 1;
  dt->year = (uint16_t)(b[1] << 8 | b[2]);
  dt->month = b[3];
  dt->day = b[4];
  dt->weekday = b[5];
  dt->hour = b[6];
  dt->minute = b[7];
  dt->second = b[8];
  dt->hundredths = b[9];
  dt->deviation = (int16_t)(uint16_t)(b[10] << 8 | b[11]);
  dt->status = 0;
  fz_check_datetime(dt);
  free(dt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  switch (data[0] % 3) {
  case 0:
    hex(data + 1, size - 1);
    break;
  case 1:
    reading(data + 1, size - 1);
    break;
  default:
    datetime(data + 1, size - 1);
    break;
  }
  return 0;
}
