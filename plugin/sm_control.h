/* SPDX-License-Identifier: MIT */
/* sm_control.h - the stop signal between collectd's shutdown callback and a
 * meter's reader thread.
 *
 * The thread never sleeps longer than one short wait without looking at the
 * flag, and every back-off pause waits on the condition variable, so a stop
 * request ends any pause at once (collectd's shutdown must not hang on a
 * 30 s reconnect delay).
 */
#ifndef SMP_CONTROL_H
#define SMP_CONTROL_H

#include <pthread.h>
#include <stdbool.h>

typedef struct smp_control {
  pthread_mutex_t lock;
  pthread_cond_t cond; /* signalled on stop; waits use CLOCK_MONOTONIC */
  bool stop;
} smp_control;

int smp_control_init(smp_control *c);
void smp_control_destroy(smp_control *c);

/* Ask the thread to end; wakes a pause in progress. */
void smp_control_stop(smp_control *c);

bool smp_control_stopping(smp_control *c);

/* Pause up to ms milliseconds. Returns true when stop was requested (before
 * or during the pause), false when the time simply ran out. */
bool smp_control_pause(smp_control *c, unsigned ms);

#endif
