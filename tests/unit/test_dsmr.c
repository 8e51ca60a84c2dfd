/* SPDX-License-Identifier: MIT */
/* test_dsmr.c - sm_dsmr.c: the DSMR P1 text telegram parser.
 *
 * The two real telegrams are the decrypted plaintexts of
 * extra_dsmr_in_gcm_steiermark_sagemcom_{rddl,shrdzm}.hex (DECODED.md),
 * 481 bytes each, CRC ED42 / EEE5. Every other telegram here is built by
 * the test with its CRC computed by the test framer (frm_crc16_arc, written
 * apart from the decoder's), so that a refusal can only come from the line
 * being refused, not from the checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "framer.h"
#include "sm_decoder.h"
#include "sm_names.h"
#include "sm_private.h"

static const char RDDL[] = "/EST5\\253717584_A\r\n"
                           "\r\n"
                           "1-3:0.2.8(50)\r\n"
                           "0-0:1.0.0(230817152425S)\r\n"
                           "1-0:1.8.0(007112944*Wh)\r\n"
                           "1-0:1.8.1(004675651*Wh)\r\n"
                           "1-0:1.8.2(002437293*Wh)\r\n"
                           "1-0:1.7.0(000001068*W)\r\n"
                           "1-0:2.8.0(033153972*Wh)\r\n"
                           "1-0:2.8.1(033152536*Wh)\r\n"
                           "1-0:2.8.2(000001436*Wh)\r\n"
                           "1-0:2.7.0(000001060*W)\r\n"
                           "1-0:3.8.0(000671304*varh)\r\n"
                           "1-0:3.8.1(000627395*varh)\r\n"
                           "1-0:3.8.2(000043909*varh)\r\n"
                           "1-0:3.7.0(000000103*var)\r\n"
                           "1-0:4.8.0(004494865*varh)\r\n"
                           "1-0:4.8.1(002568497*varh)\r\n"
                           "1-0:4.8.2(001926368*varh)\r\n"
                           "1-0:4.7.0(000000279*var)\r\n"
                           "!ED42\r\n";

static const char SHRDZM[] = "/EST5\\253717584_A\r\n"
                             "\r\n"
                             "1-3:0.2.8(50)\r\n"
                             "0-0:1.0.0(210929114730S)\r\n"
                             "1-0:1.8.0(014159934*Wh)\r\n"
                             "1-0:1.8.1(008520922*Wh)\r\n"
                             "1-0:1.8.2(005639012*Wh)\r\n"
                             "1-0:1.7.0(000000544*W)\r\n"
                             "1-0:2.8.0(007086646*Wh)\r\n"
                             "1-0:2.8.1(007084926*Wh)\r\n"
                             "1-0:2.8.2(000001720*Wh)\r\n"
                             "1-0:2.7.0(000001803*W)\r\n"
                             "1-0:3.8.0(000003866*varh)\r\n"
                             "1-0:3.8.1(000000241*varh)\r\n"
                             "1-0:3.8.2(000003625*varh)\r\n"
                             "1-0:3.7.0(000000000*var)\r\n"
                             "1-0:4.8.0(019308370*varh)\r\n"
                             "1-0:4.8.1(012529385*varh)\r\n"
                             "1-0:4.8.2(006778985*varh)\r\n"
                             "1-0:4.7.0(000001659*var)\r\n"
                             "!EEE5\r\n";

#define REAL_LEN 481

enum { WH = 30, W = 27, VARH = 32, VAR = 29, VOLT = 35, AMP = 33, M3 = 13 };

typedef struct expect {
  uint8_t obis[6];
  int64_t raw;
  int scaler;
  uint8_t unit;
  const char *text; /* sm_value_format */
} expect;

#define E1(c, d, e)                                                            \
  { 1, 0, c, d, e, 255 }

static const expect rddl_values[] = {
    {E1(1, 8, 0), 7112944, 0, WH, "7112944"},
    {E1(1, 8, 1), 4675651, 0, WH, "4675651"},
    {E1(1, 8, 2), 2437293, 0, WH, "2437293"},
    {E1(1, 7, 0), 1068, 0, W, "1068"},
    {E1(2, 8, 0), 33153972, 0, WH, "33153972"},
    {E1(2, 8, 1), 33152536, 0, WH, "33152536"},
    {E1(2, 8, 2), 1436, 0, WH, "1436"},
    {E1(2, 7, 0), 1060, 0, W, "1060"},
    {E1(3, 8, 0), 671304, 0, VARH, "671304"},
    {E1(3, 8, 1), 627395, 0, VARH, "627395"},
    {E1(3, 8, 2), 43909, 0, VARH, "43909"},
    {E1(3, 7, 0), 103, 0, VAR, "103"},
    {E1(4, 8, 0), 4494865, 0, VARH, "4494865"},
    {E1(4, 8, 1), 2568497, 0, VARH, "2568497"},
    {E1(4, 8, 2), 1926368, 0, VARH, "1926368"},
    {E1(4, 7, 0), 279, 0, VAR, "279"},
};

static const expect shrdzm_values[] = {
    {E1(1, 8, 0), 14159934, 0, WH, "14159934"},
    {E1(1, 8, 1), 8520922, 0, WH, "8520922"},
    {E1(1, 8, 2), 5639012, 0, WH, "5639012"},
    {E1(1, 7, 0), 544, 0, W, "544"},
    {E1(2, 8, 0), 7086646, 0, WH, "7086646"},
    {E1(2, 8, 1), 7084926, 0, WH, "7084926"},
    {E1(2, 8, 2), 1720, 0, WH, "1720"},
    {E1(2, 7, 0), 1803, 0, W, "1803"},
    {E1(3, 8, 0), 3866, 0, VARH, "3866"},
    {E1(3, 8, 1), 241, 0, VARH, "241"},
    {E1(3, 8, 2), 3625, 0, VARH, "3625"},
    {E1(3, 7, 0), 0, 0, VAR, "0"},
    {E1(4, 8, 0), 19308370, 0, VARH, "19308370"},
    {E1(4, 8, 1), 12529385, 0, VARH, "12529385"},
    {E1(4, 8, 2), 6778985, 0, VARH, "6778985"},
    {E1(4, 7, 0), 1659, 0, VAR, "1659"},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

static const uint8_t *u8(const char *s) {
  return (const uint8_t *)s;
}

/* body is "/ident\r\n...\r\n!" (the '!' is the last byte); buf gets body,
 * its CRC in uppercase hex and CR LF. Returns the length. */
static size_t seal(char *buf, size_t size, const char *body) {
  size_t n = strlen(body);
  assert_true(n > 0 && body[n - 1] == '!');
  assert_true(n + 7 <= size);
  memcpy(buf, body, n);
  snprintf(buf + n, size - n, "%04X\r\n", frm_crc16_arc(u8(body), n));
  return n + 6;
}

/* seal() with "/TST5\ident\r\n\r\n" before the lines and "!" after. */
static size_t seal_lines(char *buf, size_t size, const char *lines) {
  static char body[SM_MAX_APDU];
  int len = snprintf(body, sizeof body, "/TST5\\ident\r\n\r\n%s!", lines);
  assert_true(len > 0 && (size_t)len < sizeof body);
  return seal(buf, size, body);
}

/* After a value byte was changed: put the CRC right again. */
static void reseal(char *buf, size_t n) {
  const char *bang = strstr(buf, "\n!") + 1;
  size_t upto = (size_t)(bang - buf) + 1;
  char crc[5];
  snprintf(crc, sizeof crc, "%04X", frm_crc16_arc(u8(buf), upto));
  assert_true(upto + 4 <= n);
  memcpy(buf + upto, crc, 4);
}

static sm_telegram tg; /* large: not on the stack */

static sm_status parse(const char *s, size_t n, char *detail, size_t size) {
  memset(&tg, 0x5A, sizeof tg); /* the parser must set what it promises */
  return sm_dsmr_parse(u8(s), n, &tg, detail, size);
}

static void check_value(const sm_value *v, const expect *e) {
  char buf[SM_NUM_MAX];
  assert_memory_equal(v->obis, e->obis, 6);
  assert_int_equal(v->kind, SM_VALUE_NUMBER);
  assert_false(v->is_float);
  assert_int_equal(v->raw, e->raw);
  assert_int_equal(v->scaler, e->scaler);
  assert_int_equal(v->unit, e->unit);
  sm_value_format(v, buf, sizeof buf);
  assert_string_equal(buf, e->text);
}

static void check_values(const expect *e, size_t n) {
  assert_int_equal(tg.n_values, n);
  assert_false(tg.values_truncated);
  for (size_t i = 0; i < n; i++)
    check_value(&tg.values[i], &e[i]);
}

static void check_time(unsigned y, unsigned mo, unsigned d, unsigned h,
                       unsigned mi, unsigned s, bool summer) {
  const sm_datetime *dt = &tg.meter_time;
  assert_true(dt->present);
  assert_int_equal(dt->year, y);
  assert_int_equal(dt->month, mo);
  assert_int_equal(dt->day, d);
  assert_int_equal(dt->hour, h);
  assert_int_equal(dt->minute, mi);
  assert_int_equal(dt->second, s);
  assert_int_equal(dt->weekday, 0xFF);
  assert_int_equal(dt->hundredths, 0);
  assert_int_equal(dt->status, summer ? 0x80 : 0x00);
  assert_int_equal(dt->deviation, summer ? -120 : -60);
}

static void check_header_cleared(void) {
  assert_true(tg.dsmr);
  assert_int_equal(tg.invoke_id, 0);
}

/* ---- the two real telegrams -------------------------------------------- */

static void test_real_bytes(void **state) {
  (void)state;
  assert_int_equal(strlen(RDDL), REAL_LEN);
  assert_int_equal(strlen(SHRDZM), REAL_LEN);
  /* CRC over "/" .. "!" (7 bytes from the end: "ED42\r\n" follow) */
  assert_int_equal(sm_crc16_arc(u8(RDDL), REAL_LEN - 6), 0xED42);
  assert_int_equal(sm_crc16_arc(u8(SHRDZM), REAL_LEN - 6), 0xEEE5);
}

static void test_rddl(void **state) {
  char detail[SM_DETAIL_MAX];
  (void)state;
  assert_int_equal(parse(RDDL, REAL_LEN, detail, sizeof detail), SM_TELEGRAM);
  assert_string_equal(detail, "");
  check_header_cleared();
  assert_string_equal(tg.device_name, "EST5\\253717584_A");
  assert_string_equal(tg.meter_number, "");
  check_time(2023, 8, 17, 15, 24, 25, true);
  check_values(rddl_values, N_OF(rddl_values));
  assert_true(tg.values[0].value == 7112944.0);
}

static void test_shrdzm(void **state) {
  char detail[SM_DETAIL_MAX];
  (void)state;
  assert_int_equal(parse(SHRDZM, REAL_LEN, detail, sizeof detail), SM_TELEGRAM);
  check_header_cleared();
  assert_string_equal(tg.device_name, "EST5\\253717584_A");
  assert_string_equal(tg.meter_number, "");
  check_time(2021, 9, 29, 11, 47, 30, true);
  check_values(shrdzm_values, N_OF(shrdzm_values));
}

/* Without the trailing CR LF (sm_dsmr_size at the end of input) too. */
static void test_real_without_crlf(void **state) {
  (void)state;
  assert_int_equal(parse(RDDL, REAL_LEN - 2, NULL, 0), SM_TELEGRAM);
  check_values(rddl_values, N_OF(rddl_values));
}

static void test_bad_crc(void **state) {
  char buf[REAL_LEN + 1], detail[SM_DETAIL_MAX];
  (void)state;
  memcpy(buf, RDDL, sizeof buf);
  buf[REAL_LEN - 3] = '3'; /* ED42 -> ED43 */
  assert_int_equal(parse(buf, REAL_LEN, detail, sizeof detail),
                   SM_ERR_CHECKSUM);
  assert_string_equal(detail, "CRC is ED42, telegram says ED43");
  assert_int_equal(tg.n_values, 0);
  /* a value byte changed, CRC left: the CRC catches it */
  memcpy(buf, RDDL, sizeof buf);
  *strstr(buf, "7112944") = '8';
  assert_int_equal(parse(buf, REAL_LEN, detail, sizeof detail),
                   SM_ERR_CHECKSUM);
  assert_int_equal(tg.n_values, 0);
}

/* The same change with the CRC recomputed parses: the CRC is the check,
 * nothing else about the bytes is compared. Lower-case CRC digits too. */
static void test_changed_value_resealed(void **state) {
  char buf[REAL_LEN + 1];
  (void)state;
  memcpy(buf, RDDL, sizeof buf);
  *strstr(buf, "7112944") = '8';
  reseal(buf, REAL_LEN);
  assert_int_equal(parse(buf, REAL_LEN, NULL, 0), SM_TELEGRAM);
  assert_int_equal(tg.values[0].raw, 8112944);
  for (size_t i = 1; i < N_OF(rddl_values); i++)
    check_value(&tg.values[i], &rddl_values[i]);
  for (int i = 0; i < 4; i++)
    if (buf[REAL_LEN - 6 + i] >= 'A')
      buf[REAL_LEN - 6 + i] = (char)(buf[REAL_LEN - 6 + i] - 'A' + 'a');
  assert_int_equal(parse(buf, REAL_LEN, NULL, 0), SM_TELEGRAM);
  assert_int_equal(tg.values[0].raw, 8112944);
}

/* ---- a DSMR 5 (NL / LU) telegram ------------------------------------------
 */

static const char DSMR5[] =
    "/ISk5\\2MT382-1000\r\n"
    "\r\n"
    "1-3:0.2.8(50)\r\n"
    "0-0:1.0.0(101209113020W)\r\n"
    "0-0:96.1.1(4B384547303034303436333935353037)\r\n"
    "1-0:1.8.0(000123.456*kWh)\r\n"
    "1-0:1.8.1(123456.789*kWh)\r\n"
    "1-0:2.8.2(000000.001*kWh)\r\n"
    "0-0:96.14.0(0002)\r\n"
    "1-0:1.7.0(01.193*kW)\r\n"
    "1-0:2.7.0(00.000*kW)\r\n"
    "0-0:96.7.21(00004)\r\n"
    "1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(0000000240*s)"
    "(101208151004W)(0000000301*s)\r\n"
    "1-0:32.32.0(00002)\r\n"
    "0-0:96.13.0(303132333435363738393A3B3C3D3E3F)\r\n"
    "1-0:32.7.0(230.1*V)\r\n"
    "1-0:52.7.0(220.0*V)\r\n"
    "1-0:31.7.0(001*A)\r\n"
    "1-0:21.7.0(01.111*kW)\r\n"
    "0-1:24.1.0(003)\r\n"
    "0-1:96.1.0(3232323241424344313233343536373839)\r\n"
    "0-1:24.2.1(101209112500W)(12785.123*m3)\r\n"
    "!";

static const expect dsmr5_values[] = {
    {E1(1, 8, 0), 123456, 0, WH, "123456"},
    {E1(1, 8, 1), 123456789, 0, WH, "123456789"},
    {E1(2, 8, 2), 1, 0, WH, "1"},
    {E1(1, 7, 0), 1193, 0, W, "1193"},
    {E1(2, 7, 0), 0, 0, W, "0"},
    {{0, 0, 96, 7, 21, 255}, 4, 0, 255, "4"},
    {E1(32, 32, 0), 2, 0, 255, "2"},
    {E1(32, 7, 0), 2301, -1, VOLT, "230.1"},
    {E1(52, 7, 0), 2200, -1, VOLT, "220"},
    {E1(31, 7, 0), 1, 0, AMP, "1"},
    {E1(21, 7, 0), 1111, 0, W, "1111"},
    {{0, 1, 24, 1, 0, 255}, 3, 0, 255, "3"},
    {{0, 1, 24, 2, 1, 255}, 12785123, -3, M3, "12785.123"},
};

static void test_dsmr5(void **state) {
  char buf[2048], detail[SM_DETAIL_MAX];
  (void)state;
  size_t n = seal(buf, sizeof buf, DSMR5);
  assert_int_equal(parse(buf, n, detail, sizeof detail), SM_TELEGRAM);
  assert_string_equal(detail, "");
  check_header_cleared();
  assert_string_equal(tg.device_name, "ISk5\\2MT382-1000");
  /* 0-0:96.1.1 hex-decoded; 0-1:96.1.0 (the gas meter's) is not ours */
  assert_string_equal(tg.meter_number, "K8EG004046395507");
  check_time(2010, 12, 9, 11, 30, 20, false);
  check_values(dsmr5_values, N_OF(dsmr5_values));
  /* value = raw * 10^scaler with exact powers of ten */
  assert_true(tg.values[7].value == 2301 / 10.0);
  assert_true(tg.values[12].value == 12785123 / 1000.0);
  assert_true(tg.values[3].value == 1193.0);
}

static void test_units_and_prefixes(void **state) {
  static const expect want[] = {
      {E1(1, 8, 0), 1500, 3, WH, "1500000"},
      {E1(3, 8, 0), 12345, 0, VARH, "12345"},
      {E1(3, 7, 0), 25, 2, VAR, "2500"},
      {E1(9, 7, 0), 12, 3, 28, "12000"},
      {E1(9, 8, 0), 7, 0, 31, "7"},
      {E1(14, 7, 0), 49985, -3, 44, "49.985"},
      {E1(2, 7, 0), -1234, 0, W, "-1234"},
      {E1(31, 7, 0), 105, -2, AMP, "1.05"},
  };
  char buf[1024];
  (void)state;
  size_t n = seal_lines(buf, sizeof buf,
                        "1-0:1.8.0(1.500*MWh)\r\n"
                        "1-0:3.8.0(12.345*kvarh)\r\n"
                        "1-0:3.7.0(2.5*kvar)\r\n"
                        "1-0:9.7.0(12*kVA)\r\n"
                        "1-0:9.8.0(7*VAh)\r\n"
                        "1-0:14.7.0(49.985*Hz)\r\n"
                        "1-0:2.7.0(-1.234*kW)\r\n"
                        "1-0:31.7.0(1.05*A)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  check_values(want, N_OF(want));
  assert_true(tg.values[0].value == 1.5e6);
  assert_true(tg.values[5].value == 49985 / 1000.0);
}

/* ---- skipped lines ------------------------------------------------------ */

static void test_skipped(void **state) {
  static const expect want[] = {{E1(1, 8, 0), 5, 0, WH, "5"}};
  char buf[1024];
  (void)state;
  size_t n = seal_lines(
      buf, sizeof buf,
      "1-3:0.2.8(42)\r\n"                     /* version */
      "1-1:0.2.0(1.2.3)\r\n"                  /* firmware version */
      "0-0:96.14.0(0001)\r\n"                 /* tariff code */
      "0-0:96.13.0(48656C6C6F)\r\n"           /* message */
      "0-0:96.13.1(3031)\r\n"                 /* message code */
      "0-0:42.0.0(53414731)\r\n"              /* logical device name */
      "0-0:96.1.4(50217)\r\n"                 /* BE version info */
      "0-1:96.1.0(3232)\r\n"                  /* gas meter id */
      "0-1:24.2.3(101209112500W)(1.5*GJ)\r\n" /* heat: no certain unit */
      "1-0:1.8.0(5*Wh)\r\n"
      "1-0:1.9.0(7*s)\r\n"                     /* unit not ours */
      "1-0:1.10.0(7*wh)\r\n"                   /* case matters */
      "1-0:1.11.0(7*kV)\r\n"                   /* no prefix for V */
      "1-0:1.12.0(7*mW)\r\n"                   /* milli, not mega */
      "0-0:96.7.22(abc)\r\n"                   /* unitless text */
      "0-0:96.7.23()\r\n"                      /* empty */
      "0-0:96.7.24(123456789012345678901)\r\n" /* not an int64: text */
      "0-1:24.2.4(1)(2*m3)\r\n"                /* first group not a time */
      "0-1:24.2.5(101209112500W)(2)\r\n"       /* second without unit */
      "0-0:98.1.0(1)(1-0:1.6.0)(1-0:1.6.0)(200501000000S)(200423192538S)"
      "(03.695*kW)\r\n" /* history array */
      "0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n" /* DSMR 3 */
      "(00000.000)\r\n" /* its continuation line */
      "Some text line\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  check_values(want, N_OF(want));
  assert_string_equal(tg.meter_number, "");
  assert_false(tg.meter_time.present);
}

/* Belgian maximum demand: "(time)(value*kW)" keeps the value. */
static void test_two_groups(void **state) {
  static const expect want[] = {{E1(1, 6, 0), 2589, 0, W, "2589"}};
  char buf[512];
  (void)state;
  size_t n =
      seal_lines(buf, sizeof buf, "1-0:1.6.0(200509134558S)(02.589*kW)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  check_values(want, N_OF(want));
}

/* ---- time, names -------------------------------------------------------- */

static void test_winter_time(void **state) {
  char buf[512];
  (void)state;
  size_t n = seal_lines(buf, sizeof buf, "0-0:1.0.0(240101000000W)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  check_time(2024, 1, 1, 0, 0, 0, false);
  n = seal_lines(buf, sizeof buf, "0-0:1.0.0(991231235959S)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  check_time(2099, 12, 31, 23, 59, 59, true);
  assert_int_equal(tg.n_values, 0);
}

static void test_meter_number(void **state) {
  char buf[512];
  (void)state;
  /* 96.1.0 wins over 96.1.1, in either order */
  size_t n =
      seal_lines(buf, sizeof buf, "0-0:96.1.0(3132)\r\n0-0:96.1.1(4142)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.meter_number, "12");
  n = seal_lines(buf, sizeof buf, "0-0:96.1.1(4142)\r\n0-0:96.1.0(3132)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.meter_number, "12");
  /* not hex of printable text: kept as sent */
  n = seal_lines(buf, sizeof buf, "0-0:96.1.1(12345678)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.meter_number, "12345678");
  n = seal_lines(buf, sizeof buf, "0-0:96.1.0(123)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.meter_number, "123");
  n = seal_lines(buf, sizeof buf, "0-0:96.1.0(1SAG1234567890)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.meter_number, "1SAG1234567890");
  /* longer than SM_MAX_TEXT: cut, terminated */
  n = seal_lines(buf, sizeof buf,
                 "0-0:96.1.0(0123456789012345678901234567890123456789"
                 "0123456789)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_int_equal(strlen(tg.meter_number), SM_MAX_TEXT - 1);
  assert_memory_equal(tg.meter_number, "0123456789", 10);
  assert_int_equal(tg.n_values, 0);
}

static void test_device_name_long(void **state) {
  char body[256], buf[300];
  (void)state;
  snprintf(body, sizeof body, "/%s\r\n\r\n1-0:1.8.0(1*Wh)\r\n!",
           "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJXYZ");
  size_t n = seal(buf, sizeof buf, body);
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_int_equal(strlen(tg.device_name), SM_MAX_TEXT - 1);
  assert_memory_equal(tg.device_name, "ABCDEFGHIJ", 10);
  /* bare LF line ends are taken too */
  n = seal(buf, sizeof buf, "/ABC5\n\n1-0:1.8.0(2*Wh)\n!");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_string_equal(tg.device_name, "ABC5");
  assert_int_equal(tg.n_values, 1);
  assert_int_equal(tg.values[0].raw, 2);
}

static void test_truncated(void **state) {
  char lines[2048], buf[2100];
  size_t len = 0;
  (void)state;
  for (int i = 0; i < SM_MAX_VALUES + 6; i++)
    len += (size_t)snprintf(lines + len, sizeof lines - len,
                            "1-0:1.8.%d(%d*Wh)\r\n", i, i);
  size_t n = seal_lines(buf, sizeof buf, lines);
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_int_equal(tg.n_values, SM_MAX_VALUES);
  assert_true(tg.values_truncated);
  assert_int_equal(tg.values[SM_MAX_VALUES - 1].raw, SM_MAX_VALUES - 1);
  assert_int_equal(tg.values[SM_MAX_VALUES - 1].obis[4], SM_MAX_VALUES - 1);
}

/* ---- malformed lines ---------------------------------------------------- */

typedef struct bad_line {
  const char *line;
  const char *detail;
} bad_line;

static void test_malformed(void **state) {
  static const bad_line bad[] = {
      {"1-0:1.8.0(12a3*kWh)", "line 4: bad number"},
      {"1-0:1.8.0(1.2.3*kWh)", "line 4: bad number"},
      {"1-0:1.8.0(.5*kWh)", "line 4: bad number"},
      {"1-0:1.8.0(5.*kWh)", "line 4: bad number"},
      {"1-0:1.8.0(*kWh)", "line 4: bad number"},
      {"1-0:1.8.0( 5*kWh)", "line 4: bad number"},
      {"1-0:1.8.0(5*)", "line 4: empty unit"},
      {"1-0:1.8.0(9223372036854775808*Wh)", "line 4: number too large"},
      {"1-0:1.8.0(0.0000000000000000001*Wh)", "line 4: number too large"},
      {"1-0:1.8.0(12*kWh", "line 4: unbalanced parentheses"},
      {"1-0:1.8.0((12*kWh))", "line 4: unbalanced parentheses"},
      {"1-0:1.8.0(12*kWh))", "line 4: text after ')'"},
      {"1-0:1.8.0(12*kWh) ", "line 4: text after ')'"},
      {"1-0:1.8.0(1)x(2*kWh)", "line 4: text after ')'"},
      {"1-0:1.8.0", "line 4: no '(' after the OBIS code"},
      {"1-0:1.8.0 (1*Wh)", "line 4: no '(' after the OBIS code"},
      {"1-0:1.8(1*Wh)", "line 4: bad OBIS code"},
      {"1-0:256.8.0(1*Wh)", "line 4: bad OBIS code"},
      {"1-0:1.8.0000(1*Wh)", "line 4: bad OBIS code"},
      {"1.8.0(1*Wh)", "line 4: bad OBIS code"},
      {"1-0:1.8.0(1*Wh)\r1-0:2.8.0(1*Wh)", "line 4: CR without LF"},
      {"0-0:1.0.0(230817152425)", "line 4: bad time"},
      {"0-0:1.0.0(230817152425X)", "line 4: bad time"},
      {"0-0:1.0.0(231317152425S)", "line 4: bad time"},
      {"0-0:1.0.0(230800152425S)", "line 4: bad time"},
      {"0-0:1.0.0(230832152425S)", "line 4: bad time"},
      {"0-0:1.0.0(230817242425S)", "line 4: bad time"},
      {"0-0:1.0.0(230817156025S)", "line 4: bad time"},
      {"0-0:1.0.0(230817152460S)", "line 4: bad time"},
      {"0-0:1.0.0(2308171524a5S)", "line 4: bad time"},
      {"0-0:1.0.0(230817152425S)(1)", "line 4: bad time"},
      /* a bad number in a line that is skipped is still a bad line */
      {"1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(02x0*s)",
       "line 4: bad number"},
  };
  char lines[256], buf[512], detail[SM_DETAIL_MAX];
  (void)state;
  for (size_t i = 0; i < N_OF(bad); i++) {
    /* a good line first: refused telegrams deliver nothing at all */
    snprintf(lines, sizeof lines, "1-0:2.8.0(1*Wh)\r\n%s\r\n", bad[i].line);
    size_t n = seal_lines(buf, sizeof buf, lines);
    sm_status st = parse(buf, n, detail, sizeof detail);
    if (st != SM_ERR_DSMR || strcmp(detail, bad[i].detail) != 0)
      fail_msg("\"%s\": status %d, detail \"%s\"", bad[i].line, st, detail);
    assert_string_equal(detail, bad[i].detail);
    assert_int_equal(tg.n_values, 0);
    assert_false(tg.meter_time.present);
  }
}

/* Bytes that are not one telegram with a CRC. */
static void test_parse_structure(void **state) {
  char buf[512], detail[8];
  (void)state;
  size_t n = seal_lines(buf, sizeof buf, "1-0:1.8.0(1*Wh)\r\n");
  /* trailing bytes after the CR LF */
  memcpy(buf + n, "/X", 3);
  assert_int_equal(parse(buf, n + 2, NULL, 0), SM_ERR_DSMR);
  /* only a CR after the CRC */
  assert_int_equal(parse(buf, n - 1, NULL, 0), SM_ERR_DSMR);
  /* CRC cut */
  assert_int_equal(parse(buf, n - 3, NULL, 0), SM_ERR_DSMR);
  /* no '!' */
  assert_int_equal(parse(buf, n - 7, NULL, 0), SM_ERR_DSMR);
  /* DSMR 3: "!" without CRC */
  const char *no_crc = "/ABC5\r\n\r\n1-0:1.8.0(1*Wh)\r\n!\r\n";
  assert_int_equal(parse(no_crc, strlen(no_crc), NULL, 0), SM_ERR_DSMR);
  /* a binary byte */
  n = seal(buf, sizeof buf, "/ABC5\r\n\r\n1-0:1.8.0(1\x01*Wh)\r\n!");
  assert_int_equal(parse(buf, n, NULL, 0), SM_ERR_DSMR);
  /* not starting with '/' */
  const char *no_slash = "ABC5\r\n!0000\r\n";
  assert_int_equal(parse(no_slash, strlen(no_slash), NULL, 0), SM_ERR_DSMR);
  assert_int_equal(parse("", 0, NULL, 0), SM_ERR_DSMR);
  /* a small detail buffer is cut and terminated */
  n = seal_lines(buf, sizeof buf, "1-0:1.8.0(1x*Wh)\r\n");
  assert_int_equal(parse(buf, n, detail, sizeof detail), SM_ERR_DSMR);
  assert_string_equal(detail, "line 3:");
  /* '!' inside a line is text, not the end */
  n = seal_lines(buf, sizeof buf,
                 "0-0:96.13.0(Hi!ABCD)\r\n1-0:1.8.0(3*Wh)\r\n");
  assert_int_equal(parse(buf, n, NULL, 0), SM_TELEGRAM);
  assert_int_equal(tg.n_values, 1);
  assert_int_equal(tg.values[0].raw, 3);
}

/* ---- sm_dsmr_size ------------------------------------------------------- */

static void test_size_prefixes(void **state) {
  size_t size;
  (void)state;
  for (size_t k = 1; k < REAL_LEN; k++) {
    size = 12345;
    assert_int_equal(sm_dsmr_size(u8(RDDL), k, false, &size), SM_NEED_MORE);
    assert_int_equal(size, 12345);
  }
  /* at the end of input: incomplete until the last CRC digit */
  for (size_t k = 1; k < REAL_LEN - 2; k++)
    assert_int_equal(sm_dsmr_size(u8(RDDL), k, true, &size), SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8(RDDL), REAL_LEN - 2, true, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN - 2);
  assert_int_equal(sm_dsmr_size(u8(RDDL), REAL_LEN - 1, true, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN - 2); /* a lone CR is not ours */
  assert_int_equal(sm_dsmr_size(u8(RDDL), REAL_LEN, true, &size), SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN);
  assert_int_equal(sm_dsmr_size(u8(RDDL), REAL_LEN, false, &size), SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN);
}

static void test_size_followed(void **state) {
  char buf[2 * REAL_LEN + 1];
  size_t size;
  (void)state;
  /* two telegrams back to back: the first one's size */
  memcpy(buf, RDDL, REAL_LEN);
  memcpy(buf + REAL_LEN, SHRDZM, REAL_LEN + 1);
  assert_int_equal(sm_dsmr_size(u8(buf), 2 * REAL_LEN, false, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN);
  assert_int_equal(sm_dsmr_size(u8(buf + size), REAL_LEN, false, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN);
  /* without CR LF, the next telegram right after the CRC */
  memcpy(buf, RDDL, REAL_LEN - 2);
  memcpy(buf + REAL_LEN - 2, SHRDZM, REAL_LEN + 1);
  assert_int_equal(sm_dsmr_size(u8(buf), 2 * REAL_LEN - 2, false, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN - 2);
  /* CR then something else: the CR is left */
  memcpy(buf, RDDL, REAL_LEN);
  buf[REAL_LEN - 1] = '/';
  assert_int_equal(sm_dsmr_size(u8(buf), REAL_LEN, false, &size), SM_TELEGRAM);
  assert_int_equal(size, REAL_LEN - 2);
  /* lower-case CRC digits */
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n!ed42\r\n"), 14, false, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, 14);
}

static void test_size_rejects(void **state) {
  static const uint8_t noise[] = {'/', 0x00, 0xFF, 0x12};
  static const uint8_t high[] = {'/', 'A', 'B', 0x80};
  size_t size;
  (void)state;
  /* binary noise after '/': rejected at its first binary byte */
  assert_int_equal(sm_dsmr_size(noise, sizeof noise, false, &size),
                   SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(noise, 2, false, &size), SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(high, sizeof high, false, &size), SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8("X"), 1, false, &size), SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8(""), 0, false, &size), SM_ERR_DSMR);
  /* "!" without CRC (DSMR 2/3), or a non-hex digit */
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n!\r\n"), 10, false, &size),
                   SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n!12G4\r\n"), 14, false, &size),
                   SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n!12"), 10, false, &size),
                   SM_NEED_MORE);
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n!12"), 10, true, &size),
                   SM_ERR_DSMR);
  /* '!' inside a line is not the end */
  assert_int_equal(sm_dsmr_size(u8("/ABC5\r\n(x!1234)"), 15, false, &size),
                   SM_NEED_MORE);
}

static void test_size_bound(void **state) {
  static char buf[SM_MAX_APDU + 16];
  size_t size;
  (void)state;
  memset(buf, 'A', sizeof buf);
  buf[0] = '/';
  /* text without an end: waits until the bound, then refuses */
  assert_int_equal(sm_dsmr_size(u8(buf), SM_MAX_APDU - 5, false, &size),
                   SM_NEED_MORE);
  assert_int_equal(sm_dsmr_size(u8(buf), SM_MAX_APDU - 4, false, &size),
                   SM_ERR_DSMR);
  assert_int_equal(sm_dsmr_size(u8(buf), sizeof buf, false, &size),
                   SM_ERR_DSMR);
  /* the longest telegram: "/" .. CRC is SM_MAX_APDU bytes */
  memcpy(buf + SM_MAX_APDU - 7, "\r\n!0000\r\n", 9);
  assert_int_equal(sm_dsmr_size(u8(buf), SM_MAX_APDU + 2, false, &size),
                   SM_TELEGRAM);
  assert_int_equal(size, SM_MAX_APDU + 2);
  /* one byte longer is refused */
  memset(buf, 'A', sizeof buf);
  buf[0] = '/';
  memcpy(buf + SM_MAX_APDU - 6, "\r\n!0000\r\n", 9);
  assert_int_equal(sm_dsmr_size(u8(buf), SM_MAX_APDU + 3, false, &size),
                   SM_ERR_DSMR);
}

/* ---- sm_dsmr_is_telegram ------------------------------------------------ */

static void test_is_telegram(void **state) {
  static const uint8_t noise[] = {'/', 'A', 'B', 'C', 'D', 0x00, '\r', '\n'};
  (void)state;
  assert_true(sm_dsmr_is_telegram(u8(RDDL), REAL_LEN));
  assert_true(sm_dsmr_is_telegram(u8("/ABCD\r\n"), 7));
  assert_false(sm_dsmr_is_telegram(u8("/ABC\r\n"), 6));    /* 3 chars */
  assert_false(sm_dsmr_is_telegram(u8("/ABCD\r"), 6));     /* no LF yet */
  assert_false(sm_dsmr_is_telegram(u8("/ABCD\n"), 6));     /* no CR */
  assert_false(sm_dsmr_is_telegram(u8("XABCD\r\n"), 7));   /* no '/' */
  assert_false(sm_dsmr_is_telegram(u8("/AB\tCD\r\n"), 8)); /* TAB */
  assert_false(sm_dsmr_is_telegram(noise, sizeof noise));
  assert_false(sm_dsmr_is_telegram(u8(""), 0));
  assert_false(sm_dsmr_is_telegram(u8("/"), 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_real_bytes),
      cmocka_unit_test(test_rddl),
      cmocka_unit_test(test_shrdzm),
      cmocka_unit_test(test_real_without_crlf),
      cmocka_unit_test(test_bad_crc),
      cmocka_unit_test(test_changed_value_resealed),
      cmocka_unit_test(test_dsmr5),
      cmocka_unit_test(test_units_and_prefixes),
      cmocka_unit_test(test_skipped),
      cmocka_unit_test(test_two_groups),
      cmocka_unit_test(test_winter_time),
      cmocka_unit_test(test_meter_number),
      cmocka_unit_test(test_device_name_long),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_parse_structure),
      cmocka_unit_test(test_size_prefixes),
      cmocka_unit_test(test_size_followed),
      cmocka_unit_test(test_size_rejects),
      cmocka_unit_test(test_size_bound),
      cmocka_unit_test(test_is_telegram),
  };
  return cmocka_run_group_tests_name("dsmr", tests, NULL, NULL);
}
