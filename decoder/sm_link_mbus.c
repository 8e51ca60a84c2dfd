/* SPDX-License-Identifier: MIT */
/* sm_link_mbus.c - link-layer row: wired M-Bus long frames
 * (68 L L 68 C A CI STSAP DTSAP data CS 16, EN 13757-2).
 *
 * The CI byte carries the DLMS segmentation: bits 0-3 the sequence number,
 * bit 4 (FIN) the last segment; 0x10 is an unsegmented APDU. Anything else
 * - 0xE5 acks, short frames, line noise - starts no frame here. */
#include "sm_private.h"

#define CI_FIN 0x10
#define CI_SEQ 0x0F
#define CI_MAX 0x1F

/* The L field counts C through the last data byte. A long frame carries at
 * least C, A and CI, so L < 3 is impossible: the Sagemcom T210-D sends
 * 257-byte frames with only the low 8 bits of the length (L = 0x01). */
static size_t frame_length(uint8_t l_field) {
  return l_field < 3 ? (size_t)l_field + 256 : l_field;
}

/* The sum of p[0..n) mod 256. Byte lanes that wrap are exact for a sum
 * mod 256, and a fixed-width inner loop is what gcc -O2 turns into one
 * vector add per 16 bytes (a loop to a run-time n it leaves scalar). */
#define LANES 16

static uint8_t checksum(const uint8_t *p, size_t n) {
  uint8_t lane[LANES] = {0}, sum = 0;
  size_t i = 0;
  for (; n - i >= LANES; i += LANES)
    for (size_t j = 0; j < LANES; j++)
      lane[j] = (uint8_t)(lane[j] + p[i + j]);
  for (; i < n; i++)
    sum = (uint8_t)(sum + p[i]);
  for (size_t j = 0; j < LANES; j++)
    sum = (uint8_t)(sum + lane[j]);
  return sum;
}

static sm_link_result mbus_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  (void)at_end;
  if (p[0] != 0x68)
    return SM_LINK_NONE;
  if (n < 4)
    return SM_LINK_PARTIAL;
  if (p[1] != p[2] || p[3] != 0x68)
    return SM_LINK_NONE;
  size_t len = frame_length(p[1]);
  *size = len + 6;
  if (n < *size)
    return SM_LINK_PARTIAL;
  *err = p[4 + len + 1] != 0x16               ? SM_ERR_STOP_BYTE
         : checksum(p + 4, len) != p[4 + len] ? SM_ERR_CHECKSUM
         : len <= 5 || p[6] > CI_MAX          ? SM_ERR_UNSUPPORTED
                                              : SM_NEED_MORE;
  if (*err != SM_NEED_MORE)
    return SM_LINK_BROKEN;
  /* C A CI STSAP DTSAP data */
  uint8_t ci = p[6];
  f->data = p + 9;
  f->len = len - 5;
  f->seq = ci & CI_SEQ;
  f->seq_max = CI_SEQ;
  f->first = f->seq == 0;
  f->last = (ci & CI_FIN) != 0;
  return SM_LINK_FRAME;
}

const sm_link_ops sm_link_mbus = {
    .input = SM_INPUT_MBUS,
    .name = "mbus",
    .checked = true,
    .starts = {0x68, 0x68},
    .frame = mbus_frame,
};
