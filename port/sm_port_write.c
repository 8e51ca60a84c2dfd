/* SPDX-License-Identifier: MIT */
/* sm_port_write.c - the only way bytes go out: an AMIS reader's E5
 * acknowledgements. Opening read-write, and a write that never blocks the
 * reader thread for longer than its timeout (the meter wants the E5 within
 * 84 ms; a write that waited on a wedged adapter would cost every telegram
 * behind it). */
#include "sm_port_private.h"
#include "sm_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Permission for reading only is enough for every meter but AMIS: keep
 * those working, and let sm_port_write() say why it cannot. */
static bool read_only_will_do(int e) {
  return e == EACCES || e == EROFS || e == EPERM;
}

int sm_open_rw(sm_port *p, int flags) {
  int fd = open(p->path, O_RDWR | flags);
  if (fd < 0 && read_only_will_do(errno)) {
    fd = open(p->path, O_RDONLY | flags);
    p->read_only = fd >= 0;
  }
  return fd;
}

int sm_sp_open_rw(sm_port *p) {
  enum sp_return r = sp_open(p->sp, SP_MODE_READ_WRITE);
  if (r != SP_OK && read_only_will_do(sp_last_error_code())) {
    r = sp_open(p->sp, SP_MODE_READ);
    p->read_only = r == SP_OK;
  }
  return r;
}

/* One non-blocking attempt: bytes written, 0 when there is no room, -1
 * with errno on failure. */
static ssize_t write_some(sm_port *p, const uint8_t *buf, size_t n) {
  if (p->sp) {
    int k = sp_nonblocking_write(p->sp, buf, n);
    if (k < 0)
      errno = sp_last_error_code();
    return k < 0 ? -1 : k;
  }
  /* A socket closed by the peer must not raise SIGPIPE in collectd. */
  ssize_t k = p->backend == SM_PORT_TCP
                  ? send(p->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT)
                  : write(p->fd, buf, n);
  if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return 0;
  return k;
}

/* poll() for room until the deadline. 1: room, 0: timeout, -1: the
 * device is gone (*revents says how) or poll failed (errno). */
static int wait_room(int fd, long long deadline, short *revents) {
  for (;;) {
    long long left = deadline - sm_mono_ms();
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int rc = poll(&pfd, 1, left > 0 ? (int)left : 0);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0)
      return rc;
    *revents = pfd.revents;
    return (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) ? -1 : 1;
  }
}

static sm_port_status write_failed(const sm_port *p, int e, char *err,
                                   size_t errlen) {
  char eb[SM_ERRBUF];
  sm_port_errf(err, errlen, "cannot write to %s: %s", p->path,
               sm_errstr(e, eb, sizeof eb));
  return e == EIO || e == ENXIO || e == ENODEV || e == EPIPE ||
                 e == ECONNRESET || e == EBADF
             ? SM_PORT_GONE
             : SM_PORT_ERR_IO;
}

sm_port_status sm_port_write(sm_port *p, const uint8_t *buf, size_t n,
                             int timeout_ms, char *err, size_t errlen) {
  if (!p || (!buf && n)) {
    sm_port_errf(err, errlen, "sm_port_write: invalid argument");
    return SM_PORT_ERR_ARG;
  }
  if (p->fd < 0) {
    sm_port_errf(err, errlen, "lost %s: not open", p->path);
    return SM_PORT_GONE;
  }
  if (p->read_only) {
    sm_port_errf(err, errlen,
                 "cannot write to %s: opened read-only (no write permission "
                 "on the device)",
                 p->path);
    return SM_PORT_ERR_IO;
  }
  long long deadline = sm_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  size_t done = 0;
  while (done < n) {
    ssize_t k = write_some(p, buf + done, n - done);
    if (k < 0)
      return write_failed(p, errno, err, errlen);
    done += (size_t)k;
    if (done == n)
      break;
    short revents = 0;
    int rc = wait_room(p->fd, deadline, &revents);
    if (rc == 0) {
      sm_port_errf(err, errlen,
                   "cannot write to %s: no room in its output within %d ms",
                   p->path, timeout_ms);
      return SM_PORT_TIMEOUT;
    }
    if (rc < 0)
      return revents ? write_failed(p, EIO, err, errlen)
                     : write_failed(p, errno, err, errlen);
  }
  return SM_PORT_OK;
}
