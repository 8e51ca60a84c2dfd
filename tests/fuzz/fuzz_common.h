/* SPDX-License-Identifier: MIT */
/* fuzz_common.h - shared by the libFuzzer targets and the seed generator
 * in tests/fuzz/: the keys of the real captures, a small telegram builder
 * (general-glo-ciphering, M-Bus long frames, HDLC frames, General Block
 * Transfer, DSMR text with its CRC) and the invariant checks every decoded
 * telegram must pass.
 *
 * The builder is written out again here, CRCs included, on purpose: a
 * harness that used the decoder's own framing code could not catch it.
 *
 * Test-only code, built with clang (see tests/fuzz/local.mk). A failed check
 * prints what broke and calls abort(), which libFuzzer records as a crash.
 */
#ifndef SM_FUZZ_COMMON_H
#define SM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm_decoder.h"

/* The distinct `# key:` values of the captures in tests/vectors/, in a
 * fixed order. A fuzz input picks one by index, so seeds made from a
 * capture decrypt and reach the A-XDR walker and the DSMR parser.
 * make-corpus (seedgen) fails if a capture's key is missing here. */
#define FZ_N_KEYS 17
extern const uint8_t fz_keys[FZ_N_KEYS][SM_KEY_LEN];

/* The authentication key the fuzzers seal with, and a wrong one (one bit
 * off). Resealed SC 0x30 seeds use fz_auth_key. */
extern const uint8_t fz_auth_key[SM_KEY_LEN];
extern const uint8_t fz_auth_key_wrong[SM_KEY_LEN];

/* Authentication keys fuzz_stream may configure: fz_auth_key first, then
 * the distinct `# ak:` values of the captures (so their real tags are
 * checked). seedgen fails if a capture's ak is missing here. */
#define FZ_N_AUTH_KEYS 4
extern const uint8_t fz_auth_keys[FZ_N_AUTH_KEYS][SM_KEY_LEN];

/* Index of key in fz_keys / fz_auth_keys, or -1. */
int fz_key_index(const uint8_t key[SM_KEY_LEN]);
int fz_auth_key_index(const uint8_t key[SM_KEY_LEN]);

/* Is finding (a word) listed in $FUZZ_KNOWN (comma-separated)? A check for
 * a reported but not yet fixed bug can be switched off with it, so that a
 * long run keeps looking for other bugs. Never set in CI. */
bool fz_known(const char *finding);

/* Checks; on failure print "fuzz invariant: <what>" and abort(). */
void fz_fail(const char *what);
#define FZ_CHECK(cond, what)                                                   \
  do {                                                                         \
    if (!(cond))                                                               \
      fz_fail(what);                                                           \
  } while (0)

/* Every property a decoded telegram must have, and the formatting functions
 * of sm_names.h run over all its readings (exact sizes, NUL termination,
 * snprintf convention for short buffers). */
void fz_check_telegram(const sm_telegram *t);

/* fz_check_telegram() for a telegram the decoder delivered, whose framing
 * and dsmr fields are set: the framing is a real one (never AUTO), the
 * DSMR framing carries only DSMR text, and a DSMR telegram passes
 * fz_check_dsmr(). */
void fz_check_delivered(const sm_telegram *t);

/* A DSMR telegram has only exact integer readings of OBIS A.B.C.D.E.255
 * and no invoke id. */
void fz_check_dsmr(const sm_telegram *t);

/* One reading / a date-time through the sm_names.h formatters: exact
 * length, NUL termination, short buffers, the number parses back to the
 * value. */
void fz_check_value(const sm_value *v);
void fz_check_datetime(const sm_datetime *dt);

/* The telegram's strings (meter number, device name, the text of each of
 * its n_values readings) are NUL-terminated inside their arrays. The walker
 * writes them as it goes, so this holds after a failed parse too: an
 * overrun into the next field is invisible to ASan, not to this. */
void fz_check_strings(const sm_telegram *t);

/* A status value is one of the enum's (sm_strerror knows it). */
void fz_check_status(sm_status st);

/* Same readings, header strings and clock (bitwise for doubles). */
bool fz_same_content(const sm_telegram *a, const sm_telegram *b);

/* ---- sealing ------------------------------------------------------------ */

typedef struct fz_seal {
  uint8_t system_title[8];
  uint8_t sc;  /* 0x20, 0x21, 0x30, 0x31 ... */
  uint32_t fc; /* frame counter */
  const uint8_t *key;
  const uint8_t *auth_key; /* used when sc has 0x10 */
} fz_seal;

/* DB 08 <title> <BER length> <SC> <FC> <ciphertext> [tag 12]. Returns the
 * APDU length or 0 (no room, libgcrypt failure). libgcrypt must be
 * initialised (sm_crypto_init()). */
size_t fz_seal_apdu(const fz_seal *s, const uint8_t *plain, size_t n,
                    uint8_t *out, size_t cap);

/* Split an APDU into M-Bus long frames (68 L L 68 53 FF CI 01 67 .. CS 16)
 * of at most seg (1..250; 0 = 250) data bytes each, CI = sequence | FIN.
 * Writes at most max_frames frames (a meter cannot number more than 16:
 * the decoder must refuse a 16th frame without FIN) to out and returns
 * their total length, or 0 when out is too small. *frames gets the number
 * of frames the whole APDU needs. */
size_t fz_mbus_wrap(const uint8_t *apdu, size_t n, size_t seg,
                    size_t max_frames, uint8_t *out, size_t cap,
                    size_t *frames);

/* Does this decoder deliver an untagged (SC 0x20) telegram when an
 * authentication key is configured? Probed once with a sealed telegram.
 * (Accepting it lets an on-path attacker strip the tag of an SC 0x30
 * telegram by flipping its SC byte; the oracles follow whichever policy the
 * decoder has.) */
bool fz_untagged_accepted_with_auth_key(void);

/* Decrypt a general-glo-ciphering APDU with key (tag not checked) into
 * plain. Returns the plaintext length or 0 when it is not one. */
size_t fz_open_apdu(const uint8_t *apdu, size_t n, const uint8_t *key,
                    uint8_t *plain, size_t cap, fz_seal *hdr);

/* Concatenate the data of the M-Bus long frames in buf (the vectors are
 * intact captures): returns the APDU length, 0 when buf is not frames. */
size_t fz_mbus_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu, size_t cap);

/* ---- HDLC, General Block Transfer, DSMR ---------------------------------- */

/* CRC-16/X.25 (HDLC HCS/FCS) and CRC-16/ARC (DSMR), written out again. */
uint16_t fz_crc16_x25(const uint8_t *p, size_t n);
uint16_t fz_crc16_arc(const uint8_t *p, size_t n);

/* Address sets of real meters (DA, SA, control of segments before the
 * last); fz_hdlc_frame takes one by index modulo FZ_HDLC_ADDRS. */
#define FZ_HDLC_ADDRS 4
/* Data bytes one HDLC frame can carry after the LLC with any address set:
 * the 11-bit length counts format .. FCS. */
#define FZ_HDLC_DATA_MAX 2030

/* One HDLC frame type 3: 7E, format (S bit if segmented), DA, SA, control,
 * HCS, [LLC E6 E7 00], data, FCS, 7E. Returns its length, or 0 when it does
 * not fit cap or the 11-bit length. */
size_t fz_hdlc_frame(uint8_t *out, size_t cap, unsigned addr, bool segmented,
                     bool llc, const uint8_t *data, size_t n);

/* Split an APDU into HDLC frames of at most seg (1..FZ_HDLC_DATA_MAX; 0 =
 * the maximum) data bytes: the LLC in the first frame only, the S bit on
 * all but the last. A continuation frame never starts with E6 E7 00 (that
 * is how a receiver tells a first frame: such a split point moves one byte
 * on). Returns the bytes written (0: no room) and the frame count. */
size_t fz_hdlc_wrap(const uint8_t *apdu, size_t n, size_t seg, unsigned addr,
                    uint8_t *out, size_t cap, size_t *frames);

/* The INFO fields of the intact HDLC frames in buf joined, each frame's
 * LLC dropped; then, when they hold General-Block-Transfer blocks, the
 * blocks' data joined. Returns the APDU length, 0 when buf is not intact
 * frames; *first gets the data bytes of the first frame (of the first
 * block, when *blocks). */
size_t fz_hdlc_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu, size_t cap,
                      size_t *first, bool *blocks);

/* One General-Block-Transfer block: E0, ctrl (0x40 streaming | 0x80 on the
 * last), block number (2), acknowledged block 0 (2), BER length, data.
 * Returns its length, or 0 when it does not fit cap. */
size_t fz_gbt_block(uint8_t *out, size_t cap, bool last, uint16_t number,
                    const uint8_t *data, size_t n);

/* text[0..n) as a DSMR telegram: '/' first (the first byte is replaced),
 * CR LF added when the last line is open, then "!", the CRC-16/ARC over
 * "/" .. "!" as 4 hex digits (upper case unless lower) and CR LF. Returns
 * the length, or 0 when it does not fit cap. */
size_t fz_dsmr_seal(const uint8_t *text, size_t n, bool lower, uint8_t *out,
                    size_t cap);

#endif
