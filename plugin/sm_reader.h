/* SPDX-License-Identifier: MIT */
/* sm_reader.h - the serial thread of one meter: open the port (with
 * back-off), read, feed the decoder, publish telegrams into the meter's
 * latest values. The thread wakes only for bytes, for a deadline it has
 * (the idle gap, a held-back log line, the end of a line watch window) or
 * for a stop request, never periodically.
 */
#ifndef SMP_READER_H
#define SMP_READER_H

#include "sm_meter.h"

/* Baudrate auto: bytes without an intact frame this long: search again. */
#define SMP_RESCAN_S 60
/* Silence after which a half-received telegram is dropped: SM_IDLE_GAP_MS
 * (sm_decoder.h), the same for the CLI. */

/* Create the decoder and start the thread. Returns 0 or -1 (logged). */
int smp_reader_start(smp_meter *m);

/* Ask the thread to end (returns at once; wakes any pause). */
void smp_reader_stop(smp_meter *m);

/* Wait for the thread after smp_reader_stop(). */
void smp_reader_join(smp_meter *m);

#endif
