/* SPDX-License-Identifier: MIT */
/* sm_oms.c - an AMIS SND_UD: its 12-byte header and OMS security mode 5.
 *
 *   0  68 L L 68 C A 5B            (checked by sm_link_amis)
 *   7  ID(4) M(2) version medium   the address (the reader's: the same
 *                                  2D4C 00000000 01 0E on every meter)
 *  15  access number, status, configuration word (LSB first)
 *  19  data: 16 x N bytes AES-128-CBC, N from the configuration word,
 *      then any unencrypted records; CS 16
 *
 * IV = M ID version medium || 8 x access number. No padding, no tag: the
 * only sign of the right key is the plaintext itself, which starts with
 * the 2F 2F fill and is made of records (sm_mbus_records.c). */
#include <stdio.h>
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

#define OFF_ID 7
#define OFF_M 11
#define OFF_VERSION 13
#define OFF_MEDIUM 14
#define OFF_ACCESS 15
#define OFF_CONFIG 17
#define OFF_DATA 19
#define TRAILER 2 /* CS 16 */
#define BLOCK 16
#define MODE_AES_CBC_IV 5
#define FILL 0x2F

typedef struct header {
  uint8_t address[8]; /* M(2) ID(4) version medium: IV and system title */
  uint8_t access;
  uint16_t manufacturer;
  unsigned mode, blocks; /* configuration word bits 8-12 and 4-7 */
  const uint8_t *data;
  size_t len;
} header;

sm_status sm_oms_open(sm_oms *c, const sm_options *o) {
  memset(c, 0, sizeof *c);
  if (!o || !o->has_key)
    return SM_OK;
  if (gcry_cipher_open(&c->cbc, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) ||
      gcry_cipher_setkey(c->cbc, o->key, SM_KEY_LEN)) {
    sm_oms_close(c);
    return SM_ERR_CRYPTO;
  }
  c->has_key = true;
  return SM_OK;
}

void sm_oms_close(sm_oms *c) {
  if (c->cbc) /* libgcrypt wipes the key schedule */
    gcry_cipher_close(c->cbc);
  c->cbc = NULL;
  c->has_key = false;
  sm_wipe(c->plain, sizeof c->plain);
}

static void header_parse(const uint8_t *f, size_t n, header *h) {
  /* The address in the order the IV wants it: M first, then ID. */
  memcpy(h->address, f + OFF_M, 2);
  memcpy(h->address + 2, f + OFF_ID, 4);
  h->address[6] = f[OFF_VERSION];
  h->address[7] = f[OFF_MEDIUM];
  h->access = f[OFF_ACCESS];
  h->manufacturer = (uint16_t)(f[OFF_M] | f[OFF_M + 1] << 8);
  unsigned config = f[OFF_CONFIG] | (unsigned)f[OFF_CONFIG + 1] << 8;
  h->mode = (config >> 8) & 0x1F;
  h->blocks = (config >> 4) & 0x0F;
  h->data = f + OFF_DATA;
  h->len = n - OFF_DATA - TRAILER; /* the row guarantees n >= 21 */
}

static sm_status decrypt(sm_oms *c, const header *h, char *detail,
                         size_t detail_size) {
  if (h->mode != MODE_AES_CBC_IV) {
    snprintf(detail, detail_size, "OMS security mode %u (only 5 is known)",
             h->mode);
    return SM_ERR_UNSUPPORTED;
  }
  size_t enc = (size_t)h->blocks * BLOCK;
  if (enc == 0 || enc > h->len) {
    snprintf(detail, detail_size,
             "%u encrypted blocks announced, %zu data bytes sent", h->blocks,
             h->len);
    return SM_ERR_APDU_LENGTH;
  }
  if (!c->has_key)
    return SM_ERR_NO_KEY;
  uint8_t iv[BLOCK];
  memcpy(iv, h->address, 8);
  memset(iv + 8, h->access, 8);
  if (gcry_cipher_setiv(c->cbc, iv, sizeof iv) ||
      gcry_cipher_decrypt(c->cbc, c->plain, enc, h->data, enc))
    return SM_ERR_CRYPTO;
  /* Records after the encrypted blocks are plaintext already. */
  memcpy(c->plain + enc, h->data + enc, h->len - enc);
  return SM_TELEGRAM;
}

static void identity(sm_telegram *t, const header *h) {
  t->dsmr = false;
  t->encrypted = true;
  t->authenticated = t->tag_unchecked = false; /* CBC has no tag */
  t->security = (uint8_t)h->mode;
  memcpy(t->system_title, h->address, 8);
  t->frame_counter = h->access;
  t->invoke_id = 0;
  /* The address is the reader's, the same on every meter: no meter number
   * in the telegram. */
  t->meter_number[0] = t->device_name[0] = '\0';
  t->layout = "AMIS M-Bus records (Siemens TD-3511: Netz OOe)";
}

void sm_amis_header(const uint8_t *frame, size_t n, sm_header *out) {
  header h;
  header_parse(frame, n, &h);
  out->valid = out->encrypted = true;
  out->security = (uint8_t)h.mode;
  memcpy(out->system_title, h.address, 8);
  out->frame_counter = h.access;
}

sm_status sm_amis_decode(sm_oms *c, const uint8_t *frame, size_t n,
                         sm_telegram *t, char *detail, size_t detail_size) {
  header h;
  header_parse(frame, n, &h);
  sm_status st = decrypt(c, &h, detail, detail_size);
  if (st != SM_TELEGRAM)
    return st;
  if (c->plain[0] != FILL || c->plain[1] != FILL) {
    snprintf(detail, detail_size,
             "the plaintext does not start with the 2F 2F fill");
    st = SM_ERR_KEY_WRONG;
  } else {
    st = sm_mbus_records(c->plain, h.len, h.manufacturer, t, detail,
                         detail_size);
    /* 2F 2F passes one wrong key in 65536; their records do not walk. */
    if (st == SM_ERR_APDU_LENGTH || st == SM_ERR_UNSUPPORTED)
      st = SM_ERR_KEY_WRONG;
  }
  sm_wipe(c->plain, h.len);
  if (st == SM_TELEGRAM)
    identity(t, &h);
  return st;
}
