/* SPDX-License-Identifier: MIT */
/* encoder.c - see encoder.h. Test-only code: clarity over speed. */
#include "encoder.h"

#include <gcrypt.h>
#include <string.h>

#define ENC_HDR_MAX 16 /* DB 08 title(8) 82 xx xx */

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

/* Open a GCM handle with key, reset, IV = title || fc, and the AAD when
 * the SC asks for authentication. */
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
  if (gcry_cipher_setkey(h, key, 16) || gcry_cipher_reset(h) ||
      gcry_cipher_setiv(h, iv, sizeof iv) ||
      ((sc & 0x10) && gcry_cipher_authenticate(h, aad, sizeof aad))) {
    gcry_cipher_close(h);
    return NULL;
  }
  return h;
}

size_t enc_seal(const enc_params *p, const uint8_t *plain, size_t n,
                uint8_t *out, size_t cap) {
  size_t tag = (p->sc & 0x10) ? ENC_TAG_LEN : 0;
  size_t body = 5 + n + tag, pos;
  uint8_t full_tag[16];
  gcry_cipher_hd_t h;
  if (body > 0xFFFF || cap < ENC_HDR_MAX + body)
    return 0;
  out[0] = 0xDB;
  out[1] = 0x08;
  memcpy(out + 2, p->system_title, 8);
  pos = 10 + put_ber(out + 10, body);
  out[pos] = p->sc;
  put_u32(out + pos + 1, p->fc);
  pos += 5;
  h = gcm_start(p->key, p->system_title, p->sc, p->fc,
                tag ? p->auth_key : NULL);
  if (!h)
    return 0;
  if (gcry_cipher_encrypt(h, out + pos, n, plain, n) ||
      (tag && gcry_cipher_gettag(h, full_tag, sizeof full_tag))) {
    gcry_cipher_close(h);
    return 0;
  }
  gcry_cipher_close(h);
  memcpy(out + pos + n, full_tag, tag);
  return pos + n + tag;
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
  ct = body - 5 - ((h->sc & 0x10) ? ENC_TAG_LEN : 0);
  if (ct > cap || body < 5 + ct)
    return 0;
  c = gcm_start(key, h->system_title, h->sc & ~0x10, h->fc, NULL);
  if (!c)
    return 0;
  if (gcry_cipher_decrypt(c, plain, ct, apdu + 15 + used, ct)) {
    gcry_cipher_close(c);
    return 0;
  }
  gcry_cipher_close(c);
  return ct;
}

size_t enc_mbus_frame(uint8_t *out, size_t cap, uint8_t ci, const uint8_t *data,
                      size_t n) {
  uint8_t cs = 0;
  size_t i;
  if (cap < n + ENC_MBUS_OVERHEAD)
    return 0;
  out[0] = out[3] = 0x68;
  out[1] = out[2] = (uint8_t)(n + 5);
  out[4] = 0x53;
  out[5] = 0xFF;
  out[6] = ci;
  out[7] = 0x01;
  out[8] = 0x67;
  memcpy(out + 9, data, n);
  for (i = 4; i < 9 + n; i++)
    cs = (uint8_t)(cs + out[i]);
  out[9 + n] = cs;
  out[10 + n] = 0x16;
  return n + ENC_MBUS_OVERHEAD;
}

size_t enc_mbus_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg) {
  size_t pos = 0, off = 0, seq = 0;
  if (seg == 0)
    return 0;
  do {
    size_t k = n - off < seg ? n - off : seg;
    uint8_t ci = (uint8_t)(seq & 0x0F);
    size_t w;
    if (off + k == n)
      ci |= 0x10;
    w = enc_mbus_frame(out + pos, cap - pos, ci, data + off, k);
    if (!w)
      return 0;
    pos += w;
    off += k;
    seq++;
  } while (off < n);
  return pos;
}

/* Is there a well-formed frame of payload length len (C..data) at p? */
static bool frame_ok(const uint8_t *p, size_t avail, size_t len) {
  uint8_t cs = 0;
  size_t i;
  if (len < 5 || avail < len + 6 || p[len + 5] != 0x16)
    return false;
  for (i = 4; i < len + 4; i++)
    cs = (uint8_t)(cs + p[i]);
  return cs == p[len + 4];
}

size_t enc_mbus_unwrap(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *first_seg) {
  size_t pos = 0, w = 0;
  *first_seg = 0;
  while (pos < n) {
    const uint8_t *p = in + pos;
    size_t len;
    if (n - pos < 6 || p[0] != 0x68 || p[3] != 0x68 || p[1] != p[2])
      return 0;
    len = p[1];
    if (!frame_ok(p, n - pos, len))
      len += 256;
    if (!frame_ok(p, n - pos, len) || w + len - 5 > cap)
      return 0;
    memcpy(out + w, p + 9, len - 5);
    if (!*first_seg)
      *first_seg = len - 5;
    w += len - 5;
    pos += len + 6;
  }
  return w;
}

/* CRC-16/X.25 written out again on purpose: the test encoder must not
 * share the decoder's code it checks. */
static uint16_t x25(const uint8_t *p, size_t n) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++)
      crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
  }
  return (uint16_t)~crc;
}

uint16_t enc_crc16_x25(const uint8_t *p, size_t n) {
  return x25(p, n);
}

static void put_crc(uint8_t *p, uint16_t crc) {
  p[0] = (uint8_t)crc;
  p[1] = (uint8_t)(crc >> 8);
}

size_t enc_hdlc_frame(uint8_t *out, size_t cap, bool segmented, bool llc,
                      const uint8_t *data, size_t n) {
  static const uint8_t addr[] = {0xCF, 0x00, 0x02, 0x00, 0x23, 0x13};
  size_t info = n + (llc ? 3 : 0);
  size_t len = 2 + sizeof addr + 2 + info + 2; /* format .. FCS */
  if (len > 0x7FF || cap < len + 2)
    return 0;
  uint8_t *p = out;
  p[0] = 0x7E;
  p[1] = (uint8_t)(0xA0 | (segmented ? 0x08 : 0) | (len >> 8));
  p[2] = (uint8_t)len;
  memcpy(p + 3, addr, sizeof addr);
  size_t hcs = 3 + sizeof addr;
  put_crc(p + hcs, x25(p + 1, hcs - 1));
  size_t o = hcs + 2;
  if (llc) {
    p[o++] = 0xE6;
    p[o++] = 0xE7;
    p[o++] = 0x00;
  }
  memcpy(p + o, data, n);
  o += n;
  put_crc(p + o, x25(p + 1, o - 1));
  p[o + 2] = 0x7E;
  return len + 2;
}

size_t enc_hdlc_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg) {
  size_t pos = 0, off = 0;
  if (seg == 0)
    return 0;
  do {
    size_t k = n - off < seg ? n - off : seg;
    size_t w = enc_hdlc_frame(out + pos, cap - pos, off + k < n, off == 0,
                              data + off, k);
    if (!w)
      return 0;
    pos += w;
    off += k;
  } while (off < n);
  return pos;
}
