/* SPDX-License-Identifier: MIT */
/* sm_ber.c - the bottom of the decoder: BER lengths and the size of an
 * A-XDR element, used by the link layers (to frame bare APDUs) and by the
 * application layer (to walk data). Calls nothing above it. */
#include "sm_private.h"

long sm_ber_length(const uint8_t *p, size_t n, size_t *pos) {
  if (*pos >= n)
    return -1;
  uint8_t b = p[(*pos)++];
  if (b < 0x80)
    return b;
  size_t k = b & 0x7F;
  if (k == 0 || k > 2 || *pos + k > n)
    return -1;
  long v = 0;
  for (size_t i = 0; i < k; i++)
    v = (v << 8) | p[(*pos)++];
  return v;
}

sm_status sm_glo_length(const uint8_t *p, size_t n, size_t *total) {
  if (n == 0)
    return SM_NEED_MORE;
  if (p[0] != 0xDB)
    return SM_ERR_UNSUPPORTED;
  if (n < 11)
    return SM_NEED_MORE;
  if (p[1] != 8)
    return SM_ERR_UNSUPPORTED;
  size_t pos = 10;
  if (p[pos] > 0x82 || p[pos] == 0x80)
    return SM_ERR_UNSUPPORTED;
  size_t need = p[pos] < 0x80 ? 11 : 11 + (size_t)(p[pos] & 0x7F);
  if (n < need)
    return SM_NEED_MORE;
  long body = sm_ber_length(p, n, &pos);
  if (body < 0)
    return SM_ERR_APDU_LENGTH;
  *total = pos + (size_t)body;
  return SM_TELEGRAM;
}

/* ---- A-XDR ------------------------------------------------------------- */

#define DATETIME_LEN 12
#define MAX_DEPTH 12

sm_status sm_notification_header(const uint8_t *p, size_t n, size_t *clock,
                                 size_t *body) {
  /* A wrong key turns all of this into noise, so failing here means "key
   * probably wrong", not "bad data". */
  if (n < 6 || p[0] != 0x0F)
    return SM_ERR_KEY_WRONG;
  size_t pos = 5;
  *clock = 0;
  if (p[pos] == 0x00) {
    pos++;
  } else {
    if (p[pos] == 0x09 && n - pos >= 2 && p[pos + 1] == DATETIME_LEN)
      pos++; /* typed octet-string */
    else if (p[pos] != DATETIME_LEN)
      return SM_ERR_KEY_WRONG;
    pos++;
    if (n - pos < DATETIME_LEN)
      return SM_ERR_KEY_WRONG;
    *clock = pos;
    pos += DATETIME_LEN;
  }
  if (pos >= n)
    return SM_ERR_AXDR;
  *body = pos;
  return p[pos] == 0x02 || p[pos] == 0x01 ? SM_TELEGRAM : SM_ERR_KEY_WRONG;
}

/* What follows each A-XDR tag, one table lookup per element: the size of
 * a fixed-size element (its tag included), or one of the kinds below for
 * a tag with a BER length after it (a count of elements, of bytes or of
 * bits); 0 for unknown tags. */
enum { K_UNKNOWN = 0, K_CONTAINER = 0xF0, K_BYTES, K_BITS };

static const uint8_t KIND[256] = {
    [T_NULL] = 1,
    [T_DONT_CARE] = 1,
    [T_BOOL] = 1 + 1,
    [T_BCD] = 1 + 1,
    [T_I8] = 1 + 1,
    [T_U8] = 1 + 1,
    [T_ENUM] = 1 + 1,
    [T_I16] = 1 + 2,
    [T_U16] = 1 + 2,
    [T_I32] = 1 + 4,
    [T_U32] = 1 + 4,
    [T_F32] = 1 + 4,
    [T_I64] = 1 + 8,
    [T_U64] = 1 + 8,
    [T_F64] = 1 + 8,
    [T_DATETIME] = 1 + 12,
    [T_DATE] = 1 + 5,
    [T_TIME] = 1 + 4,
    [T_ARRAY] = K_CONTAINER,
    [T_STRUCT] = K_CONTAINER,
    [T_BITS] = K_BITS,
    [T_OCTETS] = K_BYTES,
    [T_VISIBLE] = K_BYTES,
    [T_UTF8] = K_BYTES,
};

/* The BER length at p[*at] (1 to 3 bytes) of a sized element. Fails the
 * way sm_ber_length would, but a first byte it never accepts (0x80, more
 * than two length bytes) is SM_ERR_AXDR at once: more bytes cannot mend
 * it. */
static inline __attribute__((always_inline)) sm_status
skip_length(const uint8_t *p, size_t n, size_t *at, size_t *len) {
  if (*at >= n)
    return SM_NEED_MORE;
  uint8_t b = p[*at];
  size_t k = b < 0x80 ? 0 : (size_t)(b & 0x7F);
  if (b == 0x80 || k > 2)
    return SM_ERR_AXDR;
  if (n - *at < k + 1)
    return SM_NEED_MORE;
  *len = k == 0   ? b
         : k == 1 ? p[*at + 1]
                  : (size_t)p[*at + 1] << 8 | p[*at + 2];
  *at += k + 1;
  return SM_TELEGRAM;
}

/* One element at *at: a fixed-size or sized one is stepped over; of a
 * container only the tag and count are (*opens, *count). Inlined in both
 * loops: a call per element would cost as much as the element. */
static inline __attribute__((always_inline)) sm_status
element(const uint8_t *p, size_t n, size_t *at, bool *opens, size_t *count) {
  if (*at >= n)
    return SM_NEED_MORE;
  uint8_t kind = KIND[p[*at]];
  *opens = kind == K_CONTAINER;
  if (kind < K_CONTAINER) {
    if (kind == K_UNKNOWN)
      return SM_ERR_AXDR; /* fail now, not after more bytes */
    if (n - *at < kind)
      return SM_NEED_MORE;
    *at += kind;
    return SM_TELEGRAM;
  }
  size_t a = *at + 1, len = 0;
  sm_status st = skip_length(p, n, &a, &len);
  if (st != SM_TELEGRAM)
    return st;
  if (kind == K_BITS)
    len = (len + 7) / 8;
  if (!*opens && n - a < len)
    return SM_NEED_MORE;
  *count = len;
  *at = *opens ? a : a + len;
  return SM_TELEGRAM;
}

/* The elements of a container opened at nesting level 1, and of those it
 * contains: iteratively, with the count still to come of each open
 * container on a small stack. The checks are those of a recursive
 * descent, in the same order, so the first problem met decides NEED_MORE
 * versus AXDR as before. (Not inlined: its stack would make every flat
 * element's call as dear as a nested one.) */
static __attribute__((noinline)) sm_status children(const uint8_t *p, size_t n,
                                                    size_t *at, size_t todo) {
  size_t left[MAX_DEPTH], depth = 1, count = 0;
  bool opens;
  for (;;) {
    while (todo == 0) {
      if (--depth == 0)
        return SM_TELEGRAM;
      todo = left[depth];
    }
    todo--;
    sm_status st = element(p, n, at, &opens, &count);
    if (st != SM_TELEGRAM)
      return st;
    if (opens) {
      if (depth >= MAX_DEPTH)
        return SM_ERR_AXDR;
      left[depth++] = todo;
      todo = count;
    }
  }
}

/* This sizes every body that fails to decode and every element a layout
 * steps over, so a flat element is one table lookup and no loop. */
sm_status sm_axdr_skip(const uint8_t *p, size_t n, size_t *pos) {
  size_t at = *pos, count = 0;
  bool opens;
  sm_status st = element(p, n, &at, &opens, &count);
  if (st == SM_TELEGRAM && opens)
    st = children(p, n, &at, count);
  if (st == SM_TELEGRAM)
    *pos = at;
  return st;
}
