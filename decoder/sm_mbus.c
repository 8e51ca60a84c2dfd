/* sm_mbus.c - M-Bus link layer: finds intact long frames
 * (68 L L 68 C A CI ... CS 16) in a byte stream.
 *
 * Anything that is not a frame - 0xE5 acks, short frames, line noise, a
 * frame with a bad checksum - is stepped over one byte at a time, so a
 * valid frame that starts inside rejected bytes is still found. */
#include <string.h>

#include "sm_private.h"

void sm_link_reset(sm_link *l) {
  l->start = 0;
  l->end = 0;
}

size_t sm_link_pending(const sm_link *l) {
  return l->end - l->start;
}

size_t sm_link_take(sm_link *l, const uint8_t *in, size_t n) {
  size_t room = SM_LINK_BUF - l->end;
  if (room < n && l->start > 0) {
    memmove(l->buf, l->buf + l->start, l->end - l->start);
    l->end -= l->start;
    l->start = 0;
    room = SM_LINK_BUF - l->end;
  }
  size_t take = n < room ? n : room;
  memcpy(l->buf + l->end, in, take);
  l->end += take;
  return take;
}

/* The L field counts C through the last data byte. A long frame carries at
 * least C, A and CI, so L < 3 is impossible: the Sagemcom T210-D sends
 * 257-byte frames with only the low 8 bits of the length (L = 0x01). */
static size_t frame_length(uint8_t l_field) {
  return l_field < 3 ? (size_t)l_field + 256 : l_field;
}

static uint8_t checksum(const uint8_t *p, size_t n) {
  unsigned sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += p[i];
  return (uint8_t)sum;
}

/* Skip to the next 0x68; returns false when none is buffered. */
static bool seek_start(sm_link *l, uint64_t *discarded) {
  const uint8_t *p = l->buf + l->start;
  size_t avail = l->end - l->start;
  const uint8_t *q = memchr(p, 0x68, avail);
  size_t skip = q ? (size_t)(q - p) : avail;
  l->start += skip;
  *discarded += skip;
  return q != NULL;
}

static void drop_one(sm_link *l, uint64_t *discarded) {
  l->start++;
  (*discarded)++;
}

sm_status sm_link_next(sm_link *l, sm_frame *f, uint64_t *discarded) {
  for (;;) {
    if (!seek_start(l, discarded))
      return SM_NEED_MORE;
    const uint8_t *p = l->buf + l->start;
    size_t avail = l->end - l->start;
    if (avail < 4)
      return SM_NEED_MORE;
    if (p[1] != p[2] || p[3] != 0x68) {
      drop_one(l, discarded);
      continue;
    }
    size_t len = frame_length(p[1]);
    size_t total = len + 6;
    if (avail < total)
      return SM_NEED_MORE;
    if (p[4 + len + 1] != 0x16) {
      drop_one(l, discarded);
      return SM_ERR_STOP_BYTE;
    }
    if (checksum(p + 4, len) != p[4 + len]) {
      drop_one(l, discarded);
      return SM_ERR_CHECKSUM;
    }
    /* C A CI [STSAP DTSAP] data */
    f->ci = p[6];
    f->data = len >= 5 ? p + 9 : p + 4 + len;
    f->len = len >= 5 ? len - 5 : 0;
    l->start += total;
    return SM_TELEGRAM;
  }
}
