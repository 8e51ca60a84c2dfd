/* SPDX-License-Identifier: MIT */
/* sm_linklog.h - the log lines about one meter's line and link: the port
 * lost, back or failing to open, line noise, parity errors, bytes without
 * frames. Bounded for any pattern of faults, across reconnects:
 *  - per meter, at most SMP_LINKLOG_MAX lines in any SMP_LINKLOG_WINDOW_S
 *    seconds (2 a minute), the first report at once. A line that does not
 *    fit is held back - only the newest one - and logged as soon as the
 *    window allows, with the number of lines held back before it: the last
 *    state ("is back", "lost") is always told, at most a minute late;
 *  - a problem that goes on (open failures, noise, parity, no frame) is
 *    repeated at growing intervals, 1, 2, 4 ... minutes up to a day, like
 *    c_complain; "back" starts the open failures afresh, and after a loss
 *    ("...; reconnecting") failing opens are news only after a minute.
 * The counters (errors-*, reconnects, bytes_discarded) carry the detail.
 * Used by the meter's reader thread only.
 */
#ifndef SMP_LINKLOG_H
#define SMP_LINKLOG_H

#include <stdbool.h>

#include "collectd/core/daemon/utils_time.h"

#define SMP_LINKLOG_MAX 2
#define SMP_LINKLOG_WINDOW_S 60
#define SMP_LINKLOG_TEXT 512

typedef enum smp_link_kind {
  SMP_LINK_OPEN_FAILED, /* repeats at growing intervals */
  SMP_LINK_LOST,
  SMP_LINK_BACK,
  SMP_LINK_NOISE,    /* repeats at growing intervals */
  SMP_LINK_PARITY,   /* repeats at growing intervals */
  SMP_LINK_NO_FRAME, /* repeats at growing intervals */
  SMP_LINK_KINDS
} smp_link_kind;

typedef struct smp_linklog {
  cdtime_t recent[SMP_LINKLOG_MAX]; /* times of the last lines, oldest 1st */
  cdtime_t next[SMP_LINK_KINDS];    /* a repeating kind: not before this */
  cdtime_t gap[SMP_LINK_KINDS];     /* and then this much later */
  unsigned held;                    /* lines held back since the last one */
  bool has_held;                    /* held_text waits for the window */
  int held_level;
  char held_text[SMP_LINKLOG_TEXT];
} smp_linklog;

void smp_linklog_init(smp_linklog *l);

/* Offer a line of kind k (a complete message) at time now. */
__attribute__((format(printf, 5, 6))) void
smp_linklog_line(smp_linklog *l, cdtime_t now, smp_link_kind k, int level,
                 const char *fmt, ...);

/* Log the held-back line once the window allows (call it by
 * smp_linklog_due()). */
void smp_linklog_tick(smp_linklog *l, cdtime_t now);

/* When smp_linklog_tick() has a line to log: the time the window opens
 * for the held-back line, 0 when none is held (nothing to wait for). */
cdtime_t smp_linklog_due(const smp_linklog *l);

#endif
