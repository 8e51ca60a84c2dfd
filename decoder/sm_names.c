/* SPDX-License-Identifier: MIT */
/* sm_names.c - names and units of readings, exact number formatting. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm_names.h"

typedef struct name_row {
  uint8_t c, d, e; /* A=1, B=0, F=255 for every row */
  const char *name;
} name_row;

static const name_row NAMES[] = {
    {1, 8, 0, "energy_import"},
    {2, 8, 0, "energy_export"},
    {1, 8, 1, "energy_import_t1"},
    {1, 8, 2, "energy_import_t2"},
    {2, 8, 1, "energy_export_t1"},
    {2, 8, 2, "energy_export_t2"},
    {3, 8, 0, "reactive_energy_import"},
    {4, 8, 0, "reactive_energy_export"},
    {3, 8, 1, "reactive_energy_import_t1"},
    {3, 8, 2, "reactive_energy_import_t2"},
    {4, 8, 1, "reactive_energy_export_t1"},
    {4, 8, 2, "reactive_energy_export_t2"},
    {1, 7, 0, "power_import"},
    {2, 7, 0, "power_export"},
    {3, 7, 0, "reactive_power_import"},
    {4, 7, 0, "reactive_power_export"},
    {1, 128, 0, "energy_inkasso"}, /* Netz OÖ AMIS billing register, signed */
    {21, 7, 0, "power_import_l1"},
    {41, 7, 0, "power_import_l2"},
    {61, 7, 0, "power_import_l3"},
    {22, 7, 0, "power_export_l1"},
    {42, 7, 0, "power_export_l2"},
    {62, 7, 0, "power_export_l3"},
    {32, 7, 0, "voltage_l1"},
    {52, 7, 0, "voltage_l2"},
    {72, 7, 0, "voltage_l3"},
    {31, 7, 0, "current_l1"},
    {51, 7, 0, "current_l2"},
    {71, 7, 0, "current_l3"},
    {13, 7, 0, "power_factor"},
    {14, 7, 0, "frequency"},
};

const char *sm_obis_table_name(const uint8_t o[6]) {
  if (o[0] != 1 || o[1] != 0 || o[5] != 255)
    return NULL;
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
    if (NAMES[i].c == o[2] && NAMES[i].d == o[3] && NAMES[i].e == o[4])
      return NAMES[i].name;
  return NULL;
}

static size_t put(char *buf, size_t size, int n) {
  if (n < 0) {
    if (size)
      buf[0] = '\0';
    return 0;
  }
  return (size_t)n;
}

/* The text s[0..n) into buf as snprintf(buf, size, "%s", s) would: cut
 * to size - 1 bytes and terminated; returns n. The formatting below builds
 * its text in a local array and ends here: every CLI line calls these a
 * few times per reading, and snprintf's format parsing was most of their
 * cost. */
static size_t out(char *buf, size_t size, const char *s, size_t n) {
  if (size) {
    size_t k = n < size - 1 ? n : size - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
  }
  return n;
}

/* How many decimal digits v has: floor(log10) from the bit length
 * (1233 / 4096 is just above log10(2)), corrected by one compare. */
static size_t decimal_len(uint64_t v) {
  /* clang-format off */
  static const uint64_t pow10[20] = {
      1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
      1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000,
      100000000000000, 1000000000000000, 10000000000000000,
      100000000000000000, 1000000000000000000, 10000000000000000000u};
  /* clang-format on */
  uint64_t u = v | 1; /* 0 has one digit; the low bit never changes a count */
  size_t t = (size_t)((64 - __builtin_clzll(u)) * 1233) >> 12;
  return t + (u >= pow10[t]);
}

/* Decimal digits of v at p (no terminator); returns how many. Two digits
 * per division, written in place: every number of every output line
 * comes through here. */
static size_t put_u64(char *p, uint64_t v) {
  static const char pairs[] = "00010203040506070809101112131415161718192021"
                              "22232425262728293031323334353637383940414243"
                              "44454647484950515253545556575859606162636465"
                              "66676869707172737475767778798081828384858687"
                              "888990919293949596979899";
  size_t len = decimal_len(v), n = len;
  while (v >= 100) {
    const char *d = pairs + 2 * (v % 100);
    v /= 100;
    p[--n] = d[1];
    p[--n] = d[0];
  }
  if (v >= 10) {
    p[1] = pairs[2 * v + 1];
    p[0] = pairs[2 * v];
  } else {
    p[0] = (char)('0' + v);
  }
  return len;
}

/* "%02u" of v < 100, or "%04u" of v < 10000. */
static size_t put_fixed(char *p, unsigned v, size_t width) {
  for (size_t i = width; i-- > 0; v /= 10)
    p[i] = (char)('0' + v % 10);
  return width;
}

/* "%u" of a byte. */
static size_t put_u8(char *p, unsigned v) {
  if (v < 10) {
    p[0] = (char)('0' + v);
    return 1;
  }
  if (v < 100) {
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return 2;
  }
  p[0] = (char)('0' + v / 100);
  p[1] = (char)('0' + v / 10 % 10);
  p[2] = (char)('0' + v % 10);
  return 3;
}

/* The six fields of o with sep between them ("%u.%u.%u.%u.%u.%u"). */
static size_t put_obis(char *p, const uint8_t o[6], char sep) {
  size_t n = put_u8(p, o[0]);
  for (int i = 1; i < 6; i++) {
    p[n++] = sep;
    n += put_u8(p + n, o[i]);
  }
  return n;
}

size_t sm_obis_name(const uint8_t o[6], char *buf, size_t size) {
  const char *name = sm_obis_table_name(o);
  if (name)
    return out(buf, size, name, strlen(name));
  char tmp[32] = "obis_";
  return out(buf, size, tmp, 5 + put_obis(tmp + 5, o, '_'));
}

size_t sm_obis_format(const uint8_t o[6], char *buf, size_t size) {
  char tmp[32];
  return out(buf, size, tmp, put_obis(tmp, o, '.'));
}

int sm_supplier_parse(const char *name, const char **canonical) {
  static const char *const known[] = {"KSMWest", "EVN", "auto"};
  for (size_t i = 0; name && i < sizeof known / sizeof known[0]; i++)
    if (strcasecmp(name, known[i]) == 0) {
      *canonical = known[i];
      return 0;
    }
  return -1;
}

const char *sm_unit_symbol(uint8_t unit) {
  switch (unit) {
  case 27:
    return "W";
  case 28:
    return "VA";
  case 29:
    return "var";
  case 30:
    return "Wh";
  case 31:
    return "VAh";
  case 32:
    return "varh";
  case 33:
    return "A";
  case 34:
    return "C";
  case 35:
    return "V";
  case 44:
    return "Hz";
  case 1:
    return "a";
  case 2:
    return "mo";
  case 3:
    return "wk";
  case 4:
    return "d";
  case 5:
    return "h";
  case 6:
    return "min";
  case 7:
    return "s";
  case 9:
    return "°C";
  case 56:
    return "%";
  default:
    return "";
  }
}

static size_t format_float(double v, char *buf, size_t size) {
  char tmp[SM_NUM_MAX];
  snprintf(tmp, sizeof tmp, "%.15g", v);
  if (strtod(tmp, NULL) != v)
    snprintf(tmp, sizeof tmp, "%.17g", v);
  return put(buf, size, snprintf(buf, size, "%s", tmp));
}

/* raw * 10^scaler written out digit by digit: no binary rounding. */
/* The longest text format_scaled makes: a sign, 20 digits and 20 zeros. */
#define SCALED_MAX 42

static size_t format_scaled(int64_t raw, int scaler, char *buf, size_t size) {
  char tmp[SCALED_MAX];
  /* Straight into buf when it is large enough for any result and nothing
   * is trimmed (buf holds the text and its NUL, as snprintf leaves it). */
  char *text = size >= SCALED_MAX ? buf : tmp;
  uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
  size_t o = 0;
  if (raw < 0)
    text[o++] = '-';
  if (scaler >= 0 || mag == 0) { /* most readings: the integer as it is */
    o += put_u64(text + o, mag);
    for (int i = 0; mag != 0 && i < scaler; i++)
      text[o++] = '0';
  } else {
    /* The digits once, then a dot put in (or "0.", zeros before them),
     * then the fraction's trailing zeros taken off: mag != 0 has a digit
     * other than 0, so the trimming stops at it or at the dot. */
    size_t k = (size_t)-scaler, nd = decimal_len(mag);
    if (nd > k) {
      put_u64(text + o + 1, mag);
      for (size_t i = 0; i < nd - k; i++) /* the whole part, left by one */
        text[o + i] = text[o + 1 + i];
      text[o + nd - k] = '.';
      o += nd + 1;
    } else {
      text[o++] = '0';
      text[o++] = '.';
      for (size_t i = nd; i < k; i++)
        text[o++] = '0';
      o += put_u64(text + o, mag);
    }
    while (text[o - 1] == '0')
      o--;
    if (text[o - 1] == '.')
      o--;
  }
  if (text == tmp)
    return out(buf, size, tmp, o);
  buf[o] = '\0';
  return o;
}

size_t sm_value_format(const sm_value *v, char *buf, size_t size) {
  if (v->kind == SM_VALUE_TEXT)
    return out(buf, size, v->text, strlen(v->text));
  if (v->is_float)
    return format_float(v->value, buf, size);
  /* Scalers beyond +-20 do not occur in practice; keep the buffer bound. */
  if (v->scaler > 20 || v->scaler < -20)
    return format_float(v->value, buf, size);
  return format_scaled(v->raw, v->scaler, buf, size);
}

size_t sm_datetime_format(const sm_datetime *dt, char *buf, size_t size) {
  if (!dt->present || dt->year > 9999 || dt->month < 1 || dt->month > 12 ||
      dt->day < 1 || dt->day > 31) {
    if (size)
      buf[0] = '\0';
    return 0;
  }
  unsigned h = dt->hour == 0xFF ? 0 : dt->hour;
  unsigned m = dt->minute == 0xFF ? 0 : dt->minute;
  unsigned s = dt->second == 0xFF ? 0 : dt->second;
  if (h > 23 || m > 59 || s > 59) { /* callers may build their own */
    if (size)
      buf[0] = '\0';
    return 0;
  }
  char tmp[SM_TIME_MAX]; /* "%04u-%02u-%02uT%02u:%02u:%02u" */
  size_t n = put_fixed(tmp, dt->year, 4);
  const unsigned rest[5] = {dt->month, dt->day, h, m, s};
  for (int i = 0; i < 5; i++) {
    tmp[n++] = "--T::"[i];
    n += put_fixed(tmp + n, rest[i], 2);
  }
  return out(buf, size, tmp, n);
}
