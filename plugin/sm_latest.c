/* SPDX-License-Identifier: MIT */
/* sm_latest.c - latest readings + health of one meter under a mutex. */
#include "sm_latest.h"

#include <string.h>

int smp_latest_init(smp_latest *l) {
  memset(&l->data, 0, sizeof(l->data));
  return pthread_mutex_init(&l->lock, NULL);
}

void smp_latest_destroy(smp_latest *l) {
  pthread_mutex_destroy(&l->lock);
}

void smp_latest_from_telegram(const sm_telegram *t, cdtime_t received,
                              smp_snapshot *out) {
  out->received = received;
  out->n = 0;
  for (size_t i = 0; i < t->n_values && i < SM_MAX_VALUES; i++) {
    smp_reading *r = &out->readings[out->n];
    if (smp_ident_of(&t->values[i], &r->id) != 0)
      continue;
    r->value = t->values[i].value;
    out->n++;
  }
}

void smp_latest_publish(smp_latest *l, const smp_snapshot *fresh) {
  pthread_mutex_lock(&l->lock);
  l->data.seq++;
  l->data.received = fresh->received;
  l->data.n = fresh->n;
  memcpy(l->data.readings, fresh->readings, fresh->n * sizeof(smp_reading));
  pthread_mutex_unlock(&l->lock);
}

void smp_latest_set_health(smp_latest *l, const smp_health *h) {
  pthread_mutex_lock(&l->lock);
  l->data.health = *h;
  pthread_mutex_unlock(&l->lock);
}

void smp_latest_snapshot(smp_latest *l, smp_snapshot *out) {
  pthread_mutex_lock(&l->lock);
  out->seq = l->data.seq;
  out->received = l->data.received;
  out->n = l->data.n;
  memcpy(out->readings, l->data.readings, l->data.n * sizeof(smp_reading));
  out->health = l->data.health;
  pthread_mutex_unlock(&l->lock);
}
