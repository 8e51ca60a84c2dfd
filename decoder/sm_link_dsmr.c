/* sm_link_dsmr.c - link-layer row: DSMR P1 text telegrams
 * ("/" ident ... "!" CRC CR LF), as P1 ports in the Netherlands, Belgium
 * and Luxembourg send them. The CRC-16/ARC over "/" .. "!" is the frame's
 * check, so a telegram is believed wherever it is found. */
#include "sm_names.h"
#include "sm_private.h"

/* The 4 hex digits after the last '!' in p[0..size). */
static bool crc_ok(const uint8_t *p, size_t size) {
  size_t bang = size;
  while (bang > 0 && p[bang - 1] != '!')
    bang--;
  if (bang == 0 || size - bang < 4)
    return false;
  unsigned sent = 0;
  for (size_t i = 0; i < 4; i++) {
    int v = sm_hex_digit((char)p[bang + i]);
    if (v < 0)
      return false;
    sent = sent << 4 | (unsigned)v;
  }
  return sm_crc16_arc(p, bang) == sent;
}

static sm_link_result dsmr_frame(const uint8_t *p, size_t n, bool at_end,
                                 sm_frame *f, size_t *size, sm_status *err) {
  if (p[0] != '/')
    return SM_LINK_NONE;
  sm_status st = sm_dsmr_size(p, n, at_end, size);
  if (st == SM_NEED_MORE)
    return SM_LINK_PARTIAL;
  if (st != SM_TELEGRAM)
    return SM_LINK_NONE;
  if (!crc_ok(p, *size)) {
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
    .frame = dsmr_frame,
};
