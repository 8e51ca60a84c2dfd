/* fuzz_telegram.c - libFuzzer target, structure-aware: the fuzzer writes
 * plaintexts and their envelope; the harness seals them (AES-128-GCM with
 * a valid tag where the SC asks for one), frames them as M-Bus segments or
 * bare APDUs, feeds the stream in fuzzer-chosen chunks and compares what
 * the decoder delivers with sm_axdr_notification() run on each plaintext.
 *
 * Random bytes almost never survive decryption; this target gets past the
 * cipher on every input, so the walker, the counter/replay guard (up to 16
 * system titles: more than the 8 remembered), tag checking and segment
 * reassembly run on arbitrary content.
 *
 * Input layout:
 *   byte 0    bits 0-1 auth key: 0 none, 1 right, 2 wrong, 3 right
 *             bit 2    framing: 0 M-Bus long frames, 1 bare APDUs
 *             bits 4-7 key (index into fz_keys, modulo FZ_N_KEYS)
 *   bytes 1-4 chunk plan, round robin: chunk size (0 = all the rest)
 *   records   ctrl, fcd, seg, len (2 bytes, big endian), plaintext
 *             ctrl bits 0-2: 0 unencrypted 0F APDU, else SC from
 *                            {20 21 30 31 30 20 21}
 *             ctrl bits 3-6: system title index (16 titles)
 *             fcd: frame counter step from the title's previous one:
 *                  0..127 forward (0 = same), 128..255 back 1..128
 *             seg: M-Bus data bytes per frame (0 = 250)
 *
 * Oracle, in stream order: every delivered telegram is one of the records
 * (same readings as the direct parse, same title/counter/SC/tag flags), no
 * record whose plaintext parses, whose counter is new for its title and
 * whose envelope is valid (<= 16 frames, <= SM_MAX_APDU, right auth key) is
 * lost, no record is delivered twice or out of order, a record is never
 * delivered before its last byte was fed, and nothing sealed for a wrong
 * auth key is ever delivered (nor, if the decoder refuses them, anything
 * untagged while an auth key is set). A bare-APDU decoder may resync
 * inside a rejected APDU and find APDU-like bytes there, so in that
 * framing the oracle stops at the first rejected record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64
#define MAX_PLAIN 4200 /* a little over SM_MAX_APDU: too long is tested too */
#define N_TITLES 16
#define FC_BASE 100000u

enum auth_mode { AUTH_NONE, AUTH_RIGHT, AUTH_WRONG };

typedef struct record {
  const uint8_t *plain;
  size_t len;
  bool encrypted;
  uint8_t sc;
  unsigned title;
  uint32_t fc;
  size_t frames, apdu_len;
  size_t start, end; /* its stream offsets: first byte, one past last */
  sm_status direct;
} record;

typedef struct oracle {
  record rec[MAX_RECORDS];
  size_t n_rec, next;
  bool apdu_framing;
  enum auth_mode auth;
  bool untagged_ok; /* decoder policy: see fz_untagged_accepted_... */
  bool poisoned; /* bare APDUs: a record was rejected */
  bool delivered_title[N_TITLES];
  uint32_t last_fc[N_TITLES];
  size_t n_titles_delivered;
  uint64_t fed;
  uint64_t resets;
  sm_decoder *d;
} oracle;

static sm_telegram expect;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (sm_crypto_init() != SM_NEED_MORE)
    fz_fail("sm_crypto_init failed");
  fprintf(stderr, "fuzz_telegram: untagged telegrams with an auth key: %s\n",
          fz_untagged_accepted_with_auth_key() ? "accepted" : "refused");
  return 0;
}

static void make_title(unsigned i, uint8_t title[8]) {
  static const uint8_t base[8] = {'K', 'F', 'M', 0x10, 0x20, 0x00, 0x00, 0x00};
  memcpy(title, base, 8);
  title[7] = (uint8_t)i;
}

static sm_status direct_parse(const record *r, sm_telegram *t, size_t *used) {
  char detail[SM_DETAIL_MAX];
  memset(t, 0, sizeof *t);
  return sm_axdr_notification(r->plain, r->len, false, t, used, detail,
                              sizeof detail);
}

/* Could the decoder deliver r at all? (A replayed counter still can,
 * through a restart.) */
static bool possible(const oracle *o, const record *r) {
  if (r->direct != SM_TELEGRAM)
    return false;
  if (r->apdu_len > SM_MAX_APDU || (!o->apdu_framing && r->frames > 16))
    return false;
  if (r->encrypted && !(r->sc & 0x10) && o->auth != AUTH_NONE)
    return o->untagged_ok;
  return !(r->encrypted && (r->sc & 0x10) && o->auth == AUTH_WRONG);
}

/* Would the decoder have to deliver r, given what it delivered so far? */
static bool must_deliver(const oracle *o, const record *r) {
  if (o->poisoned || !possible(o, r))
    return false;
  if (!r->encrypted)
    return true;
  return !o->delivered_title[r->title] || r->fc > o->last_fc[r->title];
}

static bool matches(const oracle *o, const record *r, const sm_telegram *t) {
  if (!possible(o, r) || t->encrypted != r->encrypted)
    return false;
  if (r->encrypted) {
    uint8_t title[8];
    make_title(r->title, title);
    if (t->security != r->sc || t->frame_counter != r->fc ||
        memcmp(t->system_title, title, 8))
      return false;
  }
  size_t used;
  if (direct_parse(r, &expect, &used) != SM_TELEGRAM)
    return false;
  return fz_same_content(t, &expect);
}

static void skip_record(oracle *o, record *r) {
  FZ_CHECK(!must_deliver(o, r), "telegram lost");
  if (o->apdu_framing)
    o->poisoned = true;
}

static void delivered(oracle *o, const sm_telegram *t, bool restarted) {
  fz_check_telegram(t);
  while (o->next < o->n_rec) {
    record *r = &o->rec[o->next];
    if (r->end > o->fed) {
      /* Not from r: its last byte has not been fed. From bytes inside r,
       * then: only a bare-APDU decoder resyncing after rejecting r may
       * find APDU-like bytes there. */
      FZ_CHECK(o->apdu_framing && !must_deliver(o, r),
               "telegram delivered from inside an unfinished record");
      o->poisoned = true;
      return;
    }
    o->next++;
    if (!matches(o, r, t)) {
      skip_record(o, r);
      continue;
    }
    if (r->encrypted) {
      bool tagged = (r->sc & 0x10) != 0;
      FZ_CHECK(!(tagged && o->auth == AUTH_WRONG),
               "telegram sealed for another auth key delivered");
      FZ_CHECK(t->authenticated == (tagged && o->auth == AUTH_RIGHT),
               "authenticated flag wrong");
      FZ_CHECK(t->tag_unchecked == (tagged && o->auth == AUTH_NONE),
               "tag_unchecked flag wrong");
      bool fresh = !o->delivered_title[r->title] ||
                   r->fc > o->last_fc[r->title];
      FZ_CHECK(fresh || restarted || o->n_titles_delivered > SM_MAX_TITLES,
               "old frame counter delivered without a counted restart");
      if (!o->delivered_title[r->title])
        o->n_titles_delivered++;
      o->delivered_title[r->title] = true;
      o->last_fc[r->title] = r->fc;
    }
    return;
  }
  if (!o->poisoned)
    fz_fail("telegram delivered that matches no record in order");
}

static void feed(oracle *o, const uint8_t *p, size_t n) {
  size_t idle_calls = 0;
  for (;;) {
    size_t used = 0;
    const sm_telegram *t = NULL;
    sm_status st = sm_decoder_feed(o->d, p, n, &used, &t);
    fz_check_status(st);
    FZ_CHECK(used <= n, "consumed > len");
    FZ_CHECK((st == SM_TELEGRAM) == (t != NULL), "telegram pointer");
    o->fed += used;
    sm_stats s;
    sm_decoder_stats(o->d, &s);
    bool restarted = s.counter_resets != o->resets;
    o->resets = s.counter_resets;
    if (st == SM_TELEGRAM)
      delivered(o, t, restarted);
    if (st == SM_NEED_MORE) {
      FZ_CHECK(used == n, "SM_NEED_MORE left input untaken");
      return;
    }
    idle_calls = used ? 0 : idle_calls + 1;
    FZ_CHECK(idle_calls < 2 * SM_MAX_APDU + 1024, "feed makes no progress");
    p += used;
    n -= used;
  }
}

/* Parse records from the input and build the byte stream. */
static size_t build(oracle *o, const uint8_t *p, size_t n, unsigned key,
                    uint8_t *stream, size_t cap) {
  static const uint8_t scs[8] = {0, 0x20, 0x21, 0x30, 0x31, 0x30, 0x20, 0x21};
  static uint8_t apdu[MAX_PLAIN + 64];
  static uint8_t plain0[MAX_RECORDS][MAX_PLAIN];
  bool title_used[N_TITLES] = {false};
  uint32_t title_fc[N_TITLES];
  size_t out = 0;
  while (n >= 5 && o->n_rec < MAX_RECORDS) {
    record *r = &o->rec[o->n_rec];
    uint8_t ctrl = p[0], fcd = p[1], seg = p[2];
    size_t len = (size_t)p[3] << 8 | p[4];
    p += 5;
    n -= 5;
    if (len > n)
      len = n;
    if (len > MAX_PLAIN)
      len = MAX_PLAIN;
    memset(r, 0, sizeof *r);
    r->sc = scs[ctrl & 7];
    r->encrypted = r->sc != 0;
    r->title = (ctrl >> 3) & (N_TITLES - 1);
    /* An unencrypted record is its own APDU: make it start like one. */
    uint8_t *pl = plain0[o->n_rec];
    memcpy(pl, p, len);
    if (!r->encrypted) {
      if (len == 0)
        len = 1;
      pl[0] = 0x0F;
    }
    r->plain = pl;
    r->len = len;
    p += len < n ? len : n;
    n -= len < n ? len : n;
    size_t used = 0;
    r->direct = direct_parse(r, &expect, &used);
    if (!r->encrypted && o->apdu_framing && r->direct == SM_TELEGRAM)
      r->len = used; /* back to back: the next APDU follows at once */

    size_t alen;
    if (r->encrypted) {
      uint32_t prev = title_used[r->title] ? title_fc[r->title] : FC_BASE;
      r->fc = fcd < 128 ? prev + fcd : prev - (uint32_t)(fcd - 127);
      title_used[r->title] = true;
      title_fc[r->title] = r->fc;
      fz_seal s;
      make_title(r->title, s.system_title);
      s.sc = r->sc;
      s.fc = r->fc;
      s.key = fz_keys[key];
      s.auth_key = fz_auth_key;
      alen = fz_seal_apdu(&s, r->plain, r->len, apdu, sizeof apdu);
      FZ_CHECK(alen > 0, "seal failed");
    } else {
      memcpy(apdu, r->plain, r->len);
      alen = r->len;
    }
    r->apdu_len = alen;
    size_t k;
    if (o->apdu_framing) {
      FZ_CHECK(out + alen <= cap, "stream buffer");
      memcpy(stream + out, apdu, alen);
      k = alen;
    } else {
      k = fz_mbus_wrap(apdu, alen, seg, 16, stream + out, cap - out,
                       &r->frames);
      FZ_CHECK(k > 0, "stream buffer");
    }
    r->start = out;
    out += k;
    r->end = out;
    o->n_rec++;
  }
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 5)
    return 0;
  static oracle o;
  memset(&o, 0, sizeof o);
  uint8_t cfg = data[0];
  unsigned key = (cfg >> 4) % FZ_N_KEYS;
  static const enum auth_mode auths[4] = {AUTH_NONE, AUTH_RIGHT, AUTH_WRONG,
                                          AUTH_RIGHT};
  o.auth = auths[cfg & 3];
  o.apdu_framing = (cfg & 4) != 0;
  o.untagged_ok = fz_untagged_accepted_with_auth_key();

  /* Each plaintext byte becomes at most 12 stream bytes (1-byte frames). */
  size_t cap = 12 * size + 64 * MAX_RECORDS + 64;
  uint8_t *stream = malloc(cap);
  FZ_CHECK(stream != NULL, "malloc");
  size_t len = build(&o, data + 5, size - 5, key, stream, cap);

  sm_options opt;
  memset(&opt, 0, sizeof opt);
  opt.input = o.apdu_framing ? SM_INPUT_APDU : SM_INPUT_MBUS;
  opt.has_key = true;
  memcpy(opt.key, fz_keys[key], SM_KEY_LEN);
  opt.has_auth_key = o.auth != AUTH_NONE;
  memcpy(opt.auth_key,
         o.auth == AUTH_WRONG ? fz_auth_key_wrong : fz_auth_key, SM_KEY_LEN);
  sm_status err;
  o.d = sm_decoder_new(&opt, &err);
  FZ_CHECK(o.d != NULL, "sm_decoder_new failed");

  const uint8_t *p = stream;
  size_t n = len;
  for (size_t i = 0; n > 0; i++) {
    size_t k = data[1 + i % 4];
    if (k == 0 || k > n)
      k = n;
    feed(&o, p, k);
    p += k;
    n -= k;
  }
  feed(&o, NULL, 0);
  /* Whatever is left was not delivered: none of it may be owed. An
   * unencrypted APDU has no length field: in bare-APDU framing the decoder
   * parses one only once 20 bytes (the longest header) are buffered from
   * its start, so one that begins less than 20 bytes before the end of the
   * stream - and everything behind it - may still be waiting. */
  for (; o.next < o.n_rec; o.next++) {
    record *r = &o.rec[o.next];
    if (o.apdu_framing && len - r->start < 20)
      break;
    skip_record(&o, r);
  }
  sm_decoder_free(o.d);
  free(stream);
  return 0;
}
