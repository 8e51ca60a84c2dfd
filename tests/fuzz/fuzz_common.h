/* fuzz_common.h - shared by the libFuzzer targets and the seed generator
 * in tests/fuzz/: the keys of the real captures, a small telegram sealer
 * (general-glo-ciphering + M-Bus long frames) and the invariant checks every
 * decoded telegram must pass.
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

/* The distinct `# key:` values of the captures in tests/vectors/, in a fixed order. A
 * fuzz input picks one by index, so seeds made from a capture decrypt and
 * reach the A-XDR walker. make-corpus (seedgen) fails if a capture's key is
 * missing here. */
#define FZ_N_KEYS 9
extern const uint8_t fz_keys[FZ_N_KEYS][SM_KEY_LEN];

/* The authentication key the fuzzers configure, and a wrong one (one bit
 * off). The captures have no auth key; sealed SC 0x30 seeds use this one. */
extern const uint8_t fz_auth_key[SM_KEY_LEN];
extern const uint8_t fz_auth_key_wrong[SM_KEY_LEN];

/* Index of key in fz_keys, or -1. */
int fz_key_index(const uint8_t key[SM_KEY_LEN]);

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
  uint8_t sc;      /* 0x20, 0x21, 0x30, 0x31 ... */
  uint32_t fc;     /* frame counter */
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
size_t fz_mbus_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu,
                      size_t cap);

#endif
