/* SPDX-License-Identifier: MIT */
/* test_names.c - sm_names.h: the naming table of doc/CONTRACTS.md, unit
 * symbols, exact decimal formatting, date-times, hex and key parsing.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sm_decoder.h"
#include "sm_names.h"

typedef struct name_row {
  uint8_t obis[6];
  const char *name;
} name_row;

/* Every row of the table in doc/CONTRACTS.md. */
static const name_row table[] = {
    {{1, 0, 1, 8, 0, 255}, "energy_import"},
    {{1, 0, 2, 8, 0, 255}, "energy_export"},
    {{1, 0, 1, 8, 1, 255}, "energy_import_t1"},
    {{1, 0, 1, 8, 2, 255}, "energy_import_t2"},
    {{1, 0, 2, 8, 1, 255}, "energy_export_t1"},
    {{1, 0, 2, 8, 2, 255}, "energy_export_t2"},
    {{1, 0, 3, 8, 0, 255}, "reactive_energy_import"},
    {{1, 0, 4, 8, 0, 255}, "reactive_energy_export"},
    {{1, 0, 1, 7, 0, 255}, "power_import"},
    {{1, 0, 2, 7, 0, 255}, "power_export"},
    {{1, 0, 3, 7, 0, 255}, "reactive_power_import"},
    {{1, 0, 4, 7, 0, 255}, "reactive_power_export"},
    {{1, 0, 21, 7, 0, 255}, "power_import_l1"},
    {{1, 0, 41, 7, 0, 255}, "power_import_l2"},
    {{1, 0, 61, 7, 0, 255}, "power_import_l3"},
    {{1, 0, 22, 7, 0, 255}, "power_export_l1"},
    {{1, 0, 42, 7, 0, 255}, "power_export_l2"},
    {{1, 0, 62, 7, 0, 255}, "power_export_l3"},
    {{1, 0, 32, 7, 0, 255}, "voltage_l1"},
    {{1, 0, 52, 7, 0, 255}, "voltage_l2"},
    {{1, 0, 72, 7, 0, 255}, "voltage_l3"},
    {{1, 0, 31, 7, 0, 255}, "current_l1"},
    {{1, 0, 51, 7, 0, 255}, "current_l2"},
    {{1, 0, 71, 7, 0, 255}, "current_l3"},
    {{1, 0, 13, 7, 0, 255}, "power_factor"},
    {{1, 0, 14, 7, 0, 255}, "frequency"},
};

#define N_ROWS (sizeof table / sizeof table[0])

static void test_table_names(void **state) {
  char buf[SM_NAME_MAX];
  size_t i;
  (void)state;
  for (i = 0; i < N_ROWS; i++) {
    const char *t = sm_obis_table_name(table[i].obis);
    assert_non_null(t);
    assert_string_equal(t, table[i].name);
    assert_int_equal(sm_obis_name(table[i].obis, buf, sizeof buf),
                     strlen(table[i].name));
    assert_string_equal(buf, table[i].name);
  }
}

/* Names are unique: two readings never share a field. */
static void test_table_unique(void **state) {
  size_t i, j;
  (void)state;
  for (i = 0; i < N_ROWS; i++)
    for (j = i + 1; j < N_ROWS; j++)
      assert_string_not_equal(sm_obis_table_name(table[i].obis),
                              sm_obis_table_name(table[j].obis));
}

static void test_unknown_names(void **state) {
  static const uint8_t unknown[6] = {1, 0, 99, 7, 0, 255};
  static const uint8_t number[6] = {0, 0, 96, 1, 0, 255};
  static const uint8_t other_b[6] = {1, 1, 1, 8, 0, 255}; /* channel 1 */
  static const uint8_t big[6] = {255, 255, 255, 255, 255, 255};
  char buf[SM_NAME_MAX];
  (void)state;
  assert_null(sm_obis_table_name(unknown));
  assert_null(sm_obis_table_name(other_b));
  assert_int_equal(sm_obis_name(unknown, buf, sizeof buf), 19);
  assert_string_equal(buf, "obis_1_0_99_7_0_255");
  sm_obis_name(number, buf, sizeof buf);
  assert_string_equal(buf, "obis_0_0_96_1_0_255");
  sm_obis_name(other_b, buf, sizeof buf);
  assert_string_equal(buf, "obis_1_1_1_8_0_255");
  assert_true(sm_obis_name(big, buf, sizeof buf) < SM_NAME_MAX);
  assert_string_equal(buf, "obis_255_255_255_255_255_255");
}

/* snprintf convention: full length returned, output cut and terminated. */
static void test_name_truncation(void **state) {
  static const uint8_t v1[6] = {1, 0, 32, 7, 0, 255};
  static const uint8_t unknown[6] = {1, 0, 99, 7, 0, 255};
  char buf[8];
  (void)state;
  memset(buf, 'x', sizeof buf);
  assert_int_equal(sm_obis_name(v1, buf, 5), strlen("voltage_l1"));
  assert_string_equal(buf, "volt");
  assert_int_equal(buf[5], 'x');
  assert_int_equal(sm_obis_name(unknown, buf, sizeof buf), 19);
  assert_string_equal(buf, "obis_1_");
  buf[0] = 'x';
  assert_int_equal(sm_obis_name(v1, buf, 0), strlen("voltage_l1"));
  assert_int_equal(buf[0], 'x');
}

static void test_obis_format(void **state) {
  static const uint8_t a[6] = {1, 0, 1, 8, 0, 255};
  static const uint8_t b[6] = {0, 0, 96, 1, 0, 255};
  char buf[32];
  (void)state;
  assert_int_equal(sm_obis_format(a, buf, sizeof buf), 13);
  assert_string_equal(buf, "1.0.1.8.0.255");
  sm_obis_format(b, buf, sizeof buf);
  assert_string_equal(buf, "0.0.96.1.0.255");
}

static void test_unit_symbols(void **state) {
  static const struct {
    uint8_t unit;
    const char *sym;
  } u[] = {{27, "W"},   {28, "VA"},   {29, "var"}, {30, "Wh"},
           {31, "VAh"}, {32, "varh"}, {33, "A"},   {35, "V"},
           {44, "Hz"},  {255, ""},    {0, ""},     {200, ""}};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof u / sizeof u[0]; i++) {
    const char *s = sm_unit_symbol(u[i].unit);
    assert_non_null(s);
    assert_string_equal(s, u[i].sym);
  }
}

static sm_value number(int64_t raw, int8_t scaler) {
  sm_value v;
  memset(&v, 0, sizeof v);
  v.kind = SM_VALUE_NUMBER;
  v.raw = raw;
  v.scaler = scaler;
  v.unit = 255;
  return v;
}

static void check_format(int64_t raw, int8_t scaler, const char *want) {
  sm_value v = number(raw, scaler);
  char buf[SM_NUM_MAX];
  memset(buf, 'x', sizeof buf);
  assert_int_equal(sm_value_format(&v, buf, sizeof buf), strlen(want));
  assert_string_equal(buf, want);
}

static void test_value_format_exact(void **state) {
  (void)state;
  check_format(2337, -1, "233.7");
  check_format(320, -2, "3.2");
  check_format(1000, -3, "1");
  check_format(991, -3, "0.991");
  check_format(5, 2, "500");
  check_format(12937, 0, "12937");
  check_format(2330, -1, "233");
  check_format(7, -3, "0.007");
  check_format(3, -2, "0.03");
  check_format(610, -2, "6.1");
  check_format(6842204, 0, "6842204");
  check_format(1, 9, "1000000000");
}

static void test_value_format_negative_zero(void **state) {
  (void)state;
  check_format(-2088, 0, "-2088");
  check_format(-5, -1, "-0.5");
  check_format(-1234, -2, "-12.34");
  check_format(-7, -3, "-0.007");
  check_format(-3, 1, "-30");
  check_format(0, 0, "0");
  check_format(0, -1, "0");
  check_format(0, -3, "0");
  check_format(0, 3, "0");
}

/* Extremes must fit SM_NUM_MAX and stay exact. */
static void test_value_format_extremes(void **state) {
  (void)state;
  check_format(INT64_MAX, 0, "9223372036854775807");
  check_format(INT64_MIN, 0, "-9223372036854775808");
  check_format(INT64_MAX, -19, "0.9223372036854775807");
  check_format(INT64_MIN, -10, "-922337203.6854775808");
  check_format(-1, -20, "-0.00000000000000000001");
}

/* raw * 10^scaler the slow way: the digits of |raw| with zeros in front,
 * a dot k from the end, trailing zeros (and a bare dot) taken off. */
static void slow_decimal(int64_t raw, int k, char *out, size_t size) {
  uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
  char d[64];
  int n = snprintf(d, sizeof d, "%0*llu", k + 1, (unsigned long long)mag);
  char body[80];
  snprintf(body, sizeof body, "%.*s.%s", n - k, d, d + n - k);
  size_t len = strlen(body);
  while (k > 0 && body[len - 1] == '0')
    len--;
  if (body[len - 1] == '.')
    len--;
  body[len] = '\0';
  snprintf(out, size, "%s%s", raw < 0 && mag ? "-" : "", body);
}

/* Every digit count, at both sides of each power of ten, with every
 * scaler that puts the dot inside, before or after the digits. */
static void test_value_format_digit_counts(void **state) {
  (void)state;
  for (int e = 0; e <= 18; e++) {
    int64_t p = 1;
    for (int i = 0; i < e; i++)
      p *= 10; /* 10^e: no overflow up to 10^18 */
    const int64_t raws[] = {p,  p - 1,    p + 1,
                            -p, -(p - 1), e < 18 ? p * 10 - 1 : INT64_MAX};
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++)
      for (int k = 0; k <= 20; k++) {
        char want[SM_NUM_MAX];
        slow_decimal(raws[i], k, want, sizeof want);
        check_format(raws[i], (int8_t)-k, want);
      }
  }
}

static void test_value_format_truncation(void **state) {
  sm_value v = number(2337, -1);
  char buf[8];
  (void)state;
  memset(buf, 'x', sizeof buf);
  assert_int_equal(sm_value_format(&v, buf, 3), 5);
  assert_string_equal(buf, "23");
  assert_int_equal(buf[3], 'x');
  assert_int_equal(sm_value_format(&v, buf, 0), 5);
  assert_int_equal(buf[0], '2');
}

static void check_float(double x, const char *want) {
  sm_value v = number(0, 0);
  char buf[SM_NUM_MAX];
  v.is_float = true;
  v.value = x;
  assert_int_equal(sm_value_format(&v, buf, sizeof buf), strlen(want));
  assert_string_equal(buf, want);
}

static void test_value_format_float(void **state) {
  (void)state;
  check_float(0.1, "0.1");
  check_float(230.5, "230.5");
  check_float(-49.98, "-49.98");
  check_float(1.0 / 3.0, "0.33333333333333331"); /* %.15g does not
                                                    round-trip */
  check_float(50.0, "50");
}

static void test_value_format_text(void **state) {
  sm_value v = number(0, 0);
  char buf[SM_MAX_TEXT];
  (void)state;
  v.kind = SM_VALUE_TEXT;
  strcpy(v.text, "1KFM0200175269");
  assert_int_equal(sm_value_format(&v, buf, sizeof buf), 14);
  assert_string_equal(buf, "1KFM0200175269");
}

static sm_datetime vkw_time(void) {
  sm_datetime dt;
  memset(&dt, 0, sizeof dt);
  dt.present = true;
  dt.year = 2023;
  dt.month = 7;
  dt.day = 26;
  dt.weekday = 3;
  dt.hour = 20;
  dt.minute = 5;
  dt.second = 20;
  dt.deviation = -120;
  dt.status = 0x80;
  return dt;
}

static void test_datetime_format(void **state) {
  sm_datetime dt = vkw_time();
  char buf[SM_TIME_MAX];
  (void)state;
  assert_int_equal(sm_datetime_format(&dt, buf, sizeof buf), 19);
  assert_string_equal(buf, "2023-07-26T20:05:20");
  dt.month = 1;
  dt.day = 4;
  dt.hour = 0;
  dt.minute = 0;
  dt.second = 9;
  sm_datetime_format(&dt, buf, sizeof buf);
  assert_string_equal(buf, "2023-01-04T00:00:09");
}

static void test_datetime_absent(void **state) {
  sm_datetime dt = vkw_time();
  char buf[SM_TIME_MAX];
  (void)state;
  dt.present = false;
  strcpy(buf, "junk");
  assert_int_equal(sm_datetime_format(&dt, buf, sizeof buf), 0);
  assert_string_equal(buf, "");
  dt = vkw_time();
  dt.year = 0xFFFF;
  strcpy(buf, "junk");
  assert_int_equal(sm_datetime_format(&dt, buf, sizeof buf), 0);
  assert_string_equal(buf, "");
}

static void test_hex_decode(void **state) {
  static const char spaced[] = " 0a 1B\n2c\t3D \r\n";
  static const char seps[] = "DB:08-4b";
  uint8_t out[8];
  (void)state;
  memset(out, 0, sizeof out);
  assert_int_equal(sm_hex_decode(spaced, strlen(spaced), out, sizeof out), 4);
  assert_int_equal(out[0], 0x0A);
  assert_int_equal(out[1], 0x1B);
  assert_int_equal(out[2], 0x2C);
  assert_int_equal(out[3], 0x3D);
  assert_int_equal(sm_hex_decode(seps, strlen(seps), out, sizeof out), 3);
  assert_int_equal(out[0], 0xDB);
  assert_int_equal(out[1], 0x08);
  assert_int_equal(out[2], 0x4B);
  assert_int_equal(sm_hex_decode("", 0, out, sizeof out), 0);
  /* text_len bounds the input: only "0a0b" is read */
  assert_int_equal(sm_hex_decode("0a0bzz", 4, out, sizeof out), 2);
  assert_int_equal(out[1], 0x0B);
}

static void test_hex_decode_errors(void **state) {
  uint8_t out[4];
  (void)state;
  assert_int_equal(sm_hex_decode("abc", 3, out, sizeof out), -1);
  assert_int_equal(sm_hex_decode("0g", 2, out, sizeof out), -1);
  assert_int_equal(sm_hex_decode("0x12", 4, out, sizeof out), -1);
  assert_int_equal(sm_hex_decode("12;34", 5, out, sizeof out), -1);
  assert_int_equal(sm_hex_decode("0102030405", 10, out, sizeof out), -1);
  assert_int_equal(sm_hex_decode("01020304", 8, out, sizeof out), 4);
  assert_int_equal(sm_hex_decode("01", 2, out, 0), -1);
}

static void test_key_parse(void **state) {
  static const uint8_t want[SM_KEY_LEN] = {0x36, 0xC6, 0x66, 0x39, 0xE4, 0x8A,
                                           0x8C, 0xA4, 0xD6, 0xBC, 0x8B, 0x28,
                                           0x2A, 0x79, 0x3B, 0xBB};
  uint8_t key[SM_KEY_LEN];
  (void)state;
  memset(key, 0, sizeof key);
  assert_int_equal(sm_key_parse("36C66639E48A8CA4D6BC8B282A793BBB", key), 0);
  assert_memory_equal(key, want, SM_KEY_LEN);
  memset(key, 0, sizeof key);
  assert_int_equal(sm_key_parse(" 36c66639 e48a8ca4 d6bc8b28 2a793bbb\n", key),
                   0);
  assert_memory_equal(key, want, SM_KEY_LEN);
}

static void test_key_parse_errors(void **state) {
  uint8_t key[SM_KEY_LEN];
  (void)state;
  assert_int_equal(sm_key_parse("36C66639E48A8CA4D6BC8B282A793BB", key), -1);
  assert_int_equal(sm_key_parse("36C66639E48A8CA4D6BC8B282A793BBB0", key), -1);
  assert_int_equal(sm_key_parse("36C66639E48A8CA4D6BC8B282A793BBB00", key), -1);
  assert_int_equal(sm_key_parse("36C66639E48A8CA4D6BC8B282A793BBG", key), -1);
  assert_int_equal(sm_key_parse("", key), -1);
  assert_int_equal(sm_key_parse("36C66639E48A8CA4", key), -1);
}

static void test_wipe(void **state) {
  uint8_t buf[24];
  static const uint8_t zero[24];
  (void)state;
  memset(buf, 0xA5, sizeof buf);
  sm_wipe(buf + 4, 16);
  assert_memory_equal(buf + 4, zero, 16);
  assert_int_equal(buf[3], 0xA5);
  assert_int_equal(buf[20], 0xA5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_names),
      cmocka_unit_test(test_table_unique),
      cmocka_unit_test(test_unknown_names),
      cmocka_unit_test(test_name_truncation),
      cmocka_unit_test(test_obis_format),
      cmocka_unit_test(test_unit_symbols),
      cmocka_unit_test(test_value_format_exact),
      cmocka_unit_test(test_value_format_negative_zero),
      cmocka_unit_test(test_value_format_extremes),
      cmocka_unit_test(test_value_format_digit_counts),
      cmocka_unit_test(test_value_format_truncation),
      cmocka_unit_test(test_value_format_float),
      cmocka_unit_test(test_value_format_text),
      cmocka_unit_test(test_datetime_format),
      cmocka_unit_test(test_datetime_absent),
      cmocka_unit_test(test_hex_decode),
      cmocka_unit_test(test_hex_decode_errors),
      cmocka_unit_test(test_key_parse),
      cmocka_unit_test(test_key_parse_errors),
      cmocka_unit_test(test_wipe),
  };
  return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
