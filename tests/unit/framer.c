/* SPDX-License-Identifier: MIT */
/* framer.c - see framer.h. Test-only code: clarity over speed, except for
 * the CRC tables. */
#include "framer.h"

#include <stdio.h>
#include <string.h>

/* ---- CRCs -----------------------------------------------------------------
 */

/* Reflected CRC-16 by a table made on first use. */
typedef struct crc_table {
  uint16_t poly;
  bool made;
  uint16_t t[256];
} crc_table;

static uint16_t crc16_reflected(crc_table *tab, const uint8_t *p, size_t n,
                                uint16_t crc) {
  if (!tab->made) {
    for (unsigned i = 0; i < 256; i++) {
      uint16_t c = (uint16_t)i;
      for (int b = 0; b < 8; b++)
        c = (c & 1) ? (uint16_t)((c >> 1) ^ tab->poly) : (uint16_t)(c >> 1);
      tab->t[i] = c;
    }
    tab->made = true;
  }
  for (size_t i = 0; i < n; i++)
    crc = (uint16_t)((crc >> 8) ^ tab->t[(crc ^ p[i]) & 0xFF]);
  return crc;
}

uint16_t frm_crc16_x25(const uint8_t *p, size_t n) {
  static crc_table tab = {.poly = 0x8408};
  return (uint16_t)~crc16_reflected(&tab, p, n, 0xFFFF);
}

uint16_t frm_crc16_arc(const uint8_t *p, size_t n) {
  static crc_table tab = {.poly = 0xA001};
  return crc16_reflected(&tab, p, n, 0x0000);
}

/* ---- M-Bus ----------------------------------------------------------------
 */

void frm_mbus_fix_checksum(uint8_t *f, size_t n) {
  uint8_t cs = 0;
  for (size_t i = 4; i + 2 < n; i++)
    cs = (uint8_t)(cs + f[i]);
  f[n - 2] = cs;
}

size_t frm_mbus_frame(uint8_t *out, size_t cap, uint8_t ci, const uint8_t *data,
                      size_t n) {
  if (cap < n + FRM_MBUS_OVERHEAD)
    return 0;
  out[0] = out[3] = 0x68;
  out[1] = out[2] = (uint8_t)(n + 5);
  out[4] = 0x53;
  out[5] = 0xFF;
  out[6] = ci;
  out[7] = 0x01;
  out[8] = 0x67;
  memcpy(out + 9, data, n);
  out[10 + n] = 0x16;
  frm_mbus_fix_checksum(out, n + FRM_MBUS_OVERHEAD);
  return n + FRM_MBUS_OVERHEAD;
}

size_t frm_mbus_wrap_max(uint8_t *out, size_t cap, const uint8_t *data,
                         size_t n, size_t seg, size_t max_frames,
                         size_t *frames) {
  size_t pos = 0, off = 0, seq = 0;
  if (seg == 0)
    seg = FRM_MBUS_SEG;
  if (frames)
    *frames = n == 0 ? 1 : (n + seg - 1) / seg;
  do {
    size_t k = n - off < seg ? n - off : seg;
    uint8_t ci = (uint8_t)(seq & 0x0F);
    if (off + k == n)
      ci |= 0x10;
    size_t w = frm_mbus_frame(out + pos, cap - pos, ci, data + off, k);
    if (!w)
      return 0;
    pos += w;
    off += k;
    seq++;
  } while (off < n && seq < max_frames);
  return pos;
}

size_t frm_mbus_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg) {
  return frm_mbus_wrap_max(out, cap, data, n, seg, (size_t)-1, NULL);
}

/* Is there an intact frame of payload length len (C..data) at p? */
static bool mbus_frame_ok(const uint8_t *p, size_t avail, size_t len) {
  uint8_t cs = 0;
  if (len < 5 || avail < len + 6 || p[len + 5] != 0x16)
    return false;
  for (size_t i = 4; i < len + 4; i++)
    cs = (uint8_t)(cs + p[i]);
  return cs == p[len + 4];
}

size_t frm_mbus_unwrap(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *first_seg) {
  size_t pos = 0, w = 0, first = 0;
  while (pos < n) {
    const uint8_t *p = in + pos;
    if (n - pos < 6 || p[0] != 0x68 || p[3] != 0x68 || p[1] != p[2])
      return 0;
    size_t len = p[1];
    if (!mbus_frame_ok(p, n - pos, len))
      len += 256; /* the 8-bit L of a 257+ byte frame */
    if (!mbus_frame_ok(p, n - pos, len) || w + len - 5 > cap)
      return 0;
    memcpy(out + w, p + 9, len - 5);
    if (!first)
      first = len - 5;
    w += len - 5;
    pos += len + 6;
  }
  if (first_seg)
    *first_seg = first;
  return w;
}

/* ---- HDLC -----------------------------------------------------------------
 */

typedef struct hdlc_addr {
  uint8_t da[4], da_len, sa[4], sa_len;
  uint8_t ctrl_segment; /* control of the frames before the last */
} hdlc_addr;

/* Address lengths 1/4, 2/1, 1/2 and 4/1 (IM350, E450, AM550, and the
 * reverse of the IM350's); the AM550 and the last send 03 on segments. */
static const hdlc_addr ADDRS[FRM_HDLC_ADDRS] = {
    {{0xCF}, 1, {0x00, 0x02, 0x00, 0x23}, 4, 0x13},
    {{0xCE, 0xFF}, 2, {0x03}, 1, 0x13},
    {{0xCF}, 1, {0x02, 0x23}, 2, 0x03},
    {{0x00, 0x02, 0x00, 0x23}, 4, {0x41}, 1, 0x03},
};

static void put_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static bool starts_llc(const uint8_t *p, size_t n) {
  return n >= 3 && p[0] == 0xE6 && p[1] == 0xE7 && p[2] == 0x00;
}

size_t frm_hdlc_frame(uint8_t *out, size_t cap, unsigned addr, bool segmented,
                      bool llc, const uint8_t *data, size_t n) {
  const hdlc_addr *a = &ADDRS[addr % FRM_HDLC_ADDRS];
  size_t info = n + (llc ? 3 : 0);
  size_t len = 2 + a->da_len + a->sa_len + 1 + 2 + info + 2; /* format..FCS */
  if (len > 0x7FF || cap < len + 2)
    return 0;
  size_t o = 0;
  out[o++] = 0x7E;
  out[o++] = (uint8_t)(0xA0 | (segmented ? 0x08 : 0) | (len >> 8));
  out[o++] = (uint8_t)len;
  memcpy(out + o, a->da, a->da_len);
  o += a->da_len;
  memcpy(out + o, a->sa, a->sa_len);
  o += a->sa_len;
  out[o++] = segmented ? a->ctrl_segment : 0x13;
  put_le16(out + o, frm_crc16_x25(out + 1, o - 1));
  o += 2;
  if (llc) {
    out[o++] = 0xE6;
    out[o++] = 0xE7;
    out[o++] = 0x00;
  }
  memcpy(out + o, data, n);
  o += n;
  put_le16(out + o, frm_crc16_x25(out + 1, o - 1));
  o += 2;
  out[o++] = 0x7E;
  return o;
}

/* Data bytes for the frame at off: seg, or one less (or more, for 1-byte
 * segments) when the next frame would start like an LLC. E6 E7 00 cannot
 * overlap itself shifted by one byte, so one step is enough. */
static size_t hdlc_piece(const uint8_t *data, size_t n, size_t off,
                         size_t seg) {
  size_t k = n - off < seg ? n - off : seg;
  if (off + k < n && starts_llc(data + off + k, n - off - k))
    k = k > 1 ? k - 1 : k + 1;
  return k;
}

size_t frm_hdlc_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg, unsigned addr, size_t *frames) {
  size_t o = 0, off = 0, count = 0;
  if (seg == 0 || seg > FRM_HDLC_DATA_MAX)
    seg = FRM_HDLC_DATA_MAX;
  do {
    size_t k = hdlc_piece(data, n, off, seg);
    size_t w = frm_hdlc_frame(out + o, cap - o, addr, off + k < n, off == 0,
                              data + off, k);
    if (w == 0)
      return 0;
    o += w;
    off += k;
    count++;
  } while (off < n);
  if (frames)
    *frames = count;
  return o;
}

size_t frm_hdlc_info(const uint8_t *buf, size_t n, size_t *size,
                     size_t *info_len) {
  if (n < 3 || buf[0] != 0x7E || (buf[1] & 0xF0) != 0xA0)
    return 0;
  size_t len = ((size_t)buf[1] & 7) << 8 | buf[2]; /* format .. FCS */
  if (len + 2 > n || buf[len + 1] != 0x7E)
    return 0;
  size_t pos = 3;
  for (int field = 0; field < 2; field++) { /* DA, SA: the last byte odd */
    while (pos < len && !(buf[pos] & 1))
      pos++;
    pos++;
  }
  pos++;             /* control */
  if (pos + 3 > len) /* HCS, FCS (frames without INFO have none) */
    return 0;
  uint16_t hcs = frm_crc16_x25(buf + 1, pos - 1);
  uint16_t fcs = frm_crc16_x25(buf + 1, len - 2);
  if (buf[pos] != (uint8_t)hcs || buf[pos + 1] != (uint8_t)(hcs >> 8) ||
      buf[len - 1] != (uint8_t)fcs || buf[len] != (uint8_t)(fcs >> 8))
    return 0;
  pos += 2;
  *size = len + 2;
  *info_len = len - 1 - pos;
  return pos;
}

void frm_hdlc_fix_fcs(uint8_t *f) {
  size_t len = ((size_t)f[1] & 7) << 8 | f[2];
  put_le16(f + len - 1, frm_crc16_x25(f + 1, len - 2));
}

/* Blocks E0 .. back to back in p[0..n): their data joined in place;
 * *first gets the first block's data bytes. */
static size_t gbt_join(uint8_t *p, size_t n, size_t *first) {
  size_t i = 0, o = 0;
  *first = 0;
  while (i < n) {
    if (n - i < 7 || p[i] != 0xE0)
      return 0;
    size_t pos = i + 6, len = p[pos++];
    if (len == 0x81 && pos < n) {
      len = p[pos++];
    } else if (len == 0x82 && pos + 1 < n) {
      len = (size_t)p[pos] << 8 | p[pos + 1];
      pos += 2;
    } else if (len >= 0x80) {
      return 0;
    }
    if (pos + len > n)
      return 0;
    if (i == 0)
      *first = len;
    memmove(p + o, p + pos, len);
    o += len;
    i = pos + len;
  }
  return o;
}

size_t frm_hdlc_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu, size_t cap,
                       size_t *first, bool *blocks) {
  size_t i = 0, o = 0;
  *first = 0;
  *blocks = false;
  while (i < n) {
    size_t size, len;
    size_t at = frm_hdlc_info(buf + i, n - i, &size, &len);
    if (!at)
      return 0;
    const uint8_t *info = buf + i + at;
    if (starts_llc(info, len)) {
      info += 3;
      len -= 3;
    }
    if (o + len > cap)
      return 0;
    memcpy(apdu + o, info, len);
    if (i == 0)
      *first = len;
    o += len;
    i += size;
  }
  *blocks = o > 0 && apdu[0] == 0xE0;
  return *blocks ? gbt_join(apdu, o, first) : o;
}

/* ---- General Block Transfer, DSMR -----------------------------------------
 */

size_t frm_gbt_block(uint8_t *out, size_t cap, bool last, uint16_t number,
                     const uint8_t *data, size_t n) {
  size_t lenlen = n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
  if (n > 0xFFFF || cap < 6 + lenlen + n)
    return 0;
  size_t o = 0;
  out[o++] = 0xE0;
  out[o++] = last ? 0xC0 : 0x40;
  out[o++] = (uint8_t)(number >> 8);
  out[o++] = (uint8_t)number;
  out[o++] = 0;
  out[o++] = 0;
  if (lenlen == 2) {
    out[o++] = 0x81;
  } else if (lenlen == 3) {
    out[o++] = 0x82;
    out[o++] = (uint8_t)(n >> 8);
  }
  out[o++] = (uint8_t)n;
  memcpy(out + o, data, n);
  return o + n;
}

size_t frm_dsmr_seal(const uint8_t *text, size_t n, bool lower, uint8_t *out,
                     size_t cap) {
  if (cap < n + 10)
    return 0;
  size_t o = 0;
  out[o++] = '/';
  if (n > 1) {
    memcpy(out + 1, text + 1, n - 1);
    o = n;
  }
  if (out[o - 1] != '\n') {
    out[o++] = '\r';
    out[o++] = '\n';
  }
  out[o++] = '!';
  char crc[8];
  snprintf(crc, sizeof crc, lower ? "%04x" : "%04X", frm_crc16_arc(out, o));
  memcpy(out + o, crc, 4);
  o += 4;
  out[o++] = '\r';
  out[o++] = '\n';
  return o;
}
