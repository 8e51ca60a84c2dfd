/* SPDX-License-Identifier: MIT */
/* test_stream.c - the decoder as a byte-stream parser: every capture fed
 * one byte at a time, in random chunks, surrounded by garbage, and after
 * truncated telegrams. Every intact telegram must come out exactly once,
 * in order, with its values.
 *
 * Several copies of a capture in one stream are re-encrypted by the test
 * encoder with increasing frame counters, so the decoder's replay check
 * sees a realistic sequence. The PRNG is seeded: runs are reproducible.
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

#define STREAM_MAX (64 * 1024)

/* Per capture (same order as vec_files): raw 1.0.1.8.0.255 and the number
 * of numeric readings, from tests/vectors/DECODED.md. */
static const struct {
  int64_t energy_import;
  size_t n_numbers;
} expect[VEC_N_FILES] = {
    {12937, 11},   {8368, 11},   {1340436, 11}, {627660, 11}, {6842204, 11},
    {5308437, 12}, {278041, 12}, {3744082, 12}, {747, 12},    {9108, 8},
};

typedef struct capture {
  vec v;
  vec_model m;
} capture;

static capture caps[VEC_N_FILES];
static uint8_t stream[STREAM_MAX];
static vec_record rec;

static int load_all(void **state) {
  size_t i;
  (void)state;
  if (sm_crypto_init() != SM_NEED_MORE)
    return -1;
  for (i = 0; i < VEC_N_FILES; i++)
    if (vec_load(vec_files[i], &caps[i].v) != 0 ||
        vec_model_init(&caps[i].v, &caps[i].m) != 0)
      return -1;
  return 0;
}

static sm_decoder *decoder_for(size_t i, sm_input in) {
  sm_options o;
  sm_status err = SM_ERR_ARG;
  sm_decoder *d;
  vec_options(&caps[i].v, in, &o);
  d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  return d;
}

static void tally_init(vec_tally *t) {
  memset(t, 0, sizeof *t);
  memset(&rec, 0, sizeof rec);
  t->cb = vec_record_cb;
  t->ctx = &rec;
}

/* rec holds exactly n telegrams of capture i with counters first.. */
static void check_seen(size_t i, size_t n, const uint32_t *fcs) {
  size_t k;
  assert_int_equal(rec.n, n);
  for (k = 0; k < n; k++) {
    assert_int_equal(rec.s[k].fc, fcs[k]);
    assert_int_equal(rec.s[k].energy_import, expect[i].energy_import);
    assert_int_equal(rec.s[k].n_numbers, expect[i].n_numbers);
    assert_true(rec.s[k].encrypted);
  }
}

/* Append model m sealed with frame counter fc at stream + pos. */
static size_t append_model(const vec_model *m, uint32_t fc, bool mbus,
                           size_t pos) {
  size_t n = vec_model_make(m, fc, mbus, stream + pos, STREAM_MAX - pos);
  assert_true(n > 0);
  return pos + n;
}

static size_t append(size_t i, uint32_t fc, bool mbus, size_t pos) {
  return append_model(&caps[i].m, fc, mbus, pos);
}

static void test_byte_at_a_time(void **state) {
  size_t i, k;
  (void)state;
  for (i = 0; i < VEC_N_FILES; i++) {
    sm_decoder *d = decoder_for(i, SM_INPUT_AUTO);
    vec_tally t;
    sm_stats st;
    tally_init(&t);
    for (k = 0; k < caps[i].v.len; k++)
      vec_feed(d, caps[i].v.bytes + k, 1, &t);
    sm_decoder_stats(d, &st);
    sm_decoder_free(d);
    assert_false(t.api_violation);
    assert_int_equal(vec_errors(&t), 0);
    check_seen(i, 1, &caps[i].m.enc.fc);
    assert_int_equal(st.bytes, caps[i].v.len);
    assert_int_equal(st.bytes_discarded, 0);
  }
}

#define COPIES 8

static void random_chunks_one(size_t i, uint64_t *seed) {
  uint32_t fcs[COPIES];
  size_t k, len = 0;
  sm_decoder *d = decoder_for(i, SM_INPUT_AUTO);
  vec_tally t;
  for (k = 0; k < COPIES; k++) {
    fcs[k] = caps[i].m.enc.fc + 1 + (uint32_t)k;
    len = append(i, fcs[k], false, len);
  }
  tally_init(&t);
  vec_feed_chunks(d, stream, len, 4096, seed, &t);
  sm_decoder_free(d);
  assert_false(t.api_violation);
  assert_int_equal(vec_errors(&t), 0);
  check_seen(i, COPIES, fcs);
}

static void test_random_chunks(void **state) {
  uint64_t seed = 0x5EED0001ULL;
  size_t i, round;
  (void)state;
  for (round = 0; round < 4; round++)
    for (i = 0; i < VEC_N_FILES; i++)
      random_chunks_one(i, &seed);
}

/* Small chunks make every frame boundary land inside a call. */
static void test_small_chunks(void **state) {
  uint64_t seed = 0x5EED0002ULL;
  uint32_t fcs[COPIES];
  size_t i, k, len;
  (void)state;
  for (i = 0; i < VEC_N_FILES; i++) {
    sm_decoder *d = decoder_for(i, SM_INPUT_AUTO);
    vec_tally t;
    for (k = 0, len = 0; k < COPIES; k++) {
      fcs[k] = caps[i].m.enc.fc + 100 + 3 * (uint32_t)k;
      len = append(i, fcs[k], false, len);
    }
    tally_init(&t);
    vec_feed_chunks(d, stream, len, 7, &seed, &t);
    sm_decoder_free(d);
    assert_int_equal(vec_errors(&t), 0);
    check_seen(i, COPIES, fcs);
  }
}

/* Line noise, with the byte values and fake headers a resynchronising
 * parser is most likely to trip over. */
static size_t garbage(uint8_t *out, size_t max, uint64_t *seed) {
  static const uint8_t tokens[][5] = {{0x68, 0xFA, 0xFA, 0x68},
                                      {0x68, 0x72, 0x72, 0x68},
                                      {0x10, 0x40, 0xFE, 0x3E, 0x16},
                                      {0xE5},
                                      {0x68},
                                      {0x16},
                                      {0x68, 0x14, 0x14, 0x68},
                                      {0x68, 0x01, 0x01, 0x68}};
  static const size_t token_len[] = {4, 4, 5, 1, 1, 1, 4, 4};
  size_t n = 0, want = 1 + (size_t)(vec_rand(seed) % max);
  while (n < want) {
    uint64_t r = vec_rand(seed);
    size_t k = (size_t)(r % 8);
    if (r & 0x100 && n + token_len[k] <= want) {
      memcpy(out + n, tokens[k], token_len[k]);
      n += token_len[k];
    } else {
      out[n++] = (uint8_t)(r >> 16);
    }
  }
  return n;
}

#define NOISY 5

static void garbage_one(size_t i, uint64_t *seed, size_t max_chunk) {
  uint32_t fcs[NOISY];
  size_t k, len = 0;
  sm_decoder *d = decoder_for(i, SM_INPUT_MBUS);
  vec_tally t;
  sm_stats st;
  for (k = 0; k < NOISY; k++) {
    len += garbage(stream + len, 300, seed);
    fcs[k] = caps[i].m.enc.fc + 1 + (uint32_t)k;
    len = append(i, fcs[k], true, len);
  }
  len += garbage(stream + len, 300, seed);
  tally_init(&t);
  vec_feed_chunks(d, stream, len, max_chunk, seed, &t);
  sm_decoder_stats(d, &st);
  sm_decoder_free(d);
  assert_false(t.api_violation);
  check_seen(i, NOISY, fcs);
  assert_int_equal(st.telegrams, NOISY);
  assert_true(st.bytes_discarded > 0);
  assert_int_equal(st.bytes, len);
  assert_int_equal(t.errors[-SM_ERR_REPLAY], 0);
  assert_int_equal(t.errors[-SM_ERR_KEY_WRONG], 0);
}

static void test_garbage_around(void **state) {
  uint64_t seed = 0x5EED0003ULL;
  size_t i, round;
  (void)state;
  for (round = 0; round < 6; round++)
    for (i = 0; i < VEC_N_FILES; i++)
      garbage_one(i, &seed, 4096);
}

static void test_garbage_bytewise(void **state) {
  uint64_t seed = 0x5EED0004ULL;
  size_t i;
  (void)state;
  for (i = 0; i < VEC_N_FILES; i++)
    garbage_one(i, &seed, 1);
}

/* The first n bytes of copy 1, then copy 2 whole: only copy 2 comes out.
 * Copy 1 is an exact prefix of the same frames, so every cut position is
 * tried against a parser that has to give up and rescan. */
static void truncated_one(size_t i, size_t cut_at) {
  uint32_t fc = caps[i].m.enc.fc + 1;
  size_t len = append(i, fc, true, 0), whole = len;
  sm_decoder *d = decoder_for(i, SM_INPUT_MBUS);
  vec_tally t;
  memmove(stream + cut_at, stream, whole);
  len = cut_at + whole;
  tally_init(&t);
  vec_feed(d, stream, len, &t);
  sm_decoder_free(d);
  assert_false(t.api_violation);
  check_seen(i, 1, &fc);
}

static void test_truncated_then_whole(void **state) {
  static const size_t cuts[] = {1, 2, 3, 4, 5, 9, 10, 30, 100, 200};
  size_t i, k, frame1;
  (void)state;
  for (i = 0; i < VEC_N_FILES; i++) {
    size_t whole = append(i, caps[i].m.enc.fc, true, 0);
    frame1 = caps[i].m.seg + FRM_MBUS_OVERHEAD;
    for (k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
      truncated_one(i, cuts[k]);
    truncated_one(i, frame1 - 2); /* without checksum and stop byte */
    truncated_one(i, frame1 - 1); /* without the stop byte */
    truncated_one(i, frame1);     /* first frame only */
    truncated_one(i, frame1 + 4);
    truncated_one(i, whole - 1);
  }
}

/* Every cut position of one capture, in a longer stream: T1, cut T2, T3. */
static void test_every_cut(void **state) {
  size_t i = 7; /* VKW: two frames, 376 bytes */
  size_t whole, cut;
  uint32_t base = caps[i].m.enc.fc;
  (void)state;
  whole = append(i, base, true, 0);
  for (cut = 1; cut < whole; cut++) {
    uint32_t fcs[2] = {base + 1, base + 3};
    sm_decoder *d = decoder_for(i, SM_INPUT_MBUS);
    vec_tally t;
    size_t len = append(i, fcs[0], true, 0), t2 = len;
    len = append(i, base + 2, true, len);
    len = append(i, fcs[1], true, t2 + cut);
    tally_init(&t);
    vec_feed(d, stream, len, &t);
    sm_decoder_free(d);
    check_seen(i, 2, fcs);
  }
}

/* One decoder fed two meters' telegrams alternately (different system
 * titles, counters far apart) must keep their frame counters apart. */
static void test_two_meters_one_stream(void **state) {
  static vec_model mb;
  size_t a = 7, b = 8, k, len = 0;
  uint32_t fa = caps[a].m.enc.fc, fb = caps[b].m.enc.fc;
  sm_decoder *d;
  vec_tally t;
  sm_options o;
  sm_status err;
  (void)state;
  /* the two meters have different keys: re-encrypt the second meter's
   * plaintext with the first one's key, which the decoder gets */
  mb = caps[b].m;
  memcpy(mb.enc.key, caps[a].m.enc.key, SM_KEY_LEN);
  for (k = 0; k < 4; k++) {
    len = append(a, fa + (uint32_t)k, true, len);
    len = append_model(&mb, fb + (uint32_t)k, true, len);
  }
  vec_options(&caps[a].v, SM_INPUT_MBUS, &o);
  d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  tally_init(&t);
  vec_feed(d, stream, len, &t);
  sm_decoder_free(d);
  assert_int_equal(vec_errors(&t), 0);
  assert_int_equal(rec.n, 8);
  for (k = 0; k < 8; k++) {
    size_t c = k % 2 ? b : a;
    uint32_t f = (k % 2 ? fb : fa) + (uint32_t)(k / 2);
    assert_int_equal(rec.s[k].fc, f);
    assert_int_equal(rec.s[k].energy_import, expect[c].energy_import);
  }
}

/* Bare APDU input has no checksum: after an APDU that does not decrypt
 * (sealed with another key) the decoder resynchronises byte by byte, and
 * the next intact APDU must still come out, once. */
static void test_apdu_mode_resync(void **state) {
  static const size_t apdu_caps[] = {1, 5};
  static vec_model wrong;
  uint32_t fcs[COPIES];
  size_t a, k, len;
  (void)state;
  for (a = 0; a < 2; a++) {
    size_t i = apdu_caps[a];
    sm_decoder *d = decoder_for(i, SM_INPUT_APDU);
    vec_tally t;
    assert_true(caps[i].v.is_apdu);
    wrong = caps[i].m;
    wrong.enc.key[3] ^= 0x20;
    for (k = 0, len = 0; k < COPIES; k++) {
      len = append_model(&wrong, caps[i].m.enc.fc + 1 + 2 * (uint32_t)k, false,
                         len);
      fcs[k] = caps[i].m.enc.fc + 2 + 2 * (uint32_t)k;
      len = append(i, fcs[k], false, len);
    }
    tally_init(&t);
    vec_feed(d, stream, len, &t);
    sm_decoder_free(d);
    assert_false(t.api_violation);
    check_seen(i, COPIES, fcs);
    assert_true(t.errors[-SM_ERR_KEY_WRONG] >= COPIES);
  }
}

/* A bare 0F has no length and no check: inside the bytes an APDU that
 * did not decrypt claimed (its ciphertext, when the key is wrong) none is
 * believed, even one that parses; the intact APDU behind still comes out. */
static void test_apdu_mode_no_plain_inside(void **state) {
  static const size_t apdu_caps[] = {1, 5};
  static vec_model wrong;
  size_t a, len, h;
  (void)state;
  for (a = 0; a < 2; a++) {
    size_t i = apdu_caps[a];
    const vec_model *m = &caps[i].m;
    sm_decoder *d = decoder_for(i, SM_INPUT_APDU);
    uint32_t fc = m->enc.fc + 2;
    vec_tally t;
    wrong = *m;
    wrong.enc.key[3] ^= 0x20;
    len = append_model(&wrong, m->enc.fc + 1, false, 0);
    /* DB 08 title(8), a BER length, the security byte, the counter(4) */
    h = 10 + (stream[10] == 0x82 ? 3 : stream[10] == 0x81 ? 2 : 1) + 5;
    assert_int_equal(stream[0], 0xDB);
    assert_true(h + m->plain_len <= len);
    assert_int_equal(m->plain[0], 0x0F);
    memcpy(stream + h, m->plain, m->plain_len);
    len = append(i, fc, false, len);
    tally_init(&t);
    vec_feed(d, stream, len, &t);
    sm_decoder_free(d);
    assert_false(t.api_violation);
    check_seen(i, 1, &fc);
    assert_true(t.errors[-SM_ERR_KEY_WRONG] >= 1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_byte_at_a_time),
      cmocka_unit_test(test_random_chunks),
      cmocka_unit_test(test_small_chunks),
      cmocka_unit_test(test_garbage_around),
      cmocka_unit_test(test_garbage_bytewise),
      cmocka_unit_test(test_truncated_then_whole),
      cmocka_unit_test(test_every_cut),
      cmocka_unit_test(test_two_meters_one_stream),
      cmocka_unit_test(test_apdu_mode_resync),
      cmocka_unit_test(test_apdu_mode_no_plain_inside),
  };
  return cmocka_run_group_tests_name("stream", tests, load_all, NULL);
}
