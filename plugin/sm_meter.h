/* SPDX-License-Identifier: MIT */
/* sm_meter.h - one configured meter: its settings, its reader thread's
 * state, the shared latest values, and the read callback's state.
 *
 * Ownership: the reader thread alone touches the "thread" part (decoder,
 * complaints, staging), the read callback alone the "dispatch" part; they
 * meet only in `latest` (own mutex) and `ctl` (own mutex).
 */
#ifndef SMP_METER_H
#define SMP_METER_H

#include <pthread.h>
#include <stdbool.h>

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"

#include "sm_control.h"
#include "sm_decoder.h"
#include "sm_latest.h"
#include "sm_linewatch.h"
#include "sm_linklog.h"
#include "sm_port.h"
#include "sm_scan.h"

#define SMP_DEFAULT_MAX_AGE_S 30

typedef struct smp_meter_config {
  char name[DATA_MAX_NAME_LEN]; /* <Meter "name">: the plugin instance */
  char *device;
  sm_port_config port; /* port.device points at `device` */
  bool baud_auto;      /* Baudrate "auto": searched (sm_scan.h) */
  bool parity_auto;    /* Parity "auto" */
  sm_options options;  /* keys live here; wiped by smp_meter_free() */
  char *supplier;
  char *solarview_file; /* NULL: no Solarview export */
  cdtime_t max_age;
  cdtime_t interval; /* 0: collectd's interval */
} smp_meter_config;

typedef struct smp_meter {
  smp_meter_config cfg;

  /* Thread part. */
  smp_control ctl;
  pthread_t thread;
  bool running;
  sm_decoder *decoder;
  smp_linklog linklog;            /* port, noise, parity, no frame */
  smp_linewatch linewatch;        /* what the bytes say of the settings */
  bool link_down;                 /* a loss or open failure since the
                                     last successful open */
  c_complain_t decode_complaint;  /* wrong key, tag, unsupported */
  c_complain_t export_complaint;  /* Solarview file not writable */
  c_complain_t restart_complaint; /* frame counter restarted */
  c_complain_t bounds_complaint;  /* implausible values dropped */
  uint64_t resets_seen;           /* counter_resets already logged */
  sm_telegram checked;            /* a telegram with implausible values,
                                     without them */
  sm_port *port;                  /* while open: AMIS frames get their E5 */
  c_complain_t ack_complaint;     /* the E5 cannot be written */
  bool ack_logged;
  bool backend_logged;
  bool first_telegram_logged;
  sm_input framing; /* of the last telegram; AUTO before the first */
  /* Baudrate/Parity auto (sm_reader.c). */
  bool settings_known;  /* cfg.port holds what the last search found */
  int scan_logged_baud; /* the result last logged (0: none) */
  sm_parity scan_logged_parity;
  uint64_t frames_seen; /* intact frames at the last look */
  cdtime_t framed_at;   /* when their number last grew */
  sm_scan_report scan;
  smp_health health;
  smp_snapshot staging;

  /* Shared. */
  smp_latest latest;

  /* Dispatch part. */
  smp_snapshot snap;
  uint64_t dispatched_seq;
  bool stale;
  cdtime_t started;
} smp_meter;

/* Parse one <Meter "name"> block. Returns a new meter, or NULL after
 * logging an error that names the meter and the option. */
smp_meter *smp_meter_from_config(oconfig_item_t *ci);

/* Free a meter whose thread is not running (or was joined); wipes keys. */
void smp_meter_free(smp_meter *m);

#endif
