/* SPDX-License-Identifier: MIT */
/* encoder.c - see encoder.h. Test-only code: clarity over speed. */
#include "encoder.h"

#include <gcrypt.h>
#include <string.h>

#include "framer.h"

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* BER length; returns bytes written. */
static size_t put_ber(uint8_t *p, size_t len) {
  if (len < 0x80) {
    p[0] = (uint8_t)len;
    return 1;
  }
  if (len < 0x100) {
    p[0] = 0x81;
    p[1] = (uint8_t)len;
    return 2;
  }
  p[0] = 0x82;
  p[1] = (uint8_t)(len >> 8);
  p[2] = (uint8_t)len;
  return 3;
}

/* Returns bytes used by the length field or 0 if malformed. */
static size_t get_ber(const uint8_t *p, size_t n, size_t *len) {
  if (n < 1)
    return 0;
  if (p[0] < 0x80) {
    *len = p[0];
    return 1;
  }
  if (p[0] == 0x81 && n >= 2) {
    *len = p[1];
    return 2;
  }
  if (p[0] == 0x82 && n >= 3) {
    *len = (size_t)p[1] << 8 | p[2];
    return 3;
  }
  return 0;
}

/* Open a GCM handle with key, IV = title || fc, and the AAD when the SC
 * asks for authentication. */
static gcry_cipher_hd_t gcm_start(const uint8_t key[16], const uint8_t t[8],
                                  uint8_t sc, uint32_t fc,
                                  const uint8_t *auth_key) {
  gcry_cipher_hd_t h;
  uint8_t iv[12], aad[17];
  if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0))
    return NULL;
  memcpy(iv, t, 8);
  put_u32(iv + 8, fc);
  aad[0] = sc;
  if (auth_key)
    memcpy(aad + 1, auth_key, 16);
  if (gcry_cipher_setkey(h, key, 16) || gcry_cipher_setiv(h, iv, sizeof iv) ||
      ((sc & 0x10) && gcry_cipher_authenticate(h, aad, sizeof aad))) {
    gcry_cipher_close(h);
    return NULL;
  }
  return h;
}

size_t enc_seal(const enc_params *p, const uint8_t *plain, size_t n,
                uint8_t *out, size_t cap) {
  size_t tag = (p->sc & 0x10) ? ENC_TAG_LEN : 0;
  size_t body = 5 + n + tag;
  size_t lenlen = body < 0x80 ? 1 : body < 0x100 ? 2 : 3;
  if (body > 0xFFFF || cap < 10 + lenlen + body)
    return 0;
  out[0] = 0xDB;
  out[1] = 0x08;
  memcpy(out + 2, p->system_title, 8);
  size_t pos = 10 + put_ber(out + 10, body);
  out[pos] = p->sc;
  put_u32(out + pos + 1, p->fc);
  pos += 5;
  gcry_cipher_hd_t h = gcm_start(p->key, p->system_title, p->sc, p->fc,
                                 tag ? p->auth_key : NULL);
  if (!h)
    return 0;
  bool ok = !gcry_cipher_encrypt(h, out + pos, n, plain, n) &&
            (!tag || !gcry_cipher_gettag(h, out + pos + n, tag));
  gcry_cipher_close(h);
  return ok ? pos + n + tag : 0;
}

size_t enc_open(const uint8_t *apdu, size_t n, const uint8_t key[16],
                uint8_t *plain, size_t cap, enc_header *h) {
  size_t body, used, ct;
  gcry_cipher_hd_t c;
  if (n < 11 || apdu[0] != 0xDB || apdu[1] != 0x08)
    return 0;
  used = get_ber(apdu + 10, n - 10, &body);
  if (!used || body < 5 || 10 + used + body > n)
    return 0;
  memcpy(h->system_title, apdu + 2, 8);
  h->sc = apdu[10 + used];
  h->fc = get_u32(apdu + 11 + used);
  h->apdu_len = 10 + used + body;
  size_t tag = (h->sc & 0x10) ? ENC_TAG_LEN : 0;
  if (body < 5 + tag + 1 || body - 5 - tag > cap)
    return 0;
  ct = body - 5 - tag;
  c = gcm_start(key, h->system_title, h->sc & ~0x10, h->fc, NULL);
  if (!c)
    return 0;
  bool ok = !gcry_cipher_decrypt(c, plain, ct, apdu + 15 + used, ct);
  gcry_cipher_close(c);
  return ok ? ct : 0;
}

/* ---- AMIS -----------------------------------------------------------------
 */

#define AMIS_OFF_C 4
#define AMIS_OFF_ID 7
#define AMIS_OFF_MFR 11 /* then version, medium */
#define AMIS_OFF_ACCESS 15
#define AMIS_OFF_DATA 19

/* A CBC handle for key, kept while the key stays the same: the AMIS
 * fuzzer seals a frame per operation under one key. */
static gcry_cipher_hd_t cbc_for(const uint8_t key[16]) {
  static gcry_cipher_hd_t h;
  static uint8_t have[16];
  if (h && !memcmp(have, key, 16))
    return h;
  if (h)
    gcry_cipher_close(h);
  h = NULL;
  if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0))
    return h = NULL;
  if (gcry_cipher_setkey(h, key, 16)) {
    gcry_cipher_close(h);
    return h = NULL;
  }
  memcpy(have, key, 16);
  return h;
}

size_t enc_amis_snd_ud(uint8_t *out, size_t cap, const uint8_t key[16],
                       uint8_t access, bool fcb,
                       const uint8_t plain[ENC_AMIS_PLAIN]) {
  static const uint8_t head[AMIS_OFF_DATA] = {
      0x68, 0x5F, 0x5F, 0x68, 0x53, 0xF0, 0x5B, 0x00, 0x00, 0x00,
      0x00, 0x2D, 0x4C, 0x01, 0x0E, 0x00, 0x00, 0x50, 0x05};
  uint8_t iv[16];
  gcry_cipher_hd_t h = cbc_for(key);
  if (cap < ENC_AMIS_FRAME || !h)
    return 0;
  memcpy(out, head, sizeof head);
  out[AMIS_OFF_C] |= fcb ? 0x20 : 0;
  out[AMIS_OFF_ACCESS] = access;
  /* IV: the address in the order of a wireless M-Bus header
   * (manufacturer, ID, version, medium), then the access number 8 times. */
  memcpy(iv, out + AMIS_OFF_MFR, 2);
  memcpy(iv + 2, out + AMIS_OFF_ID, 4);
  memcpy(iv + 6, out + AMIS_OFF_MFR + 2, 2);
  memset(iv + 8, access, 8);
  if (gcry_cipher_setiv(h, iv, 16) ||
      gcry_cipher_encrypt(h, out + AMIS_OFF_DATA, ENC_AMIS_PLAIN, plain,
                          ENC_AMIS_PLAIN))
    return 0;
  out[ENC_AMIS_FRAME - 1] = 0x16;
  frm_mbus_fix_checksum(out, ENC_AMIS_FRAME);
  return ENC_AMIS_FRAME;
}
