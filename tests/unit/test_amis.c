/* SPDX-License-Identifier: MIT */
/* test_amis.c - Netz OÖ's AMIS meters: the specification's example frame
 * decodes to exactly its printed values (and the test sealer,
 * enc_amis_snd_ud(), makes exactly its bytes); synthetic streams after a
 * SND_NKE, across the access-number wrap, with noise, fake headers and E5
 * echoes, a bad checksum, a wrong key and a repeated frame; the E5 owed
 * for each frame addressed to the reader and never for anything else; the
 * EN 13757-3 record walker fails closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoder.h"
#include "framer.h"
#include "sm_names.h"
#include "sm_private.h"
#include "vec.h"

#define SPEC "amis_netzooe_spec_example.hex"
#define FRAME_LEN ENC_AMIS_FRAME
#define PLAIN_LEN ENC_AMIS_PLAIN
#define OFF_CONFIG 17

static const uint8_t KEY[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t NKE[] = {0x10, 0x40, 0xF0, 0x30, 0x16};
static const uint8_t ADDRESS[8] = {0x2D, 0x4C, 0, 0, 0, 0, 0x01, 0x0E};

/* The spec's plaintext (SPEC 2.4.2.9): 2F 2F, type I date-time, then the
 * nine readings, 2F 2F. */
static const uint8_t SPEC_PLAIN[PLAIN_LEN] = {
    0x2F, 0x2F, 0x06, 0x6D, 0x5F, 0x0C, 0x48, 0xC1, 0x17, 0x1B, 0x04, 0x03,
    0x00, 0x72, 0x0A, 0x00, 0x04, 0x83, 0x3C, 0x84, 0xF9, 0x01, 0x00, 0x84,
    0x10, 0xFB, 0x82, 0x73, 0x1E, 0x76, 0x05, 0x00, 0x84, 0x10, 0xFB, 0x82,
    0xF3, 0x3C, 0x26, 0x3E, 0x01, 0x00, 0x04, 0x2B, 0x00, 0x00, 0x00, 0x00,
    0x04, 0xAB, 0x3C, 0x75, 0x00, 0x00, 0x00, 0x04, 0xFB, 0x14, 0x00, 0x00,
    0x00, 0x00, 0x04, 0xFB, 0x94, 0x3C, 0x00, 0x00, 0x00, 0x00, 0x04, 0x83,
    0xFF, 0x04, 0x14, 0x00, 0x00, 0x00, 0x2F, 0x2F};
#define OFF_SECOND 4  /* in the plaintext: type I seconds */
#define OFF_ENERGY 12 /* 1.8.0, 4 bytes LSB first */

static vec_record rec;
static vec_tally tally;

static int setup(void **state) {
  (void)state;
  return sm_crypto_init() == SM_NEED_MORE ? 0 : -1;
}

static sm_decoder *decoder(sm_input in, const uint8_t *key) {
  sm_options o = {.input = in};
  if (key) {
    o.has_key = true;
    memcpy(o.key, key, 16);
  }
  sm_status err = SM_ERR_ARG;
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

static void feed(sm_decoder *d, const uint8_t *p, size_t n) {
  vec_feed(d, p, n, &tally);
  assert_false(tally.api_violation);
}

/* ---- building frames --------------------------------------------------- */

/* A SND_UD as the meter sends it: access number acc, FCB, plaintext
 * plain[0..80) encrypted under key. Returns FRAME_LEN. */
static size_t snd_ud(uint8_t *f, uint8_t acc, bool fcb, const uint8_t *plain,
                     const uint8_t key[16]) {
  size_t n = enc_amis_snd_ud(f, FRAME_LEN, key, acc, fcb, plain);
  assert_int_equal(n, FRAME_LEN);
  return n;
}

/* The plaintext of second k: the spec's records with the clock's seconds
 * and the import counter moved on. */
static void plain_at(uint8_t *p, unsigned k) {
  memcpy(p, SPEC_PLAIN, PLAIN_LEN);
  p[OFF_SECOND] = (uint8_t)((p[OFF_SECOND] & 0xC0) | (k % 60));
  uint32_t e = 684544 + k;
  for (int i = 0; i < 4; i++)
    p[OFF_ENERGY + i] = (uint8_t)(e >> (8 * i));
}

/* A link start followed by frames of access numbers first.. (count), FCB
 * toggling from 1 as after a SND_NKE. */
static size_t stream(uint8_t *out, bool nke, unsigned first, unsigned count,
                     const uint8_t key[16]) {
  size_t n = 0;
  uint8_t plain[PLAIN_LEN];
  if (nke) {
    memcpy(out, NKE, sizeof NKE);
    n = sizeof NKE;
  }
  for (unsigned i = 0; i < count; i++) {
    plain_at(plain, first + i);
    n += snd_ud(out + n, (uint8_t)(first + i), (i % 2) == 0, plain, key);
  }
  return n;
}

/* ---- the specification's example ---------------------------------------- */

typedef struct want {
  uint8_t c, d, e;
  int64_t raw;
  uint8_t unit;
} want;

static const want SPEC_VALUES[] = {
    {1, 8, 0, 684544, 30}, {2, 8, 0, 129412, 30}, {3, 8, 1, 357918, 32},
    {4, 8, 1, 81446, 32},  {1, 7, 0, 0, 27},      {2, 7, 0, 117, 27},
    {3, 7, 0, 0, 29},      {4, 7, 0, 0, 29},      {1, 128, 0, 20, 30},
};
#define N_SPEC (sizeof SPEC_VALUES / sizeof SPEC_VALUES[0])

static void check_spec_telegram(const sm_telegram *t) {
  assert_int_equal(t->framing, SM_INPUT_AMIS);
  assert_true(t->encrypted);
  assert_false(t->authenticated);
  assert_false(t->tag_unchecked);
  assert_int_equal(t->security, 5);
  assert_memory_equal(t->system_title, ADDRESS, 8);
  assert_int_equal(t->frame_counter, 13);
  assert_string_equal(t->meter_number, "");
  const sm_datetime *dt = &t->meter_time;
  assert_true(dt->present);
  assert_int_equal(dt->year, 2014);
  assert_int_equal(dt->month, 7);
  assert_int_equal(dt->day, 1);
  assert_int_equal(dt->weekday, 2); /* a Tuesday */
  assert_int_equal(dt->hour, 8);
  assert_int_equal(dt->minute, 12);
  assert_int_equal(dt->second, 31);
  assert_int_equal(dt->status, 0x80); /* SU: summer time */
  assert_int_equal(t->n_values, N_SPEC);
  for (size_t i = 0; i < N_SPEC; i++) {
    const sm_value *v = &t->values[i];
    const uint8_t obis[6] = {
        1, 0, SPEC_VALUES[i].c, SPEC_VALUES[i].d, SPEC_VALUES[i].e, 255};
    assert_memory_equal(v->obis, obis, 6);
    assert_int_equal(v->kind, SM_VALUE_NUMBER);
    assert_false(v->is_float);
    assert_int_equal(v->scaler, 0);
    assert_int_equal(v->raw, SPEC_VALUES[i].raw);
    assert_true(v->value == (double)SPEC_VALUES[i].raw);
    assert_int_equal(v->unit, SPEC_VALUES[i].unit);
  }
}

/* In one piece and byte by byte, found by Framing auto and forced: the
 * printed values exactly, one E5 owed. */
static void test_spec_example(void **state) {
  (void)state;
  vec v;
  assert_int_equal(vec_load(SPEC, &v), 0);
  assert_int_equal(v.len, FRAME_LEN);
  assert_memory_equal(v.key, KEY, 16);
  for (int mode = 0; mode < 4; mode++) {
    sm_decoder *d = decoder(mode & 1 ? SM_INPUT_AMIS : SM_INPUT_AUTO, KEY);
    const sm_telegram *t = NULL;
    sm_status st = SM_NEED_MORE;
    size_t used = 0;
    if (mode < 2) {
      st = sm_decoder_feed(d, v.bytes, v.len, &used, &t);
      assert_int_equal(used, v.len);
    } else {
      for (size_t k = 0; k < v.len && st == SM_NEED_MORE; k++) {
        st = sm_decoder_feed(d, v.bytes + k, 1, &used, &t);
        assert_int_equal(used, 1);
        assert_int_equal(sm_decoder_acks_due(d), st == SM_NEED_MORE ? 0 : 1);
      }
    }
    assert_int_equal(st, SM_TELEGRAM);
    check_spec_telegram(t);
    assert_int_equal(sm_decoder_framing(d), SM_INPUT_AMIS);
    if (mode < 2)
      assert_int_equal(sm_decoder_acks_due(d), 1);
    assert_int_equal(sm_decoder_acks_due(d), 0); /* cleared */
    sm_decoder_free(d);
  }
}

/* The plaintext the test builds from is the spec's: encrypting it gives
 * the spec's frame, byte for byte. */
static void test_builder_matches_spec(void **state) {
  (void)state;
  vec v;
  uint8_t f[FRAME_LEN];
  assert_int_equal(vec_load(SPEC, &v), 0);
  snd_ud(f, 0x0D, false, SPEC_PLAIN, KEY);
  assert_memory_equal(f, v.bytes, FRAME_LEN);
}

/* Framing mbus still refuses the frame (CI 0x5B is not DLMS) and owes no
 * E5: only the AMIS row acknowledges. */
static void test_mbus_row_refuses(void **state) {
  (void)state;
  vec v;
  assert_int_equal(vec_load(SPEC, &v), 0);
  sm_decoder *d = decoder(SM_INPUT_MBUS, KEY);
  reset_tally();
  feed(d, v.bytes, v.len);
  assert_int_equal(rec.n, 0);
  assert_int_equal(tally.errors[-SM_ERR_UNSUPPORTED], 1);
  assert_int_equal(sm_decoder_acks_due(d), 0);
  sm_decoder_free(d);
}

/* ---- streams ------------------------------------------------------------ */

static uint8_t buf[64 * 1024];

/* SND_NKE, then one SND_UD a second from access number 0: every frame
 * decoded, one E5 per frame including the SND_NKE. */
static void test_after_nke(void **state) {
  (void)state;
  size_t n = stream(buf, true, 0, 10, KEY);
  sm_decoder *d = decoder(SM_INPUT_AUTO, KEY);
  reset_tally();
  feed(d, buf, n);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 10);
  for (unsigned i = 0; i < 10; i++) {
    assert_int_equal(rec.s[i].fc, i);
    assert_int_equal(rec.s[i].energy_import, 684544 + i);
    assert_int_equal(rec.s[i].n_numbers, 9);
  }
  assert_int_equal(sm_decoder_acks_due(d), 11);
  sm_decoder_free(d);
}

/* The access number runs 250 .. 255, 0 .. 9: a wrap is no replay. Then a
 * SND_NKE and access number 0 again: a restart is no replay either. */
static void test_wrap_and_restart(void **state) {
  (void)state;
  sm_decoder *d = decoder(SM_INPUT_AMIS, KEY);
  reset_tally();
  size_t n = stream(buf, false, 250, 16, KEY);
  feed(d, buf, n);
  n = stream(buf, true, 0, 3, KEY);
  feed(d, buf, n);
  n = stream(buf, false, 0, 2, KEY); /* restart without SND_NKE seen */
  feed(d, buf, n);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 21);
  for (unsigned i = 0; i < 16; i++)
    assert_int_equal(rec.s[i].fc, (250 + i) % 256);
  assert_int_equal(rec.s[16].fc, 0);
  assert_int_equal(rec.s[19].fc, 0);
  sm_stats s;
  sm_decoder_stats(d, &s);
  assert_int_equal(s.replays, 0);
  assert_int_equal(s.telegrams, 21);
  assert_int_equal(sm_decoder_acks_due(d), 22);
  sm_decoder_free(d);
}

/* An unacknowledged frame the meter sends again (the same access number
 * and bytes) is acknowledged again and decoded once; the next fresh frame
 * decodes. */
static void test_repeated_frame(void **state) {
  (void)state;
  uint8_t plain[PLAIN_LEN];
  sm_decoder *d = decoder(SM_INPUT_AUTO, KEY);
  reset_tally();
  plain_at(plain, 0);
  size_t n = snd_ud(buf, 7, true, plain, KEY);
  feed(d, buf, n);
  assert_int_equal(sm_decoder_acks_due(d), 1);
  feed(d, buf, n); /* the repeat */
  assert_int_equal(sm_decoder_acks_due(d), 1);
  feed(d, buf, n);
  assert_int_equal(sm_decoder_acks_due(d), 1);
  plain_at(plain, 1);
  n = snd_ud(buf, 8, false, plain, KEY);
  feed(d, buf, n);
  assert_int_equal(sm_decoder_acks_due(d), 1);
  assert_int_equal(vec_errors(&tally), 0);
  assert_int_equal(rec.n, 2);
  assert_int_equal(rec.s[0].fc, 7);
  assert_int_equal(rec.s[1].fc, 8);
  sm_stats s;
  sm_decoder_stats(d, &s);
  assert_int_equal(s.frames, 4);
  assert_int_equal(s.replays, 0);
  sm_decoder_free(d);
}

/* Between the frames: E5 echoes of our own answers, short frames that are
 * not the SND_NKE, fake long headers (one claims the AMIS shape and then
 * breaks off right before a real frame), random bytes. Every frame is
 * found and owes one E5; nothing else owes one. */
static void test_noise(void **state) {
  (void)state;
  static const uint8_t junk[][8] = {
      {0xE5},
      {0xE5, 0xE5},
      {0x10, 0x40, 0xF0, 0x30},             /* a cut SND_NKE */
      {0x10, 0x5B, 0xF0, 0x4B, 0x16},       /* REQ_UD2: never answered */
      {0x10, 0x40, 0xFE, 0x3E, 0x16},       /* SND_NKE to another address */
      {0x68, 0x5F, 0x5F, 0x68, 0x53, 0xF0}, /* an AMIS header, cut */
      {0x68, 0xFA, 0xFA, 0x68},
      {0x68, 0x72, 0x72, 0x68, 0x08},
  };
  uint64_t seed = 0xA315;
  uint8_t plain[PLAIN_LEN];
  size_t n = 0;
  unsigned frames = 40;
  for (unsigned i = 0; i < frames; i++) {
    unsigned k = (unsigned)(vec_rand(&seed) % 4);
    for (unsigned j = 0; j < k; j++) {
      size_t which = vec_rand(&seed) % (sizeof junk / sizeof junk[0]);
      size_t len = strnlen((const char *)junk[which], 8);
      memcpy(buf + n, junk[which], len);
      n += len;
    }
    for (unsigned j = vec_rand(&seed) % 5; j > 0; j--)
      buf[n++] = (uint8_t)vec_rand(&seed);
    plain_at(plain, i);
    n += snd_ud(buf + n, (uint8_t)i, i % 2 == 0, plain, KEY);
  }
  for (int mode = 0; mode < 2; mode++) {
    sm_decoder *d = decoder(mode ? SM_INPUT_AMIS : SM_INPUT_AUTO, KEY);
    reset_tally();
    vec_feed_chunks(d, buf, n, 29, &seed, &tally);
    vec_idle(d, &tally);
    assert_false(tally.api_violation);
    assert_int_equal(rec.n, frames);
    for (unsigned i = 0; i < frames; i++)
      assert_int_equal(rec.s[i].energy_import, 684544 + i);
    assert_int_equal(tally.errors[-SM_ERR_KEY_WRONG], 0);
    assert_int_equal(sm_decoder_acks_due(d), frames);
    sm_decoder_free(d);
  }
}

/* A bad checksum or stop byte: an error, no telegram, no E5 (a slave does
 * not answer a faulty frame); the next frame decodes. */
static void test_bad_checksum(void **state) {
  (void)state;
  uint8_t plain[PLAIN_LEN];
  sm_decoder *d = decoder(SM_INPUT_AUTO, KEY);
  reset_tally();
  plain_at(plain, 0);
  size_t n = snd_ud(buf, 1, true, plain, KEY);
  buf[FRAME_LEN - 2] ^= 0x01; /* CS */
  plain_at(plain, 1);
  n += snd_ud(buf + n, 2, false, plain, KEY);
  buf[n - 40] ^= 0x80; /* ciphertext, CS left as it was */
  plain_at(plain, 2);
  n += snd_ud(buf + n, 3, true, plain, KEY);
  buf[n - 1] = 0x17; /* stop byte */
  plain_at(plain, 3);
  n += snd_ud(buf + n, 4, false, plain, KEY);
  feed(d, buf, n);
  vec_idle(d, &tally);
  assert_int_equal(rec.n, 1);
  assert_int_equal(rec.s[0].fc, 4);
  assert_int_equal(tally.errors[-SM_ERR_CHECKSUM], 2);
  assert_int_equal(tally.errors[-SM_ERR_STOP_BYTE], 1);
  assert_int_equal(sm_decoder_acks_due(d), 1);
  sm_decoder_free(d);
}

/* Another meter's key: every frame is still owed its E5 (or the meter
 * would fall silent and the user would never learn why), none gives a
 * value, each says wrong key. No key at all: the same, "no key". */
static void test_wrong_key(void **state) {
  (void)state;
  static const uint8_t other[16] = {0x01, 0x11, 0x22, 0x33, 0x44, 0x55,
                                    0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,
                                    0xCC, 0xDD, 0xEE, 0xFF};
  size_t n = stream(buf, true, 0, 20, KEY);
  for (int with_key = 1; with_key >= 0; with_key--) {
    sm_decoder *d = decoder(SM_INPUT_AUTO, with_key ? other : NULL);
    reset_tally();
    feed(d, buf, n);
    assert_int_equal(rec.n, 0);
    assert_int_equal(
        tally.errors[with_key ? -SM_ERR_KEY_WRONG : -SM_ERR_NO_KEY], 20);
    assert_int_equal(vec_errors(&tally), 20);
    assert_int_equal(sm_decoder_acks_due(d), 21);
    sm_decoder_free(d);
  }
  /* The detail says why, right after the result. */
  sm_decoder *d = decoder(SM_INPUT_AUTO, other);
  const sm_telegram *t;
  size_t used;
  assert_int_equal(sm_decoder_feed(d, buf + 5, FRAME_LEN, &used, &t),
                   SM_ERR_KEY_WRONG);
  assert_non_null(strstr(sm_decoder_detail(d), "2F 2F"));
  assert_int_equal(sm_decoder_acks_due(d), 1);
  sm_decoder_free(d);
  /* 2F 2F by chance (one wrong key in 65536): the records do not walk. */
  uint8_t plain[PLAIN_LEN];
  memset(plain, 0xA5, sizeof plain);
  plain[0] = plain[1] = 0x2F;
  plain[2] = 0x0F; /* special function: no size */
  d = decoder(SM_INPUT_AUTO, KEY);
  reset_tally();
  feed(d, buf, snd_ud(buf, 0, true, plain, KEY));
  assert_int_equal(tally.errors[-SM_ERR_KEY_WRONG], 1);
  assert_int_equal(sm_decoder_acks_due(d), 1);
  sm_decoder_free(d);
}

/* The configuration word: mode 5 only, as many blocks as data. */
static void test_configuration_word(void **state) {
  (void)state;
  uint8_t plain[PLAIN_LEN];
  plain_at(plain, 0);
  static const struct {
    uint8_t lo, hi;
    sm_status st;
  } cases[] = {
      {0x50, 0x07, SM_ERR_UNSUPPORTED}, /* mode 7 */
      {0x50, 0x00, SM_ERR_UNSUPPORTED}, /* mode 0 */
      {0x60, 0x05, SM_ERR_APDU_LENGTH}, /* 6 blocks in 80 bytes */
      {0x00, 0x05, SM_ERR_APDU_LENGTH}, /* no block */
      {0x40, 0x05, 0}, /* 4 blocks: the 5th is read as records */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = snd_ud(buf, 0, true, plain, KEY);
    buf[OFF_CONFIG] = cases[i].lo;
    buf[OFF_CONFIG + 1] = cases[i].hi;
    frm_mbus_fix_checksum(buf, n);
    sm_decoder *d = decoder(SM_INPUT_AMIS, KEY);
    reset_tally();
    feed(d, buf, n);
    assert_int_equal(rec.n, 0);
    assert_int_equal(vec_errors(&tally), 1);
    if (cases[i].st != 0)
      assert_int_equal(tally.errors[-cases[i].st], 1);
    assert_int_equal(sm_decoder_acks_due(d), 1);
    sm_decoder_free(d);
  }
}

/* Every other capture in tests/vectors, with its key and Framing auto:
 * not one E5 owed, so a reader never writes to those ports. */
static void test_other_meters_never_acked(void **state) {
  (void)state;
  static const char *const extra[] = {
      "extra_dsmr_in_gcm_steiermark_sagemcom_rddl.hex",
      "extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex",
      "extra_hdlc_lg_e450_dlmsparser_1.hex",
      "extra_hdlc_lg_e450_dlmsparser_2.hex",
      "extra_hdlc_wels_im350_shrdzm_1.hex",
      "extra_hdlc_wels_im350_shrdzm_2.hex",
      "extra_hdlc_wienernetze_am550_shrdzm_1.hex",
      "extra_hdlc_wienernetze_im350_shrdzm_1.hex",
      "extra_hdlc_wienernetze_im350_shrdzm_2.hex",
  };
  size_t total = 0;
  for (size_t i = 0; i < VEC_N_FILES + sizeof extra / sizeof extra[0]; i++) {
    static vec v;
    sm_options o;
    const char *name = i < VEC_N_FILES ? vec_files[i] : extra[i - VEC_N_FILES];
    assert_int_equal(vec_load(name, &v), 0);
    vec_options(&v, SM_INPUT_AUTO, &o);
    sm_decoder *d = sm_decoder_new(&o, NULL);
    assert_non_null(d);
    reset_tally();
    for (int twice = 0; twice < 2; twice++)
      feed(d, v.bytes, v.len);
    vec_idle(d, &tally);
    total += rec.n;
    assert_int_equal(sm_decoder_acks_due(d), 0);
    sm_decoder_free(d);
  }
  print_message("# %zu telegrams of other meters, no E5 owed\n", total);
  assert_true(total >= 10);
}

/* ---- the record walker -------------------------------------------------- */

static sm_telegram tel;
static char detail[SM_DETAIL_MAX];

static sm_status records(const uint8_t *p, size_t n, uint16_t mfr) {
  memset(&tel, 0, sizeof tel);
  detail[0] = '\0';
  return sm_mbus_records(p, n, mfr, &tel, detail, sizeof detail);
}

#define SAM 0x4C2D

/* Records that map to readings: scalers from the VIF and the 7x factor,
 * tariffs from the DIFE, the Inkasso register signed and only for SAM, the
 * other counters unsigned; type I without SU, and with its invalid bit. */
static void test_records_known(void **state) {
  (void)state;
  static const uint8_t p[] = {
      0x2F, 0x06, 0x6D, 0x1E, 0x1E, 0x0A, 0x0F, 0x3C, 0x01, /* 2024-12-15 */
      0x04, 0x06, 0x01, 0x00, 0x00, 0x00,                   /* 1 x 10^3 Wh */
      0x84, 0x20, 0x03, 0x02, 0x00, 0x00, 0x00,             /* tariff 2 */
      0x04, 0x2A, 0x05, 0x00, 0x00, 0x00,                   /* 5 x 10^-1 W */
      0x04, 0x83, 0xFF, 0x04, 0xFF, 0xFF, 0xFF, 0xFF,       /* Inkasso -1 */
      0x04, 0x83, 0x3C, 0xFF, 0xFF, 0xFF, 0xFF,             /* 2^32 - 1 */
      0x02, 0xFB, 0x03, 0x10, 0x00,                         /* 16 x 10^4 varh */
      0x2F, 0x2F};
  assert_int_equal(records(p, sizeof p, SAM), SM_TELEGRAM);
  assert_true(tel.meter_time.present);
  assert_int_equal(tel.meter_time.year, 2024);
  assert_int_equal(tel.meter_time.month, 12);
  assert_int_equal(tel.meter_time.day, 15);
  assert_int_equal(tel.meter_time.hour, 10);
  assert_int_equal(tel.meter_time.weekday, 0xFF);
  assert_int_equal(tel.meter_time.status, 0);
  assert_int_equal(tel.n_values, 6);
  static const struct {
    uint8_t c, d, e;
    int64_t raw;
    int scaler;
  } w[] = {{1, 8, 0, 1, 3},    {1, 8, 2, 2, 0},          {1, 7, 0, 5, -1},
           {1, 128, 0, -1, 0}, {2, 8, 0, 4294967295, 0}, {3, 8, 0, 16, 4}};
  for (size_t i = 0; i < 6; i++) {
    const uint8_t obis[6] = {1, 0, w[i].c, w[i].d, w[i].e, 255};
    assert_memory_equal(tel.values[i].obis, obis, 6);
    assert_int_equal(tel.values[i].raw, w[i].raw);
    assert_int_equal(tel.values[i].scaler, w[i].scaler);
  }
  assert_true(tel.values[0].value == 1000.0);
  assert_true(tel.values[2].value == 0.5);
  char text[SM_NUM_MAX];
  sm_value_format(&tel.values[2], text, sizeof text);
  assert_string_equal(text, "0.5");
  assert_string_equal(sm_obis_table_name(tel.values[3].obis), "energy_inkasso");
  /* The same records from another manufacturer: FF 04 means nothing. */
  assert_int_equal(records(p, sizeof p, 0x1234), SM_ERR_LAYOUT);
  assert_int_equal(tel.n_values, 0);
  assert_non_null(strstr(detail, "record 5"));
  /* The invalid bit: values, but no meter time. */
  uint8_t q[sizeof p];
  memcpy(q, p, sizeof p);
  q[4] |= 0x80;
  assert_int_equal(records(q, sizeof q, SAM), SM_TELEGRAM);
  assert_false(tel.meter_time.present);
  assert_int_equal(tel.n_values, 6);
}

/* Anything not fully understood: no readings at all, and the detail names
 * the record. */
static void test_records_fail_closed(void **state) {
  (void)state;
  static const struct {
    uint8_t p[12];
    size_t n;
    sm_status st;
  } cases[] = {
      {{0x04, 0x13, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},       /* volume */
      {{0x04, 0x83, 0x3B, 1, 2, 3, 4}, 7, SM_ERR_LAYOUT}, /* forward only */
      {{0x04, 0x83, 0xBC, 0x3C, 1, 2, 3, 4}, 8, SM_ERR_LAYOUT},
      {{0x44, 0x03, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},       /* storage 1 */
      {{0x14, 0x03, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},       /* maximum */
      {{0x84, 0x40, 0x03, 1, 2, 3, 4}, 7, SM_ERR_LAYOUT}, /* subunit */
      {{0x05, 0x03, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},       /* a float */
      {{0x0C, 0x03, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},       /* BCD */
      {{0x04, 0x03, 1, 2, 3, 4, 0x04, 0x03, 1, 2, 3, 4}, 12, SM_ERR_LAYOUT},
      {{0x04, 0x6D, 1, 2, 3, 4}, 6, SM_ERR_LAYOUT},             /* type F */
      {{0x06, 0x6D, 0x3C, 0, 0, 0x21, 1, 0}, 8, SM_ERR_LAYOUT}, /* sec 60 */
      {{0x04, 0x03, 1, 2, 3}, 5, SM_ERR_APDU_LENGTH},
      {{0x84, 0x80, 0x80}, 3, SM_ERR_APDU_LENGTH},
      {{0x0F, 1, 2, 3}, 4, SM_ERR_UNSUPPORTED},
      {{0x04, 0xFC, 0x02, 'k', 'W', 1, 2, 3, 4}, 9, SM_ERR_UNSUPPORTED},
      {{0x0D, 0x03, 0xF8, 1, 2}, 5, SM_ERR_UNSUPPORTED}, /* reserved LVAR */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t p[16];
    memcpy(p, cases[i].p, cases[i].n);
    /* a valid reading first: it must not survive the bad record */
    static const uint8_t good[] = {0x04, 0x2B, 7, 0, 0, 0};
    uint8_t all[32];
    memcpy(all, good, sizeof good);
    memcpy(all + sizeof good, p, cases[i].n);
    assert_int_equal(records(all, sizeof good + cases[i].n, SAM), cases[i].st);
    assert_int_equal(tel.n_values, 0);
    assert_false(tel.meter_time.present);
    assert_true(detail[0] != '\0');
  }
  /* Only fill, or only a clock: no readings. */
  static const uint8_t fill[] = {0x2F, 0x2F, 0x2F};
  assert_int_equal(records(fill, sizeof fill, SAM), SM_ERR_LAYOUT);
  static const uint8_t clock[] = {0x06, 0x6D, 0x5F, 0x0C,
                                  0x48, 0xC1, 0x17, 0x1B};
  assert_int_equal(records(clock, sizeof clock, SAM), SM_ERR_LAYOUT);
  assert_false(tel.meter_time.present);
  /* Eleven DIFEs / VIFEs are more than the standard allows. */
  uint8_t p[40] = {0x84};
  memset(p + 1, 0x80, 10);
  p[11] = 0x00;
  assert_int_equal(records(p, 20, SAM), SM_ERR_UNSUPPORTED);
  memset(p, 0, sizeof p);
  p[0] = 0x04;
  p[1] = 0x83;
  memset(p + 2, 0xFC, 10);
  assert_int_equal(records(p, 20, SAM), SM_ERR_UNSUPPORTED);
}

/* The walker's sizes: every data field coding and LVAR range. */
static void test_walker_sizes(void **state) {
  (void)state;
  static const struct {
    uint8_t dif, lvar;
    size_t len;
  } w[] = {{0x00, 0, 0},    {0x01, 0, 1},   {0x02, 0, 2},    {0x03, 0, 3},
           {0x04, 0, 4},    {0x05, 0, 4},   {0x06, 0, 6},    {0x07, 0, 8},
           {0x08, 0, 0},    {0x09, 0, 1},   {0x0A, 0, 2},    {0x0B, 0, 3},
           {0x0C, 0, 4},    {0x0E, 0, 6},   {0x0D, 0x05, 5}, {0x0D, 0xC3, 3},
           {0x0D, 0xD2, 2}, {0x0D, 0xE7, 7}};
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
    uint8_t p[32] = {0x2F, w[i].dif, 0x03};
    size_t at = 3;
    if (w[i].dif == 0x0D)
      p[at++] = w[i].lvar;
    memset(p + at, 0x2F, sizeof p - at); /* the data, then fill */
    size_t pos = 0;
    sm_mbus_record r;
    assert_int_equal(sm_mbus_record_next(p, at + w[i].len, &pos, &r),
                     SM_TELEGRAM);
    assert_int_equal(r.at, 1);
    assert_int_equal(r.len, w[i].len);
    assert_ptr_equal(r.data, p + at);
    assert_int_equal(pos, at + w[i].len);
    assert_int_equal(sm_mbus_record_next(p, pos, &pos, &r), SM_NEED_MORE);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_example),
      cmocka_unit_test(test_builder_matches_spec),
      cmocka_unit_test(test_mbus_row_refuses),
      cmocka_unit_test(test_after_nke),
      cmocka_unit_test(test_wrap_and_restart),
      cmocka_unit_test(test_repeated_frame),
      cmocka_unit_test(test_noise),
      cmocka_unit_test(test_bad_checksum),
      cmocka_unit_test(test_wrong_key),
      cmocka_unit_test(test_configuration_word),
      cmocka_unit_test(test_other_meters_never_acked),
      cmocka_unit_test(test_records_known),
      cmocka_unit_test(test_records_fail_closed),
      cmocka_unit_test(test_walker_sizes),
  };
  return cmocka_run_group_tests_name("amis", tests, setup, NULL);
}
