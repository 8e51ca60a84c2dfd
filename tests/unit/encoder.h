/* SPDX-License-Identifier: MIT */
/* encoder.h - test-only builder of meter telegrams: DLMS general-glo-
 * ciphering APDUs (AES-128-GCM via libgcrypt), M-Bus long frames and HDLC
 * frames.
 *
 * Lets the tests make telegrams the real captures do not cover (SC 0x30
 * with a tag, other frame counters, odd segmentations, plaintext) and
 * lets the benchmark pre-encrypt copies with increasing frame counters.
 * libgcrypt must be initialised first (sm_crypto_init()).
 */
#ifndef SM_TEST_ENCODER_H
#define SM_TEST_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_TAG_LEN 12
#define ENC_MBUS_OVERHEAD 11 /* 68 L L 68 C A CI STSAP DTSAP ... CS 16 */

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

/* Build DB 08 <title> <BER len> <SC> <FC> <ciphertext> [tag]. Returns the
 * APDU length, or 0 on error (buffer too small, libgcrypt failure). */
size_t enc_seal(const enc_params *p, const uint8_t *plain, size_t n,
                uint8_t *out, size_t cap);

/* Inverse of enc_seal: decrypt an APDU with key (tag not checked).
 * Returns the plaintext length or 0 on error; fills *h. */
size_t enc_open(const uint8_t *apdu, size_t n, const uint8_t key[16],
                uint8_t *plain, size_t cap, enc_header *h);

/* One M-Bus long frame 68 L L 68 53 FF <ci> 01 67 <data> CS 16. L is
 * (n + 5) & 0xFF, so n = 252 reproduces the Sagemcom "L = 0x01" frame.
 * Returns n + ENC_MBUS_OVERHEAD, or 0 if cap is too small. */
size_t enc_mbus_frame(uint8_t *out, size_t cap, uint8_t ci, const uint8_t *data,
                      size_t n);

/* Split data into frames of at most seg bytes: CI = sequence number
 * (mod 16), FIN bit 0x10 on the last frame (a single frame gets 0x10).
 * Returns the bytes written or 0. */
size_t enc_mbus_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg);

/* One HDLC frame type 3: 7E, format (S bit when segmented), DA CF, SA
 * 00 02 00 23, control 13, HCS, [LLC E6 E7 00], data, FCS, 7E. Returns the
 * bytes written, or 0 if cap is too small or the frame over 2047 bytes. */
size_t enc_hdlc_frame(uint8_t *out, size_t cap, bool segmented, bool llc,
                      const uint8_t *data, size_t n);

/* Split an APDU into HDLC frames of at most seg data bytes: the LLC in the
 * first, the S bit on all but the last. Returns the bytes written or 0. */
size_t enc_hdlc_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg);

/* CRC-16/X.25 as HDLC sends it (HCS, FCS): the value to store low byte
 * first. Exported so that test tools can seal frames they edit in place. */
uint16_t enc_crc16_x25(const uint8_t *p, size_t n);

/* Undo M-Bus framing: concatenate the data of consecutive long frames
 * (the 8-bit L quirk is resolved by checking the stop byte and checksum).
 * *first_seg gets the data size of the first frame. Returns the data
 * length or 0 when the input is not a clean frame sequence. */
size_t enc_mbus_unwrap(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *first_seg);

#endif
