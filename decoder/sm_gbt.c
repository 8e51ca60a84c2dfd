/* SPDX-License-Identifier: MIT */
/* sm_gbt.c - General-Block-Transfer (tag 0xE0), as the Landis+Gyr E450 of
 * Energienetze Steiermark and Stromnetz Graz pushes: one block per frame,
 *   E0 | ctrl (0x80 last block, 0x40 streaming) | block number (2) |
 *   acknowledged block (2) | BER length | data
 * numbered from 1. The blocks' data joined in order is one APDU. A block
 * missing, repeated or out of order abandons the APDU (SM_ERR_SEGMENT);
 * blocks of an APDU whose first block we never saw (start-up) go quietly. */
#include <string.h>

#include "sm_private.h"

#define GBT_LAST 0x80
#define GBT_HEADER 6

void sm_blocks_reset(sm_blocks *b) {
  b->len = 0;
  b->next = 0;
}

bool sm_blocks_partial(const sm_blocks *b) {
  return b->next != 0;
}

/* The data of one block: SM_TELEGRAM with *data, *len, or an error. */
static sm_status block_data(const uint8_t *apdu, size_t len,
                            const uint8_t **data, size_t *n) {
  if (len < GBT_HEADER + 1)
    return SM_ERR_APDU_LENGTH;
  size_t pos = GBT_HEADER;
  long k = sm_ber_length(apdu, len, &pos);
  if (k < 0 || pos + (size_t)k != len)
    return SM_ERR_APDU_LENGTH;
  *data = apdu + pos;
  *n = (size_t)k;
  return SM_TELEGRAM;
}

sm_status sm_blocks_add(sm_blocks *b, const uint8_t *apdu, size_t len) {
  const uint8_t *data;
  size_t n;
  sm_status st = block_data(apdu, len, &data, &n);
  if (st != SM_TELEGRAM) {
    sm_blocks_reset(b);
    return st;
  }
  bool last = (apdu[1] & GBT_LAST) != 0;
  uint16_t number = (uint16_t)(apdu[2] << 8 | apdu[3]);
  sm_status gap = SM_NEED_MORE;
  if (number == 1) {
    gap = sm_blocks_partial(b) ? SM_ERR_SEGMENT : SM_NEED_MORE;
    sm_blocks_reset(b);
  } else if (number != b->next) {
    bool quiet = b->next == 0 && !b->seen_first;
    sm_blocks_reset(b);
    return quiet ? SM_NEED_MORE : SM_ERR_SEGMENT;
  }
  if (b->len + n > SM_MAX_APDU) {
    sm_blocks_reset(b);
    return SM_ERR_TOO_LONG;
  }
  memcpy(b->buf + b->len, data, n);
  b->len += n;
  b->seen_first = true;
  if (last) {
    b->next = 0;
    return SM_TELEGRAM;
  }
  b->next = (uint16_t)(number + 1);
  return gap;
}
