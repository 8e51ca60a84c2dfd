/* SPDX-License-Identifier: MIT */
/* cli_input.c - file/stdin input: read chunks, unhex them if asked, feed
 * the decoder, report at the end.
 *
 * Output is flushed when the input has no more bytes ready: a file's
 * telegrams go out in large writes, while a pipe fed by a live source
 * (or a person) still shows each telegram the moment it is decoded. */
#include "cli_input.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_keys.h"
#include "cli_output.h"
#include "cli_run.h"
#include "sm_names.h"

/* ---- --hex: streaming hex text -> bytes ---------------------------------
 * Whitespace is ignored, '#' starts a comment that runs to the end of the
 * line (the header lines of tests/vectors files), two hex digits make one
 * byte (a byte may be split across chunks). */
typedef struct hex_text {
  bool in_comment;
  int nibble;         /* pending high nibble, or -1 */
  unsigned long line; /* 1-based, for messages */
  char bad;           /* the offending character after an error */
} hex_text;

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

static void hex_init(hex_text *h) {
  h->in_comment = false;
  h->nibble = -1;
  h->line = 1;
  h->bad = '\0';
}

/* One character. Returns 1 when a byte was completed into *out, 0 when
 * not, -1 on an invalid character. */
static int hex_char(hex_text *h, char c, uint8_t *out) {
  int v;

  if (c == '\n') {
    h->line++;
    h->in_comment = false;
    return 0;
  }
  if (h->in_comment || is_space(c))
    return 0;
  if (c == '#') {
    h->in_comment = true;
    return 0;
  }
  v = sm_hex_digit(c);
  if (v < 0) {
    h->bad = c;
    return -1;
  }
  if (h->nibble < 0) {
    h->nibble = v;
    return 0;
  }
  *out = (uint8_t)(h->nibble << 4 | v);
  h->nibble = -1;
  return 1;
}

static long hex_convert(hex_text *h, const char *in, size_t len, uint8_t *out) {
  long n = 0;

  for (size_t i = 0; i < len; i++) {
    int r = hex_char(h, in[i], out + n);

    if (r < 0)
      return -1;
    n += r;
  }
  return n;
}

static bool hex_pending(const hex_text *h) {
  return h->nibble >= 0;
}

/* read(2) returns what is there, up to this: a pipe's whole buffer, and
 * few enough calls per megabyte of a file that they cost nothing. */
#define CHUNK (64 * 1024)

static bool is_stdin(const char *path) {
  return path == NULL || strcmp(path, "-") == 0;
}

static FILE *open_input(const char *path) {
  FILE *f;

  if (is_stdin(path))
    return stdin;
  f = fopen(path, "rb");
  if (f == NULL) {
    /* A key typed where the file name goes must not be echoed. */
    if (cli_looks_like_key(path))
      fprintf(stderr, "smartmeter-decode: cannot open the input file "
                      "(the argument looks like a key: use --key-file)\n");
    else
      fprintf(stderr, "smartmeter-decode: cannot open %s: %s\n", path,
              strerror(errno));
  }
  return f;
}

/* Unhex a chunk in place (the bytes are never longer than the text).
 * Returns the byte count or -1 after a message. */
static long unhex(hex_text *h, char *buf, size_t n) {
  long got = hex_convert(h, buf, n, (uint8_t *)buf);

  if (got < 0) {
    unsigned char c = (unsigned char)h->bad;

    if (c > 0x20 && c < 0x7F)
      fprintf(stderr,
              "smartmeter-decode: hex input line %lu: '%c' is not "
              "a hex digit\n",
              h->line, c);
    else
      fprintf(stderr,
              "smartmeter-decode: hex input line %lu: byte 0x%02X "
              "is not a hex digit\n",
              h->line, c);
  }
  return got;
}

/* Are more input bytes ready right now? A regular file has them until
 * its end; a pipe, FIFO or terminal only what its writer sent so far. */
static bool more_ready(int fd, bool regular) {
  struct pollfd p = {.fd = fd, .events = POLLIN};

  return regular || poll(&p, 1, 0) > 0;
}

static void flush_output(cli_run *r) {
  if (cli_output_flush() != 0)
    r->output_failed = true;
}

/* Feed the whole stream. Returns 0, or -1 on a read or hex error. */
static int pump(cli_run *r, FILE *f, bool hex) {
  static char buf[CHUNK];
  struct stat st;
  int fd = fileno(f);
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  hex_text h;
  ssize_t n;
  long got;

  hex_init(&h);
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      fprintf(stderr, "smartmeter-decode: read error: %s\n", strerror(errno));
      return -1;
    }
    got = hex ? unhex(&h, buf, (size_t)n) : (long)n;
    if (got < 0)
      return -1;
    cli_run_feed(r, (const uint8_t *)buf, (size_t)got);
    if (!more_ready(fd, regular))
      flush_output(r);
  }
  if (hex && hex_pending(&h)) {
    fputs("smartmeter-decode: hex input ends with half a byte\n", stderr);
    return -1;
  }
  return 0;
}

int cli_input_run(const cli_options *o) {
  FILE *f = open_input(o->file);
  cli_run r;
  int rc, input_rc;

  if (f == NULL)
    return CLI_EXIT_FAIL;
  rc = cli_run_open(&r, o, false);
  if (rc == CLI_EXIT_OK) {
    cli_output_defer(true);
    input_rc = pump(&r, f, o->hex);
    r.input_failed = input_rc != 0;
    cli_run_gap(&r, "at the end of the input");
    flush_output(&r); /* before any report that follows */
    rc = cli_run_close(&r);
    if (input_rc != 0)
      rc = CLI_EXIT_FAIL;
  }
  if (f != stdin)
    fclose(f);
  return rc;
}
