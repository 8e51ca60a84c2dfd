/* SPDX-License-Identifier: MIT */
/* sm_linklog.c - bounded log lines about a meter's link; see sm_linklog.h.
 *
 * Why not c_complain alone: each c_complain_t bounds one message, and
 * collectd starts its intervals at the read interval (a fraction of a
 * second in some setups), and c_release on every reconnect starts it over.
 * A flapping adapter then logged a loss and a return per cycle (98 lines
 * in 66 s), an EIO every 20th read 74 lines a minute. Here one window
 * bounds every kind together, and nothing is reset by a reconnect. */
#include "sm_linklog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "collectd/core/daemon/plugin.h"

#define FIRST_REPEAT TIME_T_TO_CDTIME_T(60)
#define LONGEST_REPEAT TIME_T_TO_CDTIME_T(86400)
#define WINDOW TIME_T_TO_CDTIME_T(SMP_LINKLOG_WINDOW_S)

void smp_linklog_init(smp_linklog *l) {
  memset(l, 0, sizeof(*l));
}

static bool repeats(smp_link_kind k) {
  return k == SMP_LINK_OPEN_FAILED || k == SMP_LINK_NOISE ||
         k == SMP_LINK_PARITY || k == SMP_LINK_NO_FRAME;
}

/* A problem that goes on: only at growing intervals. */
static bool kind_due(smp_linklog *l, cdtime_t now, smp_link_kind k) {
  if (!repeats(k))
    return true;
  if (l->next[k] != 0 && now < l->next[k])
    return false;
  l->gap[k] = l->gap[k] == 0 ? FIRST_REPEAT : 2 * l->gap[k];
  if (l->gap[k] > LONGEST_REPEAT)
    l->gap[k] = LONGEST_REPEAT;
  l->next[k] = now + l->gap[k];
  return true;
}

/* Fewer than SMP_LINKLOG_MAX lines in the last window. */
static bool window_open(const smp_linklog *l, cdtime_t now) {
  cdtime_t oldest = l->recent[0];
  return oldest == 0 || now - oldest >= WINDOW;
}

static void emit(smp_linklog *l, cdtime_t now, int level, const char *text) {
  if (l->held > 0)
    plugin_log(level,
               "%s (%u earlier link message%s held back; the "
               "counters have the detail)",
               text, l->held, l->held == 1 ? "" : "s");
  else
    plugin_log(level, "%s", text);
  memmove(l->recent, l->recent + 1,
          (SMP_LINKLOG_MAX - 1) * sizeof(l->recent[0]));
  l->recent[SMP_LINKLOG_MAX - 1] = now;
  l->held = 0;
  l->has_held = false;
}

void smp_linklog_line(smp_linklog *l, cdtime_t now, smp_link_kind k, int level,
                      const char *fmt, ...) {
  if (k == SMP_LINK_BACK) { /* a new failure is news again */
    l->next[SMP_LINK_OPEN_FAILED] = 0;
    l->gap[SMP_LINK_OPEN_FAILED] = 0;
  }
  /* The loss line says "reconnecting": that the device is not there yet
   * is news only when it stays away. */
  if (k == SMP_LINK_LOST && l->next[SMP_LINK_OPEN_FAILED] < now + FIRST_REPEAT)
    l->next[SMP_LINK_OPEN_FAILED] = now + FIRST_REPEAT;
  if (!kind_due(l, now, k))
    return;
  char text[SMP_LINKLOG_TEXT];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (window_open(l, now)) {
    emit(l, now, level, text);
    return;
  }
  if (l->has_held)
    l->held++; /* the older held line is replaced by this newer one */
  l->has_held = true;
  l->held_level = level;
  memcpy(l->held_text, text, sizeof(text));
}

void smp_linklog_tick(smp_linklog *l, cdtime_t now) {
  if (l->has_held && window_open(l, now)) {
    char text[SMP_LINKLOG_TEXT];
    memcpy(text, l->held_text, sizeof(text));
    emit(l, now, l->held_level, text);
  }
}

cdtime_t smp_linklog_due(const smp_linklog *l) {
  if (!l->has_held)
    return 0;
  /* A line is held only while the window is full, so recent[0] != 0. */
  return l->recent[0] + WINDOW;
}
