/* SPDX-License-Identifier: MIT */
/* cli_output.h - writing one decoded telegram to stdout in the chosen
 * format. The JSON and Influx shapes are contracts (see the man page).
 *
 * Each telegram's line is built in a buffer and written with one write:
 * at once (live input: every telegram shows the moment it is decoded),
 * or, after cli_output_defer(true), when cli_output_flush() is called (the
 * file/stdin reader does when its input has no more bytes ready) or the
 * buffer is full.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cli_options.h"
#include "sm_decoder.h"

/* What a writer needs besides the telegram. */
typedef struct cli_out_ctx {
  const cli_options *o;
  unsigned long index; /* 1-based position in the input */
} cli_out_ctx;

/* Write t in o->format (and flush, unless deferred). Returns 0, or -1
 * when stdout failed. */
int cli_output_telegram(const cli_out_ctx *c, const sm_telegram *t);

/* true: keep lines until cli_output_flush() (or a full buffer). */
void cli_output_defer(bool defer);

/* Write what is buffered and flush stdout. Returns 0, or -1 when stdout
 * failed (now or in an earlier write). */
int cli_output_flush(void);

/* The output buffer the writers append to. */
typedef struct cli_buf {
  char *p;
  size_t len, cap;
  uint64_t spills; /* times its bytes were handed to stdout */
} cli_buf;

/* cli_buf_put when s[0..n) does not fit: writes out what is buffered
 * first. */
void cli_buf_put_slow(cli_buf *b, const char *s, size_t n);

static inline void cli_buf_put(cli_buf *b, const char *s, size_t n) {
  if (b->cap - b->len < n) {
    cli_buf_put_slow(b, s, n);
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

/* Room for n bytes at the end of the buffer, for a writer that formats
 * in place (it then adds what it wrote to b->len). */
void cli_buf_make_room(cli_buf *b, size_t n);

static inline char *cli_buf_room(cli_buf *b, size_t n) {
  if (b->cap - b->len < n)
    cli_buf_make_room(b, n);
  return b->p + b->len;
}

static inline void cli_buf_str(cli_buf *b, const char *s) {
  cli_buf_put(b, s, strlen(s));
}

static inline void cli_buf_char(cli_buf *b, char c) {
  cli_buf_put(b, &c, 1);
}

/* Decimal, as "%lld" / "%lu" print it. */
void cli_buf_i64(cli_buf *b, int64_t v);

/* printf into the buffer (the text format; not for hot paths). */
void cli_buf_printf(cli_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text a writer puts around a reading's value depends only on its
 * OBIS code and unit (JSON: key, name, unit; Influx: the field key), and
 * a stream repeats the same readings in every telegram: the writers keep
 * it per (OBIS, unit) in a small direct-mapped cache of these. */
#define CLI_LABEL_BEFORE 96 /* JSON's longest: 73 bytes */
#define CLI_LABEL_AFTER 48  /* JSON's longest: 23 bytes */
#define CLI_LABELS 64       /* a power of two */
typedef struct cli_label {
  uint64_t key; /* OBIS code and unit */
  bool used;
  uint8_t pre, post; /* bytes of before[] and after[] in use */
  char before[CLI_LABEL_BEFORE], after[CLI_LABEL_AFTER];
} cli_label;

/* n <= size bytes of src[0..size): the whole array is copied (when there
 * is room), a constant size that compiles to a few vector moves, where a
 * short copy of variable size became a slow "rep movs". */
#define cli_buf_put_array(b, array, n)                                         \
  do {                                                                         \
    if ((b)->cap - (b)->len >= sizeof(array)) {                                \
      memcpy((b)->p + (b)->len, (array), sizeof(array));                       \
      (b)->len += (n);                                                         \
    } else {                                                                   \
      cli_buf_put((b), (array), (n));                                          \
    }                                                                          \
  } while (0)

/* The slot for v's OBIS code and unit: *hit when it holds their text;
 * otherwise it is claimed for them, its text to be set by
 * cli_label_fill(). */
cli_label *cli_label_slot(cli_label cache[CLI_LABELS], const sm_value *v,
                          bool *hit);

/* A position in the output, to take what was appended since. */
typedef struct cli_mark {
  uint64_t spills;
  size_t len;
} cli_mark;

static inline cli_mark cli_buf_mark(const cli_buf *b) {
  cli_mark m = {b->spills, b->len};
  return m;
}

/* Fill l from what the writer appended: [pre, value) before the value
 * and [post, now) after it. A label that did not stay in the buffer
 * whole (a spill in between) or does not fit stays unused. */
void cli_label_fill(cli_label *l, const cli_buf *b, cli_mark pre,
                    cli_mark value, cli_mark post);

/* The writers (one file each). */
void cli_out_text(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t);
void cli_out_json(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t);
void cli_out_influx(cli_buf *b, const cli_out_ctx *c, const sm_telegram *t);

/* Helpers shared by the writers. */
/* System title as 16 upper-case hex digits into buf[17]. */
void cli_hex_title(const uint8_t title[8], char buf[17]);
/* Unit text: the symbol, "" for none, "unit_NN" for an unknown enum. */
const char *cli_unit_text(const sm_value *v, char *buf, size_t size);

#endif
