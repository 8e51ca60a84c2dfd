/* SPDX-License-Identifier: MIT */
/* sm_port_marks.c - undo the kernel's PARMRK escapes, so the caller gets
 * the bytes exactly as received and a SM_PORT_LINE_ERROR where a byte came
 * with a parity or framing error.
 *
 * With INPCK and PARMRK (and neither IGNPAR nor ISTRIP) the Linux tty layer
 * sends a byte x received with a parity or framing error as FF 00 x, a
 * break as FF 00 00, and a data byte FF as FF FF. An escape may be split
 * across reads; the state survives between calls. Bytes read behind a bad
 * byte wait in p->raw for the next call, which returns them without
 * waiting: a caller that feeds a decoder sees the error exactly between
 * the bytes around it. */
#include "sm_port_private.h"

enum { ESC_NONE = 0, ESC_FF = 1, ESC_FF00 = 2 };

/* Move unescaped bytes from p->raw into buf until a bad byte, the end of
 * the raw bytes or a full buf. */
static sm_port_status unescape(sm_port *p, uint8_t *buf, size_t size,
                               size_t *got) {
  size_t o = 0;
  while (p->raw_pos < p->raw_len && o < size) {
    uint8_t b = p->raw[p->raw_pos++];
    if (p->esc == ESC_NONE) {
      if (b == 0xFF)
        p->esc = ESC_FF;
      else
        buf[o++] = b;
    } else if (p->esc == ESC_FF) {
      p->esc = b == 0x00 ? ESC_FF00 : ESC_NONE;
      if (b == 0x00)
        continue;
      buf[o++] = 0xFF;
      /* FF y is no escape PARMRK makes: keep y as a byte of its own. */
      if (b != 0xFF)
        p->raw_pos--;
    } else {
      /* b is the bad byte as received: its value means nothing. */
      p->esc = ESC_NONE;
      *got = o;
      if (o == 0)
        return SM_PORT_LINE_ERROR;
      p->mark_pending = true;
      return SM_PORT_OK;
    }
  }
  *got = o;
  /* Only the start of an escape arrived: nothing to return yet. */
  return o > 0 ? SM_PORT_OK : SM_PORT_TIMEOUT;
}

sm_port_status sm_port_read_marked(sm_port *p, uint8_t *buf, size_t size,
                                   int timeout_ms, int wake_fd, size_t *got,
                                   char *err, size_t errlen) {
  if (p->mark_pending) {
    p->mark_pending = false;
    return SM_PORT_LINE_ERROR;
  }
  if (p->raw_pos == p->raw_len) {
    size_t n = 0;
    sm_port_status st = sm_port_read_raw(p, p->raw, sizeof p->raw, timeout_ms,
                                         wake_fd, &n, err, errlen);
    if (st != SM_PORT_OK)
      return st;
    p->raw_pos = 0;
    p->raw_len = n;
  }
  return unescape(p, buf, size, got);
}
