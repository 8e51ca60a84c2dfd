/* SPDX-License-Identifier: MIT */
/* sm_scan.c - see sm_scan.h. One setting at a time: open, listen with a
 * fresh decoder, judge, close. */
#include "sm_scan.h"

#include <stdio.h>
#include <string.h>

#include "sm_clock.h"

#define ACK_TIMEOUT_MS 50 /* an AMIS meter wants its E5 within 84 ms */

/* clang-format off */
const sm_scan_setting sm_scan_order[SM_SCAN_SETTINGS] = {
    {2400, SM_PARITY_EVEN, 12000,
     "wired M-Bus (EVN, TINETZ, IKB, VKW, Salzburg; L+G E450 CII)"},
    {2400, SM_PARITY_NONE, 12000, "L+G E450 M-Bus CII (Burgenland)"},
    /* An AMIS meter nobody answers repeats its SND_NKE once a minute. */
    {9600, SM_PARITY_EVEN, 62000, "AMIS IR head (Netz OOe, Siemens TD-3511)"},
    {9600, SM_PARITY_NONE, 12000,
     "optical IR head (Wiener Netze, Burgenland E450)"},
    {115200, SM_PARITY_NONE, 12000, "P1 port (Kaernten, Wels, Steiermark)"},
};
/* clang-format on */

const char *sm_scan_strerror(sm_scan_status st) {
  switch (st) {
  case SM_SCAN_FOUND:
    return "found";
  case SM_SCAN_NOTHING:
    return "no setting gave an intact frame";
  case SM_SCAN_STOPPED:
    return "stopped";
  case SM_SCAN_ERR_ARG:
    return "invalid argument";
  case SM_SCAN_ERR_OPEN:
    return "cannot open the device";
  }
  return "unknown status";
}

static unsigned listen_of(size_t i, unsigned listen_ms) {
  return listen_ms ? listen_ms : sm_scan_order[i].listen_ms;
}

static bool wanted(const sm_scan_params *p, size_t i) {
  const sm_scan_setting *s = &sm_scan_order[i];
  return (!p->only_baud || s->baud == p->only_baud) &&
         (!p->parity_fixed || s->parity == p->only_parity);
}

unsigned sm_scan_max_ms(const sm_scan_params *p) {
  unsigned total = 0;
  for (size_t i = 0; i < SM_SCAN_SETTINGS; i++)
    if (wanted(p, i))
      total += listen_of(i, p->listen_ms);
  return total;
}

/* One setting being listened to. */
typedef struct listen {
  const sm_scan_params *p;
  sm_scan_report *r;
  sm_scan_heard *h;
  sm_port *port;
  sm_decoder *d;
  size_t index; /* into sm_scan_order */
  long long deadline, last_byte;
  unsigned bursts;  /* bursts of bytes that ended without a frame */
  bool in_burst;    /* bytes came within SM_SCAN_BURST_GAP_MS */
  bool pending;     /* bytes since the last idle gap */
  bool framed;      /* an intact frame: this is the setting */
  bool done;        /* framed and the first decode result is in */
  bool candidate;   /* a bare APDU that could not be decrypted */
  uint8_t title[8]; /* its system title */
} listen;

/* An AMIS meter sends nothing but link starts until answered. */
static void acknowledge(void *ctx, unsigned n) {
  listen *l = ctx;
  uint8_t e5[8];
  n = n < sizeof e5 ? n : sizeof e5;
  memset(e5, SM_ACK_BYTE, n);
  char err[128];
  /* A meter that cannot be answered is still found: the report says
   * whether data followed. */
  (void)sm_port_write(l->port, e5, n, ACK_TIMEOUT_MS, err, sizeof err);
}

static bool is_decode_result(sm_status st) {
  switch (st) {
  case SM_TELEGRAM:
  case SM_ERR_NO_KEY:
  case SM_ERR_KEY_WRONG:
  case SM_ERR_TAG:
  case SM_ERR_LAYOUT:
  case SM_ERR_UNSUPPORTED:
  case SM_ERR_DSMR:
  case SM_ERR_AXDR:
  case SM_ERR_APDU_LENGTH:
  case SM_ERR_REPLAY:
    return true;
  default:
    return false;
  }
}

/* A bare APDU carries no check of its own: it counts once it decodes, or
 * once two show the same system title. */
static bool apdu_vouched(listen *l, sm_status st) {
  if (st == SM_TELEGRAM)
    return true;
  sm_header hd;
  sm_decoder_header(l->d, &hd);
  if (!is_decode_result(st) || !hd.valid || !hd.encrypted)
    return false;
  if (l->candidate && !memcmp(l->title, hd.system_title, 8))
    return true;
  l->candidate = true;
  memcpy(l->title, hd.system_title, 8);
  return false;
}

static void on_framed(listen *l) {
  l->framed = true;
  l->r->found = l->index;
  l->r->framing = sm_decoder_framing(l->d);
  l->r->result = SM_NEED_MORE;
  /* One more listening time for the first telegram. */
  l->deadline = sm_mono_ms() + listen_of(l->index, l->p->listen_ms);
}

/* After each result (and each chunk fed): does this setting frame? */
static void judge(listen *l, sm_status st) {
  sm_stats s;
  sm_decoder_stats(l->d, &s);
  l->h->frames = s.frames;
  l->h->broken = s.checksum_errors;
  if (l->framed)
    return;
  sm_input in = sm_decoder_framing(l->d);
  bool checked = s.frames > 0 && in != SM_INPUT_APDU && in != SM_INPUT_AUTO;
  if (checked || (in == SM_INPUT_APDU && apdu_vouched(l, st)))
    on_framed(l);
}

/* The first decode result on the setting found goes into the report. */
static void on_result(void *ctx, sm_status st, const sm_telegram *t) {
  listen *l = ctx;
  judge(l, st);
  if (!l->framed || l->done || !is_decode_result(st))
    return;
  l->done = true;
  l->r->result = st;
  snprintf(l->r->detail, sizeof l->r->detail, "%s", sm_decoder_detail(l->d));
  if (st == SM_TELEGRAM)
    l->r->telegram = *t;
  sm_decoder_header(l->d, &l->r->header);
}

static void feed(listen *l, const uint8_t *buf, size_t len) {
  sm_sink s = {.acks = acknowledge, .result = on_result, .ctx = l};
  (void)sm_decoder_feed_all(l->d, buf, len, &s);
  judge(l, SM_NEED_MORE);
}

static void idle(listen *l) {
  sm_sink s = {.acks = acknowledge, .result = on_result, .ctx = l};
  sm_decoder_idle_all(l->d, &s);
  judge(l, SM_NEED_MORE);
  l->pending = false;
}

/* Quiet on the line: end a burst, give the decoder its idle gap. */
static void quiet(listen *l, long long now) {
  if (l->in_burst && now - l->last_byte >= SM_SCAN_BURST_GAP_MS) {
    l->in_burst = false;
    if (!l->framed)
      l->bursts++;
  }
  if (l->pending && now - l->last_byte >= SM_IDLE_GAP_MS)
    idle(l);
}

/* The bytes frame as nothing: no point in waiting for this setting. */
static bool hopeless(const listen *l) {
  if (l->framed || l->candidate)
    return false;
  /* A byte with a parity or framing error is garbage too. */
  return l->bursts >= 2 ||
         l->h->bytes + l->h->line_errors >= SM_SCAN_GARBAGE_BYTES;
}

/* Until the next thing to look at: the setting's deadline, the end of a
 * burst, the idle gap; without a wake fd at most SM_SCAN_POLL_MS. */
static int wait_ms(const listen *l, long long now) {
  long long due = l->deadline;
  if (l->in_burst && l->last_byte + SM_SCAN_BURST_GAP_MS < due)
    due = l->last_byte + SM_SCAN_BURST_GAP_MS;
  if (l->pending && l->last_byte + SM_IDLE_GAP_MS < due)
    due = l->last_byte + SM_IDLE_GAP_MS;
  long long ms = due > now ? due - now : 0;
  if (l->p->wake_fd < 0 && ms > SM_SCAN_POLL_MS)
    ms = SM_SCAN_POLL_MS;
  return (int)ms;
}

static bool stopping(const sm_scan_params *p) {
  return p->stopping && p->stopping(p->ctx);
}

/* Listen on the open port until the setting is judged. Returns false on a
 * stop request. */
static bool listen_run(listen *l) {
  uint8_t buf[512];
  char err[160];
  long long start = sm_mono_ms();
  l->deadline = start + listen_of(l->index, l->p->listen_ms);
  for (;;) {
    if (stopping(l->p))
      return false;
    long long now = sm_mono_ms();
    if (l->done || now >= l->deadline || hopeless(l))
      break;
    size_t got = 0;
    sm_port_status st =
        sm_port_read_wake(l->port, buf, sizeof buf, wait_ms(l, now),
                          l->p->wake_fd, &got, err, sizeof err);
    now = sm_mono_ms();
    if (st == SM_PORT_WOKEN)
      continue; /* the stop request, seen at the top */
    if (st == SM_PORT_TIMEOUT) {
      quiet(l, now);
      continue;
    }
    if (st != SM_PORT_OK && st != SM_PORT_LINE_ERROR) {
      snprintf(l->h->error, sizeof l->h->error, "%s", err);
      break;
    }
    l->in_burst = l->pending = true;
    l->last_byte = now;
    if (st == SM_PORT_LINE_ERROR) {
      l->h->line_errors++;
      sm_decoder_line_error(l->d);
      continue;
    }
    l->h->bytes += got;
    feed(l, buf, got);
  }
  if (l->framed && !l->done)
    idle(l); /* a telegram may be complete at the gap */
  l->h->ms = (unsigned)(sm_mono_ms() - start);
  return true;
}

/* Open the port with one setting. */
static sm_port *open_with(const sm_scan_params *p, size_t i, sm_scan_heard *h,
                          sm_port_status *st) {
  sm_port_config c = *p->port;
  c.baud = sm_scan_order[i].baud;
  c.parity = sm_scan_order[i].parity;
  c.data_bits = 8;
  c.stop_bits = 1;
  sm_port *port = sm_port_open(&c, st, h->error, sizeof h->error);
  h->tried = port != NULL;
  if (port)
    h->error[0] = '\0'; /* e.g. a fallback's note: not an error */
  return port;
}

/* One setting: SM_SCAN_FOUND, SM_SCAN_NOTHING (go on), or an end. */
static sm_scan_status try_setting(const sm_scan_params *p, sm_scan_report *r,
                                  size_t i, char *err, size_t errlen) {
  sm_scan_heard *h = &r->heard[r->n_heard++];
  h->baud = sm_scan_order[i].baud;
  h->parity = sm_scan_order[i].parity;
  if (p->progress)
    p->progress(p->ctx, h, false);
  sm_port_status pst;
  sm_port *port = open_with(p, i, h, &pst);
  if (port == NULL) {
    /* A missing device stays missing whatever the setting. */
    if (pst == SM_PORT_ERR_OPEN || pst == SM_PORT_ERR_ARG) {
      snprintf(err, errlen, "%s", h->error);
      return pst == SM_PORT_ERR_ARG ? SM_SCAN_ERR_ARG : SM_SCAN_ERR_OPEN;
    }
    if (p->progress)
      p->progress(p->ctx, h, true);
    return SM_SCAN_NOTHING;
  }
  sm_status dst;
  listen l = {.p = p, .r = r, .h = h, .port = port, .index = i};
  l.d = sm_decoder_new(p->dec, &dst);
  if (l.d == NULL) {
    sm_port_close(port);
    snprintf(err, errlen, "cannot create a decoder: %s", sm_strerror(dst));
    return SM_SCAN_ERR_ARG;
  }
  bool ran = listen_run(&l);
  sm_decoder_free(l.d);
  sm_port_close(port);
  if (p->progress)
    p->progress(p->ctx, h, true);
  if (!ran)
    return SM_SCAN_STOPPED;
  return l.framed ? SM_SCAN_FOUND : SM_SCAN_NOTHING;
}

sm_scan_status sm_scan_run(const sm_scan_params *p, sm_scan_report *r,
                           char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  if (!p || !r || !p->port || !p->port->device) {
    snprintf(err, errlen, "no device to scan");
    return SM_SCAN_ERR_ARG;
  }
  memset(r, 0, sizeof *r);
  if (strncmp(p->port->device, "tcp://", 6) == 0) {
    snprintf(err, errlen,
             "%s: a network port has no serial settings to find (set them "
             "where the adapter is, e.g. in ser2net)",
             p->port->device);
    return SM_SCAN_ERR_ARG;
  }
  for (size_t i = 0; i < SM_SCAN_SETTINGS; i++) {
    if (!wanted(p, i))
      continue;
    sm_scan_status st = try_setting(p, r, i, err, errlen);
    if (st != SM_SCAN_NOTHING)
      return st;
  }
  return SM_SCAN_NOTHING;
}
