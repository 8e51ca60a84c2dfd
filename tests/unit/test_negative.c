/* SPDX-License-Identifier: MIT */
/* test_negative.c - every way a telegram can be bad, and what the decoder
 * must do then: report the right sm_status, produce no readings, count it
 * in sm_stats, and still decode the next intact telegram.
 *
 * Base telegram: the VKW capture (ksmwest_vkw_philippsev_2023-07-26.hex,
 * SC 0x21, 354-byte APDU in two M-Bus frames), re-encrypted by the test
 * encoder where a variant is needed (other counters, SC 0x30 with a tag,
 * three segments, plaintext).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "framer.h"
#include "sm_decoder.h"
#include "vec.h"

#define BUF_MAX (16 * 1024)
#define VKW_ENERGY 3744082 /* 1.0.1.8.0.255 in DECODED.md */
#define VKW_NUMBERS 12

static vec cap;
static vec_model model;
static uint8_t buf[BUF_MAX];
static vec_record rec;
static vec_tally tally;

/* an authentication key for the SC 0x30 variants */
static const uint8_t ak[SM_KEY_LEN] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5,
                                       0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB,
                                       0xDC, 0xDD, 0xDE, 0xDF};

static int load(void **state) {
  (void)state;
  if (sm_crypto_init() != SM_NEED_MORE)
    return -1;
  if (vec_load("ksmwest_vkw_philippsev_2023-07-26.hex", &cap) != 0)
    return -1;
  return vec_model_init(&cap, &model);
}

static sm_decoder *decoder(const sm_options *o) {
  sm_status err = SM_ERR_ARG;
  sm_decoder *d = sm_decoder_new(o, &err);
  assert_non_null(d);
  return d;
}

static sm_decoder *vkw_decoder(void) {
  sm_options o;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  return decoder(&o);
}

static void reset_tally(void) {
  memset(&tally, 0, sizeof tally);
  memset(&rec, 0, sizeof rec);
  tally.cb = vec_record_cb;
  tally.ctx = &rec;
}

static void feed(sm_decoder *d, const uint8_t *p, size_t n) {
  reset_tally();
  vec_feed(d, p, n, &tally);
  assert_false(tally.api_violation);
}

/* The VKW telegram sealed with frame counter fc, in M-Bus frames. */
static size_t vkw(uint32_t fc, uint8_t *out) {
  size_t n = vec_model_make(&model, fc, true, out, BUF_MAX / 4);
  assert_true(n > 0);
  return n;
}

/* After an error: exactly one error of kind st, nothing decoded. */
static bool idle(sm_decoder *d) {
  reset_tally();
  bool dropped = vec_idle(d, &tally);
  assert_false(tally.api_violation);
  return dropped;
}

static void expect_only(sm_status st) {
  assert_int_equal(rec.n, 0);
  assert_int_equal(tally.telegrams, 0);
  assert_true(tally.errors[-st] >= 1);
}

/* The intact VKW telegram with counter fc decodes, once. */
static void expect_intact(sm_decoder *d, uint32_t fc) {
  size_t n = vkw(fc, buf + BUF_MAX / 2);
  feed(d, buf + BUF_MAX / 2, n);
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.s[0].fc, fc);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  assert_int_equal(rec.s[0].n_numbers, VKW_NUMBERS);
  assert_string_equal(rec.s[0].meter_number, "1KFM0200175269");
}

static void test_flipped_bit(void **state) {
  static const size_t where[] = {4, 6, 40, 200, 254, 300, 370};
  size_t k, n;
  (void)state;
  for (k = 0; k < sizeof where / sizeof where[0]; k++) {
    sm_decoder *d = vkw_decoder();
    sm_stats st;
    n = vkw(model.enc.fc, buf);
    assert_int_equal(n, 376);
    buf[where[k]] ^= 0x08;
    feed(d, buf, n);
    expect_only(SM_ERR_CHECKSUM);
    sm_decoder_stats(d, &st);
    assert_true(st.checksum_errors >= 1);
    assert_int_equal(st.telegrams, 0);
    expect_intact(d, model.enc.fc);
    sm_decoder_free(d);
  }
}

static void test_wrong_stop_byte(void **state) {
  static const size_t where[] = {255, 375}; /* end of frame 1, frame 2 */
  size_t k, n;
  (void)state;
  for (k = 0; k < 2; k++) {
    sm_decoder *d = vkw_decoder();
    sm_stats st;
    n = vkw(model.enc.fc, buf);
    assert_int_equal(buf[where[k]], 0x16);
    buf[where[k]] = 0x17;
    feed(d, buf, n);
    expect_only(SM_ERR_STOP_BYTE);
    assert_int_equal(tally.errors[-SM_ERR_CHECKSUM], 0);
    sm_decoder_stats(d, &st);
    assert_true(st.checksum_errors >= 1);
    expect_intact(d, model.enc.fc);
    sm_decoder_free(d);
  }
}

static void test_wrong_key(void **state) {
  sm_options o;
  sm_decoder *d;
  sm_stats st;
  size_t n;
  (void)state;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  o.key[5] ^= 0x01;
  d = decoder(&o);
  n = vkw(model.enc.fc, buf);
  feed(d, buf, n);
  expect_only(SM_ERR_KEY_WRONG);
  assert_int_equal(vec_errors(&tally), 1);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.decrypt_errors, 1);
  assert_int_equal(st.telegrams, 0);
  assert_int_equal(st.frames, 2);
  sm_decoder_free(d);
}

static void test_no_key(void **state) {
  sm_options o;
  sm_decoder *d;
  sm_stats st;
  size_t n;
  (void)state;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  o.has_key = false;
  d = decoder(&o);
  n = vkw(model.enc.fc, buf);
  feed(d, buf, n);
  expect_only(SM_ERR_NO_KEY);
  assert_int_equal(vec_errors(&tally), 1);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.decrypt_errors, 1);
  sm_decoder_free(d);
  d = decoder(NULL); /* no options at all */
  feed(d, buf, n);
  expect_only(SM_ERR_NO_KEY);
  sm_decoder_free(d);
}

/* Three frames of at most 120 data bytes (CI 00 01 12) of one telegram. */
typedef struct frames3 {
  uint8_t f[3][160];
  size_t len[3];
} frames3;

static void three_frames(uint32_t fc, frames3 *fr) {
  static uint8_t apdu[1024];
  enc_params p = model.enc;
  size_t n, k;
  p.fc = fc;
  n = enc_seal(&p, model.plain, model.plain_len, apdu, sizeof apdu);
  assert_int_equal(n, 354);
  for (k = 0; k < 3; k++) {
    size_t off = 120 * k, seg = k < 2 ? 120 : n - 240;
    uint8_t ci = (uint8_t)(k | (k == 2 ? 0x10 : 0));
    fr->len[k] = frm_mbus_frame(fr->f[k], sizeof fr->f[k], ci, apdu + off, seg);
    assert_true(fr->len[k] > 0);
  }
}

static size_t put_frames(const frames3 *fr, const char *order, uint8_t *out) {
  size_t n = 0;
  const char *c;
  for (c = order; *c; c++) {
    size_t k = (size_t)(*c - '0');
    memcpy(out + n, fr->f[k], fr->len[k]);
    n += fr->len[k];
  }
  return n;
}

/* An intact three-frame telegram (so the decoder is past start-up, where
 * stray continuation frames are dropped quietly), then frames in the order
 * given by the string ("021"): want_telegrams decoded and at least one
 * SM_ERR_SEGMENT; then the intact telegram with a newer counter. */
static void segment_case(const char *order, size_t want_telegrams) {
  frames3 fr;
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  uint32_t fc = model.enc.fc;
  three_frames(fc, &fr);
  feed(d, buf, put_frames(&fr, "012", buf));
  assert_int_equal(rec.n, 1);
  three_frames(fc + 1, &fr);
  feed(d, buf, put_frames(&fr, order, buf));
  assert_int_equal(rec.n, want_telegrams);
  assert_true(tally.errors[-SM_ERR_SEGMENT] >= 1);
  assert_int_equal(vec_errors(&tally), tally.errors[-SM_ERR_SEGMENT]);
  sm_decoder_stats(d, &st);
  assert_true(st.segment_errors >= 1);
  assert_int_equal(st.checksum_errors, 0);
  three_frames(fc + 2, &fr);
  feed(d, buf, put_frames(&fr, "012", buf));
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.s[0].fc, fc + 2);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  sm_decoder_free(d);
}

static void test_three_segments_ok(void **state) {
  frames3 fr;
  sm_decoder *d = vkw_decoder();
  (void)state;
  three_frames(model.enc.fc, &fr);
  feed(d, buf, put_frames(&fr, "012", buf));
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  sm_decoder_free(d);
}

static void test_segment_missing(void **state) {
  (void)state;
  segment_case("02", 0); /* middle lost */
  segment_case("12", 0); /* first lost */
  segment_case("2", 0);  /* only the last */
}

static void test_segment_order(void **state) {
  (void)state;
  segment_case("021", 0);
  segment_case("102", 0);
  segment_case("201", 0);
}

static void test_segment_duplicate(void **state) {
  (void)state;
  segment_case("0112", 0);
  /* a repeated last frame after a whole telegram */
  segment_case("0122", 1);
  /* a repeated first frame restarts the telegram, which then is whole */
  segment_case("0012", 1);
}

/* The last segment lost, the next telegram starts: the half telegram is
 * reported and the new one decodes. */
static void test_segment_last_lost(void **state) {
  frames3 fr;
  sm_decoder *d = vkw_decoder();
  (void)state;
  three_frames(model.enc.fc, &fr);
  feed(d, buf, put_frames(&fr, "01", buf));
  assert_int_equal(rec.n, 0);
  assert_int_equal(vec_errors(&tally), 0);
  expect_intact(d, model.enc.fc + 1);
  assert_int_equal(tally.errors[-SM_ERR_SEGMENT], 1);
  sm_decoder_free(d);
}

/* An APDU longer than SM_MAX_APDU, in 250-byte frames whose 4-bit
 * sequence number wraps: SM_ERR_TOO_LONG, then normal service. */
static void test_too_long(void **state) {
  static uint8_t plain[SM_MAX_APDU + 300], apdu[SM_MAX_APDU + 400];
  enc_params p = model.enc;
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  size_t n;
  (void)state;
  memset(plain, 0x00, sizeof plain);
  memcpy(plain, model.plain, model.plain_len);
  p.fc = model.enc.fc + 1;
  n = enc_seal(&p, plain, sizeof plain, apdu, sizeof apdu);
  assert_true(n > SM_MAX_APDU);
  n = frm_mbus_wrap(buf, BUF_MAX / 2, apdu, n, 250);
  assert_true(n > 0);
  feed(d, buf, n);
  expect_only(SM_ERR_TOO_LONG);
  sm_decoder_stats(d, &st);
  assert_true(st.segment_errors >= 1);
  expect_intact(d, model.enc.fc + 2);
  sm_decoder_free(d);
}

/* The VKW plaintext as SC 0x30: encrypted and authenticated. */
static size_t vkw_tagged(uint32_t fc, const uint8_t *auth, uint8_t *out) {
  static uint8_t apdu[1024];
  enc_params p = model.enc;
  size_t n;
  p.sc = 0x30;
  p.fc = fc;
  memcpy(p.auth_key, auth, SM_KEY_LEN);
  n = enc_seal(&p, model.plain, model.plain_len, apdu, sizeof apdu);
  assert_int_equal(n, 354 + 12);
  n = frm_mbus_wrap(out, BUF_MAX / 4, apdu, n, 250);
  assert_true(n > 0);
  return n;
}

static sm_decoder *ak_decoder(const uint8_t *auth) {
  sm_options o;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  o.has_auth_key = auth != NULL;
  if (auth)
    memcpy(o.auth_key, auth, SM_KEY_LEN);
  return decoder(&o);
}

static void test_sc30_authenticated(void **state) {
  sm_decoder *d = ak_decoder(ak);
  size_t n = vkw_tagged(model.enc.fc, ak, buf);
  (void)state;
  feed(d, buf, n);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 1);
  assert_true(rec.s[0].encrypted);
  assert_true(rec.s[0].authenticated);
  assert_false(rec.s[0].tag_unchecked);
  assert_int_equal(rec.s[0].security, 0x30);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  assert_int_equal(rec.s[0].n_numbers, VKW_NUMBERS);
  sm_decoder_free(d);
}

static void test_sc30_wrong_auth_key(void **state) {
  uint8_t other[SM_KEY_LEN];
  sm_decoder *d;
  sm_stats st;
  size_t n;
  (void)state;
  memcpy(other, ak, SM_KEY_LEN);
  other[15] ^= 0x80;
  d = ak_decoder(other);
  n = vkw_tagged(model.enc.fc, ak, buf);
  feed(d, buf, n);
  expect_only(SM_ERR_TAG);
  assert_int_equal(vec_errors(&tally), 1);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.tag_errors, 1);
  assert_int_equal(st.telegrams, 0);
  sm_decoder_free(d);
}

/* Ciphertext changed after sealing (M-Bus checksum recomputed): only the
 * tag can tell. */
static void test_sc30_tampered(void **state) {
  static uint8_t apdu[1024];
  enc_params p = model.enc;
  sm_decoder *d = ak_decoder(ak);
  size_t n;
  (void)state;
  p.sc = 0x30;
  memcpy(p.auth_key, ak, SM_KEY_LEN);
  n = enc_seal(&p, model.plain, model.plain_len, apdu, sizeof apdu);
  apdu[100] ^= 0x01;
  n = frm_mbus_wrap(buf, BUF_MAX / 4, apdu, n, 250);
  feed(d, buf, n);
  expect_only(SM_ERR_TAG);
  expect_intact(d, model.enc.fc); /* SC 0x21, no tag: still fine */
  sm_decoder_free(d);
}

static void test_sc30_no_auth_key(void **state) {
  sm_decoder *d = ak_decoder(NULL);
  size_t n = vkw_tagged(model.enc.fc, ak, buf);
  (void)state;
  feed(d, buf, n);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 1);
  assert_true(rec.s[0].encrypted);
  assert_false(rec.s[0].authenticated);
  assert_true(rec.s[0].tag_unchecked);
  assert_int_equal(rec.s[0].security, 0x30);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  sm_decoder_free(d);
}

/* SC 0x21 carries no tag: an auth key changes nothing. */
static void test_sc21_with_auth_key(void **state) {
  sm_decoder *d = ak_decoder(ak);
  (void)state;
  expect_intact(d, model.enc.fc);
  assert_false(rec.s[0].authenticated);
  assert_false(rec.s[0].tag_unchecked);
  assert_int_equal(rec.s[0].security, 0x21);
  sm_decoder_free(d);
}

static void test_replay(void **state) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  size_t n = vkw(model.enc.fc, buf);
  (void)state;
  expect_intact(d, model.enc.fc);
  feed(d, buf, n); /* the same telegram again */
  expect_only(SM_ERR_REPLAY);
  n = vkw(model.enc.fc - 1, buf); /* an older one */
  feed(d, buf, n);
  expect_only(SM_ERR_REPLAY);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.replays, 2);
  assert_int_equal(st.telegrams, 1);
  expect_intact(d, model.enc.fc + 1);
  sm_decoder_free(d);
}

static void test_forget_counters(void **state) {
  sm_decoder *d = vkw_decoder();
  (void)state;
  expect_intact(d, model.enc.fc);
  sm_decoder_forget_counters(d);
  expect_intact(d, model.enc.fc);
  sm_decoder_forget_counters(d);
  expect_intact(d, model.enc.fc - 10);
  sm_decoder_free(d);
}

/* Feed the VKW telegram with counter fc: decoded, or exactly error st. */
static void expect_fc(sm_decoder *d, uint32_t fc, sm_status st) {
  feed(d, buf, vkw(fc, buf));
  if (st == SM_TELEGRAM) {
    assert_int_equal(vec_errors(&tally), 0);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.s[0].fc, fc);
    assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  } else {
    expect_only(st);
    assert_int_equal(vec_errors(&tally), 1);
  }
}

/* sm_replay.c: counters below the remembered one are a restart only with
 * a newer meter time (test_safety.c has those). Every copy of the capture
 * carries the same meter time: however many rising lower counters come,
 * none is taken (the old rule took the third). */
static void test_counter_restart(void **state) {
  uint32_t f = model.enc.fc;
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  (void)state;
  expect_fc(d, f, SM_TELEGRAM);
  for (uint32_t fc = 7; fc < 20; fc++)
    expect_fc(d, fc, SM_ERR_REPLAY);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.counter_resets, 0);
  assert_int_equal(st.replays, 13);
  expect_fc(d, f + 1, SM_TELEGRAM); /* the real sequence goes on */
  sm_decoder_free(d);
}

/* Old telegrams in any order: all refused, no restart. */
static void test_counter_restart_needs_run(void **state) {
  uint32_t f = model.enc.fc;
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  (void)state;
  expect_fc(d, f, SM_TELEGRAM);
  expect_fc(d, f - 50, SM_ERR_REPLAY);
  expect_fc(d, f - 60, SM_ERR_REPLAY);
  expect_fc(d, f - 59, SM_ERR_REPLAY);
  expect_fc(d, f - 58, SM_ERR_REPLAY);
  expect_fc(d, f - 57, SM_ERR_REPLAY);
  expect_fc(d, f, SM_ERR_REPLAY);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.counter_resets, 0);
  assert_int_equal(st.replays, 6);
  sm_decoder_free(d);
}

/* A replayed telegram that fails to decode (wrong key) must not start or
 * feed a restart run: only decrypted, parsed telegrams count. */
static void test_counter_untouched_by_bad(void **state) {
  sm_options o;
  sm_decoder *d;
  uint32_t f = model.enc.fc;
  (void)state;
  vec_options(&cap, SM_INPUT_MBUS, &o);
  d = decoder(&o);
  expect_fc(d, f, SM_TELEGRAM);
  model.enc.key[0] ^= 0x40; /* sealed with another key from now on */
  expect_fc(d, f + 5, SM_ERR_KEY_WRONG);
  model.enc.key[0] ^= 0x40;
  expect_fc(d, f + 1, SM_TELEGRAM); /* f + 5 was not remembered */
  sm_decoder_free(d);
}

/* Counters are kept per system title. */
static void test_counters_per_title(void **state) {
  sm_decoder *d = vkw_decoder();
  vec_model saved = model;
  (void)state;
  expect_intact(d, model.enc.fc);
  model.enc.system_title[7] ^= 0x01; /* another meter, same key */
  expect_intact(d, 5);
  model = saved;
  feed(d, buf, vkw(model.enc.fc, buf));
  expect_only(SM_ERR_REPLAY);
  sm_decoder_free(d);
}

static void expect_plain(sm_decoder *d, const uint8_t *p, size_t n) {
  feed(d, p, n);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 1);
  assert_false(rec.s[0].encrypted);
  assert_false(rec.s[0].authenticated);
  assert_int_equal(rec.s[0].security, 0);
  assert_int_equal(rec.s[0].fc, 0);
  assert_int_equal(rec.s[0].energy_import, VKW_ENERGY);
  assert_int_equal(rec.s[0].n_numbers, VKW_NUMBERS);
  assert_string_equal(rec.s[0].meter_number, "1KFM0200175269");
}

/* A plaintext data-notification (0x0F), as bare APDU (auto-detected) and
 * in M-Bus frames, with and without a key configured. */
static void test_unencrypted(void **state) {
  sm_options o;
  sm_decoder *d;
  size_t n;
  (void)state;
  /* Framing auto never takes a bare 0F: it has no length and no check. */
  d = decoder(NULL);
  feed(d, model.plain, model.plain_len);
  assert_int_equal(rec.n, 0);
  sm_decoder_free(d);
  memset(&o, 0, sizeof o);
  o.input = SM_INPUT_APDU;
  d = decoder(&o);
  expect_plain(d, model.plain, model.plain_len);
  expect_plain(d, model.plain, model.plain_len); /* no counter to replay */
  sm_decoder_free(d);
  vec_options(&cap, SM_INPUT_MBUS, &o);
  d = decoder(&o);
  n = frm_mbus_wrap(buf, BUF_MAX / 4, model.plain, model.plain_len, 250);
  expect_plain(d, buf, n);
  sm_decoder_free(d);
}

/* Seal plaintext p (n bytes) like the VKW telegram with SC sc, frame it. */
static size_t sealed_variant(const uint8_t *p, size_t n, uint8_t sc, size_t cut,
                             uint8_t *out) {
  static uint8_t apdu[1024];
  enc_params e = model.enc;
  size_t k;
  e.sc = sc;
  e.fc = model.enc.fc + 1;
  k = enc_seal(&e, p, n, apdu, sizeof apdu);
  assert_true(k > cut);
  k = frm_mbus_wrap(out, BUF_MAX / 4, apdu, k - cut, 250);
  assert_true(k > 0);
  return k;
}

static void expect_rejected(const uint8_t *p, size_t n, uint8_t sc, size_t cut,
                            sm_status want) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  feed(d, buf, sealed_variant(p, n, sc, cut, buf));
  expect_only(want);
  assert_int_equal(vec_errors(&tally), 1);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.telegrams, 0);
  if (want != SM_ERR_KEY_WRONG)
    assert_int_equal(st.format_errors, 1);
  expect_intact(d, model.enc.fc + 1); /* the counter was not taken */
  sm_decoder_free(d);
}

/* Decrypts, but is not a data-notification (0xC2 event-notification
 * tag): without a tag that is indistinguishable from a wrong key. */
static void test_not_a_notification(void **state) {
  static uint8_t p[SM_MAX_APDU];
  (void)state;
  memcpy(p, model.plain, model.plain_len);
  p[0] = 0xC2;
  expect_rejected(p, model.plain_len, 0x21, 0, SM_ERR_KEY_WRONG);
}

/* A data-notification cut short inside its A-XDR body. */
static void test_truncated_axdr(void **state) {
  (void)state;
  expect_rejected(model.plain, 300, 0x21, 0, SM_ERR_AXDR);
  expect_rejected(model.plain, 40, 0x21, 0, SM_ERR_AXDR);
}

/* Security suite 5 and compression are not AES-GCM-128 suites 0/1. */
static void test_unsupported_suite(void **state) {
  (void)state;
  expect_rejected(model.plain, model.plain_len, 0x25, 0, SM_ERR_UNSUPPORTED);
  expect_rejected(model.plain, model.plain_len, 0xA1, 0, SM_ERR_UNSUPPORTED);
}

/* The APDU's BER length promises more than the M-Bus frames carry. */
static void test_apdu_length(void **state) {
  (void)state;
  expect_rejected(model.plain, model.plain_len, 0x21, 10, SM_ERR_APDU_LENGTH);
}

static void test_idle_drops_half(void **state) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  size_t n = vkw(model.enc.fc, buf);
  (void)state;
  assert_false(idle(d)); /* nothing pending */
  feed(d, buf, 256);     /* frame 1 of 2 */
  assert_int_equal(rec.n, 0);
  assert_true(idle(d));
  assert_false(idle(d));
  feed(d, buf + 256, n - 256); /* frame 2 alone */
  expect_only(SM_ERR_SEGMENT);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.partial_drops, 1);
  expect_intact(d, model.enc.fc);
  sm_decoder_free(d);
}

static void test_idle_mid_frame(void **state) {
  sm_decoder *d = vkw_decoder();
  sm_stats st;
  size_t n = vkw(model.enc.fc, buf);
  (void)state;
  feed(d, buf, 100);
  assert_true(idle(d));
  feed(d, buf + 100, n - 100);
  assert_int_equal(rec.n, 0);
  sm_decoder_stats(d, &st);
  assert_int_equal(st.partial_drops, 1);
  assert_int_equal(st.telegrams, 0);
  expect_intact(d, model.enc.fc);
  sm_decoder_free(d);
}

static void test_strerror(void **state) {
  size_t i, j;
  enum { LO = SM_ERR_NOMEM, HI = SM_TELEGRAM };
  const char *text[HI - LO + 1];
  (void)state;
  for (i = 0; i <= HI - LO; i++) {
    text[i] = sm_strerror((sm_status)((int)i + LO));
    assert_non_null(text[i]);
    assert_true(strlen(text[i]) > 0);
  }
  for (i = 0; i <= HI - LO; i++)
    for (j = i + 1; j <= HI - LO; j++)
      assert_string_not_equal(text[i], text[j]);
  assert_non_null(sm_strerror((sm_status)99));
  assert_true(strlen(sm_strerror((sm_status)99)) > 0);
  assert_non_null(sm_strerror((sm_status)-99));
}

static void test_api_edges(void **state) {
  sm_decoder *d = vkw_decoder();
  const sm_telegram *t = (const sm_telegram *)buf;
  size_t used = 99;
  (void)state;
  assert_int_equal(sm_decoder_feed(d, NULL, 0, &used, &t), SM_NEED_MORE);
  assert_int_equal(used, 0);
  assert_null(t);
  assert_int_equal(sm_decoder_feed(d, NULL, 5, &used, &t), SM_ERR_ARG);
  assert_int_equal(sm_decoder_feed(NULL, buf, 5, &used, &t), SM_ERR_ARG);
  sm_decoder_free(d);
  sm_decoder_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flipped_bit),
      cmocka_unit_test(test_wrong_stop_byte),
      cmocka_unit_test(test_wrong_key),
      cmocka_unit_test(test_no_key),
      cmocka_unit_test(test_three_segments_ok),
      cmocka_unit_test(test_segment_missing),
      cmocka_unit_test(test_segment_order),
      cmocka_unit_test(test_segment_duplicate),
      cmocka_unit_test(test_segment_last_lost),
      cmocka_unit_test(test_too_long),
      cmocka_unit_test(test_sc30_authenticated),
      cmocka_unit_test(test_sc30_wrong_auth_key),
      cmocka_unit_test(test_sc30_tampered),
      cmocka_unit_test(test_sc30_no_auth_key),
      cmocka_unit_test(test_sc21_with_auth_key),
      cmocka_unit_test(test_replay),
      cmocka_unit_test(test_forget_counters),
      cmocka_unit_test(test_counters_per_title),
      cmocka_unit_test(test_counter_restart),
      cmocka_unit_test(test_counter_restart_needs_run),
      cmocka_unit_test(test_counter_untouched_by_bad),
      cmocka_unit_test(test_unencrypted),
      cmocka_unit_test(test_not_a_notification),
      cmocka_unit_test(test_truncated_axdr),
      cmocka_unit_test(test_unsupported_suite),
      cmocka_unit_test(test_apdu_length),
      cmocka_unit_test(test_idle_drops_half),
      cmocka_unit_test(test_idle_mid_frame),
      cmocka_unit_test(test_strerror),
      cmocka_unit_test(test_api_edges),
  };
  return cmocka_run_group_tests_name("negative", tests, load, NULL);
}
