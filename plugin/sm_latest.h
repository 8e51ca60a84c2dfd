/* SPDX-License-Identifier: MIT */
/* sm_latest.h - the newest telegram of one meter, shared between its reader
 * thread (writer) and collectd's read callback (reader).
 *
 * Everything is copied in and out under one mutex and nothing is ever
 * waited for while holding it, so the read callback never blocks on I/O.
 * seq counts stored telegrams: the read callback dispatches a telegram only
 * when seq changed since its last dispatch (no duplicate rows).
 */
#ifndef SMP_LATEST_H
#define SMP_LATEST_H

#include <pthread.h>
#include <stdint.h>

#include "collectd/core/daemon/utils_time.h"

#include "sm_decoder.h"
#include "sm_ident.h"

typedef struct smp_reading {
  smp_ident id;
  double value;
} smp_reading;

/* Health counters, monotonic for the plugin's lifetime (DERIVE). */
typedef struct smp_health {
  sm_stats decoder;
  uint64_t reconnects;
  uint64_t implausible; /* readings dropped by sm_value_bound() */
} smp_health;

typedef struct smp_snapshot {
  uint64_t seq;      /* 0: no telegram yet */
  cdtime_t received; /* when the telegram's last byte arrived */
  size_t n;
  smp_reading readings[SM_MAX_VALUES];
  smp_health health;
} smp_snapshot;

typedef struct smp_latest {
  pthread_mutex_t lock;
  smp_snapshot data;
} smp_latest;

int smp_latest_init(smp_latest *l);
void smp_latest_destroy(smp_latest *l);

/* Map a decoded telegram into readings (outside any lock). */
void smp_latest_from_telegram(const sm_telegram *t, cdtime_t received,
                              smp_snapshot *out);

/* Publish the readings of *fresh (seq is assigned here). */
void smp_latest_publish(smp_latest *l, const smp_snapshot *fresh);

/* Publish the health counters only. */
void smp_latest_set_health(smp_latest *l, const smp_health *h);

/* Copy everything out. */
void smp_latest_snapshot(smp_latest *l, smp_snapshot *out);

#endif
