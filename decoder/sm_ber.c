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

/* Bytes of a fixed-size A-XDR element, its tag included; 0 for variable
 * or unknown types. */
static size_t fixed_size(uint8_t tag) {
  switch (tag) {
  case 0x00:  /* null-data */
  case 0xFF:  /* dont-care */
    return 1; /* the tag alone */
  case 0x03:
  case 0x0D:
  case 0x0F:
  case 0x11:
  case 0x16:
    return 1 + 1;
  case 0x10:
  case 0x12:
    return 2 + 1;
  case 0x05:
  case 0x06:
  case 0x17:
    return 4 + 1;
  case 0x14:
  case 0x15:
  case 0x18:
    return 8 + 1;
  case 0x19:
    return 12 + 1;
  case 0x1A:
    return 5 + 1;
  case 0x1B:
    return 4 + 1;
  default:
    return 0;
  }
}

/* Types with a BER length (count, bytes or bits) after the tag. */
static bool sized(uint8_t tag) {
  return tag == 0x01 || tag == 0x02 || tag == 0x04 || tag == 0x09 ||
         tag == 0x0A || tag == 0x0C;
}

static sm_status skip(const uint8_t *p, size_t n, size_t *pos, int depth) {
  if (*pos >= n)
    return SM_NEED_MORE;
  uint8_t tag = p[*pos];
  size_t k = fixed_size(tag);
  if (k) {
    if (n - *pos < k)
      return SM_NEED_MORE;
    *pos += k;
    return SM_TELEGRAM;
  }
  if (!sized(tag))
    return SM_ERR_AXDR; /* unknown: fail now, not after more bytes */
  (*pos)++;
  if (*pos < n && (p[*pos] == 0x80 || p[*pos] > 0x82))
    return SM_ERR_AXDR; /* a BER length sm_ber_length never accepts */
  long len = sm_ber_length(p, n, pos);
  if (len < 0)
    return SM_NEED_MORE;
  switch (tag) {
  case 0x01: /* array */
  case 0x02: /* structure */
    if (depth >= MAX_DEPTH)
      return SM_ERR_AXDR;
    for (long i = 0; i < len; i++) {
      sm_status st = skip(p, n, pos, depth + 1);
      if (st != SM_TELEGRAM)
        return st;
    }
    return SM_TELEGRAM;
  case 0x04: /* bit-string: the length counts bits */
    len = (len + 7) / 8;
    /* fall through */
  case 0x09: /* octet-string */
  case 0x0A: /* visible-string */
  case 0x0C: /* utf8-string */
    if (n - *pos < (size_t)len)
      return SM_NEED_MORE;
    *pos += (size_t)len;
    return SM_TELEGRAM;
  default:
    return SM_ERR_AXDR;
  }
}

sm_status sm_axdr_skip(const uint8_t *p, size_t n, size_t *pos) {
  return skip(p, n, pos, 0);
}
