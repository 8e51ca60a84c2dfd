/* SPDX-License-Identifier: MIT */
/* sm_linewatch.c - 30-second windows over the received bytes; see
 * sm_linewatch.h. A window opens with the first byte after the last one
 * ended, so silence (a meter that is off) never produces a verdict: that is
 * MaxAge's "no telegram" line. */
#include "sm_linewatch.h"

#include <string.h>

static void open_window(smp_linewatch *w, cdtime_t now, uint64_t frames) {
  if (w->start != 0)
    return;
  memset(w, 0, sizeof(*w));
  w->start = now;
  w->frames_at = frames;
}

void smp_linewatch_bytes(smp_linewatch *w, cdtime_t now, uint64_t frames,
                         uint64_t n) {
  open_window(w, now, frames);
  w->bytes += n;
}

void smp_linewatch_error(smp_linewatch *w, cdtime_t now, uint64_t frames) {
  open_window(w, now, frames);
  w->errors++;
}

#define SPAN TIME_T_TO_CDTIME_T(SMP_LINEWATCH_S)

bool smp_linewatch_check(smp_linewatch *w, cdtime_t now, uint64_t frames,
                         smp_linewatch_verdict *v) {
  if (w->start == 0 || now - w->start < SPAN)
    return false;
  v->bytes = w->bytes;
  v->errors = w->errors;
  v->no_frame = frames == w->frames_at && w->bytes >= SMP_LINEWATCH_MIN_BYTES;
  v->parity = w->errors >= SMP_LINEWATCH_MIN_ERRORS;
  w->start = 0;
  return true;
}

cdtime_t smp_linewatch_due(const smp_linewatch *w) {
  return w->start == 0 ? 0 : w->start + SPAN;
}
