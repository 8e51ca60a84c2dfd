/* SPDX-License-Identifier: MIT */
/* sm_backoff.c - reconnect delays: 1 s, 2 s, 4 s ... capped at 30 s, so a
 * missing adapter costs a few wake-ups per minute, not a busy loop. */
#include "sm_port.h"

void sm_backoff_reset(sm_backoff *b) {
  b->next_ms = SM_BACKOFF_MIN_MS;
}

unsigned sm_backoff_next(sm_backoff *b) {
  unsigned d = b->next_ms;
  /* A zeroed struct starts at the minimum too. */
  if (d < SM_BACKOFF_MIN_MS)
    d = SM_BACKOFF_MIN_MS;
  if (d > SM_BACKOFF_MAX_MS)
    d = SM_BACKOFF_MAX_MS;
  b->next_ms = d > SM_BACKOFF_MAX_MS / 2 ? SM_BACKOFF_MAX_MS : d * 2;
  return d;
}
