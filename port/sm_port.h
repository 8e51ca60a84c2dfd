/* SPDX-License-Identifier: MIT */
/* sm_port.h - the byte source of a meter: a serial adapter (libserialport,
 * with a plain termios fallback for paths libserialport 0.1.1 refuses, such
 * as ptys and renamed device nodes) or a TCP socket ("tcp://host:port", as
 * ser2net serves a remote adapter). Shared by the collectd plugin and the
 * smartmeter-decode CLI.
 *
 * Promises:
 *  - never blocks longer than the timeout given to sm_port_read(),
 *    sm_port_read_wake() or sm_port_write();
 *    waits with poll() (never select(): fds >= 1024 are fine);
 *  - a vanished device, hangup, EIO or closed socket is reported as
 *    SM_PORT_GONE, never as an endless stream of zero-byte reads;
 *  - symlinks (/dev/serial/by-id/...) are resolved with realpath() on every
 *    open, so a replugged adapter is found again;
 *  - error texts go into the caller's buffer; nothing is printed or logged;
 *  - fds are close-on-exec;
 *  - the input is flushed on every open: bytes the device buffered while
 *    nobody read it (an old telegram, a repointed device path) never reach
 *    the caller;
 *  - with parity configured on a serial device, the UART's parity and
 *    framing errors are reported (INPCK + PARMRK; libserialport clears
 *    INPCK, so it is set here for both backends). The kernel's escapes
 *    are undone here, so the bytes returned are exactly the bytes
 *    received: a byte with an error is not returned, SM_PORT_LINE_ERROR is
 *    in its place (hand it on with sm_decoder_line_error()).
 *  - devices are opened read-write where permitted (read-only otherwise),
 *    yet nothing is ever written but what sm_port_write() is given.
 * A port is used by one thread at a time.
 */
#ifndef SM_PORT_H
#define SM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sm_port_status {
  SM_PORT_OK = 0,          /* bytes were read (or open succeeded) */
  SM_PORT_TIMEOUT = 1,     /* nothing arrived within the timeout */
  SM_PORT_LINE_ERROR = 2,  /* the next byte came with a parity or framing
                              error (or a break) and was dropped; the
                              bytes before it were returned already */
  SM_PORT_WOKEN = 3,       /* the wake fd of sm_port_read_wake() became
                              readable; nothing was read */
  SM_PORT_GONE = -1,       /* device vanished / hangup / EIO / EOF */
  SM_PORT_ERR_OPEN = -2,   /* cannot open (missing, permission, refused) */
  SM_PORT_ERR_CONFIG = -3, /* cannot set baud/parity/bits */
  SM_PORT_ERR_ARG = -4,    /* invalid configuration value */
  SM_PORT_ERR_IO = -5,     /* other read/poll failure */
} sm_port_status;

const char *sm_port_strerror(sm_port_status st);

typedef enum sm_parity {
  SM_PARITY_NONE = 0,
  SM_PARITY_EVEN,
  SM_PARITY_ODD,
} sm_parity;

/* "none" | "even" | "odd" (case-insensitive; also "N"/"E"/"O" and
 * kaifareader's "serial.PARITY_EVEN" etc.). Returns 0 or -1. */
int sm_parity_parse(const char *s, sm_parity *out);
const char *sm_parity_name(sm_parity p);

typedef struct sm_port_config {
  const char *device; /* "/dev/ttyUSB0", a by-id link, or "tcp://host:port" */
  int baud;           /* default 2400 when 0 */
  sm_parity parity;   /* SM_PARITY_EVEN is the meters' 8E1 */
  int data_bits;      /* 5..8, default 8 when 0 */
  int stop_bits;      /* 1 or 2, default 1 when 0 */
} sm_port_config;

typedef enum sm_port_backend {
  SM_PORT_LIBSERIALPORT = 0,
  SM_PORT_TERMIOS, /* fallback: path refused by libserialport */
  SM_PORT_TCP,
} sm_port_backend;

const char *sm_port_backend_name(sm_port_backend b);

typedef struct sm_port sm_port;

/* Check a configuration without opening anything (for config time).
 * Returns SM_PORT_OK or SM_PORT_ERR_ARG with a message in err. */
sm_port_status sm_port_config_check(const sm_port_config *cfg, char *err,
                                    size_t errlen);

/* Open and configure. On failure returns NULL, *st and a message in err
 * (which names the device and the failing step). */
sm_port *sm_port_open(const sm_port_config *cfg, sm_port_status *st, char *err,
                      size_t errlen);

/* Wait up to timeout_ms (< 0: without a time limit) for bytes, then read
 * what is there (at most size). SM_PORT_OK with *got > 0, SM_PORT_TIMEOUT
 * with *got == 0, SM_PORT_LINE_ERROR with *got == 0 (a bad byte in the
 * stream at this point; read on), or an error (SM_PORT_GONE: close the
 * port and reopen later). Bytes already received are returned without
 * waiting. */
sm_port_status sm_port_read(sm_port *p, uint8_t *buf, size_t size,
                            int timeout_ms, size_t *got, char *err,
                            size_t errlen);

/* sm_port_read() that also ends its wait as soon as wake_fd (the caller's
 * eventfd or pipe, e.g. a stop request) is readable: SM_PORT_WOKEN with
 * *got == 0, also when the device has bytes too (they stay for the next
 * read; bytes the port holds already are returned first, without looking
 * at wake_fd). wake_fd is polled, never read: the caller clears it.
 * wake_fd < 0 is sm_port_read(). A reader thread can so wait with
 * timeout_ms -1 when it has no deadline of its own, instead of waking up
 * periodically to look for a stop request. */
sm_port_status sm_port_read_wake(sm_port *p, uint8_t *buf, size_t size,
                                 int timeout_ms, int wake_fd, size_t *got,
                                 char *err, size_t errlen);

/* Write buf[0..n) (an AMIS reader's E5 acknowledgements) within
 * timeout_ms; never blocks longer (waits with poll() for room, never
 * tcdrain). SM_PORT_OK when all bytes were handed to the device or socket,
 * SM_PORT_TIMEOUT when its output stayed full, SM_PORT_GONE, or
 * SM_PORT_ERR_IO (also for a device opened read-only for lack of write
 * permission), with a message in err. No SIGPIPE on a closed socket. */
sm_port_status sm_port_write(sm_port *p, const uint8_t *buf, size_t n,
                             int timeout_ms, char *err, size_t errlen);

/* Which backend the open port uses, and whether it is a pty or another
 * device that could not take the requested parity (tolerated only there). */
sm_port_backend sm_port_backend_of(const sm_port *p);
bool sm_port_parity_ignored(const sm_port *p);
/* True when the port reports parity and framing errors (parity configured
 * and taken by a serial device). */
bool sm_port_parity_checked(const sm_port *p);
/* The path actually opened (after realpath), or the tcp address. */
const char *sm_port_path(const sm_port *p);

void sm_port_close(sm_port *p);

/* Reconnect back-off: 1 s, doubling, capped at 30 s; reset on success. */
typedef struct sm_backoff {
  unsigned next_ms;
} sm_backoff;
#define SM_BACKOFF_MIN_MS 1000u
#define SM_BACKOFF_MAX_MS 30000u
void sm_backoff_reset(sm_backoff *b);
/* Returns the delay to wait now and doubles the next one. */
unsigned sm_backoff_next(sm_backoff *b);

#ifdef __cplusplus
}
#endif
#endif
