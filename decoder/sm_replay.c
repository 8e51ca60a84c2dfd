/* SPDX-License-Identifier: MIT */
/* sm_replay.c - the replay guard: is this telegram of a system title new?
 *
 * An encrypted telegram carries its system title, a frame counter the meter
 * raises with every telegram, and (nearly always) the meter's clock. The
 * rules, in the order they are applied:
 *  - a counter above the last accepted one is new, unless the meter time
 *    is older than that of the telegram that restarted the counter: such a
 *    telegram comes from before the restart (stale bytes in an adapter, a
 *    replay) and its numbers would be stamped "now". Before any restart
 *    the meter time plays no part here: one telegram whose clock bytes
 *    were corrupted (a bit flip the checksum missed) must not make every
 *    later one look old;
 *  - a counter at or below the last accepted one is old (a replay, a
 *    duplicate, stale bytes), unless its meter time is newer than the last
 *    accepted telegram's: then the meter restarted its counter (firmware
 *    update, replacement keeping the title) and the telegram is taken at
 *    once. A run of old telegrams, however long, never counts as a restart:
 *    each of them has an older (or the same) meter time;
 *  - without a meter time on both sides only the counter decides, so a
 *    meter that sends no clock cannot be recognised as restarted (restart
 *    the reader, or sm_decoder_forget_counters()). Nor do times on two
 *    scales decide: one with the meter's UTC offset and one without (a
 *    header date-time lost to a bit flip, the body's time and date kept)
 *    are hours apart for the same instant.
 * Titles are remembered up to SM_MAX_TITLES and never forgotten: dropping
 * one would open it to replays. A telegram of one more title is refused
 * (SM_REPLAY_FULL); a meter's stream has one title, a bus a few.
 *
 * Memory: one fixed table inside the decoder; nothing is allocated. */
#include <string.h>

#include "sm_private.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): pure arithmetic, no time zone, no libc state. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

#define DEVIATION_UNSPECIFIED INT16_MIN
#define STATUS_SUMMER 0x80

/* The meter time on one scale, in hundredths of a second, so that "newer"
 * holds across the change from summer to winter time: UTC when the meter
 * gives its deviation (DLMS: UTC = local + deviation), else local time less
 * an hour while the clock status says summer time. false when the date or
 * the time of day is not fully specified. */
bool sm_replay_time_key(const sm_datetime *dt, int64_t *key) {
  if (!dt->present || dt->year == 0xFFFF || dt->month < 1 || dt->month > 12 ||
      dt->day < 1 || dt->day > 31 || dt->hour > 23 || dt->minute > 59 ||
      dt->second > 59)
    return false;
  int64_t s = days_from_civil(dt->year, dt->month, dt->day) * 86400 +
              dt->hour * 3600 + dt->minute * 60 + dt->second;
  if (dt->deviation != DEVIATION_UNSPECIFIED)
    s += (int64_t)dt->deviation * 60;
  else if (dt->status != 0xFF && (dt->status & STATUS_SUMMER))
    s -= 3600;
  *key = s * 100 + (dt->hundredths < 100 ? dt->hundredths : 0);
  return true;
}

void sm_replay_forget(sm_replay *r) {
  memset(r, 0, sizeof *r);
}

/* The slot of a title, a fresh one for a new title, or NULL when full. */
static sm_title *slot_of(sm_replay *r, const uint8_t title[8]) {
  for (size_t i = 0; i < r->used; i++)
    if (!memcmp(r->titles[i].title, title, 8))
      return &r->titles[i];
  if (r->used == SM_MAX_TITLES)
    return NULL;
  sm_title *s = &r->titles[r->used++];
  memset(s, 0, sizeof *s);
  memcpy(s->title, title, 8);
  return s;
}

static bool on_utc(const sm_datetime *dt) {
  return dt->deviation != DEVIATION_UNSPECIFIED;
}

static void remember(sm_title *s, uint32_t fc, bool timed, int64_t key,
                     bool utc) {
  s->seen = true;
  s->last = fc;
  if (timed) { /* a telegram without a clock keeps the last known time */
    s->timed = true;
    s->time = key;
    s->time_utc = utc;
  }
}

/* Older than the telegram that began the current counter sequence. */
static bool before_epoch(const sm_title *s, bool timed, int64_t key, bool utc) {
  return s->epoch_timed && timed && utc == s->epoch_utc && key < s->epoch;
}

sm_replay_verdict sm_replay_check(sm_replay *r, const uint8_t title[8],
                                  uint32_t fc, const sm_datetime *meter_time) {
  sm_title *s = slot_of(r, title);
  if (!s)
    return SM_REPLAY_FULL;
  int64_t key = 0;
  bool timed = sm_replay_time_key(meter_time, &key);
  bool utc = timed && on_utc(meter_time);
  if (!s->seen || (fc > s->last && !before_epoch(s, timed, key, utc))) {
    remember(s, fc, timed, key, utc);
    return SM_REPLAY_NEW;
  }
  if (fc > s->last || !timed || !s->timed || utc != s->time_utc ||
      key <= s->time)
    return SM_REPLAY_OLD;
  remember(s, fc, timed, key, utc);
  s->epoch_timed = true;
  s->epoch = key;
  s->epoch_utc = utc;
  return SM_REPLAY_RESTART;
}
