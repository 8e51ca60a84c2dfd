/* SPDX-License-Identifier: MIT */
/* sm_clock.h - the one monotonic clock of the port, the CLI and the plugin.
 *
 * sm_mono_ms() promises milliseconds of CLOCK_MONOTONIC: never jumps with
 * the wall clock (NTP, the user's date), so deadlines and idle gaps hold
 * across clock changes. Thread-safe, no allocation. */
#ifndef SM_CLOCK_H
#define SM_CLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

long long sm_mono_ms(void);

#ifdef __cplusplus
}
#endif
#endif
