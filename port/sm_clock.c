/* SPDX-License-Identifier: MIT */
/* sm_clock.c - see sm_clock.h. */
#include "sm_clock.h"

#include <time.h>

long long sm_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
