/* SPDX-License-Identifier: MIT */
/* sm_link_amis.c - link-layer row: Netz OÖ's AMIS meters (Siemens
 * TD-3511/TD-3512) on their IR interface. The meter is the M-Bus master,
 * the reader its slave at primary address 240 (0xF0):
 *
 *   10 40 F0 30 16                               SND_NKE, the link start
 *   68 L L 68 C F0 5B <12-byte header> data CS 16  SND_UD, C = 53 / 73
 *
 * (C's bit 5 is the toggling FCB; CS is the sum of C .. the last data
 * byte.) Each wants an E5 from the reader; that is the decoder's business
 * (sm_decoder_acks_due), this row only classifies. Every frame it delivers
 * is addressed to the reader, so every one is acknowledged. A lone E5 in
 * the input is the reader's own answer reflected by the IR head: it, other
 * short frames and long frames with another C, A or CI start nothing here
 * (the M-Bus row reads the DLMS ones). */
#include <string.h>

#include "sm_private.h"

#define START_LONG 0x68
#define STOP 0x16
#define C_FCB 0x20
#define C_SND_UD 0x53
#define A_READER 0xF0
#define CI_LONG_HEADER 0x5B
/* C A CI and the 12-byte header: ID(4) M(2) version medium access status
 * configuration(2). */
#define L_MIN (3 + 12)

static const uint8_t SND_NKE[] = {0x10, 0x40, A_READER, 0x30, STOP};

bool sm_amis_is_link_start(const uint8_t *frame, size_t n) {
  return n == sizeof SND_NKE && !memcmp(frame, SND_NKE, n);
}

static sm_link_result whole(const uint8_t *p, size_t size, sm_frame *f,
                            size_t *out) {
  f->data = p; /* the whole frame: sm_amis_decode reads its header */
  f->len = size;
  f->first = f->last = true;
  f->seq = f->seq_max = -1;
  *out = size;
  return SM_LINK_FRAME;
}

/* Only the SND_NKE to the reader: any other short frame would want an
 * answer we must never give (a reader sends nothing but E5). */
static sm_link_result short_frame(const uint8_t *p, size_t n, sm_frame *f,
                                  size_t *size) {
  size_t k = n < sizeof SND_NKE ? n : sizeof SND_NKE;
  if (memcmp(p, SND_NKE, k) != 0)
    return SM_LINK_NONE;
  *size = sizeof SND_NKE;
  if (n < sizeof SND_NKE)
    return SM_LINK_PARTIAL;
  return whole(p, sizeof SND_NKE, f, size);
}

static uint8_t checksum(const uint8_t *p, size_t n) {
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += p[i];
  return (uint8_t)sum;
}

/* C, A and CI as far as they are here: could this be an AMIS SND_UD? */
static bool amis_header(const uint8_t *p, size_t n) {
  return (n < 5 || (p[4] & ~C_FCB) == C_SND_UD) &&
         (n < 6 || p[5] == A_READER) && (n < 7 || p[6] == CI_LONG_HEADER);
}

static sm_link_result long_frame(const uint8_t *p, size_t n, sm_frame *f,
                                 size_t *size, sm_status *err) {
  if (n < 4)
    return SM_LINK_PARTIAL;
  if (p[1] != p[2] || p[3] != START_LONG || p[1] < L_MIN || !amis_header(p, n))
    return SM_LINK_NONE;
  size_t len = p[1];
  *size = len + 6;
  if (n < *size)
    return SM_LINK_PARTIAL;
  *err = p[4 + len + 1] != STOP               ? SM_ERR_STOP_BYTE
         : checksum(p + 4, len) != p[4 + len] ? SM_ERR_CHECKSUM
                                              : SM_NEED_MORE;
  if (*err != SM_NEED_MORE)
    return SM_LINK_BROKEN;
  return whole(p, *size, f, size);
}

static sm_link_result amis_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  (void)at_end;
  if (p[0] == SND_NKE[0])
    return short_frame(p, n, f, size);
  if (p[0] == START_LONG)
    return long_frame(p, n, f, size, err);
  return SM_LINK_NONE;
}

const sm_link_ops sm_link_amis = {
    .input = SM_INPUT_AMIS,
    .name = "amis",
    .checked = true,
    .starts = {0x10, START_LONG}, /* SND_NKE, SND_UD */
    .frame = amis_frame,
};
