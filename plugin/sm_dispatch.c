/* SPDX-License-Identifier: MIT */
/* sm_dispatch.c - the read callback: latest values -> collectd. */
#include "sm_dispatch.h"

#include "collectd/core/utils/common/common.h"

static void submit(const smp_meter *m, const char *type, const char *inst,
                   value_t value, cdtime_t time) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  vl.time = time; /* 0: collectd stamps "now" */
  sstrncpy(vl.plugin, "smartmeter", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, m->cfg.name, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, inst, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

static void submit_derive(const smp_meter *m, const char *type,
                          const char *inst, uint64_t v) {
  /* DERIVE is signed; counters far below 2^63 in any real lifetime. */
  submit(m, type, inst, (value_t){.derive = (derive_t)v}, 0);
}

static void dispatch_health(const smp_meter *m, const smp_health *h) {
  const sm_stats *s = &h->decoder;
  submit_derive(m, "total_operations", "telegrams", s->telegrams);
  submit_derive(m, "errors", "checksum", s->checksum_errors);
  /* A telegram cut off by silence is a lost segment too. */
  submit_derive(m, "errors", "segment",
                s->segment_errors + s->partial_drops);
  submit_derive(m, "errors", "decrypt", s->decrypt_errors);
  submit_derive(m, "errors", "tag", s->tag_errors);
  /* Implausible readings are a format problem of the telegram too. */
  submit_derive(m, "errors", "format", s->format_errors + h->implausible);
  submit_derive(m, "errors", "replay", s->replays);
  submit_derive(m, "derive", "bytes_discarded", s->bytes_discarded);
  submit_derive(m, "total_operations", "reconnects", h->reconnects);
  submit_derive(m, "total_operations", "counter_resets", s->counter_resets);
}

static void dispatch_readings(const smp_meter *m, const smp_snapshot *s) {
  for (size_t i = 0; i < s->n; i++) {
    const smp_reading *r = &s->readings[i];
    submit(m, r->id.type, r->id.type_instance,
           (value_t){.gauge = (gauge_t)r->value}, s->received);
  }
}

/* Newest data older than MaxAge? Before the first telegram the plugin's
 * start counts as "newest", so a meter that never sends is reported too. */
static bool is_stale(const smp_meter *m, const smp_snapshot *s, cdtime_t now) {
  cdtime_t newest = s->seq != 0 ? s->received : m->started;
  return now > newest && now - newest > m->cfg.max_age;
}

static void note_stale(smp_meter *m, const smp_snapshot *s) {
  if (m->stale)
    return;
  m->stale = true;
  if (s->seq == 0)
    WARNING("smartmeter plugin: meter \"%s\": no telegram in %.0f s "
            "(MaxAge); dispatching nothing until one arrives.",
            m->cfg.name, CDTIME_T_TO_DOUBLE(m->cfg.max_age));
  else
    WARNING("smartmeter plugin: meter \"%s\": newest telegram is older than "
            "MaxAge (%.0f s); dispatching nothing until data returns.",
            m->cfg.name, CDTIME_T_TO_DOUBLE(m->cfg.max_age));
}

int smp_dispatch_read(user_data_t *ud) {
  smp_meter *m = ud->data;
  smp_snapshot *s = &m->snap; /* only this callback uses it */
  smp_latest_snapshot(&m->latest, s);
  dispatch_health(m, &s->health);

  if (is_stale(m, s, cdtime())) {
    note_stale(m, s);
    return 0;
  }
  if (s->seq == m->dispatched_seq)
    return 0; /* no new telegram: dispatching again would duplicate rows */
  if (m->stale) {
    NOTICE("smartmeter plugin: meter \"%s\": telegrams are arriving again.",
           m->cfg.name);
    m->stale = false;
  }
  dispatch_readings(m, s);
  m->dispatched_seq = s->seq;
  return 0;
}
