/* SPDX-License-Identifier: MIT */
/* sm_reader.c - one meter's serial thread.
 *
 * The loop: open (libserialport, termios fallback or TCP, all inside
 * sm_port) -> wait for bytes, the thread's next deadline or a stop request
 * -> feed the decoder -> publish each telegram. A quiet line costs no
 * wake-ups: the wait has a timeout only while something is due. On loss:
 * close, pause with back-off on the stop fd (a stop request cuts the pause
 * short), reopen.
 * Link problems (port, noise, parity, bytes without frames) are logged
 * through the meter's smp_linklog: at most 2 lines a minute for any
 * pattern of faults, across reconnects. Key and layout problems, restarts
 * and implausible values each have a c_complain_t.
 */
#include "sm_reader.h"

#include "collectd/core/utils/common/common.h"

#include <inttypes.h>
#include <stdarg.h>

#include "sm_clock.h"
#include "sm_names.h"
#include "sm_solarview.h"

static void link_log(smp_meter *m, smp_link_kind k, int level, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));
static void link_log(smp_meter *m, smp_link_kind k, int level, const char *fmt,
                     ...) {
  char text[SMP_LINKLOG_TEXT];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  smp_linklog_line(&m->linklog, cdtime(), k, level, "%s", text);
}

/* Longest wait for room to write an E5: one byte into an idle line's
 * output, well inside the meter's 84 ms. */
#define SMP_ACK_TIMEOUT_MS 50

static void publish_health(smp_meter *m) {
  sm_decoder_stats(m->decoder, &m->health.decoder);
  smp_latest_set_health(&m->latest, &m->health);
}

static char parity_letter(sm_parity p) {
  return p == SM_PARITY_EVEN ? 'E' : p == SM_PARITY_ODD ? 'O' : 'N';
}

/* Once per meter: which code path reads the device. */
static void log_backend(const smp_meter *m, const sm_port *p) {
  const sm_port_config *c = &m->cfg.port;
  const char *extra = sm_port_parity_ignored(p)
                          ? "; the device cannot take parity (a pty?), "
                            "parity ignored"
                      : sm_port_parity_checked(p) ? ", parity errors checked"
                                                  : "";
  switch (sm_port_backend_of(p)) {
  case SM_PORT_TERMIOS:
    INFO("smartmeter plugin: meter \"%s\": libserialport refused %s, using "
         "the termios fallback (%d %d%c%d%s).",
         m->cfg.name, sm_port_path(p), c->baud, c->data_bits,
         parity_letter(c->parity), c->stop_bits, extra);
    break;
  case SM_PORT_LIBSERIALPORT:
    INFO("smartmeter plugin: meter \"%s\": reading %s with libserialport "
         "(%d %d%c%d%s).",
         m->cfg.name, sm_port_path(p), c->baud, c->data_bits,
         parity_letter(c->parity), c->stop_bits, extra);
    break;
  case SM_PORT_TCP:
    INFO("smartmeter plugin: meter \"%s\": reading %s over TCP.", m->cfg.name,
         sm_port_path(p));
    break;
  }
}

static sm_port *open_port(smp_meter *m) {
  sm_port_status st;
  char err[256];
  sm_port *p = sm_port_open(&m->cfg.port, &st, err, sizeof(err));
  if (p == NULL) {
    m->link_down = true;
    link_log(m, SMP_LINK_OPEN_FAILED, LOG_ERR,
             "smartmeter plugin: meter \"%s\": %s (retrying with "
             "back-off up to %u s).",
             m->cfg.name, err, SM_BACKOFF_MAX_MS / 1000);
    return NULL;
  }
  if (m->link_down)
    link_log(m, SMP_LINK_BACK, LOG_NOTICE,
             "smartmeter plugin: meter \"%s\": %s is back (%s).", m->cfg.name,
             sm_port_path(p), sm_port_backend_name(sm_port_backend_of(p)));
  m->link_down = false;
  if (!m->backend_logged)
    log_backend(m, p);
  m->backend_logged = true;
  return p;
}

static const char *decode_hint(sm_status st) {
  switch (st) {
  case SM_ERR_NO_KEY:
    return " (set Key or KeyFile)";
  case SM_ERR_KEY_WRONG:
    return " (check Key / KeyFile)";
  case SM_ERR_TAG:
    return " (check AuthKey / AuthKeyFile)";
  default:
    return "";
  }
}

/* Key and protocol problems persist until the user acts: they get an
 * error line (rate-limited) and a notice when telegrams decode again.
 * Line noise and cut telegrams are normal now and then: counted in the
 * errors-* values, logged at INFO and rate-limited. */
static void on_error(smp_meter *m, sm_status st) {
  /* The decoder's detail, e.g. the shape of an unknown layout. */
  const char *detail = sm_decoder_detail(m->decoder);
  switch (st) {
  case SM_ERR_NO_KEY:
  case SM_ERR_KEY_WRONG:
  case SM_ERR_TAG:
  case SM_ERR_UNSUPPORTED:
  case SM_ERR_CRYPTO:
  case SM_ERR_LAYOUT:
  case SM_ERR_DSMR:
    c_complain(LOG_ERR, &m->decode_complaint,
               "smartmeter plugin: meter \"%s\": %s%s%s%s", m->cfg.name,
               sm_strerror(st), decode_hint(st), *detail ? ": " : "", detail);
    break;
  default:
    link_log(m, SMP_LINK_NOISE, LOG_INFO,
             "smartmeter plugin: meter \"%s\": %s (counted in the "
             "errors-* values).",
             m->cfg.name, sm_strerror(st));
    break;
  }
}

/* kaifareader's Solarview file, replaced atomically per telegram. A
 * directory that is missing or not writable is reported once (not per
 * telegram) and its recovery once; reading the meter goes on regardless. */
static void export_solarview(smp_meter *m, const sm_telegram *t) {
  const char *path = m->cfg.solarview_file;
  char err[512];
  if (sm_solarview_write(path, t, err, sizeof(err)) != 0) {
    /* err names the file already. */
    c_complain_once(LOG_ERR, &m->export_complaint,
                    "smartmeter plugin: meter \"%s\": %s", m->cfg.name, err);
    return;
  }
  c_release(LOG_NOTICE, &m->export_complaint,
            "smartmeter plugin: meter \"%s\": Solarview file %s written "
            "again.",
            m->cfg.name, path);
}

/* Framing auto: say once which framing was found, and each time another
 * one takes over (a different adapter on the same device). */
static void note_framing(smp_meter *m, const sm_telegram *t) {
  if (t->framing == m->framing)
    return;
  if (m->framing == SM_INPUT_AUTO)
    INFO("smartmeter plugin: meter \"%s\": framing %s%s.", m->cfg.name,
         sm_input_name(t->framing),
         m->cfg.options.input == SM_INPUT_AUTO ? " (found by Framing auto)"
                                               : "");
  else
    NOTICE("smartmeter plugin: meter \"%s\": the framing changed from %s "
           "to %s (a different adapter or meter?); following it.",
           m->cfg.name, sm_input_name(m->framing), sm_input_name(t->framing));
  m->framing = t->framing;
}

/* Numbers no meter can measure (NaN, 1e+127 Wh) are never dispatched: a
 * copy of the telegram goes on without them, counted in errors-format. */
static const sm_telegram *plausible(smp_meter *m, const sm_telegram *t) {
  sm_value first;
  size_t n;
  const sm_telegram *kept = sm_telegram_plausible(t, &m->checked, &first, &n);
  if (n == 0)
    return kept;
  m->health.implausible += n;
  char what[SM_BOUND_TEXT_MAX], others[SM_BOUND_OTHERS_MAX];
  sm_bound_describe(&first, what, sizeof(what));
  sm_bound_others(n, others, sizeof(others));
  c_complain(LOG_WARNING, &m->bounds_complaint,
             "smartmeter plugin: meter \"%s\": %s; dropped%s (counted in "
             "errors-format).",
             m->cfg.name, what, others);
  return kept;
}

/* The decoder took a lower frame counter with a newer meter time. */
static void note_restart(smp_meter *m, const sm_telegram *t) {
  sm_stats s;
  sm_decoder_stats(m->decoder, &s);
  if (s.counter_resets == m->resets_seen)
    return;
  m->resets_seen = s.counter_resets;
  c_complain(LOG_NOTICE, &m->restart_complaint,
             "smartmeter plugin: meter \"%s\": frame counter restarted at "
             "%u with a newer meter time: taken as a meter restart (counted "
             "in total_operations-counter_resets).",
             m->cfg.name, (unsigned)t->frame_counter);
}

static void on_telegram(smp_meter *m, const sm_telegram *raw) {
  note_restart(m, raw);
  const sm_telegram *t = plausible(m, raw);
  note_framing(m, t);
  smp_latest_from_telegram(t, cdtime(), &m->staging);
  smp_latest_publish(&m->latest, &m->staging);
  if (m->cfg.solarview_file != NULL)
    export_solarview(m, t);
  c_release(LOG_NOTICE, &m->decode_complaint,
            "smartmeter plugin: meter \"%s\": telegrams decode again.",
            m->cfg.name);
  if (m->first_telegram_logged)
    return;
  m->first_telegram_logged = true;
  INFO("smartmeter plugin: meter \"%s\": first telegram decoded (meter "
       "number \"%s\", %zu readings).",
       m->cfg.name, t->meter_number, m->staging.n);
}

/* Acknowledging, for the log: a meter that cannot be acknowledged stops
 * sending, so a failed E5 is an error (rate-limited), its recovery a
 * notice, and the first E5 an info line that says the plugin transmits. */
static void note_ack(smp_meter *m, sm_port_status st, const char *err) {
  if (st != SM_PORT_OK) {
    c_complain(LOG_ERR, &m->ack_complaint,
               "smartmeter plugin: meter \"%s\": the meter cannot be "
               "acknowledged: %s (an AMIS meter stops sending after 10 "
               "missing E5; can the IR head transmit?).",
               m->cfg.name, err);
    return;
  }
  c_release(LOG_NOTICE, &m->ack_complaint,
            "smartmeter plugin: meter \"%s\": acknowledgements are written "
            "again.",
            m->cfg.name);
  if (!m->ack_logged)
    INFO("smartmeter plugin: meter \"%s\": answering the meter's frames "
         "with E5 (AMIS).",
         m->cfg.name);
  m->ack_logged = true;
}

/* An AMIS meter waits for an E5 after each frame addressed to the reader
 * and gives up after 10 missing ones: the answer goes out here, in the
 * reader thread, right after the decoder took the frame and before its
 * telegram is published (the deadline is 84 ms after the stop byte). The
 * decoder owes nothing for any other meter's frames, so their ports are
 * never written. Without an open port the moment has passed. */
static void acknowledge(void *ctx, unsigned n) {
  smp_meter *m = ctx;
  uint8_t e5[8];
  if (m->port == NULL)
    return;
  n = n < sizeof(e5) ? n : sizeof(e5);
  memset(e5, SM_ACK_BYTE, n);
  char err[256] = "";
  sm_port_status st =
      sm_port_write(m->port, e5, n, SMP_ACK_TIMEOUT_MS, err, sizeof(err));
  note_ack(m, st, err);
}

static void on_result(void *ctx, sm_status st, const sm_telegram *t) {
  smp_meter *m = ctx;
  if (st == SM_TELEGRAM)
    on_telegram(m, t);
  else
    on_error(m, st);
}

static sm_sink sink_of(smp_meter *m) {
  return (sm_sink){.acks = acknowledge, .result = on_result, .ctx = m};
}

/* An idle gap or a lost port: decode every intact frame still buffered,
 * then drop the rest. */
static void drain(smp_meter *m) {
  sm_sink s = sink_of(m);
  sm_decoder_idle_all(m->decoder, &s);
  publish_health(m);
}

static void feed(smp_meter *m, const uint8_t *buf, size_t len) {
  sm_sink s = sink_of(m);
  /* The bound inside only guards collectd against a decoder bug that
   * would spin here forever. */
  if (!sm_decoder_feed_all(m->decoder, buf, len, &s)) {
    ERROR("smartmeter plugin: meter \"%s\": decoder did not drain its "
          "input; dropping it.",
          m->cfg.name);
    drain(m);
  }
  publish_health(m);
}

static uint64_t frames_of(const smp_meter *m) {
  sm_stats s;
  sm_decoder_stats(m->decoder, &s);
  return s.frames;
}

/* Every SMP_LINEWATCH_S: what the bytes say about the serial settings. */
static void watch_line(smp_meter *m) {
  smp_linewatch_verdict v;
  if (!smp_linewatch_check(&m->linewatch, cdtime(), frames_of(m), &v))
    return;
  if (v.parity)
    link_log(m, SMP_LINK_PARITY, LOG_WARNING,
             "smartmeter plugin: meter \"%s\": %" PRIu64 " bytes with "
             "parity or framing errors in %d s (counted in errors-checksum) "
             "— check Parity and Baudrate.",
             m->cfg.name, v.errors, SMP_LINEWATCH_S);
  if (v.no_frame)
    link_log(m, SMP_LINK_NO_FRAME, LOG_WARNING,
             "smartmeter plugin: meter \"%s\": %" PRIu64 " bytes received "
             "in %d s but no frame — check Baudrate, Parity and Framing.",
             m->cfg.name, v.bytes, SMP_LINEWATCH_S);
}

/* A byte with a parity or framing error: its frame is broken. */
static void line_error(smp_meter *m) {
  sm_decoder_line_error(m->decoder);
  smp_linewatch_error(&m->linewatch, cdtime(), frames_of(m));
  publish_health(m);
}

/* ---- Baudrate / Parity auto ------------------------------------------- */

static bool scan_stopping(void *ctx) {
  smp_meter *m = ctx;
  return smp_control_stopping(&m->ctl);
}

static void log_nothing(smp_meter *m, unsigned ms) {
  char heard[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < m->scan.n_heard && used < sizeof(heard); i++) {
    const sm_scan_heard *h = &m->scan.heard[i];
    int n = snprintf(heard + used, sizeof(heard) - used,
                     "%s%d 8%c1: %" PRIu64 " bytes", i ? ", " : "", h->baud,
                     parity_letter(h->parity), h->bytes);
    used += n > 0 ? (size_t)n : 0;
  }
  link_log(m, SMP_LINK_NO_FRAME, LOG_WARNING,
           "smartmeter plugin: meter \"%s\": Baudrate auto: no setting gave "
           "an intact frame in %u s (%s); searching again.",
           m->cfg.name, ms / 1000, heard);
  m->scan_logged_baud = 0;
}

/* Once per result: a line each time the search finds something else. */
static void log_found(smp_meter *m, unsigned ms) {
  const sm_port_config *c = &m->cfg.port;
  if (c->baud == m->scan_logged_baud && c->parity == m->scan_logged_parity)
    return;
  INFO("smartmeter plugin: meter \"%s\": Baudrate auto: found %d 8%c1 "
       "(framing %s) in %.1f s.",
       m->cfg.name, c->baud, parity_letter(c->parity),
       sm_input_name(m->scan.framing), ms / 1000.0);
  m->scan_logged_baud = c->baud;
  m->scan_logged_parity = c->parity;
}

/* Search the settings (sm_scan.h) before an open. The keys were wiped
 * into the decoder already: the search needs frames, not telegrams. */
static bool find_settings(smp_meter *m) {
  sm_options o = m->cfg.options;
  o.has_key = o.has_auth_key = false;
  sm_scan_params p = {.port = &m->cfg.port,
                      .dec = &o,
                      .only_baud = m->cfg.baud_auto ? 0 : m->cfg.port.baud,
                      .parity_fixed = !m->cfg.parity_auto,
                      .only_parity = m->cfg.port.parity,
                      .stopping = scan_stopping,
                      .wake_fd = smp_control_fd(&m->ctl),
                      .ctx = m};
  char err[256];
  long long t0 = sm_mono_ms();
  sm_scan_status st = sm_scan_run(&p, &m->scan, err, sizeof(err));
  unsigned ms = (unsigned)(sm_mono_ms() - t0);
  if (st == SM_SCAN_FOUND) {
    m->cfg.port.baud = sm_scan_order[m->scan.found].baud;
    m->cfg.port.parity = sm_scan_order[m->scan.found].parity;
    m->settings_known = true;
    log_found(m, ms);
  } else if (st == SM_SCAN_NOTHING) {
    log_nothing(m, ms);
  } else if (st != SM_SCAN_STOPPED) {
    m->link_down = true;
    link_log(m, SMP_LINK_OPEN_FAILED, LOG_ERR,
             "smartmeter plugin: meter \"%s\": %s (retrying with back-off "
             "up to %u s).",
             m->cfg.name, err, SM_BACKOFF_MAX_MS / 1000);
  }
  return m->settings_known;
}

static bool searching(const smp_meter *m) {
  return m->cfg.baud_auto || m->cfg.parity_auto;
}

/* The setting found is kept while the line frames: bytes without an
 * intact frame for SMP_RESCAN_S mean another meter or adapter, search
 * again. (A quiet line says nothing about the setting.) */
static bool stopped_framing(smp_meter *m, cdtime_t now) {
  uint64_t frames = frames_of(m);
  if (!searching(m) || frames != m->frames_seen) {
    m->frames_seen = frames;
    m->framed_at = now;
    return false;
  }
  if (now - m->framed_at < TIME_T_TO_CDTIME_T(SMP_RESCAN_S))
    return false;
  NOTICE("smartmeter plugin: meter \"%s\": no intact frame for %d s at "
         "%d 8%c1; Baudrate auto searches again.",
         m->cfg.name, SMP_RESCAN_S, m->cfg.port.baud,
         parity_letter(m->cfg.port.parity));
  m->settings_known = false;
  return true;
}

/* Milliseconds from now until due, rounded up so that a wait does not end
 * just before its deadline, and at most span: a wall clock set back must
 * not stretch the wait. -1 when due is 0 (nothing is due). */
static int wait_until(cdtime_t now, cdtime_t due, cdtime_t span) {
  if (due == 0)
    return -1;
  if (due <= now)
    return 0;
  cdtime_t left = due - now < span ? due - now : span;
  return (int)CDTIME_T_TO_MS(left) + 1;
}

static int earlier(int a, int b) {
  return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The port's timeout: until the thread's next deadline, -1 (none) on a
 * quiet line. Deadlines: the idle gap while bytes are pending, a held-back
 * link log line, the end of an open line watch window. */
static int next_wait_ms(const smp_meter *m, bool pending, cdtime_t last_byte) {
  const cdtime_t gap = MS_TO_CDTIME_T(SM_IDLE_GAP_MS);
  cdtime_t now = cdtime();
  int ms = pending ? wait_until(now, last_byte + gap, gap) : -1;
  ms = earlier(ms, wait_until(now, smp_linklog_due(&m->linklog),
                              TIME_T_TO_CDTIME_T(SMP_LINKLOG_WINDOW_S)));
  return earlier(ms, wait_until(now, smp_linewatch_due(&m->linewatch),
                                TIME_T_TO_CDTIME_T(SMP_LINEWATCH_S)));
}

/* Read until stop or loss. Resets the back-off once bytes flow, so a
 * device that opens but dies at once keeps backing off. */
static void pump(smp_meter *m, sm_port *p, sm_backoff *bo) {
  uint8_t buf[512];
  char err[256];
  cdtime_t last_byte = cdtime();
  bool pending = false; /* bytes fed since the last idle gap */
  m->frames_seen = frames_of(m);
  m->framed_at = last_byte;
  while (!smp_control_stopping(&m->ctl)) {
    size_t got = 0;
    sm_port_status st = sm_port_read_wake(
        p, buf, sizeof(buf), next_wait_ms(m, pending, last_byte),
        smp_control_fd(&m->ctl), &got, err, sizeof(err));
    if (st == SM_PORT_WOKEN)
      continue; /* a stop request */
    smp_linklog_tick(&m->linklog, cdtime());
    watch_line(m);
    if (st == SM_PORT_TIMEOUT) {
      if (pending && cdtime() - last_byte >= MS_TO_CDTIME_T(SM_IDLE_GAP_MS)) {
        drain(m);
        pending = false;
      }
      continue;
    }
    if (st == SM_PORT_LINE_ERROR) {
      last_byte = cdtime();
      pending = true;
      line_error(m);
      continue;
    }
    if (st != SM_PORT_OK) {
      m->link_down = true;
      link_log(m, SMP_LINK_LOST, LOG_WARNING,
               "smartmeter plugin: meter \"%s\": %s; reconnecting.",
               m->cfg.name, err);
      return;
    }
    last_byte = cdtime();
    pending = true;
    sm_backoff_reset(bo);
    smp_linewatch_bytes(&m->linewatch, last_byte, frames_of(m), got);
    feed(m, buf, got);
    if (stopped_framing(m, last_byte))
      return;
  }
}

static void *reader_main(void *arg) {
  smp_meter *m = arg;
  sm_backoff bo;
  sm_backoff_reset(&bo);
  bool opened_before = false;
  while (!smp_control_stopping(&m->ctl)) {
    sm_port *p = NULL;
    if (!searching(m) || m->settings_known || find_settings(m))
      p = open_port(m);
    if (p != NULL) {
      if (opened_before) {
        m->health.reconnects++;
        publish_health(m);
      }
      opened_before = true;
      m->port = p;
      pump(m, p, &bo);
      m->port = NULL;
      sm_port_close(p);
      /* A telegram cut by the loss must not be glued to the next one. */
      drain(m);
      /* Another adapter may come back: search again on every reopen. */
      m->settings_known = false;
    }
    if (smp_control_pause(&m->ctl, sm_backoff_next(&bo)))
      break;
    smp_linklog_tick(&m->linklog, cdtime());
  }
  return NULL;
}

int smp_reader_start(smp_meter *m) {
  sm_status err = SM_OK;
  m->decoder = sm_decoder_new(&m->cfg.options, &err);
  /* The decoder holds its own copy of the keys now. */
  sm_wipe(m->cfg.options.key, sizeof(m->cfg.options.key));
  sm_wipe(m->cfg.options.auth_key, sizeof(m->cfg.options.auth_key));
  if (m->decoder == NULL) {
    ERROR("smartmeter plugin: meter \"%s\": cannot create the decoder: %s",
          m->cfg.name, sm_strerror(err));
    return -1;
  }
  m->started = cdtime();
  int status = plugin_thread_create(&m->thread, reader_main, m, "smartmeter");
  if (status != 0) {
    ERROR("smartmeter plugin: meter \"%s\": cannot start its thread: %s",
          m->cfg.name, STRERROR(status));
    return -1;
  }
  m->running = true;
  return 0;
}

void smp_reader_stop(smp_meter *m) {
  smp_control_stop(&m->ctl);
}

void smp_reader_join(smp_meter *m) {
  if (!m->running)
    return;
  pthread_join(m->thread, NULL);
  m->running = false;
}
