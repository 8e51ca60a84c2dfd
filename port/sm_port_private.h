/* SPDX-License-Identifier: MIT */
/* sm_port_private.h - what the port backends share; not installed, not for
 * the plugin or CLI (they use sm_port.h only). */
#ifndef SM_PORT_PRIVATE_H
#define SM_PORT_PRIVATE_H

#include "sm_port.h"

#include <limits.h>

struct sp_port;

/* Bytes read from the device but not returned yet (sm_port_marks.c). */
#define SM_PORT_RAW 4096

struct sm_port {
  sm_port_backend backend;
  int fd;              /* the fd we poll; owned by sp for libserialport */
  struct sp_port *sp;  /* libserialport backend only */
  bool parity_ignored; /* pty: parity requested but meaningless there */
  bool is_tty;         /* read() == 0 after POLLIN means hangup */
  bool read_only;      /* no write permission: sm_port_write() fails */
  char path[PATH_MAX]; /* realpath of the device, or the tcp address */
  /* PARMRK in effect: the kernel sends FF 00 x for a byte x received with
   * a parity or framing error and FF FF for a data byte FF. */
  bool marks;
  int esc;           /* escape bytes seen so far: 0, 1 (FF), 2 (FF 00) */
  bool mark_pending; /* a bad byte follows the bytes returned last */
  size_t raw_pos, raw_len;
  uint8_t raw[SM_PORT_RAW];
};

/* Defaults applied (baud 2400, 8 data bits, 1 stop bit). */
typedef struct sm_serial_params {
  int baud;
  sm_parity parity;
  int data_bits;
  int stop_bits;
} sm_serial_params;

/* strerror_r wrapper: thread-safe text for errno e. */
#define SM_ERRBUF 128
const char *sm_errstr(int e, char *buf, size_t len);

/* printf into the caller's error buffer (tolerates err == NULL). */
void sm_port_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "tcp://host:port" splitting; host may be "[v6addr]". 0 or -1. */
int sm_tcp_split(const char *dev, char *host, size_t hostlen, char *port,
                 size_t portlen);

/* True when fd is a pseudo-terminal (parity cannot apply there). */
bool sm_fd_is_pty(int fd);

/* Backends: fill p (fd, sp, flags) or return an error status with err set.
 * dev is the device as configured (for messages); p->path is resolved. */
sm_port_status sm_serial_open_sp(sm_port *p, const char *dev,
                                 const sm_serial_params *sp, bool *refused,
                                 char *err, size_t errlen);
sm_port_status sm_serial_open_termios(sm_port *p, const char *dev,
                                      const sm_serial_params *sp, char *err,
                                      size_t errlen);
sm_port_status sm_serial_open(sm_port *p, const char *dev,
                              const sm_serial_params *sp, char *err,
                              size_t errlen);
sm_port_status sm_tcp_open(sm_port *p, const char *dev, char *err,
                           size_t errlen);
/* Last step of opening a tty (both backends): error marking on when
 * parity is in effect (sets p->marks from what the device took), then the
 * input flushed. */
sm_port_status sm_tty_finish(sm_port *p, const char *dev, bool parity,
                             char *err, size_t errlen);

/* Poll (the port and wake_fd, see sm_port_read_wake()) and read what the
 * device gives, no unescaping (sm_port.c). */
sm_port_status sm_port_read_raw(sm_port *p, uint8_t *buf, size_t size,
                                int timeout_ms, int wake_fd, size_t *got,
                                char *err, size_t errlen);
/* sm_port_read_wake() for a port with p->marks (sm_port_marks.c). */
sm_port_status sm_port_read_marked(sm_port *p, uint8_t *buf, size_t size,
                                   int timeout_ms, int wake_fd, size_t *got,
                                   char *err, size_t errlen);
void sm_serial_close(sm_port *p);

/* Open read-write (an AMIS reader answers its meter) with the given extra
 * flags; where only reading is permitted, read-only with p->read_only set
 * (every other meter needs nothing more). Returns the fd or -1 (errno). */
int sm_open_rw(sm_port *p, int flags);
/* The same for libserialport: SP_MODE_READ_WRITE, else SP_MODE_READ.
 * Returns an enum sp_return. */
int sm_sp_open_rw(sm_port *p);

#endif
