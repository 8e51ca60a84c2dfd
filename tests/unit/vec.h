/* SPDX-License-Identifier: MIT */
/* vec.h - shared helpers of the unit tests and the benchmark: load a
 * tests/vectors/NAME.hex capture, turn it into a re-encryptable model, and
 * feed bytes to a decoder while tallying the results. No cmocka here.
 */
#ifndef SM_TEST_VEC_H
#define SM_TEST_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encoder.h"
#include "sm_decoder.h"

#define VEC_MAX_BYTES 8192

/* The M-Bus captures and the bare APDU captures in tests/vectors/. */
#define VEC_N_FILES 10
extern const char *const vec_files[VEC_N_FILES];

typedef struct vec {
  char name[96];
  uint8_t bytes[VEC_MAX_BYTES]; /* the capture as on the wire */
  size_t len;
  bool has_key, has_ak;
  uint8_t key[SM_KEY_LEN], ak[SM_KEY_LEN];
  bool is_apdu; /* bare APDU capture (no M-Bus framing) */
} vec;

/* Load $SM_SRCDIR/tests/vectors/<name>. Returns 0 or -1 (message on
 * stderr). */
int vec_load(const char *name, vec *v);

/* Decoder options for a capture: its key (and auth key), given input. */
void vec_options(const vec *v, sm_input input, sm_options *o);

/* A capture taken apart so that it can be sealed again with another
 * frame counter and framed the same way. */
typedef struct vec_model {
  enc_params enc; /* title, SC, original FC, keys */
  uint8_t plain[SM_MAX_APDU];
  size_t plain_len;
  size_t seg; /* data bytes in the first M-Bus frame; 0 = bare APDU */
  bool is_apdu;
} vec_model;

/* Decrypt v into m. Returns 0 or -1. */
int vec_model_init(const vec *v, vec_model *m);

/* Seal m with frame counter fc and frame it like the capture (or as M-Bus
 * frames of m->seg bytes when mbus is true even for a bare APDU capture).
 * Returns bytes written or 0. */
size_t vec_model_make(const vec_model *m, uint32_t fc, bool mbus, uint8_t *out,
                      size_t cap);

/* Result tally of feeding bytes. */
#define VEC_N_STATUS 24
typedef void (*vec_on_telegram)(const sm_telegram *t, void *ctx);
typedef struct vec_tally {
  size_t telegrams;
  size_t errors[VEC_N_STATUS]; /* index: -status */
  size_t calls;
  bool api_violation; /* consumed > len, out/status mismatch, no progress */
  vec_on_telegram cb;
  void *ctx;
} vec_tally;

/* Feed buf (all of it) to d, looping until SM_NEED_MORE, and tally. */
void vec_feed(sm_decoder *d, const uint8_t *buf, size_t len, vec_tally *t);

/* An idle gap: sm_decoder_idle() until SM_NEED_MORE, results tallied.
 * Returns true when it dropped a partial frame or telegram. */
bool vec_idle(sm_decoder *d, vec_tally *t);

/* Sum of all error counts. */
size_t vec_errors(const vec_tally *t);

/* A summary of each telegram seen (vec_record as vec_tally.cb). */
#define VEC_MAX_SEEN 256
typedef struct vec_seen {
  uint32_t fc;
  int64_t energy_import; /* raw of 1.0.1.8.0.255, -1 when absent */
  size_t n_numbers;      /* readings of kind SM_VALUE_NUMBER */
  bool encrypted, authenticated, tag_unchecked;
  uint8_t security;
  char meter_number[SM_MAX_TEXT];
} vec_seen;
typedef struct vec_record {
  size_t n; /* may exceed VEC_MAX_SEEN; only the first are kept */
  vec_seen s[VEC_MAX_SEEN];
} vec_record;
void vec_record_cb(const sm_telegram *t, void *ctx);

/* The reading of t with this OBIS code ("1.0.1.8.0.255"), or NULL. */
const sm_value *vec_reading(const sm_telegram *t, const char *obis);

/* Feed buf in chunks of 1..max_chunk bytes drawn from *seed. */
void vec_feed_chunks(sm_decoder *d, const uint8_t *buf, size_t len,
                     size_t max_chunk, uint64_t *seed, vec_tally *t);

/* Deterministic PRNG (xorshift64*) for the stream tests. */
uint64_t vec_rand(uint64_t *state);

#endif
