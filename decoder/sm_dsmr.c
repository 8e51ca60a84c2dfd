/* SPDX-License-Identifier: MIT */
/* sm_dsmr.c - DSMR P1 text telegrams (NL/BE/LU DSMR 4/5, and Energienetze
 * Steiermark's Sagemcom T210-D-R inside general-glo-ciphering).
 *
 *   /EST5\253717584_A            ident line (-> device_name)
 *                                 lines "A-B:C.D.E(...)(...)"
 *   1-0:1.8.0(007112944*Wh)
 *   !ED42                        CRC-16/ARC over "/" .. "!", 4 hex digits
 *
 * The rule is the project's first one: a value is delivered only when the
 * CRC holds and the line's meaning is certain. A line we do not understand
 * is skipped; a line that starts like an OBIS line but breaks the grammar
 * refuses the whole telegram (with a good CRC that is the meter's format,
 * not noise, and half a telegram would look like a whole one).
 *
 * What is kept, what is skipped (the caller's contract):
 *  - one group "(number*unit)" with a known unit: a reading;
 *  - two groups "(timestamp)(number*unit)" (gas 0-n:24.2.1, BE max demand
 *    1-0:1.6.0): the reading of the second group; the time is not kept;
 *  - one group "(number)" without unit: a reading with unit 255 (counters
 *    such as 0-0:96.7.21 power failures, states such as 0-0:96.3.10);
 *  - 0-0:1.0.0 -> meter_time; 0-0:96.1.0 / 0-0:96.1.1 -> meter_number;
 *  - skipped: versions (x-x:0.2.x), ids of other channels and version info
 *    (x-x:96.1.x), messages (x-x:96.13.x), tariff (x-x:96.14.x), device name
 *    (x-x:42.0.x), unknown units (GJ, s, ...), three or more groups (99.97.0
 *    failure log, 98.1.0 history, DSMR 3 gas), unitless text, and lines that
 *    do not start with a digit (continuation lines). */
#include <stdio.h>
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

#define CRC_DIGITS 4
#define TIME_LEN 13     /* YYMMDDhhmmssX */
#define MAX_DECIMALS 18 /* more would not fit an int64 anyway */

/* ---- telegram bounds --------------------------------------------------- */

/* Bytes a telegram may carry before its '!': text only, so binary noise
 * that happens to start with '/' is rejected at its first binary byte. */
static bool text_byte(uint8_t c) {
  return (c >= 0x20 && c <= 0x7E) || c == '\r' || c == '\n' || c == '\t';
}

/* The last offset where the '!' may be: "/" .. CRC fits SM_MAX_APDU. */
#define LAST_BANG (SM_MAX_APDU - 1 - CRC_DIGITS)

#define BLOCK 64

/* Does b[0..BLOCK) hold a byte the search below must look at: a non-text
 * byte or a '!'? Branch-free over a fixed width, which gcc -O2 turns into
 * a few vector compares per 16 bytes: telegram text is all but its '!'
 * plain, so nearly every block is passed over whole. */
static bool block_stops(const uint8_t *b) {
  uint8_t stop = 0;
  for (size_t j = 0; j < BLOCK; j++) {
    uint8_t c = b[j];
    stop |= (uint8_t)((c < 0x20) & (c != '\t') & (c != '\n') & (c != '\r')) |
            (uint8_t)(c > 0x7E) | (uint8_t)(c == '!');
  }
  return stop != 0;
}

/* Find the '!' that ends the telegram at p[0] == '/': the first one that
 * opens a line (a '!' inside a value is text). SM_TELEGRAM with *bang,
 * SM_NEED_MORE while one may still come within the bound, SM_ERR_DSMR. */
static sm_status find_bang(const uint8_t *p, size_t n, size_t *bang) {
  if (n == 0 || p[0] != '/')
    return SM_ERR_DSMR;
  size_t i = 1, lim = n < LAST_BANG + 1 ? n : LAST_BANG + 1;
  while (i < lim) {
    while (lim - i >= BLOCK && !block_stops(p + i))
      i += BLOCK;
    /* Byte by byte through the block that stopped (or the tail). */
    size_t stop = lim - i >= BLOCK ? i + BLOCK : lim;
    for (; i < stop; i++) {
      if (p[i] == '!' && p[i - 1] == '\n') {
        *bang = i;
        return SM_TELEGRAM;
      }
      if (!text_byte(p[i]))
        return SM_ERR_DSMR;
    }
  }
  return i > LAST_BANG ? SM_ERR_DSMR : SM_NEED_MORE;
}

/* The CRC digits after p[bang]: SM_TELEGRAM with *crc, SM_NEED_MORE when
 * fewer than 4 are there (all hex so far), SM_ERR_DSMR for a non-hex one
 * (a DSMR 2/3 telegram without CRC: we require one). */
static sm_status crc_digits(const uint8_t *p, size_t n, size_t bang,
                            uint16_t *crc) {
  unsigned v = 0;
  for (size_t k = 1; k <= CRC_DIGITS; k++) {
    if (bang + k >= n)
      return SM_NEED_MORE;
    int d = sm_hex_digit((char)p[bang + k]);
    if (d < 0)
      return SM_ERR_DSMR;
    v = v << 4 | (unsigned)d;
  }
  *crc = (uint16_t)v;
  return SM_TELEGRAM;
}

sm_status sm_dsmr_size(const uint8_t *p, size_t n, bool at_end, size_t *size) {
  size_t bang;
  uint16_t crc;
  sm_status st = find_bang(p, n, &bang);
  if (st == SM_TELEGRAM)
    st = crc_digits(p, n, bang, &crc);
  if (st == SM_NEED_MORE)
    return at_end ? SM_ERR_DSMR : SM_NEED_MORE;
  if (st != SM_TELEGRAM)
    return st;
  size_t end = bang + 1 + CRC_DIGITS;
  /* The CR LF belongs to the telegram; wait for it unless the input ends
   * (a lone CR at the end is left to the link layer). */
  if (!at_end && (end == n || (p[end] == '\r' && end + 1 == n)))
    return SM_NEED_MORE;
  if (end + 1 < n && p[end] == '\r' && p[end + 1] == '\n')
    end += 2;
  *size = end;
  return SM_TELEGRAM;
}

bool sm_dsmr_crc_ok(const uint8_t *p, size_t size) {
  size_t bang;
  uint16_t sent;
  return find_bang(p, size, &bang) == SM_TELEGRAM &&
         crc_digits(p, size, bang, &sent) == SM_TELEGRAM &&
         sm_crc16_arc(p, bang + 1) == sent;
}

bool sm_dsmr_is_telegram(const uint8_t *p, size_t n) {
  if (n == 0 || p[0] != '/')
    return false;
  size_t i = 1;
  while (i < n && p[i] >= 0x20 && p[i] <= 0x7E)
    i++;
  return i - 1 >= 4 && i + 1 < n && p[i] == '\r' && p[i + 1] == '\n';
}

/* ---- numbers and units ------------------------------------------------- */

typedef enum num_result { NUM_OK, NUM_BAD, NUM_TOO_LARGE } num_result;

/* "[-]digits[.digits]" exactly: *raw is the digits without the dot,
 * *decimals how many followed it. */
static bool is_digit(char c) {
  return (unsigned)(c - '0') <= 9;
}

/* *v = *v * 10 + digit c; false (and *v as it was) when that would pass
 * INT64_MAX. One compare per digit in the common case, no division. */
static bool push_digit(int64_t *v, char c) {
  int d = c - '0';
  if (*v >= INT64_MAX / 10 && (*v > INT64_MAX / 10 || d > INT64_MAX % 10))
    return false;
  *v = *v * 10 + d;
  return true;
}

/* The general case: any length, every digit checked against INT64_MAX. */
static num_result parse_number_long(const char *s, size_t n, int64_t *raw,
                                    int *decimals) {
  bool neg = n > 0 && s[0] == '-';
  size_t i = neg ? 1 : 0, digits_before = 0;
  int64_t v = 0;
  int dec = -1;        /* -1: no dot yet */
  for (; i < n; i++) { /* before the dot */
    if (s[i] == '.' && digits_before > 0) {
      dec = 0;
      i++;
      break;
    }
    if (!is_digit(s[i]))
      return NUM_BAD;
    if (!push_digit(&v, s[i]))
      return NUM_TOO_LARGE;
    digits_before++;
  }
  for (; dec >= 0 && i < n; i++) { /* after it (a second dot is bad) */
    if (!is_digit(s[i]))
      return NUM_BAD;
    if (!push_digit(&v, s[i]))
      return NUM_TOO_LARGE;
    if (++dec > MAX_DECIMALS)
      return NUM_TOO_LARGE;
  }
  if (digits_before == 0 || dec == 0) /* "", "-", ".5", "5." */
    return NUM_BAD;
  *raw = neg ? -v : v;
  *decimals = dec < 0 ? 0 : dec;
  return NUM_OK;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EIGHT_AT_ONCE 1
/* s[0..8) as a number when all eight are digits: eight bytes compared and
 * summed in one word (s[0] in its low byte), which a meter's 9-digit
 * counters ("007112944") mostly are. */
static bool eight_digits(const char *s, int64_t *out) {
  const uint64_t high = UINT64_C(0xF0F0F0F0F0F0F0F0),
                 zeros = UINT64_C(0x3030303030303030);
  uint64_t x;
  memcpy(&x, s, 8);
  /* 0x30..0x39: high nibble 3, and still 3 with 6 added (0x3A.. is 0x40..);
   * with every high nibble 3 the additions carry into no other byte. */
  if ((x & high) != zeros ||
      ((x + UINT64_C(0x0606060606060606)) & high) != zeros)
    return false;
  x -= zeros;
  x = x * 10 + (x >> 8); /* pairs of digits, in every other byte */
  x = ((x & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
       ((x >> 16) & UINT64_C(0x000000FF000000FF)) *
           (1 + (UINT64_C(10000) << 32))) >>
      32;
  *out = (int64_t)x;
  return true;
}
#endif

/* At most SHORT_NUMBER characters hold at most 18 digits (< 10^18, below
 * INT64_MAX) and at most 17 decimals: neither limit can be reached, so
 * the digits are summed without the checks, and the verdict is the one
 * parse_number_long gives. */
#define SHORT_NUMBER 18

static num_result parse_number(const char *s, size_t n, int64_t *raw,
                               int *decimals) {
  if (n > SHORT_NUMBER)
    return parse_number_long(s, n, raw, decimals);
  size_t i = n > 0 && s[0] == '-', first = i, dot = n;
  int64_t v = 0;
#ifdef EIGHT_AT_ONCE
  if (n - i >= 8 && eight_digits(s + i, &v))
    i += 8; /* what the loop would make of them */
#endif
  for (; i < n; i++) {
    unsigned d = (unsigned)(s[i] - '0');
    if (d <= 9)
      v = v * 10 + (int64_t)d;
    else if (s[i] == '.' && dot == n && i > first)
      dot = i;
    else
      return NUM_BAD; /* a second dot, a leading one, any other byte */
  }
  if (i == first || dot == n - 1) /* "", "-", "5." */
    return NUM_BAD;
  *raw = s[0] == '-' ? -v : v;
  *decimals = dot == n ? 0 : (int)(n - 1 - dot);
  return NUM_OK;
}

typedef struct unit_row {
  const char *symbol;
  uint8_t len;  /* of symbol */
  uint8_t unit; /* DLMS enum */
  bool prefix;  /* k (10^3) and M (10^6) allowed */
} unit_row;

/* Case matters: M is mega, m would be milli. GJ (heat) has no DLMS unit
 * we could name with certainty: not here, so those lines are skipped. */
#define UNIT(s, u, prefix)                                                     \
  { s, sizeof s - 1, u, prefix }
static const unit_row units[] = {
    UNIT("Wh", 30, true),  UNIT("W", 27, true),   UNIT("varh", 32, true),
    UNIT("var", 29, true), UNIT("VAh", 31, true), UNIT("VA", 28, true),
    UNIT("V", 35, false),  UNIT("A", 33, false),  UNIT("Hz", 44, false),
    UNIT("m3", 13, false),
};

/* The row spelled s[0..n), or NULL. The symbols differ from each other,
 * so the first match is the only one; the length and the first letter
 * pick the few rows worth a memcmp. */
static const unit_row *unit_find(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    const unit_row *u = &units[i];
    if (u->len != n || u->symbol[0] != s[0])
      continue;
    size_t k = 1;
    while (k < n && u->symbol[k] == s[k])
      k++;
    if (k == n)
      return u;
  }
  return NULL;
}

/* Unit text -> DLMS unit and the prefix's power of ten. false: unknown.
 * As sent first ("m3" is no milli-anything), then without a k or M. */
static bool parse_unit(const char *s, size_t n, uint8_t *unit, int *exp) {
  const unit_row *u = n > 0 ? unit_find(s, n) : NULL;
  if (u) {
    *unit = u->unit;
    *exp = 0;
    return true;
  }
  if (n < 2 || (s[0] != 'k' && s[0] != 'M'))
    return false;
  u = unit_find(s + 1, n - 1);
  if (!u || !u->prefix)
    return false;
  *unit = u->unit;
  *exp = s[0] == 'k' ? 3 : 6;
  return true;
}

typedef struct span {
  const char *s;
  size_t n;
} span;

/* A group "(number*unit)", its first '*' at star: the '*' says it is a
 * number, so a bad one is malformed (returns the reason). *known is false for a
 * unit we do not name; the caller skips those. */
static const char *unit_value(span g, const char *star, int64_t *raw,
                              int *scaler, uint8_t *unit, bool *known) {
  size_t num_n = (size_t)(star - g.s), unit_n = g.n - num_n - 1;
  int decimals, exp = 0;
  num_result r = parse_number(g.s, num_n, raw, &decimals);
  if (r == NUM_BAD)
    return "bad number";
  if (r == NUM_TOO_LARGE)
    return "number too large";
  if (unit_n == 0)
    return "empty unit";
  *known = parse_unit(star + 1, unit_n, unit, &exp);
  *scaler = exp - decimals;
  return NULL;
}

/* ---- the line parser --------------------------------------------------- */

#define MAX_GROUPS 3 /* we use two; the third only counts */

typedef struct parser {
  sm_telegram *t;
  unsigned line; /* the current line, 1 = the ident line */
  char *detail;
  size_t detail_size;
} parser;

/* A "(number*unit)" group as parse_groups read it, so that the reading
 * is not parsed a second time. */
typedef struct unit_group {
  int64_t raw;
  int scaler;
  uint8_t unit;
  bool known;
} unit_group;

typedef struct obis_line {
  uint8_t obis[6];
  span group[MAX_GROUPS];        /* contents without the parentheses */
  unit_group parsed[MAX_GROUPS]; /* of the groups with a '*', when !bad */
  bool star[MAX_GROUPS];         /* the group has a '*' (set when !bad) */
  size_t n_groups;               /* all groups, may exceed MAX_GROUPS */
  const char *bad;               /* first bad "(number*unit)": why, or NULL */
} obis_line;

static sm_status fail(parser *ps, const char *why) {
  if (ps->detail && ps->detail_size)
    snprintf(ps->detail, ps->detail_size, "line %u: %s", ps->line, why);
  return SM_ERR_DSMR;
}

/* "A-B:C.D.E" -> {A,B,C,D,E,255}: fields of 1-3 digits up to 255 (a
 * fourth digit refuses the field), each followed by its separator (none
 * after E); *pos ends after E. The digits spelled out one by one, in one
 * function: this runs for every line. */
static bool parse_obis(const char *s, size_t n, size_t *pos, uint8_t o[6]) {
  static const char seps[4] = {'-', ':', '.', '.'};
  size_t i = *pos;
  for (int f = 0;; f++) {
    if (i >= n || !is_digit(s[i]))
      return false;
    unsigned v = (unsigned)(s[i++] - '0');
    if (i < n && is_digit(s[i])) {
      v = v * 10 + (unsigned)(s[i++] - '0');
      if (i < n && is_digit(s[i])) {
        v = v * 10 + (unsigned)(s[i++] - '0');
        if (v > 255 || (i < n && is_digit(s[i])))
          return false;
      }
    }
    o[f] = (uint8_t)v;
    if (f == 4)
      break;
    if (i >= n || s[i] != seps[f])
      return false;
    i++;
  }
  o[5] = 255;
  *pos = i;
  return true;
}

/* "(..)(..)..." up to the end of the line, no nesting, nothing between or
 * after the groups. NULL, or the reason it is malformed. A bad number in
 * a "(number*unit)" group goes to ol->bad: it breaks the line unless the
 * line is text we skip. */
static const char *parse_groups(const char *s, size_t n, size_t pos,
                                obis_line *ol) {
  if (pos >= n || s[pos] != '(')
    return "no '(' after the OBIS code";
  while (pos < n) {
    if (s[pos] != '(')
      return "text after ')'";
    size_t open = ++pos;
    /* The first ')' after the '(', with no '(' before it: two memchr
     * instead of a loop that tests every byte twice. */
    const char *close = memchr(s + open, ')', n - open);
    if (!close || memchr(s + open, '(', (size_t)(close - s) - open))
      return "unbalanced parentheses";
    pos = (size_t)(close - s);
    span g = {s + open, pos - open};
    unit_group scratch, *u = &scratch;
    const char *star = ol->bad ? NULL : memchr(g.s, '*', g.n);
    if (ol->n_groups < MAX_GROUPS) {
      ol->group[ol->n_groups] = g;
      ol->star[ol->n_groups] = star != NULL;
      u = &ol->parsed[ol->n_groups];
    }
    ol->n_groups++;
    if (star)
      ol->bad = unit_value(g, star, &u->raw, &u->scaler, &u->unit, &u->known);
    pos++;
  }
  return NULL;
}

/* ---- what a line means ------------------------------------------------- */

static bool obis_cd(const obis_line *ol, uint8_t c, uint8_t d) {
  return ol->obis[2] == c && ol->obis[3] == d;
}

static bool is_channel0(const obis_line *ol) {
  return ol->obis[0] == 0 && ol->obis[1] == 0;
}

/* Identifiers, versions, texts and the tariff code: no reading. 96.1.0 and
 * 96.1.1 of channel 0-0 are taken as the meter number before this. */
static bool skipped_obis(const obis_line *ol) {
  return obis_cd(ol, 0, 2) || obis_cd(ol, 96, 1) || obis_cd(ol, 96, 13) ||
         obis_cd(ol, 96, 14) || obis_cd(ol, 42, 0);
}

static bool two_digits(const char *s, uint8_t *out) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
    return false;
  *out = (uint8_t)((s[0] - '0') * 10 + (s[1] - '0'));
  return true;
}

/* "YYMMDDhhmmssX", X = S (summer, CEST) or W (winter, CET). */
static bool parse_time(span g, sm_datetime *dt) {
  uint8_t f[6];
  if (g.n != TIME_LEN || (g.s[12] != 'S' && g.s[12] != 'W'))
    return false;
  for (int i = 0; i < 6; i++)
    if (!two_digits(g.s + 2 * i, &f[i]))
      return false;
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
      f[4] > 59 || f[5] > 59)
    return false;
  bool summer = g.s[12] == 'S';
  *dt = (sm_datetime){.present = true,
                      .year = (uint16_t)(2000 + f[0]),
                      .month = f[1],
                      .day = f[2],
                      .weekday = 0xFF,
                      .hour = f[3],
                      .minute = f[4],
                      .second = f[5],
                      .hundredths = 0,
                      .deviation = (int16_t)(summer ? -120 : -60),
                      .status = (uint8_t)(summer ? 0x80 : 0x00)};
  return true;
}

/* A hex-encoded ASCII id (DSMR 4/5 96.1.1) is decoded; anything else is
 * kept as sent. */
static bool hex_text(span g, char *out, size_t size) {
  if (g.n == 0 || g.n % 2 != 0)
    return false;
  size_t k = 0;
  for (size_t i = 0; i < g.n; i += 2) {
    int hi = sm_hex_digit(g.s[i]), lo = sm_hex_digit(g.s[i + 1]);
    if (hi < 0 || lo < 0 || hi * 16 + lo < 0x20 || hi * 16 + lo > 0x7E)
      return false;
    if (k + 1 < size)
      out[k++] = (char)(hi * 16 + lo);
  }
  out[k] = '\0';
  return true;
}

static void copy_text(span g, char *out, size_t size) {
  size_t k = g.n < size - 1 ? g.n : size - 1;
  memcpy(out, g.s, k);
  out[k] = '\0';
}

static void meter_number(sm_telegram *t, const obis_line *ol) {
  /* 96.1.0 wins over 96.1.1 whatever the order: it is the documented
   * meter-number object. */
  if (ol->n_groups != 1 || (ol->obis[4] == 1 && t->meter_number[0]))
    return;
  if (!hex_text(ol->group[0], t->meter_number, sizeof t->meter_number))
    copy_text(ol->group[0], t->meter_number, sizeof t->meter_number);
}

static void value_add(sm_telegram *t, const uint8_t obis[6], int64_t raw,
                      int scaler, uint8_t unit) {
  sm_value_integer(t, obis, raw, (int8_t)scaler, unit);
}

/* The reading in group k: with a known unit, or a unitless number (kept
 * with unit 255). Unknown units and unitless text are skipped. */
static void reading(sm_telegram *t, const obis_line *ol, size_t k) {
  span g = ol->group[k];
  int64_t raw;
  int scaler = 0, decimals = 0;
  uint8_t unit = 255;
  bool known = true;
  if (ol->star[k]) { /* parsed (and found good) by parse_groups */
    const unit_group *u = &ol->parsed[k];
    raw = u->raw;
    scaler = u->scaler;
    unit = u->unit;
    known = u->known;
  } else {
    known = parse_number(g.s, g.n, &raw, &decimals) == NUM_OK;
    scaler = -decimals;
  }
  if (known)
    value_add(t, ol->obis, raw, scaler, unit);
}

static sm_status obis_meaning(parser *ps, const obis_line *ol) {
  static const uint8_t clock[6] = {0, 0, 1, 0, 0, 255};
  if (memcmp(ol->obis, clock, 6) == 0) {
    if (ol->n_groups != 1 || !parse_time(ol->group[0], &ps->t->meter_time))
      return fail(ps, "bad time");
    return SM_TELEGRAM;
  }
  if (is_channel0(ol) && obis_cd(ol, 96, 1) && ol->obis[4] <= 1)
    meter_number(ps->t, ol);
  if (skipped_obis(ol))
    return SM_TELEGRAM;
  if (ol->bad)
    return fail(ps, ol->bad);
  sm_datetime when;
  if (ol->n_groups == 1)
    reading(ps->t, ol, 0);
  else if (ol->n_groups == 2 && parse_time(ol->group[0], &when) && ol->star[1])
    reading(ps->t, ol, 1);
  return SM_TELEGRAM; /* anything else: not certain, skipped */
}

/* One data line s[0..n) without its CR LF. */
static sm_status data_line(parser *ps, const char *s, size_t n) {
  if (n == 0 || s[0] < '0' || s[0] > '9')
    return SM_TELEGRAM; /* empty line, continuation, unknown: skipped */
  obis_line ol;         /* the rest is written before it is read */
  ol.n_groups = 0;
  ol.bad = NULL;
  size_t pos = 0;
  if (!parse_obis(s, n, &pos, ol.obis))
    return fail(ps, "bad OBIS code");
  const char *why = parse_groups(s, n, pos, &ol);
  if (why)
    return fail(ps, why);
  return obis_meaning(ps, &ol);
}

static void telegram_clear(sm_telegram *t) {
  sm_telegram_clear(t);
  t->dsmr = true;
  t->layout = "DSMR P1 text (Sagemcom T210-D-R: Steiermark)";
}

/* Lines of p[0..bang): the ident line, then data lines. Each ends in
 * CR LF (the '!' opens a line, so the last one does too); a bare LF is
 * taken as well, a CR anywhere else is not text of a line. Found with
 * memchr, line by line: the bytes were checked to be text already. */
static sm_status lines(parser *ps, const char *p, size_t bang) {
  size_t start = 0;
  ps->line = 1;
  while (start < bang) {
    const char *lf = memchr(p + start, '\n', bang - start);
    size_t end = (size_t)(lf - p); /* p[bang - 1] is a LF: always found */
    const char *cr = memchr(p + start, '\r', end - start);
    if (cr && cr != lf - 1)
      return fail(ps, "CR without LF");
    size_t len = end - start - (cr != NULL);
    if (ps->line == 1) { /* "/" ident: the device name */
      copy_text((span){p + 1, len - 1}, ps->t->device_name,
                sizeof ps->t->device_name);
    } else {
      sm_status st = data_line(ps, p + start, len);
      if (st != SM_TELEGRAM)
        return st;
    }
    ps->line++;
    start = end + 1;
  }
  return SM_TELEGRAM;
}

static void say(char *detail, size_t detail_size, const char *text) {
  if (detail && detail_size)
    snprintf(detail, detail_size, "%s", text);
}

/* p[0..n) must be exactly one telegram: "/" .. "!" CRC [CR LF]. */
static sm_status telegram_bounds(const uint8_t *p, size_t n, size_t *bang,
                                 uint16_t *sent, char *detail,
                                 size_t detail_size) {
  sm_status st = find_bang(p, n, bang);
  if (st == SM_TELEGRAM)
    st = crc_digits(p, n, *bang, sent);
  if (st != SM_TELEGRAM) {
    say(detail, detail_size,
        st == SM_NEED_MORE ? "no end \"!\" and CRC"
                           : "not text, or \"!\" without a CRC");
    return SM_ERR_DSMR;
  }
  size_t end = *bang + 1 + CRC_DIGITS;
  if (n == end || (n == end + 2 && p[end] == '\r' && p[end + 1] == '\n'))
    return SM_TELEGRAM;
  say(detail, detail_size, "bytes after the CRC");
  return SM_ERR_DSMR;
}

sm_status sm_dsmr_parse(const uint8_t *p, size_t n, sm_telegram *t,
                        char *detail, size_t detail_size) {
  parser ps = {.t = t, .detail = detail, .detail_size = detail_size};
  size_t bang;
  uint16_t sent;
  if (detail && detail_size)
    detail[0] = '\0';
  telegram_clear(t);
  sm_status st = telegram_bounds(p, n, &bang, &sent, detail, detail_size);
  if (st != SM_TELEGRAM)
    return st;
  uint16_t crc = sm_crc16_arc(p, bang + 1);
  if (crc != sent) {
    if (detail && detail_size)
      snprintf(detail, detail_size, "CRC is %04X, telegram says %04X", crc,
               sent);
    return SM_ERR_CHECKSUM;
  }
  st = lines(&ps, (const char *)p, bang);
  if (st != SM_TELEGRAM)
    telegram_clear(t); /* refused: nothing half-delivered */
  return st;
}
