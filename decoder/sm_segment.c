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

/* A frame that does not start an APDU: does it continue the one here? */
static sm_status continues(sm_segments *s, const sm_frame *f) {
  if (s->active && (f->seq < 0 || f->seq == s->next_seq))
    return SM_NEED_MORE;
  /* Report a broken telegram once; its later segments go quietly. */
  bool quiet = !s->seen_start || s->overflow;
  sm_segments_reset(s);
  s->overflow = true;
  return quiet ? SM_TELEGRAM : SM_ERR_SEGMENT; /* TELEGRAM: drop quietly */
}

sm_status sm_segments_add(sm_segments *s, const sm_frame *f) {
  if (f->len == 0) {
    sm_segments_reset(s);
    return SM_ERR_UNSUPPORTED;
  }
  sm_status gap = SM_NEED_MORE;
  if (f->first) {
    if (sm_segments_partial(s))
      gap = SM_ERR_SEGMENT; /* the previous telegram lost its tail */
    sm_segments_reset(s);
    s->active = true;
    s->seen_start = true;
  } else {
    sm_status st = continues(s, f);
    if (st != SM_NEED_MORE)
      return st == SM_TELEGRAM ? SM_NEED_MORE : st;
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
