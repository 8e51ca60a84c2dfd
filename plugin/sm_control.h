/* SPDX-License-Identifier: MIT */
/* sm_control.h - the stop signal between collectd's shutdown callback and a
 * meter's reader thread.
 *
 * The thread sleeps only in poll() on its port and on the stop fd (an
 * eventfd, readable from the stop request on), or in smp_control_pause()
 * on the stop fd alone: a stop request ends any wait at once (collectd's
 * shutdown must not hang on a 30 s reconnect delay), and no wait needs a
 * timeout just to look at a flag.
 */
#ifndef SMP_CONTROL_H
#define SMP_CONTROL_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct smp_control {
  int fd;           /* eventfd: readable once stop was requested */
  atomic_bool stop; /* the same, without a system call */
} smp_control;

/* Returns 0 or an errno value. */
int smp_control_init(smp_control *c);
void smp_control_destroy(smp_control *c);

/* Ask the thread to end; wakes a pause or port read in progress. Safe from
 * any thread; stays requested. */
void smp_control_stop(smp_control *c);

bool smp_control_stopping(smp_control *c);

/* The fd to poll for POLLIN besides the port (sm_port_read_wake()): it
 * becomes readable on smp_control_stop() and stays so. Never read it. */
int smp_control_fd(const smp_control *c);

/* Pause up to ms milliseconds. Returns true when stop was requested (before
 * or during the pause), false when the time simply ran out. */
bool smp_control_pause(smp_control *c, unsigned ms);

#endif
