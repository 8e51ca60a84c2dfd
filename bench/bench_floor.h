/* SPDX-License-Identifier: MIT */
/* bench_floor.h - the floor sm-bench compares the decoder with: libgcrypt's
 * own AES-128-GCM decryption of exactly the ciphertext the decoder
 * decrypted, nothing else.
 *
 * The bytes are taken from the decoder itself: this binary defines the
 * libgcrypt entry points the decoder calls (setiv, setctr, authenticate,
 * decrypt, checktag), records their arguments while recording is on, and
 * forwards every call to the real library (dlsym RTLD_NEXT). So the floor
 * sees the same IV, AAD, ciphertext and tag, whatever the framing (M-Bus
 * segments, HDLC, GBT blocks, AMIS) was. Its mode follows the decoder's:
 * AES-CTR from IV||00000002 where no tag is checked (SC 0x20/0x21, or
 * 0x30 without an authentication key), GCM with the AAD and checktag
 * where one is, AES-CBC for AMIS (OMS mode 5: the only caller of setiv
 * with a 16-byte IV; GCM's is 12). A handle per mode, reused with
 * gcry_cipher_reset. */
#ifndef SM_BENCH_FLOOR_H
#define SM_BENCH_FLOOR_H

#include <gcrypt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the decoder handed libgcrypt for one telegram. */
typedef struct floor_rec {
  bool gcm;        /* the tag was checked */
  bool cbc;        /* AES-CBC (AMIS) */
  uint8_t iv[16];  /* GCM: 12 bytes; CTR: the counter block; CBC: the IV */
  uint8_t aad[32]; /* GCM: SC || authentication key */
  size_t aad_len;
  uint8_t tag[16];    /* GCM: the 12 bytes checked */
  size_t ct_off, len; /* ciphertext: floor_set.ct[ct_off .. + len) */
  int decrypts;       /* calls seen: must be exactly 1 */
} floor_rec;

/* One capture's records and handles. */
typedef struct floor_set {
  floor_rec *rec; /* one per telegram copy */
  size_t n;
  uint8_t *ct, *pt; /* ciphertexts and the decoder's plaintexts */
  size_t ct_used, ct_cap;
  uint8_t *scratch; /* the floor decrypts here, out of place */
  gcry_cipher_hd_t gcm, ctr, cbc;
} floor_set;

/* Room for n telegrams of at most max_len ciphertext bytes each, and the
 * key. 0 or -1. */
int floor_open(floor_set *s, size_t n, size_t max_len, const uint8_t key[16]);
void floor_close(floor_set *s);

/* Record what the decoder hands libgcrypt into s->rec[k] (NULL: stop
 * recording). */
void floor_record(floor_set *s, size_t k);

/* After recording: every copy decrypted exactly once, and the floor's own
 * decryption gives the decoder's plaintext and accepts the tag. 0 or -1
 * (message on stderr). */
int floor_verify(floor_set *s, const char *name);

/* Decrypt every recorded ciphertext once, as the decoder must: every
 * return code checked. 0 or -1. */
int floor_run(floor_set *s);

#endif
