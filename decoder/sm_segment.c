/* sm_segment.c - reassembles a DLMS APDU from M-Bus frames by the CI byte:
 * bits 0-3 are the segment's sequence number, bit 4 (FIN) marks the last
 * one. 0x10 is an unsegmented APDU; 0x00, 0x01, ..., 0x1n a segmented one.
 *
 * A gap, repeat or reordering abandons the telegram being built (the meter
 * sends a complete new one a few seconds later). Frames that continue a
 * telegram we never saw the start of - normal right after start-up - are
 * dropped quietly. */
#include <string.h>

#include "sm_private.h"

#define CI_FIN 0x10
#define CI_SEQ 0x0F
#define CI_MAX 0x1F

void sm_segments_reset(sm_segments *s) {
  s->len = 0;
  s->next_seq = -1;
  s->overflow = false;
}

void sm_segments_init(sm_segments *s) {
  sm_segments_reset(s);
  s->seen_start = false;
}

bool sm_segments_partial(const sm_segments *s) {
  return s->next_seq > 0;
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

static sm_status finish_or_continue(sm_segments *s, int seq, bool fin) {
  if (fin) {
    s->next_seq = -1;
    return SM_TELEGRAM;
  }
  if (seq == CI_SEQ) { /* a 17th segment cannot be numbered */
    sm_segments_reset(s);
    s->overflow = true;
    return SM_ERR_TOO_LONG;
  }
  s->next_seq = seq + 1;
  return SM_NEED_MORE;
}

sm_status sm_segments_add(sm_segments *s, const sm_frame *f) {
  if (f->ci > CI_MAX || f->len == 0) {
    sm_segments_reset(s);
    return SM_ERR_UNSUPPORTED;
  }
  int seq = f->ci & CI_SEQ;
  bool fin = (f->ci & CI_FIN) != 0;
  sm_status gap = SM_NEED_MORE;

  if (seq == 0) {
    if (sm_segments_partial(s))
      gap = SM_ERR_SEGMENT; /* the previous telegram lost its tail */
    sm_segments_reset(s);
    s->seen_start = true;
  } else if (s->next_seq != seq) {
    /* Report a broken telegram once; its later segments go quietly. */
    bool quiet = !s->seen_start || s->overflow;
    sm_segments_reset(s);
    s->overflow = true;
    return quiet ? SM_NEED_MORE : SM_ERR_SEGMENT;
  }
  sm_status st = append(s, f);
  if (st != SM_NEED_MORE)
    return st;
  st = finish_or_continue(s, seq, fin);
  /* A complete new telegram wins over reporting the lost one. */
  return st == SM_NEED_MORE && gap != SM_NEED_MORE ? gap : st;
}
