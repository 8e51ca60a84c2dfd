/* SPDX-License-Identifier: MIT */
/* sm_port_termios.c - plain termios fallback for serial paths libserialport
 * 0.1.1 refuses (ptys, device nodes renamed by udev rules), and the last
 * step of every tty open (error marking, input flush). */
#include "sm_port_private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const struct {
  int baud;
  speed_t speed;
} bauds[] = {
    {50, B50},           {75, B75},           {110, B110},
    {134, B134},         {150, B150},         {200, B200},
    {300, B300},         {600, B600},         {1200, B1200},
    {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},
    {57600, B57600},     {115200, B115200},   {230400, B230400},
    {460800, B460800},   {500000, B500000},   {576000, B576000},
    {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000},
    {3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

static int speed_of(int baud, speed_t *out) {
  for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++) {
    if (bauds[i].baud == baud) {
      *out = bauds[i].speed;
      return 0;
    }
  }
  return -1;
}

static tcflag_t csize_of(int bits) {
  switch (bits) {
  case 5:
    return CS5;
  case 6:
    return CS6;
  case 7:
    return CS7;
  default:
    return CS8;
  }
}

/* Error marking: INPCK checks parity, PARMRK marks a bad byte (and a
 * break) in the stream instead of passing it on as data (or as NUL);
 * IGNPAR would drop it unseen, ISTRIP would corrupt bytes, BRKINT would
 * flush the queue. Off without parity: nothing to check then. */
static void set_marking(struct termios *t, bool on) {
  t->c_iflag &= ~(tcflag_t)(INPCK | PARMRK | IGNPAR | ISTRIP | IGNBRK | BRKINT);
  if (on)
    t->c_iflag |= INPCK | PARMRK;
}

static void make_termios(struct termios *t, speed_t speed,
                         const sm_serial_params *sp, bool parity) {
  cfmakeraw(t);
  cfsetispeed(t, speed);
  cfsetospeed(t, speed);
  t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  t->c_cflag |= csize_of(sp->data_bits) | CLOCAL | CREAD;
  parity = parity && sp->parity != SM_PARITY_NONE;
  if (parity)
    t->c_cflag |= PARENB;
  if (parity && sp->parity == SM_PARITY_ODD)
    t->c_cflag |= PARODD;
  set_marking(t, parity);
  if (sp->stop_bits == 2)
    t->c_cflag |= CSTOPB;
  /* Software flow control would eat 0x11/0x13 from the telegrams. */
  t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
}

/* tcsetattr() succeeds if any change took: read back to see what did.
 * Returns the name of the first setting that did not stick, or NULL. */
static const char *unapplied(const struct termios *want,
                             const struct termios *got) {
  if (cfgetispeed(got) != cfgetispeed(want))
    return "baud rate";
  if ((got->c_cflag & CSIZE) != (want->c_cflag & CSIZE))
    return "data bits";
  if ((got->c_cflag & CSTOPB) != (want->c_cflag & CSTOPB))
    return "stop bits";
  if ((got->c_cflag & (PARENB | PARODD)) != (want->c_cflag & (PARENB | PARODD)))
    return "parity";
  if ((got->c_iflag & (INPCK | PARMRK)) != (want->c_iflag & (INPCK | PARMRK)))
    return "parity error marking";
  if (got->c_iflag & (IXON | IXOFF))
    return "flow control none";
  return NULL;
}

/* Apply want; *got is what the device took. -1 with errno on failure. */
static int apply(int fd, const struct termios *want, struct termios *got) {
  if (tcsetattr(fd, TCSANOW, want) != 0 || tcgetattr(fd, got) != 0)
    return -1;
  return 0;
}

/* A pty has no parity: the kernel drops PARENB and glibc's tcsetattr()
 * then fails with EINVAL. There (only there) go on without it. */
static int apply_settings(sm_port *p, speed_t speed, const sm_serial_params *sp,
                          struct termios *want, struct termios *got) {
  struct termios orig = *want;
  make_termios(want, speed, sp, true);
  int rc = apply(p->fd, want, got);
  bool refused = rc != 0 || unapplied(want, got) != NULL;
  if (!refused || sp->parity == SM_PARITY_NONE || !sm_fd_is_pty(p->fd))
    return rc;
  *want = orig;
  make_termios(want, speed, sp, false);
  p->parity_ignored = true;
  return apply(p->fd, want, got);
}

static sm_port_status configure(sm_port *p, const char *dev,
                                const sm_serial_params *sp, char *err,
                                size_t errlen) {
  char eb[SM_ERRBUF];
  speed_t speed;
  if (speed_of(sp->baud, &speed) != 0) {
    sm_port_errf(err, errlen,
                 "cannot set baud rate %d on %s: not a standard rate", sp->baud,
                 dev);
    return SM_PORT_ERR_CONFIG;
  }
  struct termios want, got;
  if (tcgetattr(p->fd, &want) != 0) {
    sm_port_errf(err, errlen, "cannot read settings of %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_CONFIG;
  }
  if (apply_settings(p, speed, sp, &want, &got) != 0) {
    sm_port_errf(err, errlen, "cannot configure %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_CONFIG;
  }
  const char *what = unapplied(&want, &got);
  if (what) {
    sm_port_errf(err, errlen, "cannot set %s on %s: not taken by the device",
                 what, dev);
    return SM_PORT_ERR_CONFIG;
  }
  p->marks = (got.c_iflag & PARMRK) && (got.c_iflag & INPCK);
  return SM_PORT_OK;
}

sm_port_status sm_serial_open_termios(sm_port *p, const char *dev,
                                      const sm_serial_params *sp, char *err,
                                      size_t errlen) {
  char eb[SM_ERRBUF];
  p->fd = sm_open_rw(p, O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (p->fd < 0) {
    sm_port_errf(err, errlen, "cannot open %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_OPEN;
  }
  sm_port_status st = SM_PORT_ERR_OPEN;
  if (!isatty(p->fd))
    sm_port_errf(err, errlen, "cannot open %s: not a serial device", dev);
  else
    st = configure(p, dev, sp, err, errlen);
  if (st == SM_PORT_OK)
    st = sm_tty_finish(p, dev, false, err, errlen); /* marking set above */
  if (st != SM_PORT_OK) {
    close(p->fd);
    p->fd = -1;
    return st;
  }
  p->backend = SM_PORT_TERMIOS;
  p->is_tty = true;
  return SM_PORT_OK;
}

/* For libserialport, which leaves INPCK off and PARMRK alone. */
static sm_port_status set_fd_marking(sm_port *p, const char *dev, bool on,
                                     char *err, size_t errlen) {
  char eb[SM_ERRBUF];
  struct termios want, got;
  if (tcgetattr(p->fd, &want) != 0) {
    sm_port_errf(err, errlen, "cannot read settings of %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_CONFIG;
  }
  set_marking(&want, on);
  if (apply(p->fd, &want, &got) != 0 || unapplied(&want, &got) != NULL) {
    sm_port_errf(err, errlen, "cannot set parity error marking on %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_CONFIG;
  }
  p->marks = (got.c_iflag & PARMRK) && (got.c_iflag & INPCK);
  return SM_PORT_OK;
}

sm_port_status sm_tty_finish(sm_port *p, const char *dev, bool parity,
                             char *err, size_t errlen) {
  char eb[SM_ERRBUF];
  if (parity) {
    sm_port_status st = set_fd_marking(p, dev, true, err, errlen);
    if (st != SM_PORT_OK)
      return st;
  }
  /* Whatever the device buffered while nobody read it is old: an earlier
   * telegram, or another meter's before the path was repointed. */
  if (tcflush(p->fd, TCIFLUSH) != 0) {
    sm_port_errf(err, errlen, "cannot flush the input of %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_CONFIG;
  }
  return SM_PORT_OK;
}
