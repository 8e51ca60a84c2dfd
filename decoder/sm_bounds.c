/* SPDX-License-Identifier: MIT */
/* sm_bounds.c - numbers that cannot be true: not finite, or beyond what the
 * customer interface of a low-voltage meter can measure in their unit.
 *
 * Why: a frame can pass every check and still carry a value no meter
 * measures (a scaler of +120, a float NaN, an energy register of 10^20):
 * graphed for years, such a number is worse than a gap. The bounds are
 * far above anything real (a 3-phase 1000 V / 10 kA installation draws
 * 3*10^7 W), so they never cut a true reading. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sm_names.h"

/* DLMS unit enum values with a bound of their own. */
enum {
  UNIT_W = 27,
  UNIT_VA = 28,
  UNIT_VAR = 29,
  UNIT_WH = 30,
  UNIT_VAH = 31,
  UNIT_VARH = 32,
  UNIT_A = 33,
  UNIT_V = 35,
  UNIT_HZ = 44,
};

double sm_unit_bound(uint8_t unit) {
  switch (unit) {
  case UNIT_V:
    return 1e3;
  case UNIT_A:
    return 1e4;
  case UNIT_W:
  case UNIT_VA:
  case UNIT_VAR:
    return 1e8;
  case UNIT_HZ:
    return 1e3;
  case UNIT_WH:
  case UNIT_VAH:
  case UNIT_VARH:
  default: /* no register of a meter counts this far in any unit */
    return 1e15;
  }
}

sm_bound sm_value_bound(const sm_value *v) {
  if (v->kind != SM_VALUE_NUMBER)
    return SM_BOUND_OK;
  if (!isfinite(v->value))
    return SM_BOUND_NOT_FINITE;
  return fabs(v->value) > sm_unit_bound(v->unit) ? SM_BOUND_EXCEEDED
                                                 : SM_BOUND_OK;
}

size_t sm_telegram_drop_implausible(sm_telegram *t, sm_value *first) {
  size_t kept = 0, dropped = 0;
  for (size_t i = 0; i < t->n_values; i++) {
    if (sm_value_bound(&t->values[i]) == SM_BOUND_OK) {
      if (kept != i)
        t->values[kept] = t->values[i];
      kept++;
      continue;
    }
    if (dropped++ == 0 && first)
      *first = t->values[i];
  }
  t->n_values = kept;
  return dropped;
}

const sm_telegram *sm_telegram_plausible(const sm_telegram *t,
                                         sm_telegram *spare, sm_value *first,
                                         size_t *dropped) {
  size_t i = 0;
  while (i < t->n_values && sm_value_bound(&t->values[i]) == SM_BOUND_OK)
    i++;
  *dropped = 0;
  if (i == t->n_values)
    return t; /* a copy would be 5 KiB per telegram */
  *spare = *t;
  *dropped = sm_telegram_drop_implausible(spare, first);
  return spare;
}

size_t sm_bound_others(size_t dropped, char *buf, size_t size) {
  int n = dropped <= 1 ? snprintf(buf, size, "%s", "")
          : dropped == 2
              ? snprintf(buf, size, " with 1 other implausible reading")
              : snprintf(buf, size, " with %zu other implausible readings",
                         dropped - 1);
  return n < 0 ? 0 : (size_t)n;
}

size_t sm_bound_describe(const sm_value *v, char *buf, size_t size) {
  char obis[32], unit[16];
  const char *sym = sm_unit_symbol(v->unit);
  sm_obis_format(v->obis, obis, sizeof obis);
  if (*sym == '\0')
    snprintf(unit, sizeof unit, v->unit == 255 ? "" : "unit %u", v->unit);
  else
    snprintf(unit, sizeof unit, "%s", sym);
  const char *sp = *unit ? " " : "";
  int n;
  if (sm_value_bound(v) == SM_BOUND_NOT_FINITE)
    n = snprintf(buf, size, "%s is not a finite number (%g)", obis, v->value);
  else
    n = snprintf(buf, size, "%s = %g%s%s is beyond the bound of %g%s%s", obis,
                 v->value, sp, unit, sm_unit_bound(v->unit), sp, unit);
  if (n < 0) {
    if (size)
      buf[0] = '\0';
    return 0;
  }
  return (size_t)n;
}
