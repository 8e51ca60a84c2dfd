/* SPDX-License-Identifier: MIT */
/* fuzz_common.h - shared by the libFuzzer targets and the seed generator
 * in tests/fuzz/: the keys of the real captures and the invariant checks
 * every decoded telegram must pass. Telegrams are sealed and framed by the
 * tests' one builder, tests/unit/encoder.h (general-glo-ciphering, AMIS)
 * and tests/unit/framer.h (M-Bus, HDLC, General Block Transfer, DSMR text
 * with its CRC), included here; it is written apart from decoder/, CRCs
 * included, as a harness that used the decoder's own framing code could
 * not catch it.
 *
 * Test-only code, built with clang (see tests/fuzz/local.mk). A failed check
 * prints what broke and calls abort(), which libFuzzer records as a crash.
 */
#ifndef SM_FUZZ_COMMON_H
#define SM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encoder.h"
#include "framer.h"
#include "sm_decoder.h"

/* The distinct `# key:` values of the captures in tests/vectors/, in a
 * fixed order. A fuzz input picks one by index, so seeds made from a
 * capture decrypt and reach the A-XDR walker and the DSMR parser.
 * make-corpus (seedgen) fails if a capture's key is missing here. */
#define FZ_N_KEYS 21
extern const uint8_t fz_keys[FZ_N_KEYS][SM_KEY_LEN];

/* The authentication key the fuzzers seal with, and a wrong one (one bit
 * off). Resealed SC 0x30 seeds use fz_auth_key. */
extern const uint8_t fz_auth_key[SM_KEY_LEN];
extern const uint8_t fz_auth_key_wrong[SM_KEY_LEN];

/* Authentication keys fuzz_stream may configure: fz_auth_key first, then
 * the distinct `# ak:` values of the captures (so their real tags are
 * checked). seedgen fails if a capture's ak is missing here. */
#define FZ_N_AUTH_KEYS 5
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

/* Does this decoder deliver an untagged (SC 0x20) telegram when an
 * authentication key is configured? Probed once with a sealed telegram.
 * (Accepting it lets an on-path attacker strip the tag of an SC 0x30
 * telegram by flipping its SC byte; the oracles follow whichever policy the
 * decoder has.) */
bool fz_untagged_accepted_with_auth_key(void);

#endif
