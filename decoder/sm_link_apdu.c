/* SPDX-License-Identifier: MIT */
/* sm_link_apdu.c - link-layer row: bare APDUs back to back, as captures
 * hold them and as the Sagemcom T210-D-R pushes on its P1 port:
 *   DB ...  general-glo-ciphering, framed by its own length field;
 *   0F ...  an unencrypted data-notification, framed by parsing it.
 * Nothing here carries a checksum, so the driver never lets this row pick
 * up bytes a checked framing rejected. Two rows: sm_link_apdu (Framing
 * apdu) takes both; sm_link_glo, the one Framing auto tries, only DB: a
 * bare 0F has no length and no check to tell it from noise. */
#include "sm_private.h"

static sm_link_result whole(const uint8_t *p, size_t size, sm_frame *f,
                            size_t *out) {
  f->data = p;
  f->len = size;
  f->first = f->last = true;
  f->seq = f->seq_max = -1;
  *out = size;
  return SM_LINK_FRAME;
}

static sm_link_result broken(sm_status st, size_t *size, sm_status *err) {
  *size = 1;
  *err = st;
  return SM_LINK_BROKEN;
}

static sm_link_result glo_frame(const uint8_t *p, size_t n, sm_frame *f,
                                size_t *size, sm_status *err) {
  size_t total = 0;
  sm_status st = sm_glo_length(p, n, &total);
  if (st == SM_NEED_MORE)
    return SM_LINK_PARTIAL;
  if (st != SM_TELEGRAM)
    return broken(st, size, err);
  if (total > SM_MAX_APDU)
    return broken(SM_ERR_TOO_LONG, size, err);
  if (n < total)
    return SM_LINK_PARTIAL;
  return whole(p, total, f, size);
}

/* The header must be complete before it can be judged. */
#define NOTIFICATION_HEADER_MAX 20

static sm_link_result plain_frame(const uint8_t *p, size_t n, bool at_end,
                                  sm_frame *f, size_t *size, sm_status *err) {
  if (n < NOTIFICATION_HEADER_MAX && !at_end)
    return SM_LINK_PARTIAL;
  size_t clock, pos;
  sm_status st = sm_notification_header(p, n, &clock, &pos);
  if (st == SM_TELEGRAM)
    st = sm_axdr_skip(p, n, &pos);
  if (st == SM_TELEGRAM)
    return whole(p, pos, f, size);
  if (st == SM_NEED_MORE && !at_end && n < SM_MAX_APDU)
    return SM_LINK_PARTIAL;
  return broken(st == SM_NEED_MORE       ? SM_ERR_AXDR
                : st == SM_ERR_KEY_WRONG ? SM_ERR_AXDR
                                         : st,
                size, err);
}

static sm_link_result apdu_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  if (p[0] == 0xDB)
    return glo_frame(p, n, f, size, err);
  if (p[0] == 0x0F)
    return plain_frame(p, n, at_end, f, size, err);
  return SM_LINK_NONE;
}

/* Framing auto meets DB bytes in noise and ciphertext: it believes only a
 * header with a length that fits and a security byte we can decrypt
 * (0x20 0x21 0x30 0x31); anything else is no frame, not an error. */
static sm_link_result glo_only(const uint8_t *p, size_t n, bool at_end,
                               sm_frame *f, size_t *size, sm_status *err) {
  (void)at_end;
  size_t total, pos = 10;
  if (p[0] != 0xDB)
    return SM_LINK_NONE;
  sm_status st = sm_glo_length(p, n, &total);
  if (st == SM_NEED_MORE)
    return SM_LINK_PARTIAL;
  if (st != SM_TELEGRAM || total > SM_MAX_APDU || sm_ber_length(p, n, &pos) < 6)
    return SM_LINK_NONE;
  if (pos >= n)
    return SM_LINK_PARTIAL;
  if ((p[pos] & 0xEE) != 0x20)
    return SM_LINK_NONE;
  return glo_frame(p, n, f, size, err);
}

const sm_link_ops sm_link_apdu = {
    .input = SM_INPUT_APDU,
    .name = "apdu",
    .checked = false,
    .starts = {0xDB, 0x0F},
    .unframed = 0x0F,
    .frame = apdu_frame,
};

const sm_link_ops sm_link_glo = {
    .input = SM_INPUT_APDU,
    .name = "apdu",
    .checked = false,
    .starts = {0xDB, 0xDB},
    .frame = glo_only,
};
