/* fuzz_stream.c - libFuzzer target: a whole byte stream -> readings through
 * sm_decoder_feed(), as the CLI and the plugin drive it.
 *
 * Input layout (see tests/fuzz/README.md):
 *   byte 0    configuration
 *               bits 0-3  key: index into fz_keys (the captures' keys);
 *                         >= FZ_N_KEYS means "no key configured"
 *               bits 4-5  input: 0 AUTO, 1 MBUS, 2 APDU, 3 MBUS
 *               bit  6    an authentication key is configured
 *               bit  7    chunks marked in the plan are followed by
 *                         sm_decoder_idle()
 *   bytes 1-4 chunk plan, used round robin: low 7 bits = chunk size
 *             (0 = all the rest), bit 7 = idle after the chunk (if enabled)
 *   bytes 5-  the byte stream (missing header bytes count as 0)
 *
 * Checked on every call: the status is a known one, *consumed <= len, the
 * telegram pointer is set exactly for SM_TELEGRAM, SM_NEED_MORE takes all
 * input, the counters move by exactly the returned status and never back,
 * a call that takes nothing is followed by progress within a bound (no
 * livelock), every telegram passes fz_check_telegram() (sizes, NUL
 * termination, formatters), no encrypted telegram without a key, a tagged
 * telegram is authenticated whenever an auth key is configured, and frame
 * counters per system title only go up (except through a counted restart).
 * NULL arguments are refused with SM_ERR_ARG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_names.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 5
/* Results a decoder may report without taking a byte: every error drops at
 * least one buffered byte, and at most SM_MAX_APDU + the link buffer are
 * buffered. */
#define MAX_IDLE_CALLS (2 * (SM_MAX_APDU + 2 * 264) + 64)

typedef struct title_seen {
  uint8_t title[8];
  uint32_t last;
} title_seen;

typedef struct run {
  sm_decoder *d;
  bool has_key, has_auth_key;
  bool untagged_ok; /* decoder policy: see fz_untagged_accepted_... */
  uint64_t fed; /* bytes taken so far */
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

static void check_stats(run *r, sm_status st) {
  sm_stats s;
  sm_decoder_stats(r->d, &s);
  const sm_stats *p = &r->prev;
  FZ_CHECK(s.bytes == r->fed, "stats.bytes != bytes taken");
  FZ_CHECK(s.bytes_discarded >= p->bytes_discarded &&
               s.frames >= p->frames && s.partial_drops == p->partial_drops,
           "counter went back or moved without cause");
  FZ_CHECK(s.bytes_discarded <= s.bytes, "discarded more than fed");
  FZ_CHECK(s.telegrams - p->telegrams == (st == SM_TELEGRAM),
           "telegrams counter != SM_TELEGRAM results");
  FZ_CHECK(s.checksum_errors - p->checksum_errors ==
               (st == SM_ERR_CHECKSUM || st == SM_ERR_STOP_BYTE),
           "checksum_errors counter");
  FZ_CHECK(s.segment_errors - p->segment_errors ==
               (st == SM_ERR_SEGMENT || st == SM_ERR_TOO_LONG),
           "segment_errors counter");
  FZ_CHECK(s.decrypt_errors - p->decrypt_errors ==
               (st == SM_ERR_KEY_WRONG || st == SM_ERR_NO_KEY),
           "decrypt_errors counter");
  FZ_CHECK(s.tag_errors - p->tag_errors == (st == SM_ERR_TAG),
           "tag_errors counter");
  FZ_CHECK(s.replays - p->replays == (st == SM_ERR_REPLAY), "replays counter");
  FZ_CHECK(s.format_errors - p->format_errors ==
               (st == SM_ERR_AXDR || st == SM_ERR_UNSUPPORTED ||
                st == SM_ERR_APDU_LENGTH || st == SM_ERR_CRYPTO),
           "format_errors counter");
  FZ_CHECK(s.counter_resets - p->counter_resets <= (st == SM_TELEGRAM),
           "counter reset without a telegram");
  FZ_CHECK(s.telegrams <= s.frames, "more telegrams than frames");
  FZ_CHECK(st != SM_ERR_NO_KEY || !r->has_key, "NO_KEY with a key");
  FZ_CHECK(st != SM_ERR_TAG || r->has_auth_key, "TAG error without auth key");
  r->prev = s;
}

/* Frame counters only go up per system title, except through a restart the
 * decoder counts. With more titles than it remembers, it may forget one. */
static void check_counter(run *r, const sm_telegram *t, bool restarted) {
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
  fz_check_telegram(t);
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

static void feed(run *r, const uint8_t *p, size_t n) {
  size_t idle_calls = 0;
  for (;;) {
    size_t used = (size_t)-1;
    const sm_telegram *t = (const sm_telegram *)&used; /* must be reset */
    uint64_t resets = r->prev.counter_resets;
    sm_status st = sm_decoder_feed(r->d, p, n, &used, &t);
    fz_check_status(st);
    FZ_CHECK(used <= n, "consumed > len");
    FZ_CHECK(st != SM_ERR_ARG && st != SM_ERR_NOMEM, "ARG/NOMEM from feed");
    FZ_CHECK((st == SM_TELEGRAM) == (t != NULL),
             "telegram pointer set without SM_TELEGRAM (or missing)");
    r->fed += used;
    check_stats(r, st);
    if (st == SM_TELEGRAM)
      check_telegram(r, t, r->prev.counter_resets != resets);
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

/* One idle gap: results until SM_NEED_MORE (each checked like a feed
 * result), at most one partial drop; a second gap finds nothing. */
static void idle(run *r) {
  size_t calls = 0;
  sm_status st;
  do {
    const sm_telegram *t = (const sm_telegram *)&calls; /* must be reset */
    uint64_t resets = r->prev.counter_resets;
    st = sm_decoder_idle(r->d, &t);
    fz_check_status(st);
    FZ_CHECK(++calls < MAX_IDLE_CALLS + 4 * SM_MAX_APDU,
             "idle() makes no progress");
    FZ_CHECK((st == SM_TELEGRAM) == (t != NULL),
             "telegram pointer set without SM_TELEGRAM (or missing)");
    if (st != SM_NEED_MORE) {
      check_stats(r, st);
      if (st == SM_TELEGRAM)
        check_telegram(r, t, r->prev.counter_resets != resets);
    }
  } while (st != SM_NEED_MORE);
  sm_stats s;
  sm_decoder_stats(r->d, &s);
  FZ_CHECK(s.partial_drops - r->prev.partial_drops <= 1,
           "one gap dropped twice");
  const sm_telegram *t = NULL;
  FZ_CHECK(sm_decoder_idle(r->d, &t) == SM_NEED_MORE && !t,
           "second idle() found something");
  sm_decoder_stats(r->d, &s);
  FZ_CHECK(s.partial_drops == r->prev.partial_drops ||
               s.partial_drops == r->prev.partial_drops + 1,
           "second idle() dropped something");
  r->prev = s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t hdr[HDR] = {0};
  memcpy(hdr, data, size < HDR ? size : HDR);
  const uint8_t *p = size > HDR ? data + HDR : NULL;
  size_t n = size > HDR ? size - HDR : 0;

  static const sm_input inputs[4] = {SM_INPUT_AUTO, SM_INPUT_MBUS,
                                     SM_INPUT_APDU, SM_INPUT_MBUS};
  sm_options o;
  memset(&o, 0, sizeof o);
  unsigned key = hdr[0] & 0x0F;
  o.input = inputs[(hdr[0] >> 4) & 3];
  o.has_key = key < FZ_N_KEYS;
  if (o.has_key)
    memcpy(o.key, fz_keys[key], SM_KEY_LEN);
  o.has_auth_key = (hdr[0] & 0x40) != 0;
  if (o.has_auth_key)
    memcpy(o.auth_key, fz_auth_key, SM_KEY_LEN);
  o.supplier = (hdr[0] & 0x80) ? "KSMWest" : NULL;
  bool idle_on = (hdr[0] & 0x80) != 0;

  run r;
  memset(&r, 0, sizeof r);
  sm_status err = SM_TELEGRAM;
  r.d = sm_decoder_new(&o, &err);
  FZ_CHECK(r.d != NULL && err == SM_NEED_MORE, "sm_decoder_new failed");
  r.has_key = o.has_key;
  r.has_auth_key = o.has_auth_key;
  r.untagged_ok = fz_untagged_accepted_with_auth_key();

  for (size_t i = 0; n > 0; i++) {
    uint8_t plan = hdr[1 + i % 4];
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

  /* API misuse is refused, and changes nothing. */
  size_t used;
  const sm_telegram *t;
  uint8_t byte = 0x68;
  FZ_CHECK(sm_decoder_feed(NULL, &byte, 1, &used, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r.d, NULL, 1, &used, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r.d, &byte, 1, NULL, &t) == SM_ERR_ARG &&
               sm_decoder_feed(r.d, &byte, 1, &used, NULL) == SM_ERR_ARG,
           "API misuse not refused with SM_ERR_ARG");
  check_stats(&r, SM_NEED_MORE);
  sm_decoder_forget_counters(r.d);
  sm_decoder_free(r.d);
  return 0;
}
