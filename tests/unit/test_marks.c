/* SPDX-License-Identifier: MIT */
/* test_marks.c - TEST ONLY: the PARMRK unescaping of sm_port_marks.c, fed
 * through a pipe in pieces so that every escape is split across reads at
 * every possible point. Output is TAP.
 *
 * Each case is a byte string as the kernel would deliver it with INPCK +
 * PARMRK (FF FF = data FF, FF 00 x = x received with an error, FF 00 00 =
 * a break) and what sm_port_read() must return: the bytes, with "!" for
 * each SM_PORT_LINE_ERROR. */
#include "sm_port_private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct test_case {
  const char *name;
  const char *in;   /* hex */
  const char *want; /* hex, "!" for a line error */
} test_case;

static const test_case cases[] = {
    {"plain bytes", "41 42 43", "41 42 43"},
    {"data FF", "41 FF FF 42", "41 FF 42"},
    {"parity error", "41 FF 00 5A 42", "41 ! 42"},
    {"error first", "FF 00 5A 42", "! 42"},
    {"error last", "41 FF 00 5A", "41 !"},
    {"break", "41 FF 00 00 42", "41 ! 42"},
    {"two errors", "41 FF 00 01 FF 00 02 42", "41 ! ! 42"},
    {"marked FF", "41 FF 00 FF 42", "41 ! 42"},
    {"FF then no escape", "FF 41", "FF 41"},
    {"FF FF FF FF", "FF FF FF FF", "FF FF"},
    {"FF FF then error", "FF FF FF 00 10 FF FF", "FF ! FF"},
};

static int tap_n, tap_fail;

static void result(bool pass, const char *name, size_t cut, size_t bufsize) {
  tap_n++;
  tap_fail += !pass;
  printf("%s %d - %s, cut at %zu, reads of %zu\n", pass ? "ok" : "not ok",
         tap_n, name, cut, bufsize);
}

static size_t parse_hex(const char *s, uint8_t *out) {
  size_t n = 0;
  unsigned v;
  int used;
  while (sscanf(s, " %2x%n", &v, &used) == 1) {
    out[n++] = (uint8_t)v;
    s += used;
  }
  return n;
}

static sm_port *pipe_port(int *wfd) {
  int fds[2];
  if (pipe(fds) != 0)
    abort();
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  sm_port *p = calloc(1, sizeof *p);
  p->fd = fds[0];
  p->backend = SM_PORT_TERMIOS;
  p->marks = true;
  snprintf(p->path, sizeof p->path, "pipe");
  *wfd = fds[1];
  return p;
}

/* Read everything currently in the pipe (and the port's own buffer). */
static void drain(sm_port *p, size_t bufsize, char *got, size_t gotsize) {
  uint8_t buf[64];
  for (;;) {
    size_t n = 0;
    char err[128];
    sm_port_status st = sm_port_read(p, buf, bufsize, 0, &n, err, sizeof err);
    if (st == SM_PORT_LINE_ERROR) {
      strncat(got, "! ", gotsize - strlen(got) - 1);
      continue;
    }
    if (st != SM_PORT_OK)
      return; /* timeout: the pipe is empty */
    for (size_t i = 0; i < n; i++) {
      char h[4];
      snprintf(h, sizeof h, "%02X ", buf[i]);
      strncat(got, h, gotsize - strlen(got) - 1);
    }
  }
}

static void normalise(char *s) {
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ')
    s[--n] = '\0';
}

/* The case written in two pieces cut at `cut`, read with bufsize. */
static void run(const test_case *c, size_t cut, size_t bufsize) {
  uint8_t in[64];
  size_t n = parse_hex(c->in, in);
  if (cut > n)
    return;
  int w = -1;
  sm_port *p = pipe_port(&w);
  char got[512] = "";
  if (write(w, in, cut) != (ssize_t)cut)
    abort();
  drain(p, bufsize, got, sizeof got);
  if (write(w, in + cut, n - cut) != (ssize_t)(n - cut))
    abort();
  drain(p, bufsize, got, sizeof got);
  normalise(got);
  bool pass = strcmp(got, c->want) == 0;
  result(pass, c->name, cut, bufsize);
  if (!pass)
    printf("#   got:  %s\n#   want: %s\n", got, c->want);
  close(w);
  close(p->fd);
  free(p);
}

int main(void) {
  static const size_t sizes[] = {1, 2, 64};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t in[64];
    size_t n = parse_hex(cases[i].in, in);
    for (size_t cut = 0; cut <= n; cut++)
      for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        run(&cases[i], cut, sizes[k]);
  }
  printf("1..%d\n", tap_n);
  return tap_fail != 0;
}
