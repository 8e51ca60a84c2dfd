/* SPDX-License-Identifier: MIT */
/* sm_port_serial.c - serial devices: resolve the path, try libserialport,
 * fall back to plain termios for paths libserialport 0.1.1 refuses. */
#include "sm_port_private.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Unix98 pty slaves live on majors 136..143 (UNIX98_PTY_SLAVE_MAJOR). */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

bool sm_fd_is_pty(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
    return false;
  unsigned maj = major(st.st_rdev);
  return maj >= PTY_SLAVE_MAJOR_FIRST && maj <= PTY_SLAVE_MAJOR_LAST;
}

static enum sp_parity sp_parity_of(sm_parity p) {
  switch (p) {
  case SM_PARITY_EVEN:
    return SP_PARITY_EVEN;
  case SM_PARITY_ODD:
    return SP_PARITY_ODD;
  case SM_PARITY_NONE:
    break;
  }
  return SP_PARITY_NONE;
}

/* errno values after which termios would fail the same way: report them
 * instead of trying the fallback. */
static bool open_errno_is_final(int e) {
  return e == EACCES || e == EPERM || e == ENOENT || e == ENODEV ||
         e == ENXIO || e == EBUSY;
}

static sm_port_status sp_step_failed(const char *dev, const char *step,
                                     char *err, size_t errlen) {
  char eb[SM_ERRBUF];
  int e = sp_last_error_code();
  sm_port_errf(err, errlen, "cannot set %s on %s: %s", step, dev,
               e ? sm_errstr(e, eb, sizeof eb) : "refused by libserialport");
  return SM_PORT_ERR_CONFIG;
}

/* Serial line settings. Parity is tolerated on a pty only: ptys have no
 * parity and the kernel clears PARENB, so libserialport's check fails. */
static sm_port_status sp_configure(sm_port *p, const char *dev,
                                   const sm_serial_params *sp, char *err,
                                   size_t errlen) {
  char step[48];
  snprintf(step, sizeof step, "baud rate %d", sp->baud);
  if (sp_set_baudrate(p->sp, sp->baud) != SP_OK)
    return sp_step_failed(dev, step, err, errlen);
  snprintf(step, sizeof step, "%d data bits", sp->data_bits);
  if (sp_set_bits(p->sp, sp->data_bits) != SP_OK)
    return sp_step_failed(dev, step, err, errlen);
  snprintf(step, sizeof step, "parity %s", sm_parity_name(sp->parity));
  bool refused = sp_set_parity(p->sp, sp_parity_of(sp->parity)) != SP_OK;
  if (refused && !sm_fd_is_pty(p->fd))
    return sp_step_failed(dev, step, err, errlen);
  p->parity_ignored = refused && sp->parity != SM_PARITY_NONE;
  snprintf(step, sizeof step, "%d stop bits", sp->stop_bits);
  if (sp_set_stopbits(p->sp, sp->stop_bits) != SP_OK)
    return sp_step_failed(dev, step, err, errlen);
  /* sp_open keeps IXON/IXOFF as found: 0x11/0x13 would vanish. */
  if (sp_set_flowcontrol(p->sp, SP_FLOWCONTROL_NONE) != SP_OK)
    return sp_step_failed(dev, "flow control none", err, errlen);
  return SM_PORT_OK;
}

static sm_port_status sp_open_port(sm_port *p, const char *dev, bool *refused,
                                   char *err, size_t errlen) {
  char eb[SM_ERRBUF];
  /* SP_ERR_ARG: no /sys/class/tty entry (pty, renamed node). */
  enum sp_return r = sp_get_port_by_name(p->path, &p->sp);
  if (r != SP_OK) {
    p->sp = NULL;
    *refused = r == SP_ERR_ARG;
    sm_port_errf(err, errlen, "cannot open %s: not known to libserialport",
                 dev);
    return SM_PORT_ERR_OPEN;
  }
  if (sm_sp_open_rw(p) != SP_OK) {
    int e = sp_last_error_code();
    sp_free_port(p->sp);
    p->sp = NULL;
    *refused = !open_errno_is_final(e); /* e.g. TIOCMGET: ENOTTY */
    sm_port_errf(err, errlen, "cannot open %s: %s", dev,
                 sm_errstr(e, eb, sizeof eb));
    return SM_PORT_ERR_OPEN;
  }
  return SM_PORT_OK;
}

sm_port_status sm_serial_open_sp(sm_port *p, const char *dev,
                                 const sm_serial_params *sp, bool *refused,
                                 char *err, size_t errlen) {
  *refused = false;
  sm_port_status st = sp_open_port(p, dev, refused, err, errlen);
  if (st != SM_PORT_OK)
    return st;
  if (sp_get_port_handle(p->sp, &p->fd) != SP_OK || p->fd < 0) {
    sm_port_errf(err, errlen, "cannot open %s: no handle from libserialport",
                 dev);
    sm_serial_close(p);
    return SM_PORT_ERR_OPEN;
  }
  /* libserialport 0.1.1 opens without O_CLOEXEC. */
  int fl = fcntl(p->fd, F_GETFD);
  if (fl >= 0)
    fcntl(p->fd, F_SETFD, fl | FD_CLOEXEC);
  st = sp_configure(p, dev, sp, err, errlen);
  if (st == SM_PORT_OK) {
    bool parity = sp->parity != SM_PARITY_NONE && !p->parity_ignored;
    st = sm_tty_finish(p, dev, parity, err, errlen);
  }
  if (st != SM_PORT_OK) {
    sm_serial_close(p);
    return st;
  }
  p->backend = SM_PORT_LIBSERIALPORT;
  p->is_tty = true;
  return SM_PORT_OK;
}

sm_port_status sm_serial_open(sm_port *p, const char *dev,
                              const sm_serial_params *sp, char *err,
                              size_t errlen) {
  char eb[SM_ERRBUF];
  /* libserialport 0.1.1 refuses symlinks; resolve on every open so a
   * replugged adapter behind /dev/serial/by-id is found again. */
  if (!realpath(dev, p->path)) {
    sm_port_errf(err, errlen, "cannot open %s: %s", dev,
                 sm_errstr(errno, eb, sizeof eb));
    return SM_PORT_ERR_OPEN;
  }
  bool refused = false;
  sm_port_status st = sm_serial_open_sp(p, dev, sp, &refused, err, errlen);
  if (st == SM_PORT_OK || !refused)
    return st;
  return sm_serial_open_termios(p, dev, sp, err, errlen);
}

void sm_serial_close(sm_port *p) {
  if (!p->sp)
    return;
  sp_close(p->sp);
  sp_free_port(p->sp);
  p->sp = NULL;
  p->fd = -1;
}
