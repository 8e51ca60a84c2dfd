/* SPDX-License-Identifier: MIT */
/* fuzz_dsmr.c - libFuzzer target: the DSMR P1 text telegram parser alone
 * (sm_dsmr_size, sm_dsmr_crc_ok, sm_dsmr_is_telegram and sm_dsmr_parse from
 * decoder/sm_private.h) on arbitrary bytes.
 *
 * Input layout: the bytes are the telegram ("/" ident CR LF, lines, "!"
 * CRC CR LF), nothing else; the seeds are real ones.
 *
 * Checked:
 *  - sm_dsmr_size, both at_end values: a known status (SM_NEED_MORE only
 *    while more may come), 7 <= size <= n; a telegram found while more may
 *    come is found the same at the end and from its own bytes alone;
 *    sm_dsmr_crc_ok agrees with a CRC-16/ARC written here;
 *  - sm_dsmr_parse on the whole input: SM_TELEGRAM, SM_ERR_CHECKSUM or
 *    SM_ERR_DSMR, exactly as the bounds and the CRC say (a telegram is
 *    exactly one sm_dsmr_size() telegram with a good CRC); an error has a
 *    detail; the detail stays inside any buffer size and is terminated;
 *    strings are terminated after any result; every reading is an exact
 *    number whose sm_value_format text is its raw * 10^scaler digit for
 *    digit and parses back (fz_check_value);
 *  - the input made a telegram with its CRC recomputed (the text up to its
 *    first "\n!", frm_dsmr_seal): parses, or is SM_ERR_DSMR with a detail -
 *    never a checksum error; the same without its final CR LF; and with a
 *    byte after it, never a telegram.
 * The bytes are always in a heap buffer of exactly their size, so ASan
 * sees any read past the end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "sm_names.h"
#include "sm_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_TELEGRAM 7 /* "/" LF "!" and four digits */
#define GUARD 8

static sm_telegram tel, tel2, tel_short;

/* ---- sm_dsmr_size -------------------------------------------------------- */

/* The '!' of a telegram of exactly size bytes: before the 4 digits and
 * the CR LF, when there is one. */
static size_t bang_of(const uint8_t *p, size_t size) {
  bool crlf =
      size >= MIN_TELEGRAM + 2 && p[size - 2] == '\r' && p[size - 1] == '\n';
  return size - 5 - (crlf ? 2 : 0);
}

static bool crc_model(const uint8_t *p, size_t size) {
  size_t bang = bang_of(p, size);
  char sent[5], want[5];
  memcpy(sent, p + bang + 1, 4);
  sent[4] = '\0';
  snprintf(want, sizeof want, "%04X", frm_crc16_arc(p, bang + 1));
  return !strcasecmp(sent, want);
}

static void check_size(const uint8_t *p, size_t n) {
  size_t sz[2] = {0, 0};
  sm_status st[2];
  for (int at_end = 0; at_end < 2; at_end++) {
    st[at_end] = sm_dsmr_size(p, n, at_end, &sz[at_end]);
    FZ_CHECK(st[at_end] == SM_TELEGRAM || st[at_end] == SM_ERR_DSMR ||
                 (!at_end && st[at_end] == SM_NEED_MORE),
             "sm_dsmr_size: unexpected status");
    if (st[at_end] != SM_TELEGRAM)
      continue;
    FZ_CHECK(sz[at_end] >= MIN_TELEGRAM && sz[at_end] <= n,
             "sm_dsmr_size: size out of range");
    FZ_CHECK(p[0] == '/' && p[bang_of(p, sz[at_end])] == '!',
             "sm_dsmr_size: not a '/' .. '!' telegram");
    FZ_CHECK(sm_dsmr_crc_ok(p, sz[at_end]) == crc_model(p, sz[at_end]),
             "sm_dsmr_crc_ok disagrees with CRC-16/ARC");
  }
  if (st[0] != SM_TELEGRAM)
    return;
  FZ_CHECK(st[1] == SM_TELEGRAM && sz[1] == sz[0],
           "sm_dsmr_size: at_end changes a complete telegram");
  size_t own;
  uint8_t *copy = malloc(sz[0]);
  FZ_CHECK(copy != NULL, "malloc");
  memcpy(copy, p, sz[0]);
  FZ_CHECK(sm_dsmr_size(copy, sz[0], true, &own) == SM_TELEGRAM && own == sz[0],
           "sm_dsmr_size: a telegram is not found in its own bytes");
  free(copy);
}

/* ---- readings: exact decimals -------------------------------------------- */

/* A decimal as sign, significant digits and exponent, trailing zeros
 * moved into the exponent: "-012.340" -> -, "1234", -2. */
typedef struct decimal {
  bool neg;
  char digits[64];
  int exp;
} decimal;

static void normalise(decimal *d) {
  size_t n = strlen(d->digits), lead = 0;
  while (lead + 1 < n && d->digits[lead] == '0')
    lead++;
  memmove(d->digits, d->digits + lead, n - lead + 1);
  n -= lead;
  while (n > 1 && d->digits[n - 1] == '0') {
    d->digits[--n] = '\0';
    d->exp++;
  }
  if (!strcmp(d->digits, "0"))
    d->neg = false, d->exp = 0;
}

static bool parse_decimal(const char *s, decimal *d) {
  size_t k = 0;
  bool dot = false;
  memset(d, 0, sizeof *d);
  d->neg = *s == '-';
  for (s += d->neg; *s; s++) {
    if (*s == '.' && !dot) {
      dot = true;
    } else if (*s >= '0' && *s <= '9' && k + 1 < sizeof d->digits) {
      d->digits[k++] = *s;
      d->exp -= dot;
    } else {
      return false;
    }
  }
  if (k == 0)
    return false;
  normalise(d);
  return true;
}

static void check_exact(const sm_value *v) {
  char text[SM_NUM_MAX];
  sm_value_format(v, text, sizeof text);
  decimal got, want = {.neg = v->raw < 0, .exp = v->scaler};
  uint64_t mag = v->raw < 0 ? (uint64_t)0 - (uint64_t)v->raw : (uint64_t)v->raw;
  snprintf(want.digits, sizeof want.digits, "%" PRIu64, mag);
  normalise(&want);
  FZ_CHECK(parse_decimal(text, &got), "DSMR reading not formatted decimal");
  FZ_CHECK(got.neg == want.neg && got.exp == want.exp &&
               !strcmp(got.digits, want.digits),
           "DSMR reading formats to another number than raw * 10^scaler");
}

/* ---- sm_dsmr_parse ------------------------------------------------------- */

static void fresh(sm_telegram *t) {
  memset(t, 0xA5, sizeof *t); /* stale readings must not leak through */
  t->encrypted = t->authenticated = t->tag_unchecked = false;
  t->security = 0;
  memset(t->system_title, 0, sizeof t->system_title);
  t->frame_counter = 0;
}

/* The detail stays inside detail_size bytes and is terminated there. */
static sm_status parse_sized(const uint8_t *p, size_t n, sm_telegram *t,
                             size_t detail_size, char *detail) {
  char buf[SM_DETAIL_MAX + GUARD];
  memset(buf, 0x55, sizeof buf);
  fresh(t);
  sm_status st = sm_dsmr_parse(p, n, t, buf, detail_size);
  for (size_t i = detail_size; i < sizeof buf; i++)
    FZ_CHECK(buf[i] == 0x55, "sm_dsmr_parse wrote past its detail buffer");
  if (detail_size > 0)
    FZ_CHECK(memchr(buf, '\0', detail_size) != NULL,
             "sm_dsmr_parse detail not terminated");
  if (detail)
    memcpy(detail, buf, detail_size);
  fz_check_strings(t);
  return st;
}

static sm_status parse(const uint8_t *p, size_t n, sm_telegram *t) {
  char detail[SM_DETAIL_MAX];
  sm_status st = parse_sized(p, n, t, sizeof detail, detail);
  FZ_CHECK(st == SM_TELEGRAM || st == SM_ERR_CHECKSUM || st == SM_ERR_DSMR,
           "sm_dsmr_parse: unexpected status");
  FZ_CHECK(st == SM_TELEGRAM || detail[0] != '\0',
           "sm_dsmr_parse error without a detail");
  /* Short detail buffers change nothing but the detail. */
  static const size_t short_sizes[] = {0, 1, 9};
  for (size_t i = 0; i < 3; i++)
    FZ_CHECK(parse_sized(p, n, &tel_short, short_sizes[i], NULL) == st,
             "detail size changes the result");
  if (st != SM_TELEGRAM)
    return st;
  FZ_CHECK(t->dsmr, "DSMR telegram not marked dsmr");
  fz_check_dsmr(t);
  fz_check_telegram(t);
  for (size_t i = 0; i < t->n_values; i++)
    check_exact(&t->values[i]);
  FZ_CHECK(fz_same_content(t, &tel_short), "detail size changes the readings");
  return st;
}

/* The parser's verdict follows from the bounds and the CRC. */
static void check_parse(const uint8_t *p, size_t n) {
  sm_status st = parse(p, n, &tel);
  size_t size;
  bool whole = sm_dsmr_size(p, n, true, &size) == SM_TELEGRAM && size == n;
  if (st == SM_TELEGRAM || st == SM_ERR_CHECKSUM)
    FZ_CHECK(whole, "sm_dsmr_parse took what is not one whole telegram");
  if (whole)
    FZ_CHECK((st == SM_ERR_CHECKSUM) == !crc_model(p, n),
             "sm_dsmr_parse: CRC verdict wrong");
}

/* ---- the input with its CRC made right ----------------------------------- */

static uint8_t *heap_copy(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  FZ_CHECK(q != NULL, "malloc");
  memcpy(q, p, n);
  return q;
}

static void check_resealed(const uint8_t *data, size_t size) {
  size_t text = size;
  for (size_t i = 1; i < size; i++)
    if (data[i] == '!' && data[i - 1] == '\n') {
      text = i;
      break;
    }
  static uint8_t out[SM_MAX_APDU * 2 + 16];
  size_t n =
      frm_dsmr_seal(data, text < SM_MAX_APDU * 2 ? text : SM_MAX_APDU * 2,
                    size & 1, out, sizeof out);
  FZ_CHECK(n > 0, "frm_dsmr_seal");
  uint8_t *p = heap_copy(out, n);
  sm_status st = parse(p, n, &tel);
  FZ_CHECK(st == SM_TELEGRAM || st == SM_ERR_DSMR,
           "a telegram with a right CRC fails its CRC");
  free(p);
  /* Without the final CR LF: the same telegram. */
  p = heap_copy(out, n - 2);
  FZ_CHECK(parse(p, n - 2, &tel2) == st &&
               (st != SM_TELEGRAM || fz_same_content(&tel, &tel2)),
           "the CR LF after the CRC changes the telegram");
  free(p);
  /* A byte after it: not one telegram any more. */
  out[n] = out[0];
  p = heap_copy(out, n + 1);
  FZ_CHECK(parse(p, n + 1, &tel2) != SM_TELEGRAM,
           "bytes after the CRC accepted");
  free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_size(data, size);
  check_parse(data, size);
  bool looks = sm_dsmr_is_telegram(data, size);
  FZ_CHECK(!looks || (size >= 7 && data[0] == '/'),
           "sm_dsmr_is_telegram on what does not start a telegram");
  check_resealed(data, size);
  return 0;
}
