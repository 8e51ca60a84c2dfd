/* sm_private.h - internals shared by the decoder's layers. Not installed.
 *
 * Data flow, one layer per file:
 *   sm_mbus.c     bytes -> intact M-Bus long frames (resync on any fault)
 *   sm_segment.c  frames -> one reassembled APDU (CI sequence/FIN)
 *   sm_cipher.c   general-glo-ciphering APDU -> plaintext (AES-128-GCM)
 *   sm_axdr.c     plaintext data-notification -> sm_telegram readings
 *   sm_decoder.c  drives the layers, replay check, counters
 */
#ifndef SM_PRIVATE_H
#define SM_PRIVATE_H

#include <gcrypt.h>

#include "sm_decoder.h"

/* Longest long frame: 4 header + 257 (T210-D) + CS + stop, rounded up. */
#define SM_FRAME_MAX 264
/* Link buffer: room for one whole frame behind a partial one. */
#define SM_LINK_BUF (2 * SM_FRAME_MAX)

/* ---- link layer -------------------------------------------------------- */
typedef struct sm_link {
  uint8_t buf[SM_LINK_BUF];
  size_t start, end; /* unprocessed bytes are buf[start..end) */
} sm_link;

/* A frame found by the link layer: pointers into sm_link.buf, valid until
 * the next link call. */
typedef struct sm_frame {
  uint8_t ci;
  const uint8_t *data; /* DLMS bytes after C, A, CI, STSAP, DTSAP */
  size_t len;
} sm_frame;

/* Copy what fits of in[0..n) into the buffer; returns bytes taken. */
size_t sm_link_take(sm_link *l, const uint8_t *in, size_t n);
/* Find the next frame in the buffered bytes. Returns SM_TELEGRAM when *f
 * is set, SM_NEED_MORE, or a link error (the bad frame's first byte has
 * been dropped already so the caller just calls again). *discarded grows by
 * bytes skipped. */
sm_status sm_link_next(sm_link *l, sm_frame *f, uint64_t *discarded);
void sm_link_reset(sm_link *l);
size_t sm_link_pending(const sm_link *l);

/* ---- segment reassembly ------------------------------------------------ */
typedef struct sm_segments {
  uint8_t buf[SM_MAX_APDU];
  size_t len;
  int next_seq;  /* expected sequence number; -1 = idle */
  bool overflow;   /* broken telegram: discard quietly until the next
                      first segment */
  bool seen_start; /* a first segment was ever seen (start-up is quiet) */
} sm_segments;

void sm_segments_init(sm_segments *s);  /* fresh, start-up state */
void sm_segments_reset(sm_segments *s); /* drop a telegram being built */
/* Add a frame. Returns SM_TELEGRAM when an APDU is complete (s->buf,
 * s->len), SM_NEED_MORE when more segments are expected, or an error. */
sm_status sm_segments_add(sm_segments *s, const sm_frame *f);
bool sm_segments_partial(const sm_segments *s);

/* ---- security ---------------------------------------------------------- */
typedef struct sm_cipher {
  gcry_cipher_hd_t hd;  /* GCM: telegrams whose tag we check */
  gcry_cipher_hd_t ctr; /* CTR: the same keystream without GHASH work, for
                           telegrams without a tag (or no auth key) */
  bool has_key, has_auth_key;
  uint8_t auth_key[SM_KEY_LEN];
} sm_cipher;

/* Parsed general-glo-ciphering header. */
typedef struct sm_glo {
  uint8_t system_title[8];
  uint8_t sc;
  uint32_t frame_counter;
  uint8_t *payload; /* ciphertext, decrypted in place */
  size_t payload_len;
  const uint8_t *tag; /* 12 bytes or NULL */
} sm_glo;

sm_status sm_cipher_open(sm_cipher *c, const sm_options *o);
void sm_cipher_close(sm_cipher *c);
/* Parse a 0xDB APDU in apdu[0..len) (len = bytes available). *used is the
 * APDU's own length (trailing bytes after it are the caller's business). */
sm_status sm_glo_parse(uint8_t *apdu, size_t len, sm_glo *g, size_t *used);
/* Decrypt g->payload in place; verify the tag when one is present and an
 * auth key is configured. Sets *authenticated. */
sm_status sm_cipher_decrypt(sm_cipher *c, const sm_glo *g,
                            bool *authenticated);
/* Total length of a bare APDU starting at p (0xDB or 0x0F) if the header is
 * complete: SM_TELEGRAM with *total, SM_NEED_MORE, or an error. */
sm_status sm_apdu_length(const uint8_t *p, size_t n, size_t *total);

/* ---- application ------------------------------------------------------- */
/* Parse a plaintext data-notification p[0..n) into t (values, clock,
 * strings); *used is its length. Returns SM_TELEGRAM, SM_ERR_KEY_WRONG when
 * the header does not look like a data-notification at all (the only
 * wrong-key signal without a tag), SM_ERR_AXDR, or - only when more_may_come
 * (a stream of bare APDUs whose end is known only by parsing) -
 * SM_NEED_MORE when the bytes end inside the notification. */
sm_status sm_axdr_notification(const uint8_t *p, size_t n, bool more_may_come,
                               sm_telegram *t, size_t *used);
/* True when p[0..n) starts like a data-notification (the header checks of
 * sm_axdr_notification, nothing parsed): decrypted with the right key. */
bool sm_axdr_is_notification(const uint8_t *p, size_t n);
/* Read a BER length at p[*pos]; advances *pos. Returns -1 if truncated or
 * longer than 2 length bytes. */
long sm_ber_length(const uint8_t *p, size_t n, size_t *pos);

#endif
