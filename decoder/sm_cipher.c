/* SPDX-License-Identifier: MIT */
/* sm_cipher.c - DLMS general-glo-ciphering (tag 0xDB):
 *   DB 08 <system title 8> <BER length> <SC> <frame counter 4>
 *   <ciphertext> [<GCM tag 12> when SC has 0x10]
 * decrypted with AES-128-GCM, IV = system title || frame counter,
 * AAD = SC || authentication key when the tag is checked. */
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

#define TAG_GLO 0xDB
#define SC_SUITE 0x0F
#define SC_AUTH 0x10
#define SC_ENC 0x20
#define SC_COMPRESSED 0x80
#define GCM_TAG_LEN 12
#define GCM_IV_LEN 12

sm_status sm_cipher_open(sm_cipher *c, const sm_options *o) {
  memset(c, 0, sizeof *c);
  if (gcry_cipher_open(&c->hd, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0) ||
      gcry_cipher_open(&c->ctr, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0)) {
    sm_cipher_close(c);
    return SM_ERR_CRYPTO;
  }
  if (o && o->has_key) {
    if (gcry_cipher_setkey(c->hd, o->key, SM_KEY_LEN) ||
        gcry_cipher_setkey(c->ctr, o->key, SM_KEY_LEN)) {
      sm_cipher_close(c);
      return SM_ERR_CRYPTO;
    }
    c->has_key = true;
  }
  if (o && o->has_auth_key) {
    memcpy(c->auth_key, o->auth_key, SM_KEY_LEN);
    c->has_auth_key = true;
  }
  return SM_OK;
}

void sm_cipher_close(sm_cipher *c) {
  /* libgcrypt wipes the key schedules on close. */
  if (c->hd)
    gcry_cipher_close(c->hd);
  if (c->ctr)
    gcry_cipher_close(c->ctr);
  sm_wipe(c->auth_key, sizeof c->auth_key);
  c->hd = c->ctr = NULL;
  c->has_key = c->has_auth_key = false;
}

/* Suites 0 and 1 are AES-GCM-128; we need encryption, no compression. */
static bool sc_supported(uint8_t sc) {
  return (sc & SC_ENC) && !(sc & SC_COMPRESSED) && (sc & SC_SUITE) <= 1;
}

sm_status sm_glo_parse(uint8_t *apdu, size_t len, sm_glo *g, size_t *used) {
  if (len < 2 || apdu[0] != TAG_GLO || apdu[1] != 8)
    return len < 2 ? SM_ERR_APDU_LENGTH : SM_ERR_UNSUPPORTED;
  size_t pos = 10;
  if (len < pos)
    return SM_ERR_APDU_LENGTH;
  memcpy(g->system_title, apdu + 2, 8);
  long body = sm_ber_length(apdu, len, &pos);
  if (body < 0 || pos + (size_t)body > len)
    return SM_ERR_APDU_LENGTH;
  if (body < 5)
    return SM_ERR_APDU_LENGTH;
  g->sc = apdu[pos];
  if (!sc_supported(g->sc))
    return SM_ERR_UNSUPPORTED;
  g->frame_counter = (uint32_t)apdu[pos + 1] << 24 |
                     (uint32_t)apdu[pos + 2] << 16 |
                     (uint32_t)apdu[pos + 3] << 8 | apdu[pos + 4];
  size_t tag_len = (g->sc & SC_AUTH) ? GCM_TAG_LEN : 0;
  if ((size_t)body < 5 + tag_len + 1)
    return SM_ERR_APDU_LENGTH;
  g->payload = apdu + pos + 5;
  g->payload_len = (size_t)body - 5 - tag_len;
  g->tag = tag_len ? g->payload + g->payload_len : NULL;
  *used = pos + (size_t)body;
  return SM_TELEGRAM;
}

static sm_status authenticate(sm_cipher *c, uint8_t sc) {
  uint8_t aad[1 + SM_KEY_LEN];
  aad[0] = sc;
  memcpy(aad + 1, c->auth_key, SM_KEY_LEN);
  gcry_error_t e = gcry_cipher_authenticate(c->hd, aad, sizeof aad);
  sm_wipe(aad, sizeof aad);
  return e ? SM_ERR_CRYPTO : SM_OK;
}

sm_status sm_cipher_decrypt(sm_cipher *c, const sm_glo *g,
                            bool *authenticated) {
  *authenticated = false;
  if (!c->has_key)
    return SM_ERR_NO_KEY;
  bool check = g->tag && c->has_auth_key;
  uint8_t iv[16]; /* IV (12 bytes), then GCM's first data counter: 2 */
  memcpy(iv, g->system_title, 8);
  iv[8] = (uint8_t)(g->frame_counter >> 24);
  iv[9] = (uint8_t)(g->frame_counter >> 16);
  iv[10] = (uint8_t)(g->frame_counter >> 8);
  iv[11] = (uint8_t)g->frame_counter;
  if (!check) {
    /* Without a tag check, GCM decryption is AES-CTR from IV||00000002. */
    iv[12] = iv[13] = iv[14] = 0;
    iv[15] = 2;
    if (gcry_cipher_setctr(c->ctr, iv, sizeof iv) ||
        gcry_cipher_decrypt(c->ctr, g->payload, g->payload_len, NULL, 0))
      return SM_ERR_CRYPTO;
    return SM_TELEGRAM;
  }
  /* A reused GCM handle keeps state from the previous frame: reset it. */
  if (gcry_cipher_reset(c->hd) || gcry_cipher_setiv(c->hd, iv, GCM_IV_LEN))
    return SM_ERR_CRYPTO;
  if (authenticate(c, g->sc) != SM_OK)
    return SM_ERR_CRYPTO;
  if (gcry_cipher_decrypt(c->hd, g->payload, g->payload_len, NULL, 0))
    return SM_ERR_CRYPTO;
  gcry_error_t e = gcry_cipher_checktag(c->hd, g->tag, GCM_TAG_LEN);
  if (e) {
    /* A wrong encryption key fails the tag too; only a plaintext that still
     * looks like a data-notification points at the authentication key. */
    bool looks_plain = sm_axdr_is_notification(g->payload, g->payload_len) ||
                       sm_dsmr_is_telegram(g->payload, g->payload_len);
    /* The buffer holds unauthenticated plaintext: never let it out. */
    sm_wipe(g->payload, g->payload_len);
    if (gcry_err_code(e) != GPG_ERR_CHECKSUM)
      return SM_ERR_CRYPTO;
    return looks_plain ? SM_ERR_TAG : SM_ERR_KEY_WRONG;
  }
  *authenticated = true;
  return SM_TELEGRAM;
}
