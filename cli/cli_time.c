/* SPDX-License-Identifier: MIT */
/* cli_time.c - reception and meter timestamps in nanoseconds. */
#include "cli_time.h"

int64_t cli_timespec_ns(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static bool fully_specified(const sm_datetime *dt) {
  return dt->present && dt->year != 0xFFFF && dt->month >= 1 &&
         dt->month <= 12 && dt->day >= 1 && dt->day <= 31 && dt->hour < 24 &&
         dt->minute < 60 && dt->second < 60;
}

bool cli_meter_time_ns(const sm_datetime *dt, int64_t *ns) {
  struct tm tm = {0};
  time_t secs;
  int64_t frac = 0;

  if (!fully_specified(dt))
    return false;
  tm.tm_year = dt->year - 1900;
  tm.tm_mon = dt->month - 1;
  tm.tm_mday = dt->day;
  tm.tm_hour = dt->hour;
  tm.tm_min = dt->minute;
  tm.tm_sec = dt->second;
  tm.tm_isdst = -1;
  secs = mktime(&tm);
  if (secs == (time_t)-1)
    return false;
  if (dt->hundredths < 100)
    frac = (int64_t)dt->hundredths * 10000000;
  *ns = (int64_t)secs * 1000000000 + frac;
  return true;
}
