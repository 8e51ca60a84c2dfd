/* SPDX-License-Identifier: MIT */
/* sm_link_dsmr.c - link-layer row: DSMR P1 text telegrams
 * ("/" ident ... "!" CRC CR LF), as P1 ports in the Netherlands, Belgium
 * and Luxembourg send them. The CRC-16/ARC over "/" .. "!" is the frame's
 * check, so a telegram is believed wherever it is found. */
#include "sm_private.h"

static sm_link_result dsmr_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  if (p[0] != '/')
    return SM_LINK_NONE;
  sm_status st = sm_dsmr_size(p, n, at_end, size);
  if (st == SM_NEED_MORE)
    return SM_LINK_PARTIAL;
  if (st != SM_TELEGRAM)
    return SM_LINK_NONE;
  if (!sm_dsmr_crc_ok(p, *size)) {
    *err = SM_ERR_CHECKSUM;
    return SM_LINK_BROKEN;
  }
  f->data = p;
  f->len = *size;
  f->first = f->last = true;
  f->seq = f->seq_max = -1;
  return SM_LINK_FRAME;
}

const sm_link_ops sm_link_dsmr = {
    .input = SM_INPUT_DSMR,
    .name = "dsmr",
    .checked = true,
    .starts = {'/', '/'},
    .partial_covers_rest = true,
    .frame = dsmr_frame,
};
