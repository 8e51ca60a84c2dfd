/* SPDX-License-Identifier: MIT */
/* sm_port.c - the backend-independent part of sm_port.h: names, config
 * checks, open dispatch, and the poll()-based read shared by all backends. */
#include "sm_port_private.h"
#include "sm_clock.h"

#include <errno.h>
#include <libserialport.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TCP_PREFIX "tcp://"
#define MAX_BAUD 4000000
#define READ_MAX 65536

const char *sm_errstr(int e, char *buf, size_t len) {
  return strerror_r(e, buf, len); /* GNU variant (_GNU_SOURCE) */
}

void sm_port_errf(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

const char *sm_port_strerror(sm_port_status st) {
  switch (st) {
  case SM_PORT_OK:
    return "ok";
  case SM_PORT_TIMEOUT:
    return "timeout";
  case SM_PORT_LINE_ERROR:
    return "parity or framing error on the line";
  case SM_PORT_WOKEN:
    return "woken";
  case SM_PORT_GONE:
    return "device gone";
  case SM_PORT_ERR_OPEN:
    return "cannot open";
  case SM_PORT_ERR_CONFIG:
    return "cannot configure";
  case SM_PORT_ERR_ARG:
    return "invalid argument";
  case SM_PORT_ERR_IO:
    return "i/o error";
  }
  return "unknown status";
}

int sm_parity_parse(const char *s, sm_parity *out) {
  static const char pyserial[] = "serial.parity_";
  static const struct {
    const char *name;
    sm_parity parity;
  } names[] = {
      {"none", SM_PARITY_NONE}, {"n", SM_PARITY_NONE},
      {"even", SM_PARITY_EVEN}, {"e", SM_PARITY_EVEN},
      {"odd", SM_PARITY_ODD},   {"o", SM_PARITY_ODD},
  };
  if (!s || !out)
    return -1;
  /* kaifareader's meter.json spells pyserial constants. */
  if (strncasecmp(s, pyserial, sizeof pyserial - 1) == 0)
    s += sizeof pyserial - 1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(s, names[i].name) == 0) {
      *out = names[i].parity;
      return 0;
    }
  }
  return -1;
}

const char *sm_parity_name(sm_parity p) {
  switch (p) {
  case SM_PARITY_NONE:
    return "none";
  case SM_PARITY_EVEN:
    return "even";
  case SM_PARITY_ODD:
    return "odd";
  }
  return "invalid";
}

const char *sm_port_backend_name(sm_port_backend b) {
  switch (b) {
  case SM_PORT_LIBSERIALPORT:
    return "libserialport";
  case SM_PORT_TERMIOS:
    return "termios";
  case SM_PORT_TCP:
    return "tcp";
  }
  return "unknown";
}

static bool is_tcp(const char *dev) {
  return strncmp(dev, TCP_PREFIX, sizeof TCP_PREFIX - 1) == 0;
}

int sm_tcp_split(const char *dev, char *host, size_t hostlen, char *port,
                 size_t portlen) {
  if (!is_tcp(dev))
    return -1;
  const char *h = dev + sizeof TCP_PREFIX - 1;
  const char *colon;
  size_t hlen;
  if (*h == '[') { /* [v6]:port */
    const char *close = strchr(h, ']');
    if (!close || close[1] != ':')
      return -1;
    h++;
    hlen = (size_t)(close - h);
    colon = close + 1;
  } else {
    colon = strchr(h, ':');
    if (!colon || strchr(colon + 1, ':'))
      return -1;
    hlen = (size_t)(colon - h);
  }
  const char *pt = colon + 1;
  size_t plen = strlen(pt);
  if (hlen == 0 || hlen >= hostlen || plen == 0 || plen >= portlen)
    return -1;
  if (strspn(pt, "0123456789") != plen)
    return -1;
  long num = strtol(pt, NULL, 10);
  if (num < 1 || num > 65535)
    return -1;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  memcpy(port, pt, plen + 1);
  return 0;
}

static sm_port_status check_serial(const sm_port_config *cfg, char *err,
                                   size_t errlen) {
  if (cfg->baud < 0 || cfg->baud > MAX_BAUD) {
    sm_port_errf(err, errlen, "invalid baud rate %d for %s", cfg->baud,
                 cfg->device);
    return SM_PORT_ERR_ARG;
  }
  if (cfg->data_bits != 0 && (cfg->data_bits < 5 || cfg->data_bits > 8)) {
    sm_port_errf(err, errlen, "invalid data bits %d for %s (5..8)",
                 cfg->data_bits, cfg->device);
    return SM_PORT_ERR_ARG;
  }
  if (cfg->stop_bits < 0 || cfg->stop_bits > 2) {
    sm_port_errf(err, errlen, "invalid stop bits %d for %s (1 or 2)",
                 cfg->stop_bits, cfg->device);
    return SM_PORT_ERR_ARG;
  }
  if (cfg->parity != SM_PARITY_NONE && cfg->parity != SM_PARITY_EVEN &&
      cfg->parity != SM_PARITY_ODD) {
    sm_port_errf(err, errlen, "invalid parity %d for %s", (int)cfg->parity,
                 cfg->device);
    return SM_PORT_ERR_ARG;
  }
  return SM_PORT_OK;
}

sm_port_status sm_port_config_check(const sm_port_config *cfg, char *err,
                                    size_t errlen) {
  if (!cfg || !cfg->device || cfg->device[0] == '\0') {
    sm_port_errf(err, errlen, "no device configured");
    return SM_PORT_ERR_ARG;
  }
  if (!is_tcp(cfg->device))
    return check_serial(cfg, err, errlen);
  char host[256], port[8];
  if (sm_tcp_split(cfg->device, host, sizeof host, port, sizeof port) != 0) {
    sm_port_errf(err, errlen,
                 "invalid address %s: expected tcp://host:port with a port "
                 "1..65535",
                 cfg->device);
    return SM_PORT_ERR_ARG;
  }
  return SM_PORT_OK; /* serial settings do not apply to tcp */
}

static sm_serial_params serial_params(const sm_port_config *cfg) {
  sm_serial_params sp = {
      .baud = cfg->baud ? cfg->baud : 2400,
      .parity = cfg->parity,
      .data_bits = cfg->data_bits ? cfg->data_bits : 8,
      .stop_bits = cfg->stop_bits ? cfg->stop_bits : 1,
  };
  return sp;
}

sm_port *sm_port_open(const sm_port_config *cfg, sm_port_status *st, char *err,
                      size_t errlen) {
  sm_port_status dummy;
  if (!st)
    st = &dummy;
  *st = sm_port_config_check(cfg, err, errlen);
  if (*st != SM_PORT_OK)
    return NULL;
  sm_port *p = calloc(1, sizeof *p);
  if (!p) {
    sm_port_errf(err, errlen, "cannot open %s: out of memory", cfg->device);
    *st = SM_PORT_ERR_OPEN;
    return NULL;
  }
  p->fd = -1;
  if (is_tcp(cfg->device)) {
    *st = sm_tcp_open(p, cfg->device, err, errlen);
  } else {
    sm_serial_params sp = serial_params(cfg);
    *st = sm_serial_open(p, cfg->device, &sp, err, errlen);
  }
  if (*st != SM_PORT_OK) {
    free(p);
    return NULL;
  }
  return p;
}

/* poll() for input on fd and, when wake_fd >= 0, for wake_fd, restarting
 * after signals without stretching the timeout (timeout_ms < 0: none).
 * Returns poll's result; *revents (fd) and *woken are valid when it is
 * > 0. */
static int wait_input(int fd, int wake_fd, int timeout_ms, short *revents,
                      bool *woken) {
  long long deadline = sm_mono_ms() + timeout_ms;
  for (;;) {
    struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
                            {.fd = wake_fd, .events = POLLIN}};
    int rc = poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);
    if (rc > 0) {
      *revents = pfd[0].revents;
      *woken = wake_fd >= 0 && pfd[1].revents != 0;
    }
    if (rc >= 0 || errno != EINTR)
      return rc;
    if (timeout_ms < 0)
      continue;
    long long left = deadline - sm_mono_ms();
    timeout_ms = left > 0 ? (int)left : 0;
  }
}

static bool errno_means_gone(int e) {
  return e == EIO || e == ENXIO || e == ENODEV || e == ECONNRESET ||
         e == EPIPE || e == ETIMEDOUT || e == EHOSTUNREACH ||
         e == ENETUNREACH || e == EBADF;
}

/* The readers below run after poll() said readable. A tty that then
 * gives 0 bytes is hung up, a socket that gives 0 bytes reached EOF:
 * either way it stays "readable", so reporting GONE is what avoids a spin. */
static sm_port_status read_sp(sm_port *p, uint8_t *buf, size_t size,
                              size_t *got, char *err, size_t errlen) {
  char eb[SM_ERRBUF];
  /* A vanished USB adapter makes this fail with EIO. */
  if (sp_input_waiting(p->sp) < 0) {
    sm_port_errf(err, errlen, "lost %s: %s", p->path,
                 sm_errstr(sp_last_error_code(), eb, sizeof eb));
    return SM_PORT_GONE;
  }
  /* sp_nonblocking_read returns an int count. */
  int n = sp_nonblocking_read(p->sp, buf, size < READ_MAX ? size : READ_MAX);
  if (n > 0) {
    *got = (size_t)n;
    return SM_PORT_OK;
  }
  if (n == 0) {
    sm_port_errf(err, errlen, "lost %s: hangup", p->path);
    return SM_PORT_GONE;
  }
  int e = sp_last_error_code();
  sm_port_errf(err, errlen, "cannot read %s: %s", p->path,
               sm_errstr(e, eb, sizeof eb));
  return errno_means_gone(e) ? SM_PORT_GONE : SM_PORT_ERR_IO;
}

static sm_port_status read_fd(sm_port *p, uint8_t *buf, size_t size,
                              short revents, size_t *got, char *err,
                              size_t errlen) {
  char eb[SM_ERRBUF];
  ssize_t n = read(p->fd, buf, size);
  if (n > 0) {
    *got = (size_t)n;
    return SM_PORT_OK;
  }
  if (n == 0) {
    sm_port_errf(err, errlen, "lost %s: %s", p->path,
                 p->backend == SM_PORT_TCP ? "connection closed by peer"
                                           : "hangup");
    return SM_PORT_GONE;
  }
  int e = errno;
  if ((e == EAGAIN || e == EINTR) && !(revents & POLLHUP))
    return SM_PORT_TIMEOUT; /* spurious wakeup: nothing there after all */
  sm_port_errf(err, errlen, "cannot read %s: %s", p->path,
               sm_errstr(e, eb, sizeof eb));
  return errno_means_gone(e) || (revents & POLLHUP) ? SM_PORT_GONE
                                                    : SM_PORT_ERR_IO;
}

sm_port_status sm_port_read_raw(sm_port *p, uint8_t *buf, size_t size,
                                int timeout_ms, int wake_fd, size_t *got,
                                char *err, size_t errlen) {
  if (p->fd < 0) {
    sm_port_errf(err, errlen, "lost %s: not open", p->path);
    return SM_PORT_GONE;
  }
  short revents = 0;
  bool woken = false;
  int rc = wait_input(p->fd, wake_fd, timeout_ms, &revents, &woken);
  if (rc == 0)
    return SM_PORT_TIMEOUT;
  if (rc < 0) {
    char eb[SM_ERRBUF];
    sm_port_errf(err, errlen, "cannot poll %s: %s", p->path,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_IO;
  }
  /* The caller's event first: a stop must not wait behind a busy line. */
  if (woken)
    return SM_PORT_WOKEN;
  if (revents & POLLNVAL) {
    sm_port_errf(err, errlen, "lost %s: descriptor closed", p->path);
    return SM_PORT_GONE;
  }
  if (!(revents & POLLIN)) { /* POLLHUP or POLLERR without data */
    sm_port_errf(err, errlen, "lost %s: %s", p->path,
                 (revents & POLLHUP) ? "hangup" : "error condition");
    return SM_PORT_GONE;
  }
  if (p->sp)
    return read_sp(p, buf, size, got, err, errlen);
  return read_fd(p, buf, size, revents, got, err, errlen);
}

sm_port_status sm_port_read_wake(sm_port *p, uint8_t *buf, size_t size,
                                 int timeout_ms, int wake_fd, size_t *got,
                                 char *err, size_t errlen) {
  size_t dummy;
  if (!got)
    got = &dummy;
  *got = 0;
  if (!p || !buf || size == 0) {
    sm_port_errf(err, errlen, "sm_port_read: invalid argument");
    return SM_PORT_ERR_ARG;
  }
  if (p->marks)
    return sm_port_read_marked(p, buf, size, timeout_ms, wake_fd, got, err,
                               errlen);
  return sm_port_read_raw(p, buf, size, timeout_ms, wake_fd, got, err, errlen);
}

sm_port_status sm_port_read(sm_port *p, uint8_t *buf, size_t size,
                            int timeout_ms, size_t *got, char *err,
                            size_t errlen) {
  return sm_port_read_wake(p, buf, size, timeout_ms, -1, got, err, errlen);
}

sm_port_backend sm_port_backend_of(const sm_port *p) {
  return p->backend;
}

bool sm_port_parity_ignored(const sm_port *p) {
  return p->parity_ignored;
}

bool sm_port_parity_checked(const sm_port *p) {
  return p->marks;
}

const char *sm_port_path(const sm_port *p) {
  return p->path;
}

void sm_port_close(sm_port *p) {
  if (!p)
    return;
  if (p->sp)
    sm_serial_close(p);
  else if (p->fd >= 0)
    close(p->fd);
  free(p);
}
