/* SPDX-License-Identifier: MIT */
/* sm_control.c - stop flag + condition variable for a reader thread. */
#include "sm_control.h"

#include <errno.h>
#include <time.h>

int smp_control_init(smp_control *c) {
  pthread_condattr_t attr;
  int err = pthread_condattr_init(&attr);
  if (err != 0)
    return err;
  /* Monotonic, so that setting the wall clock (NTP on a fresh Raspberry Pi)
   * neither stretches nor cuts a back-off pause. */
  err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  if (err == 0)
    err = pthread_cond_init(&c->cond, &attr);
  pthread_condattr_destroy(&attr);
  if (err != 0)
    return err;
  err = pthread_mutex_init(&c->lock, NULL);
  if (err != 0) {
    pthread_cond_destroy(&c->cond);
    return err;
  }
  c->stop = false;
  return 0;
}

void smp_control_destroy(smp_control *c) {
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
}

void smp_control_stop(smp_control *c) {
  pthread_mutex_lock(&c->lock);
  c->stop = true;
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);
}

bool smp_control_stopping(smp_control *c) {
  pthread_mutex_lock(&c->lock);
  bool stop = c->stop;
  pthread_mutex_unlock(&c->lock);
  return stop;
}

static struct timespec deadline_after(unsigned ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

bool smp_control_pause(smp_control *c, unsigned ms) {
  struct timespec until = deadline_after(ms);
  pthread_mutex_lock(&c->lock);
  /* Loop: condition variables may wake spuriously. */
  while (!c->stop) {
    if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT)
      break;
  }
  bool stop = c->stop;
  pthread_mutex_unlock(&c->lock);
  return stop;
}
