/* SPDX-License-Identifier: MIT */
/* test_variants.c - data-notification shapes the real captures do not
 * show, built by hand in A-XDR: the three header date-time forms, every
 * numeric A-XDR type with and without {scaler, unit}, floats, text
 * readings, more than SM_MAX_VALUES readings, over-long strings, arrays,
 * and malformed nesting. Sent as plaintext (0x0F) bare APDUs, and one
 * shape also sealed and framed to show the path does not matter.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "framer.h"
#include "sm_decoder.h"
#include "sm_names.h"
#include "vec.h"

/* ---- a tiny A-XDR writer -------------------------------------------- */

typedef struct pbuf {
  uint8_t b[SM_MAX_APDU];
  size_t n;
} pbuf;

static void put(pbuf *p, const uint8_t *s, size_t n) {
  assert_true(p->n + n <= sizeof p->b);
  memcpy(p->b + p->n, s, n);
  p->n += n;
}

static void put1(pbuf *p, uint8_t b) {
  put(p, &b, 1);
}

static void put_be(pbuf *p, uint8_t tag, uint64_t v, size_t k) {
  put1(p, tag);
  while (k-- > 0)
    put1(p, (uint8_t)(v >> (8 * k)));
}

static void put_len(pbuf *p, size_t n) {
  if (n >= 0x100) {
    put1(p, 0x82);
    put1(p, (uint8_t)(n >> 8));
  } else if (n >= 0x80) {
    put1(p, 0x81);
  }
  put1(p, (uint8_t)n);
}

static void put_struct(pbuf *p, size_t n) {
  put1(p, 0x02);
  put_len(p, n);
}

static void put_string(pbuf *p, uint8_t tag, const void *s, size_t n) {
  put1(p, tag);
  put_len(p, n);
  put(p, s, n);
}

static void put_obis(pbuf *p, uint8_t c, uint8_t d, uint8_t e) {
  const uint8_t o[6] = {1, 0, c, d, e, 255};
  put_string(p, 0x09, o, 6);
}

/* A structure of n elements whose first is the OBIS code 1.0.c.d.e.255. */
static void put_entry(pbuf *p, size_t n, uint8_t c, uint8_t d, uint8_t e) {
  put_struct(p, n);
  put_obis(p, c, d, e);
}

static void put_scaler(pbuf *p, int8_t scaler, uint8_t unit) {
  put_struct(p, 2);
  put1(p, 0x0F);
  put1(p, (uint8_t)scaler);
  put1(p, 0x16);
  put1(p, unit);
}

/* 2024-03-31 02:30:15.07, deviation -60, status 0x80 */
static const uint8_t when[12] = {0x07, 0xE8, 3,    31,   7,    2,
                                 30,   15,   0x07, 0xFF, 0xC4, 0x80};

/* 0F, invoke id 0x12345678, the header date-time in form hdr (0: 0C+12,
 * 1: 09 0C+12, 2: absent). */
static void put_header(pbuf *p, int hdr) {
  p->n = 0;
  put_be(p, 0x0F, 0x12345678, 4);
  if (hdr == 1)
    put1(p, 0x09);
  if (hdr == 2) {
    put1(p, 0x00);
    return;
  }
  put1(p, 12);
  put(p, when, 12);
}

/* KSM West shape: clock, meter number, device name, then entries. */
static void put_ksm_start(pbuf *p, int hdr, size_t entries) {
  static const uint8_t clock[6] = {0, 0, 1, 0, 0, 255};
  static const uint8_t number[6] = {0, 0, 96, 1, 0, 255};
  static const uint8_t name[6] = {0, 0, 42, 0, 0, 255};
  put_header(p, hdr);
  put_struct(p, 4 + entries);
  put_string(p, 0x09, clock, 6);
  put_string(p, 0x09, when, 12);
  put_struct(p, 2);
  put_string(p, 0x09, number, 6);
  put_string(p, 0x09, "1KFM0200999999", 14);
  put_struct(p, 2);
  put_string(p, 0x09, name, 6);
  put_string(p, 0x09, "KFM1200200999999", 16);
}

/* ---- decoding ------------------------------------------------------- */

static sm_telegram got;
static size_t n_got;

static void keep(const sm_telegram *t, void *ctx) {
  (void)ctx;
  if (n_got++ == 0)
    got = *t;
}

/* Decode a plaintext bare APDU; returns the tally. */
static vec_tally decode_plain(const pbuf *p) {
  sm_options o;
  sm_status err;
  sm_decoder *d;
  vec_tally t;
  memset(&o, 0, sizeof o);
  o.input = SM_INPUT_APDU;
  d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  memset(&t, 0, sizeof t);
  t.cb = keep;
  n_got = 0;
  vec_feed(d, p->b, p->n, &t);
  sm_decoder_free(d);
  assert_false(t.api_violation);
  return t;
}

static void decode_ok(const pbuf *p) {
  vec_tally t = decode_plain(p);
  assert_int_equal(vec_errors(&t), 0);
  assert_int_equal(t.telegrams, 1);
  assert_false(got.encrypted);
}

static void check_when(const sm_datetime *dt) {
  char buf[SM_TIME_MAX];
  assert_true(dt->present);
  assert_int_equal(dt->year, 2024);
  assert_int_equal(dt->month, 3);
  assert_int_equal(dt->day, 31);
  assert_int_equal(dt->weekday, 7);
  assert_int_equal(dt->hour, 2);
  assert_int_equal(dt->minute, 30);
  assert_int_equal(dt->second, 15);
  assert_int_equal(dt->hundredths, 7);
  assert_int_equal(dt->deviation, -60);
  assert_int_equal(dt->status, 0x80);
  sm_datetime_format(dt, buf, sizeof buf);
  assert_string_equal(buf, "2024-03-31T02:30:15");
}

static const sm_value *find(uint8_t c, uint8_t d, uint8_t e) {
  const uint8_t o[6] = {1, 0, c, d, e, 255};
  size_t i;
  for (i = 0; i < got.n_values; i++)
    if (memcmp(got.values[i].obis, o, 6) == 0)
      return &got.values[i];
  fail_msg("reading 1.0.%u.%u.%u.255 missing", c, d, e);
  return NULL;
}

static void check_text_of(const sm_value *v, const char *want) {
  char buf[SM_NUM_MAX];
  sm_value_format(v, buf, sizeof buf);
  assert_string_equal(buf, want);
}

/* ---- tests ---------------------------------------------------------- */

/* The header date-time as 0C+12, as 09 0C+12, and absent (then the clock
 * object 0.0.1.0.0.255 gives the time). */
static void test_header_datetime_forms(void **state) {
  static pbuf p;
  int hdr;
  (void)state;
  for (hdr = 0; hdr < 3; hdr++) {
    put_ksm_start(&p, hdr, 1);
    put_struct(&p, 3);
    put_obis(&p, 1, 8, 0);
    put_be(&p, 0x06, 4711, 4);
    put_scaler(&p, 0, 30);
    decode_ok(&p);
    assert_int_equal(got.invoke_id, 0x12345678);
    check_when(&got.meter_time);
    assert_string_equal(got.meter_number, "1KFM0200999999");
    assert_string_equal(got.device_name, "KFM1200200999999");
    assert_int_equal(got.n_values, 1);
    assert_int_equal(find(1, 8, 0)->raw, 4711);
  }
}

/* Every integer type, signed ones negative, with scaler and unit. */
static void test_integer_types(void **state) {
  static pbuf p;
  (void)state;
  put_ksm_start(&p, 0, 8);
  put_entry(&p, 3, 2, 7, 0);
  put_be(&p, 0x10, 0xFFFB, 2);
  put_scaler(&p, -1, 27); /* i16 -5 */
  put_entry(&p, 3, 3, 7, 0);
  put_be(&p, 0x05, 0xFFFFFB2E, 4);
  put_scaler(&p, -2, 29); /* i32 -1234 */
  put_entry(&p, 3, 1, 8, 0);
  put_be(&p, 0x15, UINT64_C(1234567890123), 8);
  put_scaler(&p, 0, 30); /* u64 */
  put_entry(&p, 3, 2, 8, 0);
  put_be(&p, 0x14, (uint64_t)INT64_C(-9876543210), 8);
  put_scaler(&p, -3, 30); /* i64 */
  put_entry(&p, 3, 14, 7, 0);
  put_be(&p, 0x11, 250, 1);
  put_scaler(&p, -1, 44); /* u8 */
  put_entry(&p, 3, 13, 7, 0);
  put_be(&p, 0x0F, 0x9C, 1);
  put_scaler(&p, -2, 255); /* i8 -100 */
  put_entry(&p, 3, 3, 8, 0);
  put_be(&p, 0x15, UINT64_MAX, 8);
  put_scaler(&p, 0, 32); /* u64 above INT64_MAX clamps */
  put_entry(&p, 3, 4, 8, 0);
  put_be(&p, 0x12, 65535, 2);
  put_scaler(&p, 3, 32); /* u16, positive scaler */
  decode_ok(&p);
  assert_int_equal(got.n_values, 8);
  check_text_of(find(2, 7, 0), "-0.5");
  assert_int_equal(find(2, 7, 0)->unit, 27);
  check_text_of(find(3, 7, 0), "-12.34");
  check_text_of(find(1, 8, 0), "1234567890123");
  check_text_of(find(2, 8, 0), "-9876543.21");
  assert_int_equal(find(2, 8, 0)->raw, INT64_C(-9876543210));
  check_text_of(find(14, 7, 0), "25");
  check_text_of(find(13, 7, 0), "-1");
  assert_int_equal(find(13, 7, 0)->raw, -100);
  assert_int_equal(find(3, 8, 0)->raw, INT64_MAX);
  check_text_of(find(4, 8, 0), "65535000");
  assert_true(fabs(find(4, 8, 0)->value - 65535000.0) < 1e-6);
  assert_true(fabs(find(2, 7, 0)->value + 0.5) < 1e-12);
}

/* Without {scaler, unit}: scaler 0, unit 255 (none). */
static void test_no_scaler(void **state) {
  static pbuf p;
  (void)state;
  put_ksm_start(&p, 0, 2);
  put_entry(&p, 2, 1, 7, 0);
  put_be(&p, 0x06, 815, 4);
  put_entry(&p, 2, 2, 7, 0);
  put_be(&p, 0x12, 7, 2);
  decode_ok(&p);
  assert_int_equal(got.n_values, 2);
  assert_int_equal(find(1, 7, 0)->scaler, 0);
  assert_int_equal(find(1, 7, 0)->unit, 255);
  assert_int_equal(find(1, 7, 0)->raw, 815);
  check_text_of(find(2, 7, 0), "7");
}

static void put_f32(pbuf *p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  put_be(p, 0x17, u, 4);
}

static void put_f64(pbuf *p, double f) {
  uint64_t u;
  memcpy(&u, &f, 8);
  put_be(p, 0x18, u, 8);
}

static void test_floats(void **state) {
  static pbuf p;
  (void)state;
  put_ksm_start(&p, 0, 2);
  put_entry(&p, 3, 32, 7, 0);
  put_f32(&p, 230.5f);
  put_scaler(&p, 0, 35);
  put_entry(&p, 3, 14, 7, 0);
  put_f64(&p, 49.98);
  put_scaler(&p, 0, 44);
  decode_ok(&p);
  assert_true(find(32, 7, 0)->is_float);
  assert_true(find(32, 7, 0)->value == 230.5);
  check_text_of(find(32, 7, 0), "230.5");
  assert_true(find(14, 7, 0)->value == 49.98);
  check_text_of(find(14, 7, 0), "49.98");
  assert_int_equal(find(14, 7, 0)->unit, 44);
}

/* value = raw * 10^scaler holds for every numeric type (DLMS register
 * semantics; sm_decoder.h: "double value; scaled value"), floats too. */
static void test_float_scaled(void **state) {
  static pbuf p;
  const sm_value *v;
  (void)state;
  put_ksm_start(&p, 0, 1);
  put_entry(&p, 3, 32, 7, 0);
  put_f32(&p, 2305.0f);
  put_scaler(&p, -1, 35);
  decode_ok(&p);
  v = find(32, 7, 0);
  assert_int_equal(v->scaler, -1);
  assert_true(fabs(v->value - 230.5) < 1e-9);
  check_text_of(v, "230.5");
}

/* Readings whose OBIS code is not the meter number or device name and
 * whose value is a string are kept as text; binary as hex. */
static void test_text_readings(void **state) {
  static pbuf p;
  static const uint8_t bin[3] = {0x00, 0xAB, 0x7F};
  const sm_value *v;
  (void)state;
  put_ksm_start(&p, 0, 2);
  put_entry(&p, 2, 0, 2, 0);
  put_string(&p, 0x0A, "FW 1.2.3", 8);
  put_entry(&p, 2, 96, 5, 0);
  put_string(&p, 0x09, bin, 3);
  decode_ok(&p);
  assert_int_equal(got.n_values, 2);
  v = find(0, 2, 0);
  assert_int_equal(v->kind, SM_VALUE_TEXT);
  assert_string_equal(v->text, "FW 1.2.3");
  check_text_of(v, "FW 1.2.3");
  v = find(96, 5, 0);
  assert_int_equal(v->kind, SM_VALUE_TEXT);
  assert_string_equal(v->text, "00AB7F");
}

/* More readings than SM_MAX_VALUES: the first ones kept, flag set. */
static void test_values_truncated(void **state) {
  static pbuf p;
  size_t i, n = SM_MAX_VALUES + 6;
  (void)state;
  put_header(&p, 0);
  put1(&p, 0x01); /* an array body */
  put_len(&p, n);
  for (i = 0; i < n; i++) {
    put_struct(&p, 3);
    put_obis(&p, (uint8_t)(100 + i), 7, 0);
    put_be(&p, 0x12, i, 2);
    put_scaler(&p, 0, 27);
  }
  decode_ok(&p);
  assert_int_equal(got.n_values, SM_MAX_VALUES);
  assert_true(got.values_truncated);
  for (i = 0; i < SM_MAX_VALUES; i++) {
    assert_int_equal(got.values[i].obis[2], 100 + i);
    assert_int_equal(got.values[i].raw, (int64_t)i);
  }
}

/* A meter number longer than SM_MAX_TEXT is cut, NUL-terminated. */
static void test_long_strings(void **state) {
  static pbuf p;
  static const uint8_t number[6] = {0, 0, 96, 1, 0, 255};
  char longer[200];
  size_t kept;
  (void)state;
  memset(longer, 'Z', sizeof longer);
  put_header(&p, 0);
  put_struct(&p, 2);
  put_struct(&p, 2);
  put_string(&p, 0x09, number, 6);
  put_string(&p, 0x0A, longer, sizeof longer); /* 0x81 length */
  put_entry(&p, 3, 1, 8, 0);
  put_be(&p, 0x06, 1, 4);
  put_scaler(&p, 0, 30);
  decode_ok(&p);
  kept = strlen(got.meter_number);
  assert_true(kept > 0 && kept < SM_MAX_TEXT);
  assert_int_equal(strspn(got.meter_number, "Z"), kept);
  assert_int_equal(find(1, 8, 0)->raw, 1);
}

/* Hostile nesting and lengths: an error, never a crash or a hang. */
static void test_malformed(void **state) {
  static pbuf p;
  vec_tally t;
  size_t i;
  (void)state;
  put_header(&p, 0);
  for (i = 0; i < 200; i++)
    put_struct(&p, 1);
  put_be(&p, 0x06, 1, 4);
  t = decode_plain(&p);
  assert_int_equal(t.telegrams, 0);
  assert_true(vec_errors(&t) >= 1);
  put_header(&p, 0);
  put_struct(&p, 1);
  put1(&p, 0x09);
  put1(&p, 0x83); /* 3-byte BER length: not supported */
  put1(&p, 0x01);
  put1(&p, 0x00);
  put1(&p, 0x00);
  t = decode_plain(&p);
  assert_int_equal(t.telegrams, 0);
  assert_true(vec_errors(&t) >= 1);
  put_header(&p, 0);
  put_struct(&p, 1);
  put1(&p, 0xEE); /* no such A-XDR type */
  t = decode_plain(&p);
  assert_int_equal(t.telegrams, 0);
  assert_true(t.errors[-SM_ERR_AXDR] >= 1);
}

/* One hand-made shape through the whole live path: sealed (SC 0x30 with
 * tag), in three M-Bus frames, fed byte by byte. */
static void test_variant_sealed(void **state) {
  static pbuf p;
  static uint8_t apdu[SM_MAX_APDU + 64], wire[SM_MAX_APDU + 512];
  enc_params e;
  sm_options o;
  sm_status err;
  sm_decoder *d;
  vec_tally t;
  size_t n, k;
  (void)state;
  put_ksm_start(&p, 2, 1);
  put_entry(&p, 3, 1, 8, 0);
  put_be(&p, 0x06, 99, 4);
  put_scaler(&p, 3, 30);
  memset(&e, 0, sizeof e);
  memcpy(e.system_title, "XYZ\x01\x02\x03\x04\x05", 8);
  e.sc = 0x30;
  e.fc = 77;
  memset(e.key, 0x42, 16);
  memset(e.auth_key, 0x24, 16);
  n = enc_seal(&e, p.b, p.n, apdu, sizeof apdu);
  n = frm_mbus_wrap(wire, sizeof wire, apdu, n, 40);
  memset(&o, 0, sizeof o);
  o.has_key = o.has_auth_key = true;
  memcpy(o.key, e.key, 16);
  memcpy(o.auth_key, e.auth_key, 16);
  d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  memset(&t, 0, sizeof t);
  t.cb = keep;
  n_got = 0;
  for (k = 0; k < n; k++)
    vec_feed(d, wire + k, 1, &t);
  sm_decoder_free(d);
  assert_int_equal(vec_errors(&t), 0);
  assert_int_equal(t.telegrams, 1);
  assert_true(got.authenticated);
  assert_int_equal(got.frame_counter, 77);
  assert_memory_equal(got.system_title, "XYZ\x01\x02\x03\x04\x05", 8);
  check_when(&got.meter_time);
  check_text_of(find(1, 8, 0), "99000");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_datetime_forms),
      cmocka_unit_test(test_integer_types),
      cmocka_unit_test(test_no_scaler),
      cmocka_unit_test(test_floats),
      cmocka_unit_test(test_float_scaled),
      cmocka_unit_test(test_text_readings),
      cmocka_unit_test(test_values_truncated),
      cmocka_unit_test(test_long_strings),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_variant_sealed),
  };
  if (sm_crypto_init() != SM_NEED_MORE)
    return 1;
  return cmocka_run_group_tests_name("variants", tests, NULL, NULL);
}
