/* SPDX-License-Identifier: MIT */
/* sm_link_hdlc.c - link-layer row: HDLC, IEC 62056-46 frame format type 3:
 *
 *   7E | A S LLL LLLLLLLL | DA | SA | CTRL | HCS | INFO | FCS | 7E
 *
 * framed by the 11-bit length (bytes from the format field through the
 * FCS), never by flags: async lines do no byte stuffing, so 7E occurs
 * inside frames. Addresses are 1, 2 or 4 bytes, the last with bit 0 set.
 * HCS covers format..CTRL, FCS format..INFO, both CRC-16/X.25 sent low
 * byte first. The first frame of an APDU starts its INFO with the LLC
 * E6 E7 00; S = 1 marks every frame but the last of a segmented APDU. */
#include "sm_private.h"

#define FLAG 0x7E
#define FORMAT_TYPE3 0xA000
#define FORMAT_SEGMENTED 0x0800
#define FORMAT_LENGTH 0x07FF

/* Length of an HDLC address at p[0..n): 1, 2 or 4; 0 if invalid; n + 1 when
 * it runs past the bytes here. */
static size_t address_length(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < 4; i++) {
    if (i >= n)
      return n + 1;
    if (p[i] & 1)
      return i == 2 ? 0 : i + 1;
  }
  return 0;
}

static bool crc_ok(const uint8_t *p, size_t n) {
  uint16_t crc = sm_crc16_x25(p, n);
  return p[n] == (uint8_t)crc && p[n + 1] == (uint8_t)(crc >> 8);
}

/* Offset of the HCS in p, or 0 when the header cannot be one (*partial:
 * the bytes end inside it). p[1..2] is a type-3 format field. */
static size_t header_end(const uint8_t *p, size_t n, size_t len,
                         bool *partial) {
  *partial = false;
  size_t da = address_length(p + 3, n - 3);
  if (da == 0)
    return 0;
  size_t sa = da > n - 3 ? 0 : address_length(p + 3 + da, n - 3 - da);
  if (da > n - 3 || sa > n - 3 - da) {
    *partial = true;
    return 0;
  }
  size_t hcs = 3 + da + sa + 1; /* after CTRL */
  if (sa == 0 || hcs + 1 > len) /* HCS must end inside the frame */
    return 0;
  if (hcs + 2 > n)
    *partial = true;
  return hcs;
}

static sm_link_result hdlc_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  (void)at_end;
  if (p[0] != FLAG)
    return SM_LINK_NONE;
  if (n < 3)
    return SM_LINK_PARTIAL;
  unsigned format = (unsigned)p[1] << 8 | p[2];
  if ((format & 0xF000) != FORMAT_TYPE3)
    return SM_LINK_NONE;
  size_t len = format & FORMAT_LENGTH;
  bool partial;
  size_t hcs = header_end(p, n, len, &partial);
  if (partial)
    return SM_LINK_PARTIAL;
  /* A frame without INFO (hcs + 1 == len) carries nothing for us; one with
   * INFO needs a byte of it and the FCS after the HCS. */
  if (hcs == 0 || hcs + 4 > len)
    return SM_LINK_NONE;
  if (!crc_ok(p + 1, hcs - 1)) {
    /* A header of noise is found out here, before its length is awaited. */
    *size = hcs + 2;
    *err = SM_ERR_CHECKSUM;
    return SM_LINK_BROKEN;
  }
  *size = len + 2;
  if (n < *size)
    return SM_LINK_PARTIAL;
  *err = p[len + 1] != FLAG        ? SM_ERR_STOP_BYTE
         : !crc_ok(p + 1, len - 2) ? SM_ERR_CHECKSUM
                                   : SM_NEED_MORE;
  if (*err != SM_NEED_MORE)
    return SM_LINK_BROKEN;
  const uint8_t *info = p + hcs + 2;
  size_t info_len = len - 1 - (hcs + 2); /* up to the FCS at p[len-1] */
  f->first =
      info_len >= 3 && info[0] == 0xE6 && info[1] == 0xE7 && info[2] == 0x00;
  f->data = f->first ? info + 3 : info;
  f->len = f->first ? info_len - 3 : info_len;
  f->last = (format & FORMAT_SEGMENTED) == 0;
  f->seq = f->seq_max = -1;
  return SM_LINK_FRAME;
}

const sm_link_ops sm_link_hdlc = {
    .input = SM_INPUT_HDLC,
    .name = "hdlc",
    .checked = true,
    .starts = {FLAG, FLAG},
    .frame = hdlc_frame,
};
