/* SPDX-License-Identifier: MIT */
/* encoder.h - test-only sealer of meter telegrams: DLMS general-glo-
 * ciphering APDUs (AES-128-GCM via libgcrypt) and Netz OÖ's AMIS SND_UD
 * frames (AES-128-CBC). The one copy the unit tests, the fuzzers and their
 * seed generator, sm-forge, sm-variant and the benchmark share; framer.h
 * frames what it seals.
 *
 * Lets the tests make telegrams the real captures do not cover (SC 0x30
 * with a tag, other frame counters, plaintext of their own) and lets the
 * benchmark pre-encrypt copies with increasing frame counters. Written
 * from the specifications, not from decoder/. libgcrypt must be
 * initialised first (sm_crypto_init()). Not thread-safe (one cached CBC
 * handle).
 */
#ifndef SM_TEST_ENCODER_H
#define SM_TEST_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_TAG_LEN 12
#define ENC_AMIS_FRAME 101 /* an AMIS SND_UD, 68 .. 16 */
#define ENC_AMIS_PLAIN 80  /* its encrypted records */

typedef struct enc_params {
  uint8_t system_title[8];
  uint8_t sc;           /* security control byte, e.g. 0x20 0x21 0x30 */
  uint32_t fc;          /* frame counter */
  uint8_t key[16];      /* encryption key */
  uint8_t auth_key[16]; /* used when sc has the 0x10 bit */
} enc_params;

/* What enc_open() found in an APDU. */
typedef struct enc_header {
  uint8_t system_title[8];
  uint8_t sc;
  uint32_t fc;
  size_t apdu_len; /* bytes the APDU occupies, header included */
} enc_header;

/* Build DB 08 <title> <BER len> <SC> <FC> <ciphertext> [tag], the tag over
 * AAD = SC || auth key. Returns the APDU length, or 0 on error (buffer too
 * small, libgcrypt failure). */
size_t enc_seal(const enc_params *p, const uint8_t *plain, size_t n,
                uint8_t *out, size_t cap);

/* Inverse of enc_seal: decrypt an APDU with key (tag not checked).
 * Returns the plaintext length, or 0 when it is none (no general-glo-
 * ciphering APDU, nothing encrypted, no room); fills *h. */
size_t enc_open(const uint8_t *apdu, size_t n, const uint8_t key[16],
                uint8_t *plain, size_t cap, enc_header *h);

/* An AMIS SND_UD as the meter sends it: 68 5F 5F 68, C 53 (0x73 with
 * fcb), A F0, CI 5B, ID 00000000, manufacturer SAM (2D 4C), version 01,
 * medium 0E, the access number, status 00, configuration 50 05 (mode 5),
 * then plain encrypted under key with IV = manufacturer .. medium (8
 * bytes) || 8 x access, CS, 16. Returns ENC_AMIS_FRAME, or 0 (no room,
 * libgcrypt failure). */
size_t enc_amis_snd_ud(uint8_t *out, size_t cap, const uint8_t key[16],
                       uint8_t access, bool fcb,
                       const uint8_t plain[ENC_AMIS_PLAIN]);

#endif
