/* SPDX-License-Identifier: MIT */
/* test_safety.c - "never a wrong number" (issue 10) through the decoder API:
 *  - the replay guard: a lower frame counter is a restart only with a newer
 *    meter time; old telegrams never pass, however many; 64 titles;
 *  - sm_decoder_line_error(): a byte with a parity error breaks its frame;
 *    5000 telegrams with two random bit flips each, with and without
 *    parity simulated, counted for wrong values;
 *  - sm_value_bound() and friends: non-finite and absurd numbers;
 *  - SM_IDLE_GAP_MS is longer than the pauses meters make inside a
 *    telegram.
 * Base telegram: the VKW capture (SC 0x21, no tag, two M-Bus frames, the
 * meter time in the notification header), re-sealed by the test encoder.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm_decoder.h"
#include "sm_names.h"
#include "vec.h"

#define BUF_MAX (16 * 1024)
#define VKW_ENERGY 3744082
#define HDR_TIME 6 /* 0F, invoke id (4), 0C, then the 12 date-time bytes */

static vec cap;
static vec_model model, base;
static uint8_t buf[BUF_MAX];
static vec_record rec;
static vec_tally tally;

static int load(void **state) {
  (void)state;
  if (sm_crypto_init() != SM_NEED_MORE)
    return -1;
  if (vec_load("ksmwest_vkw_philippsev_2023-07-26.hex", &cap) != 0 ||
      vec_model_init(&cap, &base) != 0)
    return -1;
  /* The layout this file relies on: a header date-time. */
  if (base.plain[0] != 0x0F || base.plain[HDR_TIME - 1] != 0x0C)
    return -1;
  model = base;
  return 0;
}

static int reset_model(void **state) {
  (void)state;
  model = base;
  return 0;
}

static sm_decoder *vkw_decoder(void) {
  sm_options o;
  sm_status err = SM_ERR_ARG;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  sm_decoder *d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  return d;
}

static void reset_tally(void) {
  memset(&tally, 0, sizeof tally);
  memset(&rec, 0, sizeof rec);
  tally.cb = vec_record_cb;
  tally.ctx = &rec;
}

/* The header date-time of the model: local time, deviation, status. */
static void set_time(int h, int mi, int s, int16_t dev, uint8_t status) {
  uint8_t *t = model.plain + HDR_TIME;
  t[0] = 0x07; /* 2023-10-29, a Sunday: the autumn change in Austria */
  t[1] = 0xE7;
  t[2] = 10;
  t[3] = 29;
  t[4] = 7;
  t[5] = (uint8_t)h;
  t[6] = (uint8_t)mi;
  t[7] = (uint8_t)s;
  t[8] = 0;
  t[9] = (uint8_t)((uint16_t)dev >> 8);
  t[10] = (uint8_t)dev;
  t[11] = status;
}

#define NO_DEV INT16_MIN

static void no_time(void) {
  memset(model.plain + HDR_TIME, 0xFF, 12);
}

/* Feed the model sealed with counter fc: decoded, or exactly error st. */
static void expect_fc(sm_decoder *d, uint32_t fc, sm_status st) {
  size_t n = vec_model_make(&model, fc, true, buf, BUF_MAX);
  assert_true(n > 0);
  reset_tally();
  vec_feed(d, buf, n, &tally);
  assert_false(tally.api_violation);
  if (st == SM_TELEGRAM) {
    assert_int_equal(vec_errors(&tally), 0);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.s[0].fc, fc);
    assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  } else {
    assert_int_equal(rec.n, 0);
    assert_int_equal(vec_errors(&tally), 1);
    assert_int_equal(tally.errors[-st], 1);
  }
}

static uint64_t resets(sm_decoder *d) {
  sm_stats st;
  sm_decoder_stats(d, &st);
  return st.counter_resets;
}

/* Stale data (issue 10 item 5): counters below the last one with older
 * meter times, rising among themselves, any number of them: never taken
 * (the old rule took them after three). */
static void test_old_run_never_taken(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  expect_fc(d, 1000, SM_TELEGRAM);
  for (int i = 0; i < 20; i++) {
    set_time(11, 0, i * 5, NO_DEV, 0);
    expect_fc(d, (uint32_t)(900 + i), SM_ERR_REPLAY);
  }
  assert_int_equal(resets(d), 0);
  sm_decoder_free(d);
}

/* The same bytes again, any number of times: never taken. */
static void test_same_bytes_never_taken(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  expect_fc(d, 1000, SM_TELEGRAM);
  for (int i = 0; i < 10; i++)
    expect_fc(d, 1000, SM_ERR_REPLAY);
  set_time(12, 0, 5, NO_DEV, 0);
  expect_fc(d, 1001, SM_TELEGRAM);
  for (int i = 0; i < 10; i++)
    expect_fc(d, 1001, SM_ERR_REPLAY);
  sm_decoder_free(d);
}

/* A restart: a lower counter with a newer meter time is taken at once,
 * counted; the old epoch's telegrams stay refused, even with counters
 * above the new ones. */
static void test_restart_by_meter_time(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  expect_fc(d, 1000, SM_TELEGRAM);
  set_time(12, 0, 5, NO_DEV, 0);
  expect_fc(d, 3, SM_TELEGRAM);
  assert_int_equal(resets(d), 1);
  set_time(12, 0, 10, NO_DEV, 0);
  expect_fc(d, 4, SM_TELEGRAM);
  assert_int_equal(resets(d), 1);
  set_time(11, 59, 55, NO_DEV, 0); /* before the restart, counter above */
  expect_fc(d, 999, SM_ERR_REPLAY);
  set_time(12, 0, 0, NO_DEV, 0); /* the last telegram of the old epoch */
  expect_fc(d, 1000, SM_ERR_REPLAY);
  set_time(12, 0, 10, NO_DEV, 0); /* same time, lower counter: no restart */
  expect_fc(d, 2, SM_ERR_REPLAY);
  set_time(12, 0, 15, NO_DEV, 0);
  expect_fc(d, 5, SM_TELEGRAM);
  assert_int_equal(resets(d), 1);
  sm_decoder_free(d);
}

/* One telegram whose clock bytes were corrupted into the future (a flip
 * the checksum missed on an 8N1 line) must not make the next ones old. */
static void test_future_time_no_block(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  expect_fc(d, 1000, SM_TELEGRAM);
  model.plain[HDR_TIME] = 0x08; /* year 2279 */
  expect_fc(d, 1001, SM_TELEGRAM);
  set_time(12, 0, 10, NO_DEV, 0);
  for (uint32_t fc = 1002; fc < 1010; fc++)
    expect_fc(d, fc, SM_TELEGRAM);
  assert_int_equal(resets(d), 0);
  sm_decoder_free(d);
}

/* Without a meter time only the counter decides: no restart then. */
static void test_restart_needs_meter_time(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  expect_fc(d, 1000, SM_TELEGRAM);
  no_time();
  for (uint32_t fc = 3; fc < 10; fc++)
    expect_fc(d, fc, SM_ERR_REPLAY);
  expect_fc(d, 1001, SM_TELEGRAM); /* a higher counter needs no time */
  set_time(12, 0, 10, NO_DEV, 0);  /* the time of 1000 was kept */
  expect_fc(d, 3, SM_TELEGRAM);
  assert_int_equal(resets(d), 1);
  sm_decoder_free(d);
}

/* Autumn change without a deviation: 02:59:59 summer time is before
 * 02:00:05 winter time (clock status 0x80 = summer time). */
static void test_restart_across_dst(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(2, 59, 59, NO_DEV, 0x80);
  expect_fc(d, 1000, SM_TELEGRAM);
  set_time(2, 0, 5, NO_DEV, 0x00);
  expect_fc(d, 3, SM_TELEGRAM);
  set_time(2, 30, 0, NO_DEV, 0x80); /* summer 02:30 is an hour earlier */
  expect_fc(d, 2, SM_ERR_REPLAY);
  assert_int_equal(resets(d), 1);
  sm_decoder_free(d);
  /* With a deviation (UTC = local + deviation): -120 summer, -60 winter. */
  d = vkw_decoder();
  set_time(2, 59, 59, -120, 0x80);
  expect_fc(d, 1000, SM_TELEGRAM);
  set_time(2, 0, 5, -60, 0x00);
  expect_fc(d, 3, SM_TELEGRAM);
  set_time(2, 30, 0, -120, 0x80);
  expect_fc(d, 2, SM_ERR_REPLAY);
  sm_decoder_free(d);
}

/* The scale itself: hundredths count, unspecified fields do not compare. */
static void test_time_key(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  model.plain[HDR_TIME + 8] = 10; /* 12:00:00.10 */
  expect_fc(d, 1000, SM_TELEGRAM);
  model.plain[HDR_TIME + 8] = 20; /* 12:00:00.20 is newer */
  expect_fc(d, 3, SM_TELEGRAM);
  model.plain[HDR_TIME + 5] = 0xFF; /* hour not specified: no time */
  expect_fc(d, 2, SM_ERR_REPLAY);
  sm_decoder_free(d);
}

/* The detail of the error feeding the model with counter fc gives. */
static void expect_detail(sm_decoder *d, uint32_t fc, const char *want) {
  size_t n = vec_model_make(&model, fc, true, buf, BUF_MAX), used;
  const sm_telegram *t;
  const uint8_t *p = buf;
  sm_status st;
  do {
    st = sm_decoder_feed(d, p, n, &used, &t);
    p += used;
    n -= used;
  } while (st == SM_NEED_MORE && n > 0);
  assert_int_equal(st, SM_ERR_REPLAY);
  assert_non_null(strstr(sm_decoder_detail(d), want));
}

/* Issue 10 item 6: 9 titles in rotation; with 8 remembered one was
 * forgotten and its replay taken. Now 64 are kept, and a 65th title is
 * refused rather than forgetting one. */
static void test_titles_remembered(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  set_time(12, 0, 0, NO_DEV, 0);
  for (int round = 0; round < 3; round++)
    for (int t = 0; t < SM_MAX_TITLES; t++) {
      model.enc.system_title[7] = (uint8_t)t;
      expect_fc(d, (uint32_t)(100 + round), SM_TELEGRAM);
    }
  for (int t = 0; t < SM_MAX_TITLES; t++) { /* every replay refused */
    model.enc.system_title[7] = (uint8_t)t;
    expect_fc(d, 101, SM_ERR_REPLAY);
  }
  model.enc.system_title[6] ^= 0x55; /* title number 65 */
  expect_fc(d, 500, SM_ERR_REPLAY);
  expect_detail(d, 501, "more than 64 system titles");
  model.enc.system_title[6] ^= 0x55;
  model.enc.system_title[7] = 0;
  expect_fc(d, 103, SM_TELEGRAM); /* the known ones go on */
  sm_decoder_forget_counters(d);
  model.enc.system_title[6] ^= 0x55;
  expect_fc(d, 500, SM_TELEGRAM);
  sm_decoder_free(d);
}

static void test_titles_bound(void **state) {
  (void)state;
  assert_true(SM_MAX_TITLES >= 64);
}

/* ---- parity --------------------------------------------------------- */

/* Feed buf[0..n) with a line error in place of every byte marked[i]. */
static void feed_marked(sm_decoder *d, const uint8_t *p, size_t n,
                        const bool *marked) {
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    if (!marked[i])
      continue;
    vec_feed(d, p + from, i - from, &tally);
    sm_decoder_line_error(d);
    from = i + 1;
  }
  vec_feed(d, p + from, n - from, &tally);
}

static bool marks[BUF_MAX];

static void expect_line_error_at(size_t where, size_t telegrams) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  size_t n = vec_model_make(&model, 2000, true, buf, BUF_MAX / 2);
  size_t m = vec_model_make(&model, 2001, true, buf + n, BUF_MAX / 2);
  memset(marks, 0, sizeof marks);
  marks[where] = true;
  reset_tally();
  feed_marked(d, buf, n + m, marks);
  vec_idle(d, &tally);
  assert_int_equal(rec.n, telegrams);
  assert_int_equal(rec.s[telegrams - 1].fc, 2001);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.line_errors, 1);
  assert_int_equal(st.checksum_errors, 1);
  sm_decoder_free(d);
}

/* A bad byte anywhere in a telegram's frames loses that telegram only; its
 * value never matters (it is not fed). */
static void test_line_error_breaks_frame(void **state) {
  (void)state;
  expect_line_error_at(0, 1);   /* the start byte of frame 1 */
  expect_line_error_at(3, 1);   /* inside the header */
  expect_line_error_at(100, 1); /* in the data of frame 1 */
  expect_line_error_at(255, 1); /* the stop byte of frame 1 */
  expect_line_error_at(256, 1); /* the start of frame 2 */
  expect_line_error_at(300, 1); /* in frame 2 */
  expect_line_error_at(375, 1); /* the stop byte of frame 2 */
}

/* A burst of bad bytes in one frame is one checksum error. */
static void test_line_error_burst(void **state) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  (void)state;
  size_t n = vec_model_make(&model, 2000, true, buf, BUF_MAX / 2);
  memset(marks, 0, sizeof marks);
  for (size_t i = 40; i < 200; i += 7)
    marks[i] = true;
  reset_tally();
  feed_marked(d, buf, n, marks);
  vec_idle(d, &tally);
  assert_int_equal(rec.n, 0);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.checksum_errors, 1);
  assert_true(st.line_errors > 20);
  expect_fc(d, 2001, SM_TELEGRAM);
  sm_decoder_free(d);
}

/* Two flips that cancel in the 8-bit sum: bit 3 set in one byte, cleared
 * in another of the same frame. Without parity the frame passes and the
 * telegram carries a wrong number; with parity both bytes are marked. */
static void test_cancelling_flips(void **state) {
  size_t n = vec_model_make(&model, 2000, true, buf, BUF_MAX / 2);
  size_t a = 0, b = 0;
  (void)state;
  for (size_t i = 30; i < 250 && !b; i++) {
    if (!a && !(buf[i] & 0x08))
      a = i;
    else if (a && (buf[i] & 0x08))
      b = i;
  }
  assert_true(a && b);
  buf[a] ^= 0x08;
  buf[b] ^= 0x08;
  sm_decoder *d = vkw_decoder();
  reset_tally();
  memset(marks, 0, sizeof marks);
  feed_marked(d, buf, n, marks);
  size_t without = rec.n; /* 0 or 1: a wrong telegram if it parses */
  sm_decoder_free(d);
  d = vkw_decoder();
  reset_tally();
  marks[a] = marks[b] = true;
  feed_marked(d, buf, n, marks);
  vec_idle(d, &tally);
  assert_int_equal(rec.n, 0);
  sm_decoder_free(d);
  print_message("# cancelling flips at %zu and %zu: %zu telegram(s) "
                "without parity, 0 with\n",
                a, b, without);
}

/* The values of t equal those of ref (OBIS, kind, numbers, texts). */
static bool same_values(const sm_telegram *t, const sm_telegram *ref) {
  if (t->n_values != ref->n_values ||
      strcmp(t->meter_number, ref->meter_number) != 0 ||
      strcmp(t->device_name, ref->device_name) != 0)
    return false;
  for (size_t i = 0; i < t->n_values; i++) {
    const sm_value *v = &t->values[i], *r = &ref->values[i];
    if (memcmp(v->obis, r->obis, 6) != 0 || v->kind != r->kind ||
        v->raw != r->raw || v->scaler != r->scaler || v->unit != r->unit ||
        strcmp(v->text, r->text) != 0)
      return false;
  }
  return true;
}

typedef struct flips_run {
  sm_telegram ref;
  bool have_ref;
  size_t decoded, wrong;
} flips_run;

static void flips_cb(const sm_telegram *t, void *ctx) {
  flips_run *r = ctx;
  if (!r->have_ref) {
    r->ref = *t;
    r->have_ref = true;
    return;
  }
  r->decoded++;
  r->wrong += !same_values(t, &r->ref);
}

/* The measurement: n telegrams, two random data bits flipped in
 * each; with parity a byte with an odd number of flips is marked. */
static flips_run *two_flips(size_t n, bool parity, uint64_t seed) {
  static flips_run run;
  static uint8_t tel[BUF_MAX];
  sm_decoder *d = vkw_decoder();
  memset(&run, 0, sizeof run);
  memset(&tally, 0, sizeof tally);
  tally.cb = flips_cb;
  tally.ctx = &run;
  size_t len = vec_model_make(&model, 100, true, tel, sizeof tel);
  vec_feed(d, tel, len, &tally); /* the reference */
  for (size_t k = 0; k < n; k++) {
    len = vec_model_make(&model, (uint32_t)(101 + k), true, tel, sizeof tel);
    memset(marks, 0, len);
    size_t b1 = vec_rand(&seed) % (8 * len), b2;
    do
      b2 = vec_rand(&seed) % (8 * len);
    while (b2 == b1);
    tel[b1 / 8] ^= (uint8_t)(1u << (b1 % 8));
    tel[b2 / 8] ^= (uint8_t)(1u << (b2 % 8));
    if (parity) {
      marks[b1 / 8] = !marks[b1 / 8];
      marks[b2 / 8] = !marks[b2 / 8]; /* two flips in one byte: even */
    }
    feed_marked(d, tel, len, marks);
    vec_idle(d, &tally); /* the meter's pause */
  }
  sm_decoder_free(d);
  return &run;
}

static void test_two_bit_errors(void **state) {
  (void)state;
  flips_run *r = two_flips(5000, false, 0x5EED1);
  size_t dec_np = r->decoded, wrong_np = r->wrong;
  r = two_flips(5000, true, 0x5EED1);
  print_message("# 5000 telegrams, 2 random bit flips each: without parity "
                "%zu decoded, %zu with wrong values; with parity %zu "
                "decoded, %zu wrong\n",
                dec_np, wrong_np, r->decoded, r->wrong);
  assert_int_equal(r->wrong, 0);
  assert_true(wrong_np > 0); /* the measurement can see the defect */
}

/* ---- bounds --------------------------------------------------------- */

static sm_value number(uint8_t unit, double v) {
  sm_value x;
  memset(&x, 0, sizeof x);
  x.obis[0] = 1;
  x.obis[2] = 32;
  x.obis[3] = 7;
  x.obis[5] = 255;
  x.kind = SM_VALUE_NUMBER;
  x.unit = unit;
  x.value = v;
  return x;
}

static void test_bounds(void **state) {
  (void)state;
  sm_value v = number(35, 230.1);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  v = number(35, -1000);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  v = number(35, 1000.5);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_EXCEEDED);
  v = number(33, 10001);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_EXCEEDED);
  v = number(27, 3e7);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  v = number(30, 1e15);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  v = number(30, 1e127); /* the scaler of +120 */
  assert_int_equal(sm_value_bound(&v), SM_BOUND_EXCEEDED);
  v = number(255, 1e16);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_EXCEEDED);
  v = number(44, 50.01);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  v = number(255, NAN);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_NOT_FINITE);
  v = number(27, INFINITY);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_NOT_FINITE);
  v = number(27, -INFINITY);
  assert_int_equal(sm_value_bound(&v), SM_BOUND_NOT_FINITE);
  v = number(35, 1e300);
  v.kind = SM_VALUE_TEXT; /* text is never a number */
  assert_int_equal(sm_value_bound(&v), SM_BOUND_OK);
  assert_true(sm_unit_bound(35) == 1e3 && sm_unit_bound(33) == 1e4 &&
              sm_unit_bound(30) == 1e15);
}

static void test_drop_implausible(void **state) {
  static sm_telegram t;
  sm_value first;
  char text[SM_BOUND_TEXT_MAX];
  (void)state;
  memset(&t, 0, sizeof t);
  t.values[0] = number(35, 230);
  t.values[1] = number(35, 2.2e127);
  t.values[2] = number(33, 5);
  t.values[3] = number(44, NAN);
  t.values[4] = number(30, 12345);
  t.n_values = 5;
  assert_int_equal(sm_telegram_drop_implausible(&t, &first), 2);
  assert_int_equal(t.n_values, 3);
  assert_true(t.values[0].value == 230 && t.values[1].value == 5 &&
              t.values[2].value == 12345);
  sm_bound_describe(&first, text, sizeof text);
  assert_string_equal(text,
                      "1.0.32.7.0.255 = 2.2e+127 V is beyond the bound of "
                      "1000 V");
  sm_value n = number(44, NAN);
  sm_bound_describe(&n, text, sizeof text);
  assert_string_equal(text, "1.0.32.7.0.255 is not a finite number (nan)");
  assert_int_equal(sm_telegram_drop_implausible(&t, NULL), 0);
  /* The rest of the line counts the others. */
  char others[SM_BOUND_OTHERS_MAX];
  assert_int_equal(sm_bound_others(1, others, sizeof others), 0);
  assert_string_equal(others, "");
  sm_bound_others(2, others, sizeof others);
  assert_string_equal(others, " with 1 other implausible reading");
  sm_bound_others(SM_MAX_VALUES, others, sizeof others);
  char want[SM_BOUND_OTHERS_MAX];
  snprintf(want, sizeof want, " with %d other implausible readings",
           SM_MAX_VALUES - 1);
  assert_string_equal(others, want);
}

/* What the plugin and the CLI hand on: the telegram itself when nothing
 * is implausible, else a copy without those readings; t stays as sent. */
static void test_plausible_copy(void **state) {
  static sm_telegram t, spare;
  sm_value first;
  size_t dropped = 9;
  (void)state;
  memset(&t, 0, sizeof t);
  t.values[0] = number(35, 230);
  t.values[1] = number(33, 5);
  t.n_values = 2;
  assert_ptr_equal(sm_telegram_plausible(&t, &spare, &first, &dropped), &t);
  assert_int_equal(dropped, 0);
  t.values[2] = number(27, INFINITY);
  t.values[3] = number(30, 12345);
  t.n_values = 4;
  const sm_telegram *kept = sm_telegram_plausible(&t, &spare, &first, &dropped);
  assert_ptr_equal(kept, &spare);
  assert_int_equal(dropped, 1);
  assert_int_equal(kept->n_values, 3);
  assert_true(kept->values[2].value == 12345 && first.unit == 27);
  assert_int_equal(t.n_values, 4);
}

static void test_idle_gap(void **state) {
  (void)state;
  /* Pauses of up to 1 s between frames never split a telegram, with room
   * for a 200 ms read timeout; a 5 s meter still pauses longer. */
  assert_true(SM_IDLE_GAP_MS >= 1200);
  assert_true(SM_IDLE_GAP_MS <= 2500);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_old_run_never_taken, reset_model),
      cmocka_unit_test_setup(test_same_bytes_never_taken, reset_model),
      cmocka_unit_test_setup(test_restart_by_meter_time, reset_model),
      cmocka_unit_test_setup(test_restart_needs_meter_time, reset_model),
      cmocka_unit_test_setup(test_future_time_no_block, reset_model),
      cmocka_unit_test_setup(test_restart_across_dst, reset_model),
      cmocka_unit_test_setup(test_time_key, reset_model),
      cmocka_unit_test_setup(test_titles_remembered, reset_model),
      cmocka_unit_test(test_titles_bound),
      cmocka_unit_test_setup(test_line_error_breaks_frame, reset_model),
      cmocka_unit_test_setup(test_line_error_burst, reset_model),
      cmocka_unit_test_setup(test_cancelling_flips, reset_model),
      cmocka_unit_test_setup(test_two_bit_errors, reset_model),
      cmocka_unit_test(test_bounds),
      cmocka_unit_test(test_drop_implausible),
      cmocka_unit_test(test_plausible_copy),
      cmocka_unit_test(test_idle_gap),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
