/* SPDX-License-Identifier: MIT */
/* sm_drive.c - the feed loop of the CLI, the plugin and the scan (see
 * sm_decoder_feed_all() in sm_decoder.h). */
#include "sm_private.h"

/* Each result consumes input, or a byte the link holds already: more than
 * this many results for one call would be a decoder bug. */
#define ROUNDS_SLACK (4 * SM_MAX_APDU)

static void deliver(sm_decoder *d, const sm_sink *s, sm_status st,
                    const sm_telegram *t) {
  unsigned n = sm_decoder_acks_due(d);
  if (n > 0 && s->acks)
    s->acks(s->ctx, n);
  if (st != SM_NEED_MORE && s->result)
    s->result(s->ctx, st, t);
}

bool sm_decoder_feed_all(sm_decoder *d, const uint8_t *buf, size_t len,
                         const sm_sink *s) {
  size_t rounds = len + ROUNDS_SLACK;
  sm_status st;
  do {
    size_t used = 0;
    const sm_telegram *t = NULL;
    st = sm_decoder_feed(d, buf, len, &used, &t);
    buf += used;
    len -= used;
    deliver(d, s, st, t);
  } while (st != SM_NEED_MORE && --rounds > 0);
  return rounds > 0;
}

void sm_decoder_idle_all(sm_decoder *d, const sm_sink *s) {
  size_t rounds = ROUNDS_SLACK;
  const sm_telegram *t = NULL;
  sm_status st;
  while ((st = sm_decoder_idle(d, &t)) != SM_NEED_MORE && --rounds > 0)
    deliver(d, s, st, t);
  deliver(d, s, SM_NEED_MORE, NULL); /* the E5 for a frame taken last */
}
