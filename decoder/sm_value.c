/* SPDX-License-Identifier: MIT */
/* sm_value.c - what the application layers (A-XDR, layouts, DSMR) share
 * about readings: a fresh value slot, exact scaling, a cleared telegram. */
#include <string.h>

#include "sm_private.h"

/* The next free slot as a plain number of OBIS code obis; NULL (and the
 * telegram marked truncated) when there is none. */
static sm_value *take(sm_telegram *t, const uint8_t obis[6], int64_t raw,
                      int8_t scaler, uint8_t unit) {
  if (t->n_values == SM_MAX_VALUES) {
    t->values_truncated = true;
    return NULL;
  }
  sm_value *v = &t->values[t->n_values++];
  memcpy(v->obis, obis, 6);
  v->kind = SM_VALUE_NUMBER;
  v->is_float = false;
  v->scaler = scaler;
  v->unit = unit;
  v->raw = raw;
  v->text[0] = '\0';
  return v;
}

sm_value *sm_value_add(sm_telegram *t, const uint8_t obis[6]) {
  sm_value *v = take(t, obis, 0, 0, 255);
  if (v)
    v->value = 0;
  return v;
}

/* 10^0 .. 10^22 are exact doubles, so raw / 10^k rounds correctly. */
static double pow10_exact(int e) {
  static const double p[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double r = 1;
  while (e > 22) {
    r *= 1e22;
    e -= 22;
  }
  return r * p[e];
}

/* x * 10^scaler; the same product or quotient sm_value_rescale gives. */
static double scaled(double x, int scaler) {
  return scaler >= 0 ? x * pow10_exact(scaler) : x / pow10_exact(-scaler);
}

void sm_value_rescale(sm_value *v) {
  v->value = scaled(v->is_float ? v->value : (double)v->raw, v->scaler);
}

sm_value *sm_value_integer(sm_telegram *t, const uint8_t obis[6], int64_t raw,
                           int8_t scaler, uint8_t unit) {
  sm_value *v = take(t, obis, raw, scaler, unit);
  if (v)
    v->value = scaler == 0 ? (double)raw : scaled((double)raw, scaler);
  return v;
}

void sm_telegram_clear(sm_telegram *t) {
  /* Only the header fields: values[] beyond n_values are never read. */
  t->invoke_id = 0;
  memset(&t->meter_time, 0, sizeof t->meter_time);
  t->meter_number[0] = '\0';
  t->device_name[0] = '\0';
  t->layout = "";
  t->n_values = 0;
  t->values_truncated = false;
}
