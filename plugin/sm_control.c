/* SPDX-License-Identifier: MIT */
/* sm_control.c - stop flag + eventfd for a reader thread. */
#include "sm_control.h"
#include "sm_clock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

int smp_control_init(smp_control *c) {
  c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (c->fd < 0)
    return errno;
  atomic_init(&c->stop, false);
  return 0;
}

void smp_control_destroy(smp_control *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

void smp_control_stop(smp_control *c) {
  atomic_store(&c->stop, true);
  /* The counter only grows and is never read: the fd stays readable. A
   * full counter (EAGAIN) is readable already. */
  uint64_t one = 1;
  while (write(c->fd, &one, sizeof(one)) < 0 && errno == EINTR)
    ;
}

bool smp_control_stopping(smp_control *c) {
  return atomic_load(&c->stop);
}

int smp_control_fd(const smp_control *c) {
  return c->fd;
}

bool smp_control_pause(smp_control *c, unsigned ms) {
  /* Monotonic, so that setting the wall clock (NTP on a fresh Raspberry Pi)
   * neither stretches nor cuts a back-off pause. */
  long long until = sm_mono_ms() + ms;
  long long left = ms;
  while (!smp_control_stopping(c) && left > 0) {
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
      break; /* cannot happen with a valid fd; do not spin */
    left = until - sm_mono_ms();
  }
  return smp_control_stopping(c);
}
