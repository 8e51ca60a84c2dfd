/* SPDX-License-Identifier: MIT */
/* sm_dispatch.h - collectd's read callback for one meter.
 *
 * Copies the latest values under their lock, then (without any lock)
 * dispatches: health counters every time; the readings of a telegram once,
 * with the reception time as value time, and only while the newest
 * telegram is younger than MaxAge. Never waits on I/O and returns 0 when
 * there is simply nothing new (non-zero would make collectd suspend the
 * callback with growing back-off).
 */
#ifndef SMP_DISPATCH_H
#define SMP_DISPATCH_H

#include "sm_meter.h"

/* user_data->data is the smp_meter. */
int smp_dispatch_read(user_data_t *ud);

#endif
