/* SPDX-License-Identifier: MIT */
/* fuzz_stream.c - libFuzzer target: a whole byte stream -> readings through
 * sm_decoder_feed() and sm_decoder_idle(), as the CLI and the plugin drive
 * them.
 *
 * Input layout (see tests/fuzz/README.md):
 *   byte 0    bits 0-4  key: index into fz_keys (the captures' keys);
 *                       >= FZ_N_KEYS means "no key configured"
 *             bits 5-7  input: 0 AUTO, 1 MBUS, 2 APDU, 3 HDLC, 4 DSMR,
 *                       5-7 AUTO
 *   byte 1    bits 0-2  auth key: 1..FZ_N_AUTH_KEYS picks fz_auth_keys[k-1]
 *                       (the fuzzers' own, then the captures'); 0 or more:
 *                       none configured
 *             bit 6     supplier "KSMWest" (accepted, must change nothing)
 *             bit 7     chunks marked in the plan are followed by an idle
 *                       gap (sm_decoder_idle until SM_NEED_MORE)
 *   bytes 2-5 chunk plan, used round robin: low 7 bits = chunk size
 *             (0 = all the rest), bit 7 = idle after the chunk (if enabled)
 *   bytes 6-  the byte stream (missing header bytes count as 0)
 *
 * Checked on every call: the status is a known one, *consumed <= len, the
 * telegram pointer is set exactly for SM_TELEGRAM, SM_NEED_MORE takes all
 * input, the counters move by exactly the returned status and never back
 * (partial_drops only at the end of an idle gap, at most once per gap;
 * framing_changes only with a telegram whose framing differs from the one
 * before), a call that takes nothing is followed by progress within a
 * bound (no livelock), sm_decoder_detail() is a terminated string and
 * names the shape or line of SM_ERR_LAYOUT / SM_ERR_DSMR, every telegram
 * passes fz_check_delivered() (sizes, NUL termination, formatters, a real
 * framing), its framing is the configured one when one is forced and the
 * decoder's current one in auto, no encrypted telegram without a key, a
 * tagged telegram is authenticated whenever an auth key is configured, and
 * frame counters per system title only go up (except through a counted
 * restart). A second idle call right after a gap finds and changes
 * nothing. NULL arguments are refused with SM_ERR_ARG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_names.h"
#include "sm_private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 6
/* Results a decoder may report without taking a byte: every one drops at
 * least one buffered byte or takes a whole frame, and at most the link
 * buffer is buffered. */
#define MAX_IDLE_CALLS (2 * SM_LINK_BUF + 64)

typedef struct title_seen {
  uint8_t title[8];
  uint32_t last;
} title_seen;

typedef struct run {
  sm_decoder *d;
  sm_input input; /* configured */
  bool has_key, has_auth_key;
  bool untagged_ok;      /* decoder policy: see fz_untagged_accepted_... */
  uint64_t fed;          /* bytes taken so far */
  sm_input last_framing; /* of the last telegram; AUTO before the first */
  sm_stats prev;
  title_seen titles[SM_MAX_TITLES + 1];
  size_t n_titles; /* > SM_MAX_TITLES: the decoder may have evicted one */
} run;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (sm_crypto_init() != SM_NEED_MORE)
    fz_fail("sm_crypto_init failed");
  fprintf(stderr, "fuzz_stream: untagged telegrams with an auth key: %s\n",
          fz_untagged_accepted_with_auth_key() ? "accepted" : "refused");
  return 0;
}

static uint64_t moved(uint64_t now, uint64_t before) {
  FZ_CHECK(now >= before, "counter went back");
  return now - before;
}

/* The error counters move by exactly the status returned. */
static void check_error_counters(const sm_stats *s, const sm_stats *p,
                                 sm_status st) {
  FZ_CHECK(moved(s->checksum_errors, p->checksum_errors) ==
               (st == SM_ERR_CHECKSUM || st == SM_ERR_STOP_BYTE),
           "checksum_errors counter");
  FZ_CHECK(moved(s->segment_errors, p->segment_errors) ==
               (st == SM_ERR_SEGMENT || st == SM_ERR_TOO_LONG),
           "segment_errors counter");
  FZ_CHECK(moved(s->decrypt_errors, p->decrypt_errors) ==
               (st == SM_ERR_KEY_WRONG || st == SM_ERR_NO_KEY),
           "decrypt_errors counter");
  FZ_CHECK(moved(s->tag_errors, p->tag_errors) == (st == SM_ERR_TAG),
           "tag_errors counter");
  FZ_CHECK(moved(s->replays, p->replays) == (st == SM_ERR_REPLAY),
           "replays counter");
  FZ_CHECK(moved(s->format_errors, p->format_errors) ==
               (st == SM_ERR_AXDR || st == SM_ERR_UNSUPPORTED ||
                st == SM_ERR_APDU_LENGTH || st == SM_ERR_CRYPTO ||
                st == SM_ERR_LAYOUT || st == SM_ERR_DSMR),
           "format_errors counter");
}

/* Framing auto counts a change when a telegram comes in another framing
 * than the one before; a forced framing never changes. */
static void check_framing(run *r, const sm_stats *s, const sm_telegram *t) {
  uint64_t changes = moved(s->framing_changes, r->prev.framing_changes);
  bool change =
      t && r->last_framing != SM_INPUT_AUTO && t->framing != r->last_framing;
  FZ_CHECK(changes == change, "framing_changes moved without a change");
  if (t)
    r->last_framing = t->framing;
  if (r->input != SM_INPUT_AUTO)
    FZ_CHECK(sm_decoder_framing(r->d) == r->input,
             "forced framing reported as another");
}

/* st (with telegram t or NULL) was returned; gap_end: by the last call of
 * an idle gap, which may count one partial drop. */
static void check_stats(run *r, sm_status st, const sm_telegram *t,
                        bool gap_end) {
  sm_stats s;
  sm_decoder_stats(r->d, &s);
  const sm_stats *p = &r->prev;
  FZ_CHECK(s.bytes == r->fed, "stats.bytes != bytes taken");
  moved(s.bytes_discarded, p->bytes_discarded);
  moved(s.frames, p->frames);
  FZ_CHECK(moved(s.partial_drops, p->partial_drops) <= gap_end,
           "partial_drops moved outside the end of an idle gap");
  FZ_CHECK(s.bytes_discarded <= s.bytes, "discarded more than fed");
  FZ_CHECK(moved(s.telegrams, p->telegrams) == (st == SM_TELEGRAM),
           "telegrams counter != SM_TELEGRAM results");
  check_error_counters(&s, p, st);
  FZ_CHECK(moved(s.counter_resets, p->counter_resets) <= (st == SM_TELEGRAM),
           "counter reset without a telegram");
  FZ_CHECK(s.telegrams <= s.frames, "more telegrams than frames");
  FZ_CHECK(st != SM_ERR_NO_KEY || !r->has_key, "NO_KEY with a key");
  FZ_CHECK(st != SM_ERR_TAG || r->has_auth_key, "TAG error without auth key");
  check_framing(r, &s, t);
  r->prev = s;
}

/* The detail is a string in its bound; the two errors that promise one
 * (the unknown shape, the bad DSMR line) have it. */
static void check_detail(const run *r, sm_status st) {
  const char *detail = sm_decoder_detail(r->d);
  FZ_CHECK(detail != NULL && memchr(detail, '\0', SM_DETAIL_MAX) != NULL,
           "sm_decoder_detail not terminated in SM_DETAIL_MAX");
  if (st == SM_ERR_LAYOUT || st == SM_ERR_DSMR)
    FZ_CHECK(detail[0] != '\0', "layout/DSMR error without a detail");
}

/* Frame counters only go up per system title, except through a restart the
 * decoder counts. With more titles than it remembers, it may forget one. */
static void check_counter(run *r, const sm_telegram *t, bool restarted) {
  /* AMIS: an 8-bit access number that wraps and restarts after SND_NKE;
   * only a byte-identical repeat is held back (tests/fuzz/fuzz_amis.c). */
  if (t->framing == SM_INPUT_AMIS)
    return;
  title_seen *s = NULL;
  for (size_t i = 0; i < r->n_titles && i <= SM_MAX_TITLES; i++)
    if (!memcmp(r->titles[i].title, t->system_title, 8))
      s = &r->titles[i];
  if (!s) {
    if (r->n_titles <= SM_MAX_TITLES) {
      s = &r->titles[r->n_titles];
      memcpy(s->title, t->system_title, 8);
      s->last = t->frame_counter;
    }
    r->n_titles++;
    return;
  }
  if (r->n_titles <= SM_MAX_TITLES && !restarted)
    FZ_CHECK(t->frame_counter > s->last, "replayed frame counter delivered");
  s->last = t->frame_counter;
}

static void check_telegram(run *r, const sm_telegram *t, bool restarted) {
  fz_check_delivered(t);
  FZ_CHECK(t->framing == sm_decoder_framing(r->d),
           "telegram framing != the decoder's framing");
  FZ_CHECK(r->input == SM_INPUT_AUTO || t->framing == r->input,
           "telegram in another framing than the forced one");
  if (!t->encrypted)
    return;
  FZ_CHECK(r->has_key, "encrypted telegram delivered without a key");
  if (t->security & 0x10) {
    FZ_CHECK(t->authenticated == r->has_auth_key,
             "tagged telegram: authenticated != auth key configured");
  } else if (r->has_auth_key && !r->untagged_ok) {
    fz_fail("untagged telegram delivered although an auth key is set");
  }
  check_counter(r, t, restarted);
}

/* Everything about one result of feed() or idle(). */
static void check_result(run *r, sm_status st, const sm_telegram *t,
                         bool gap_end) {
  fz_check_status(st);
  FZ_CHECK(st != SM_ERR_ARG && st != SM_ERR_NOMEM, "ARG/NOMEM from a call");
  FZ_CHECK((st == SM_TELEGRAM) == (t != NULL),
           "telegram pointer set without SM_TELEGRAM (or missing)");
  uint64_t resets = r->prev.counter_resets;
  check_stats(r, st, t, gap_end);
  check_detail(r, st);
  if (st == SM_TELEGRAM)
    check_telegram(r, t, r->prev.counter_resets != resets);
}

static void feed(run *r, const uint8_t *p, size_t n) {
  size_t idle_calls = 0;
  for (;;) {
    size_t used = (size_t)-1;
    const sm_telegram *t = (const sm_telegram *)&used; /* must be reset */
    sm_status st = sm_decoder_feed(r->d, p, n, &used, &t);
    FZ_CHECK(used <= n, "consumed > len");
    r->fed += used;
    check_result(r, st, t, false);
    if (st == SM_NEED_MORE) {
      FZ_CHECK(used == n, "SM_NEED_MORE left input untaken");
      return;
    }
    idle_calls = used ? 0 : idle_calls + 1;
    FZ_CHECK(idle_calls < MAX_IDLE_CALLS, "feed makes no progress");
    p += used;
    n -= used;
  }
}

/* One idle gap: results until SM_NEED_MORE, each checked like a feed
 * result; the last may count one partial drop. A second gap right after
 * finds nothing and changes nothing. */
static void idle(run *r) {
  size_t calls = 0;
  sm_status st;
  do {
    const sm_telegram *t = (const sm_telegram *)&calls; /* must be reset */
    st = sm_decoder_idle(r->d, &t);
    FZ_CHECK(++calls < MAX_IDLE_CALLS, "idle() makes no progress");
    check_result(r, st, t, st == SM_NEED_MORE);
  } while (st != SM_NEED_MORE);
  const sm_telegram *t = (const sm_telegram *)&calls;
  FZ_CHECK(sm_decoder_idle(r->d, &t) == SM_NEED_MORE && !t,
           "second idle() found something");
  sm_stats s;
  sm_decoder_stats(r->d, &s);
  FZ_CHECK(!memcmp(&s, &r->prev, sizeof s), "second idle() changed counters");
}

static void configure(sm_options *o, const uint8_t hdr[HDR]) {
  static const sm_input inputs[8] = {
      SM_INPUT_AUTO, SM_INPUT_MBUS, SM_INPUT_APDU, SM_INPUT_HDLC,
      SM_INPUT_DSMR, SM_INPUT_AUTO, SM_INPUT_AUTO, SM_INPUT_AUTO};
  memset(o, 0, sizeof *o);
  unsigned key = hdr[0] & 0x1F;
  unsigned auth = hdr[1] & 0x07;
  o->input = inputs[hdr[0] >> 5];
  o->has_key = key < FZ_N_KEYS;
  if (o->has_key)
    memcpy(o->key, fz_keys[key], SM_KEY_LEN);
  o->has_auth_key = auth >= 1 && auth <= FZ_N_AUTH_KEYS;
  if (o->has_auth_key)
    memcpy(o->auth_key, fz_auth_keys[auth - 1], SM_KEY_LEN);
  o->supplier = (hdr[1] & 0x40) ? "KSMWest" : NULL;
}

/* API misuse is refused, and changes nothing. */
static void misuse(run *r) {
  size_t used;
  const sm_telegram *t;
  uint8_t byte = 0x68;
  FZ_CHECK(sm_decoder_feed(NULL, &byte, 1, &used, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r->d, NULL, 1, &used, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r->d, &byte, 1, NULL, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r->d, &byte, 1, &used, NULL) == SM_ERR_ARG &&
               sm_decoder_idle(NULL, &t) == SM_ERR_ARG &&
               sm_decoder_idle(r->d, NULL) == SM_ERR_ARG,
           "API misuse not refused with SM_ERR_ARG");
  sm_stats s;
  sm_decoder_stats(r->d, &s);
  FZ_CHECK(!memcmp(&s, &r->prev, sizeof s), "API misuse changed counters");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t hdr[HDR] = {0};
  memcpy(hdr, data, size < HDR ? size : HDR);
  const uint8_t *p = size > HDR ? data + HDR : NULL;
  size_t n = size > HDR ? size - HDR : 0;
  bool idle_on = (hdr[1] & 0x80) != 0;

  sm_options o;
  configure(&o, hdr);
  run r;
  memset(&r, 0, sizeof r);
  sm_status err = SM_TELEGRAM;
  r.d = sm_decoder_new(&o, &err);
  FZ_CHECK(r.d != NULL && err == SM_NEED_MORE, "sm_decoder_new failed");
  r.input = o.input;
  r.has_key = o.has_key;
  r.has_auth_key = o.has_auth_key;
  r.untagged_ok = fz_untagged_accepted_with_auth_key();
  r.last_framing = SM_INPUT_AUTO;

  for (size_t i = 0; n > 0; i++) {
    uint8_t plan = hdr[2 + i % 4];
    size_t k = plan & 0x7F;
    if (k == 0 || k > n)
      k = n;
    feed(&r, p, k);
    p += k;
    n -= k;
    if (idle_on && (plan & 0x80))
      idle(&r);
  }
  feed(&r, NULL, 0); /* drain */
  idle(&r);
  feed(&r, NULL, 0);
  misuse(&r);
  sm_decoder_forget_counters(r.d);
  sm_decoder_free(r.d);
  return 0;
}
