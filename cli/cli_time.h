/* SPDX-License-Identifier: MIT */
/* cli_time.h - timestamps for the Influx output. */
#ifndef CLI_TIME_H
#define CLI_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sm_decoder.h"

/* Nanoseconds since the epoch of a struct timespec. */
int64_t cli_timespec_ns(const struct timespec *ts);

/* The meter's date-time read as local time of this machine (mktime with
 * the DST flag left to the time zone rules); hundredths are kept. Returns
 * false when the date-time is absent or not fully specified. */
bool cli_meter_time_ns(const sm_datetime *dt, int64_t *ns);

#endif
