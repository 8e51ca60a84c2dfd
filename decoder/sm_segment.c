/* SPDX-License-Identifier: MIT */
/* sm_segment.c - reassembles one APDU from the frames of any link layer by
 * their neutral flags: first, last and (M-Bus only) a sequence number.
 *
 * A gap, repeat or reordering abandons the telegram being built (the meter
 * sends a complete new one a few seconds later). Frames that continue a
 * telegram we never saw the start of - normal right after start-up - are
 * dropped quietly. */
#include <string.h>

#include "sm_private.h"

void sm_segments_reset(sm_segments *s) {
  s->len = 0;
  s->active = false;
  s->next_seq = -1;
  s->overflow = false;
}

void sm_segments_init(sm_segments *s) {
  sm_segments_reset(s);
  s->seen_start = false;
}

bool sm_segments_partial(const sm_segments *s) {
  return s->active && s->len > 0;
}

static sm_status append(sm_segments *s, const sm_frame *f) {
  if (s->len + f->len > SM_MAX_APDU) {
    sm_segments_reset(s);
    s->overflow = true;
    return SM_ERR_TOO_LONG;
  }
  memcpy(s->buf + s->len, f->data, f->len);
  s->len += f->len;
  return SM_NEED_MORE;
}

/* What a frame does to the APDU being built. */
typedef enum role { STARTS, CONTINUES, LOST, BROKEN } role;

static role role_of(const sm_segments *s, const sm_frame *f) {
  if (f->first)
    return STARTS;
  if (s->active && (f->seq < 0 || f->seq == s->next_seq))
    return CONTINUES;
  /* Without sequence numbers (HDLC) only the frames after the first of a
   * segmented APDU lack the LLC - but the E450 leaves it out of the
   * unsegmented frames after its first, too: with nothing in progress,
   * such a frame starts an APDU. */
  if (!s->active && f->seq < 0)
    return STARTS;
  /* A broken telegram is reported once; its later segments go quietly,
   * and so do those of one whose start we never saw (start-up). */
  return !s->seen_start || s->overflow ? LOST : BROKEN;
}

sm_status sm_segments_add(sm_segments *s, const sm_frame *f) {
  if (f->len == 0) {
    sm_segments_reset(s);
    return SM_ERR_UNSUPPORTED;
  }
  sm_status gap = SM_NEED_MORE;
  role r = role_of(s, f);
  switch (r) {
  case STARTS:
    if (sm_segments_partial(s))
      gap = SM_ERR_SEGMENT; /* the previous telegram lost its tail */
    sm_segments_reset(s);
    s->active = true;
    s->seen_start = true;
    break;
  case CONTINUES:
    break;
  case LOST:
  case BROKEN:
    sm_segments_reset(s);
    s->overflow = true;
    return r == LOST ? SM_NEED_MORE : SM_ERR_SEGMENT;
  }
  sm_status st = append(s, f);
  if (st != SM_NEED_MORE)
    return st;
  s->next_seq = f->seq >= 0 ? f->seq + 1 : -1;
  if (f->last) {
    s->active = false;
    return SM_TELEGRAM;
  }
  if (f->seq >= 0 && f->seq == f->seq_max) { /* the next one has no number */
    sm_segments_reset(s);
    s->overflow = true;
    return SM_ERR_TOO_LONG;
  }
  /* A complete new telegram wins over reporting the lost one. */
  return gap;
}
