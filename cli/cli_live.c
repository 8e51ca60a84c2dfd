/* SPDX-License-Identifier: MIT */
/* cli_live.c - the --device loop: open, read with a short timeout, feed,
 * notice pauses, reconnect with back-off after a failure. One message when
 * the port fails, one when it works again. */
#include "cli_live.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_run.h"
#include "cli_stop.h"
#include "sm_port.h"
#include "sm_clock.h"

#define READ_TIMEOUT_MS 200
/* The serial-settings hint looks at this much time of input. */
#define WATCH_MS 30000
#define WATCH_MIN_BYTES 64  /* fewer without a frame: stray noise */
#define WATCH_MIN_ERRORS 10 /* parity errors worth a hint */
#define ACK_TIMEOUT_MS 50   /* an AMIS meter wants its E5 within 84 ms */

typedef struct live {
  const cli_options *o;
  cli_run run;
  sm_port *port;
  sm_backoff backoff;
  bool failing;         /* a failure was reported, no recovery yet */
  bool fatal;           /* the configuration cannot work */
  bool pending;         /* bytes arrived since the last idle check */
  bool ack_failing;     /* an E5 could not be written, no success since */
  long long last_bytes; /* CLOCK_MONOTONIC ms of the last bytes */
  /* The serial-settings hint: a window of WATCH_MS from its first byte. */
  long long watch_from; /* 0: no window open */
  unsigned long watch_bytes, watch_errors;
  uint64_t watch_frames;             /* frames found before the window */
  bool hinted_frames, hinted_parity; /* shown; again after frames came */
} live;

static void report_failure(live *l, const char *err) {
  if (!l->failing)
    fprintf(stderr, "smartmeter-decode: %s; retrying (back-off 1 s to %u s)\n",
            err, SM_BACKOFF_MAX_MS / 1000);
  l->failing = true;
}

static void live_open(live *l) {
  sm_port_status st;
  char err[512];

  l->port = sm_port_open(&l->o->port, &st, err, sizeof err);
  /* A bad setting will not heal; --check-key wants an answer now. */
  if (l->port == NULL && (st == SM_PORT_ERR_ARG || l->o->check_key)) {
    fprintf(stderr, "smartmeter-decode: %s\n", err);
    l->fatal = true;
    return;
  }
  if (l->port == NULL) {
    report_failure(l, err);
    cli_stop_wait(sm_backoff_next(&l->backoff));
    return;
  }
  if (l->failing)
    fprintf(stderr, "smartmeter-decode: %s: connected again\n",
            sm_port_path(l->port));
  l->failing = false;
  sm_backoff_reset(&l->backoff);
}

static void lost(live *l, const char *err) {
  sm_port_close(l->port);
  l->port = NULL;
  l->pending = false;
  cli_run_gap(&l->run, "when the connection was lost");
  report_failure(l, err);
  cli_stop_wait(sm_backoff_next(&l->backoff));
}

static void watch_open(live *l) {
  if (l->watch_from != 0)
    return;
  l->watch_from = sm_mono_ms();
  l->watch_bytes = l->watch_errors = 0;
  l->watch_frames = cli_run_frames(&l->run);
}

/* Many bytes but no frame, or many parity errors, in WATCH_MS: the serial
 * settings are probably wrong. Said once, and again only after frames
 * were found in between. */
static void watch_check(live *l) {
  if (l->watch_from == 0 || sm_mono_ms() - l->watch_from < WATCH_MS)
    return;
  bool frames = cli_run_frames(&l->run) != l->watch_frames;
  l->watch_from = 0;
  if (frames)
    l->hinted_frames = l->hinted_parity = false;
  if (l->watch_errors >= WATCH_MIN_ERRORS && !l->hinted_parity)
    fprintf(stderr,
            "smartmeter-decode: %lu bytes with parity or framing errors in "
            "%d s — check --parity and --baud\n",
            l->watch_errors, WATCH_MS / 1000);
  l->hinted_parity = l->hinted_parity || l->watch_errors >= WATCH_MIN_ERRORS;
  if (!frames && l->watch_bytes >= WATCH_MIN_BYTES && !l->hinted_frames)
    fprintf(stderr,
            "smartmeter-decode: %lu bytes received in %d s but no frame — "
            "check --baud, --parity and --input\n",
            l->watch_bytes, WATCH_MS / 1000);
  l->hinted_frames =
      l->hinted_frames || (!frames && l->watch_bytes >= WATCH_MIN_BYTES);
}

static void live_read(live *l) {
  uint8_t buf[1024];
  char err[512];
  size_t got = 0;
  sm_port_status st = sm_port_read(l->port, buf, sizeof buf, READ_TIMEOUT_MS,
                                   &got, err, sizeof err);

  watch_check(l);
  if (st == SM_PORT_OK) {
    l->pending = true;
    l->last_bytes = sm_mono_ms();
    watch_open(l);
    l->watch_bytes += got;
    cli_run_feed(&l->run, buf, got);
  } else if (st == SM_PORT_LINE_ERROR) {
    l->pending = true;
    l->last_bytes = sm_mono_ms();
    watch_open(l);
    l->watch_errors++;
    cli_run_line_error(&l->run);
  } else if (st == SM_PORT_TIMEOUT) {
    if (l->pending && sm_mono_ms() - l->last_bytes >= SM_IDLE_GAP_MS) {
      l->pending = false;
      cli_run_gap(&l->run, "after a pause on the line");
    }
  } else {
    lost(l, err);
  }
}

/* The E5 of an AMIS meter (cli_run.ack). Its failure is said once, and
 * its recovery once: the meter stops sending without it. */
static void live_ack(void *ctx, unsigned n) {
  live *l = ctx;
  uint8_t e5[8];
  char err[512];

  if (l->port == NULL)
    return;
  n = n < sizeof e5 ? n : sizeof e5;
  memset(e5, SM_ACK_BYTE, n);
  sm_port_status st =
      sm_port_write(l->port, e5, n, ACK_TIMEOUT_MS, err, sizeof err);
  if (st != SM_PORT_OK && !l->ack_failing)
    fprintf(stderr, "smartmeter-decode: the meter cannot be acknowledged: %s\n",
            err);
  else if (st == SM_PORT_OK && l->ack_failing)
    fprintf(stderr, "smartmeter-decode: %s: acknowledging again\n",
            sm_port_path(l->port));
  l->ack_failing = st != SM_PORT_OK;
}

static bool done(const live *l) {
  return l->fatal || l->run.stop || l->run.output_failed ||
         cli_stop_requested();
}

int cli_live_run(const cli_options *o) {
  live l = {.o = o};
  int rc;

  if (cli_run_open(&l.run, o, true) != CLI_EXIT_OK)
    return CLI_EXIT_FAIL;
  l.run.ack = live_ack;
  l.run.ack_ctx = &l;
  cli_stop_init();
  sm_backoff_reset(&l.backoff);
  while (!done(&l)) {
    if (l.port == NULL)
      live_open(&l);
    else
      live_read(&l);
  }
  if (l.port != NULL)
    sm_port_close(l.port);
  rc = cli_run_close(&l.run);
  if (l.fatal || o->check_key)
    return l.fatal ? CLI_EXIT_FAIL : rc;
  return l.run.output_failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
