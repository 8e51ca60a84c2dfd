/* SPDX-License-Identifier: MIT */
/* cli_output.c - picks the writer; one buffer for all lines, written out
 * per telegram or, deferred, when the reader says its input is drained. */
#include "cli_output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "sm_names.h"

/* 64 KiB: a telegram's line is a few hundred bytes to a few KiB, so a
 * file's lines go out in some 64 KiB writes; LINE_ROOM is kept free
 * before a line is started, so that a line is written whole. */
#define OUT_CAP (64 * 1024)
#define LINE_ROOM (32 * 1024)

static char out_mem[OUT_CAP];
static cli_buf out = {out_mem, 0, OUT_CAP, 0};
static bool deferred;
static bool failed; /* a write to stdout failed */

/* Write p[0..n) to stdout's descriptor, after whatever stdio holds:
 * write(2) directly, since stdout is line-buffered (main.c) and stdio
 * would go through a large block line by line. */
static void write_out(const char *p, size_t n) {
  if (n > 0 && fflush(stdout) != 0)
    failed = true;
  while (n > 0 && !failed) {
    ssize_t k = write(STDOUT_FILENO, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      failed = true;
      break;
    }
    p += k;
    n -= (size_t)k;
  }
}

/* Hand the buffered bytes to stdout. */
static void spill(cli_buf *b) {
  write_out(b->p, b->len);
  b->len = 0;
  b->spills++;
}

/* OBIS code and unit in one word: one compare per lookup. Put together
 * in registers (a 6-byte memcpy into a zeroed word went through the
 * stack, and the wide load after two narrow stores stalled). */
static uint64_t label_key(const sm_value *v) {
  uint32_t lo;
  uint16_t hi;
  memcpy(&lo, v->obis, 4);
  memcpy(&hi, v->obis + 4, 2);
  return lo | (uint64_t)hi << 32 | (uint64_t)v->unit << 48 |
         (uint64_t)1 << 56; /* never 0 */
}

/* Two slots per key (h and its neighbour), so that two readings of one
 * telegram that hash alike do not push each other out every time. */
cli_label *cli_label_slot(cli_label cache[CLI_LABELS], const sm_value *v,
                          bool *hit) {
  uint64_t key = label_key(v);
  size_t h = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 40);
  cli_label *a = &cache[h % CLI_LABELS], *b = &cache[(h + 1) % CLI_LABELS];
  *hit = true;
  if (a->key == key && a->used)
    return a;
  if (b->key == key && b->used)
    return b;
  *hit = false;
  cli_label *l = a->used && !b->used ? b : a;
  l->used = false; /* until its text is complete */
  l->key = key;
  return l;
}

void cli_label_fill(cli_label *l, const cli_buf *b, cli_mark pre,
                    cli_mark value, cli_mark post) {
  size_t n_pre = value.len - pre.len, n_post = b->len - post.len;
  if (pre.spills != b->spills || value.spills != b->spills ||
      post.spills != b->spills || n_pre > CLI_LABEL_BEFORE ||
      n_post > CLI_LABEL_AFTER)
    return;
  memcpy(l->before, b->p + pre.len, n_pre);
  memcpy(l->after, b->p + post.len, n_post);
  l->pre = (uint8_t)n_pre;
  l->post = (uint8_t)n_post;
  l->used = true;
}

void cli_buf_make_room(cli_buf *b, size_t n) {
  (void)n; /* every caller asks for far less than the buffer holds */
  spill(b);
}

void cli_buf_put_slow(cli_buf *b, const char *s, size_t n) {
  spill(b);
  if (n > b->cap) {
    write_out(s, n);
    return;
  }
  memcpy(b->p, s, n);
  b->len = n;
}

void cli_buf_i64(cli_buf *b, int64_t v) {
  char tmp[24];
  size_t n = sizeof tmp;
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[--n] = (char)('0' + mag % 10);
    mag /= 10;
  } while (mag);
  if (v < 0)
    tmp[--n] = '-';
  cli_buf_put(b, tmp + n, sizeof tmp - n);
}

void cli_buf_printf(cli_buf *b, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0)
    cli_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void cli_output_defer(bool defer) {
  deferred = defer;
}

int cli_output_flush(void) {
  spill(&out);
  if (fflush(stdout) != 0 || ferror(stdout))
    failed = true;
  return failed ? -1 : 0;
}

int cli_output_telegram(const cli_out_ctx *c, const sm_telegram *t) {
  if (out.cap - out.len < LINE_ROOM)
    spill(&out);
  switch (c->o->format) {
  case CLI_FORMAT_JSON:
    cli_out_json(&out, c, t);
    break;
  case CLI_FORMAT_INFLUX:
    cli_out_influx(&out, c, t);
    break;
  default:
    cli_out_text(&out, c, t);
    break;
  }
  if (!deferred)
    return cli_output_flush();
  return failed || ferror(stdout) ? -1 : 0;
}

void cli_hex_title(const uint8_t title[8], char buf[17]) {
  sm_hex_encode(title, 8, buf);
}

const char *cli_unit_text(const sm_value *v, char *buf, size_t size) {
  const char *sym = sm_unit_symbol(v->unit);

  if (*sym != '\0' || v->unit == 255)
    return sym;
  snprintf(buf, size, "unit_%u", (unsigned)v->unit);
  return buf;
}
