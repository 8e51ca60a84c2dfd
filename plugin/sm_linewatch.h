/* SPDX-License-Identifier: MIT */
/* sm_linewatch.h - what the bytes of the last SMP_LINEWATCH_S seconds say
 * about the serial settings: many bytes but not one intact frame (wrong
 * Baudrate, Parity or Framing), or frequent parity/framing errors (wrong
 * Parity or Baudrate, a bad cable). One window after the other; the reader
 * thread counts into it and asks at the end of each window.
 */
#ifndef SMP_LINEWATCH_H
#define SMP_LINEWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "collectd/core/daemon/utils_time.h"

#define SMP_LINEWATCH_S 30
/* Fewer bytes than this without a frame are stray noise, not a setting. */
#define SMP_LINEWATCH_MIN_BYTES 64
/* Parity errors in one window that are worth a line. */
#define SMP_LINEWATCH_MIN_ERRORS 10

typedef struct smp_linewatch {
  cdtime_t start;     /* of the current window; 0 before the first byte */
  uint64_t bytes;     /* received in it */
  uint64_t errors;    /* parity/framing errors in it */
  uint64_t frames_at; /* the decoder's frame count at its start */
} smp_linewatch;

typedef struct smp_linewatch_verdict {
  bool no_frame; /* bytes >= SMP_LINEWATCH_MIN_BYTES, no intact frame */
  bool parity;   /* errors >= SMP_LINEWATCH_MIN_ERRORS */
  uint64_t bytes, errors;
} smp_linewatch_verdict;

void smp_linewatch_bytes(smp_linewatch *w, cdtime_t now, uint64_t frames,
                         uint64_t n);
void smp_linewatch_error(smp_linewatch *w, cdtime_t now, uint64_t frames);
/* At the end of a window: its verdict (true), and a new window begins.
 * frames: the decoder's stats.frames now. */
bool smp_linewatch_check(smp_linewatch *w, cdtime_t now, uint64_t frames,
                         smp_linewatch_verdict *v);
/* The end of the open window (when smp_linewatch_check() has a verdict),
 * 0 when no window is open (no byte since the last verdict). */
cdtime_t smp_linewatch_due(const smp_linewatch *w);

#endif
