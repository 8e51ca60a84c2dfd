/* SPDX-License-Identifier: MIT */
/* fuzz_telegram.c - libFuzzer target, structure-aware: the fuzzer writes
 * plaintexts and their envelope; the harness seals them (AES-128-GCM with
 * a valid tag where the SC asks for one), wraps them (General Block
 * Transfer, M-Bus segments, HDLC frames with S-bit segmentation, bare
 * APDUs or DSMR text), feeds the stream in fuzzer-chosen chunks with idle
 * gaps, and compares what the decoder delivers with sm_axdr_notification()
 * or sm_dsmr_parse() run on each plaintext.
 *
 * Random bytes almost never survive decryption, a frame check or a DSMR
 * CRC; this target gets past all of them on every input, so the walker,
 * the layouts, the DSMR parser, the counter/replay guard (up to 16 system
 * titles: more than the 8 remembered), tag checking, segment and block
 * reassembly run on arbitrary content.
 *
 * Input layout:
 *   byte 0    bits 0-1 auth key: 0 none, 1 right, 2 wrong, 3 right
 *             bits 2-3 framing: 0 M-Bus long frames, 1 bare APDUs,
 *                      2 HDLC, 3 DSMR text (every record plain DSMR)
 *             bit 4    configure Framing auto instead (not with bare APDUs:
 *                      auto does not take an unencrypted 0F)
 *             bits 5-7 key (index into fz_keys)
 *   bytes 1-4 chunk plan, round robin: bits 0-6 chunk size (0 = all the
 *             rest), bit 7 an idle gap (sm_decoder_idle) after the chunk
 *   records   ctrl, opts, fcd, seg, len (2 bytes, big endian), data
 *             ctrl bits 0-2: 0 unencrypted, else SC from
 *                            {20 21 30 31 30 20 21}
 *             ctrl bits 3-6: system title index (16 titles)
 *             opts bit 0:    the plaintext is DSMR text: data with '/'
 *                            first, made text, then "!" CRC CR LF
 *             opts bit 1:    General-Block-Transfer envelope (M-Bus, HDLC):
 *                            one block per frame, numbered from 1
 *             opts bit 2:    seg counts 8-byte units (HDLC, blocks)
 *             opts bits 3-4: HDLC address set (frm_hdlc_frame)
 *             opts bit 5:    DSMR CRC in lower-case hex
 *             fcd: frame counter step from the title's previous one:
 *                  0..127 forward (0 = same), 128..255 back 1..128
 *             seg: data bytes per frame or block (0 = the most)
 *             An unencrypted plaintext that is not DSMR starts 0F.
 *
 * Oracle, in stream order: every delivered telegram is one of the records
 * (same readings as the direct parse, same framing, title, counter, SC and
 * tag flags), no record whose plaintext parses, whose counter is new for
 * its title and whose envelope is valid (<= 16 M-Bus frames, <=
 * SM_MAX_APDU, right auth key) is lost, none is delivered twice or out of
 * order, none before its last byte was fed, and nothing sealed for a wrong
 * auth key is ever delivered (nor, if the decoder refuses them, anything
 * untagged while an auth key is set).
 *
 * What the oracle cannot demand, and why:
 *  - a record an idle gap cut is not owed; the rest of it may still decode
 *    as one APDU (an HDLC frame without LLC starts one, as the E450 sends
 *    them; Framing auto may find the bare APDU in an M-Bus frame's rest),
 *    so one telegram from its remains is accepted, and so for an HDLC
 *    APDU too long to join;
 *  - an intact frame inside a record (found by an independent model of
 *    the checked framings) may be delivered before the record completes:
 *    from such a record on the oracle only checks what it gets;
 *  - bare APDUs have no check: a decoder resyncing inside one its link
 *    refuses (an unencrypted one that does not parse, one too long) or an
 *    idle gap cut may find APDU-like bytes, so in that framing the same
 *    holds from such a record on.
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
#define DSMR_EXTRA 16  /* CR LF ! CRC CR LF added to DSMR text */
#define REC_HDR 6
#define N_TITLES 16
#define FC_BASE 100000u
#define MBUS_DATA 250
#define GBT_HDR_MAX 9 /* E0 ctrl number(2) ack(2) 82 len(2) */

enum auth_mode { AUTH_NONE, AUTH_RIGHT, AUTH_WRONG };
enum framing { FR_MBUS, FR_APDU, FR_HDLC, FR_DSMR };

enum opts {
  OPT_DSMR = 0x01,
  OPT_GBT = 0x02,
  OPT_SEG8 = 0x04,
  OPT_ADDR = 0x18,
  OPT_LOWER = 0x20,
};

typedef struct record {
  const uint8_t *plain;
  size_t len;
  bool encrypted, dsmr, gbt;
  uint8_t sc;
  unsigned title;
  uint32_t fc;
  size_t frames;     /* M-Bus frames the APDU needs */
  size_t apdu_len;   /* the APDU the decoder joins */
  size_t start, end; /* its stream offsets: first byte, one past last */
  bool cut;          /* an idle gap fell inside it, or too long to join */
  uint64_t cut_at;   /* where that gap was */
  int remains;       /* telegrams its remains may still give */
  bool tainted;      /* an intact frame starts inside it */
  bool resync;       /* bare APDUs: the decoder may resync inside it */
  sm_status direct;
} record;

typedef struct oracle {
  record rec[MAX_RECORDS];
  size_t n_rec, next;
  enum framing framing;
  bool auto_input;
  sm_input expect_framing;
  enum auth_mode auth;
  bool untagged_ok; /* decoder policy: see fz_untagged_accepted_... */
  bool poisoned;    /* the oracle only checks what it gets from here */
  bool any_cut;
  bool delivered_title[N_TITLES];
  uint32_t last_fc[N_TITLES];
  /* The decoder took a restart of this title's counter (a mutated meter
   * time made a duplicate look newer): from then on it refuses a higher
   * counter whose meter time is older than the restart's (sm_decoder.h,
   * "Frame counters"), which the oracle does not model. */
  bool restart_seen[N_TITLES];
  size_t n_titles_delivered;
  uint64_t fed;
  uint64_t resets;
  sm_decoder *d;
  const uint8_t *stream;
  size_t stream_len;
} oracle;

static sm_telegram expect;

/* FUZZ_DEBUG=1: the records and every result on stderr, to read a crash
 * input (tests/fuzz/fuzz_telegram crash-file). */
static bool debug_on(void) {
  static int on = -1;
  if (on < 0)
    on = getenv("FUZZ_DEBUG") != NULL;
  return on;
}

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
  *used = r->len;
  if (r->dsmr)
    return sm_dsmr_parse(r->plain, r->len, t, detail, sizeof detail);
  return sm_axdr_notification(r->plain, r->len, false, t, used, detail,
                              sizeof detail);
}

/* ---- the oracle ---------------------------------------------------------- */

/* Could the decoder deliver r at all? (A replayed counter still can,
 * through a restart.) */
static bool possible(const oracle *o, const record *r) {
  if (r->direct != SM_TELEGRAM || r->apdu_len > SM_MAX_APDU)
    return false;
  if (o->framing == FR_MBUS && !r->gbt && r->frames > 16)
    return false;
  if (r->encrypted && !(r->sc & 0x10) && o->auth != AUTH_NONE)
    return o->untagged_ok;
  return !(r->encrypted && (r->sc & 0x10) && o->auth == AUTH_WRONG);
}

/* Would the decoder have to deliver r, given what it delivered so far? */
static bool must_deliver(const oracle *o, const record *r) {
  if (o->poisoned || r->cut || r->tainted || !possible(o, r))
    return false;
  if (!r->encrypted)
    return true;
  if (o->restart_seen[r->title])
    return false;
  return !o->delivered_title[r->title] || r->fc > o->last_fc[r->title];
}

static bool matches(const oracle *o, const record *r, const sm_telegram *t) {
  if (!possible(o, r) || t->encrypted != r->encrypted || t->dsmr != r->dsmr ||
      t->framing != o->expect_framing)
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

/* The decoder's replay guard moved with t: follow it. */
static void note_counter(oracle *o, const sm_telegram *t) {
  uint8_t title[8];
  make_title(0, title);
  if (!t->encrypted || memcmp(t->system_title, title, 7) ||
      t->system_title[7] >= N_TITLES)
    return;
  unsigned i = t->system_title[7];
  if (!o->delivered_title[i])
    o->n_titles_delivered++;
  o->delivered_title[i] = true;
  o->last_fc[i] = t->frame_counter;
}

/* Passing over r without a telegram from it. */
static void pass_over(oracle *o, const record *r) {
  FZ_CHECK(!must_deliver(o, r), "telegram lost");
  if (r->tainted || r->resync)
    o->poisoned = true;
}

static void accept(oracle *o, size_t i, const sm_telegram *t, bool restarted) {
  for (; o->next < i; o->next++)
    pass_over(o, &o->rec[o->next]);
  const record *r = &o->rec[o->next++];
  if (!r->encrypted)
    return;
  bool tagged = (r->sc & 0x10) != 0;
  FZ_CHECK(!(tagged && o->auth == AUTH_WRONG),
           "telegram sealed for another auth key delivered");
  FZ_CHECK(t->authenticated == (tagged && o->auth == AUTH_RIGHT),
           "authenticated flag wrong");
  FZ_CHECK(t->tag_unchecked == (tagged && o->auth == AUTH_NONE),
           "tag_unchecked flag wrong");
  bool fresh = !o->delivered_title[r->title] || r->fc > o->last_fc[r->title];
  FZ_CHECK(fresh || restarted || o->n_titles_delivered > SM_MAX_TITLES,
           "old frame counter delivered without a counted restart");
  if (restarted)
    o->restart_seen[r->title] = true;
  note_counter(o, t);
}

/* A telegram matched no record it may come from: the remains of a cut
 * record, a tainted record, a rejected bare APDU, or a fault. */
static void unmatched(oracle *o, const sm_telegram *t, record *remains,
                      bool unfinished) {
  note_counter(o, t);
  if (remains) {
    remains->remains--;
    return;
  }
  if (o->poisoned)
    return;
  fz_fail(unfinished ? "telegram delivered from inside an unfinished record"
                     : "telegram delivered that matches no record in order");
}

static void delivered(oracle *o, const sm_telegram *t, bool restarted) {
  fz_check_delivered(t);
  record *remains = NULL;
  bool unfinished = false;
  for (size_t i = o->next; i < o->n_rec; i++) {
    record *r = &o->rec[i];
    unfinished = r->end > o->fed;
    /* A cut record comes whole only from the gap itself (DSMR text that
     * ends there, before its CR LF); later, only its remains can. */
    bool whole = r->cut ? o->fed == r->cut_at : !unfinished;
    if (whole && matches(o, r, t)) {
      accept(o, i, t, restarted);
      return;
    }
    if (r->remains > 0 && !remains)
      remains = r;
    if (r->tainted || r->resync)
      o->poisoned = true;
    if (unfinished || must_deliver(o, r))
      break;
  }
  unmatched(o, t, remains, unfinished);
}

static void debug_result(const oracle *o, sm_status st, const sm_telegram *t) {
  fprintf(stderr, "fed %llu next %zu: %s", (unsigned long long)o->fed, o->next,
          sm_strerror(st));
  if (t)
    fprintf(stderr, " (framing %s%s, %zu values, fc %u, title %u)",
            sm_input_name(t->framing), t->dsmr ? ", dsmr" : "", t->n_values,
            (unsigned)t->frame_counter, t->system_title[7]);
  fprintf(stderr, "\n");
}

static void result(oracle *o, sm_status st, const sm_telegram *t) {
  if (debug_on() && st != SM_NEED_MORE)
    debug_result(o, st, t);
  fz_check_status(st);
  FZ_CHECK((st == SM_TELEGRAM) == (t != NULL), "telegram pointer");
  sm_stats s;
  sm_decoder_stats(o->d, &s);
  bool restarted = s.counter_resets != o->resets;
  o->resets = s.counter_resets;
  if (st == SM_TELEGRAM)
    delivered(o, t, restarted);
}

static void feed(oracle *o, const uint8_t *p, size_t n) {
  size_t idle_calls = 0;
  for (;;) {
    size_t used = 0;
    const sm_telegram *t = NULL;
    sm_status st = sm_decoder_feed(o->d, p, n, &used, &t);
    FZ_CHECK(used <= n, "consumed > len");
    o->fed += used;
    result(o, st, t);
    if (st == SM_NEED_MORE) {
      FZ_CHECK(used == n, "SM_NEED_MORE left input untaken");
      return;
    }
    idle_calls = used ? 0 : idle_calls + 1;
    FZ_CHECK(idle_calls < 2 * SM_LINK_BUF + 64, "feed makes no progress");
    p += used;
    n -= used;
  }
}

static bool glo_plausible(const uint8_t *p, size_t n, size_t *total);

/* After a gap the decoder meets the rest of the cut record as noise; in
 * Framing auto the bare-APDU row believes a plausible general-glo header
 * there, unchecked, and takes what it claims - past the record's end, the
 * start of the next frame too. */
static bool remains_swallow(const oracle *o, const record *r,
                            const uint8_t *stream) {
  size_t total;
  if (!o->auto_input)
    return false;
  for (size_t i = o->fed; i < r->end; i++)
    if (glo_plausible(stream + i, o->stream_len - i, &total) &&
        i + total > r->end)
      return true;
  return false;
}

/* An idle gap: whatever is complete comes out now; a record it cuts is no
 * longer owed. Everything complete must be resolved afterwards. */
static void gap(oracle *o) {
  if (debug_on())
    fprintf(stderr, "idle gap at %llu\n", (unsigned long long)o->fed);
  for (size_t i = o->next; i < o->n_rec; i++) {
    record *r = &o->rec[i];
    if (r->start < o->fed && o->fed < r->end) {
      r->cut = true;
      r->cut_at = o->fed;
      r->remains = 1;
      r->resync = o->framing == FR_APDU;
      o->any_cut = true;
      if (remains_swallow(o, r, o->stream))
        o->poisoned = true;
    }
  }
  size_t calls = 0;
  sm_status st;
  do {
    const sm_telegram *t = NULL;
    st = sm_decoder_idle(o->d, &t);
    result(o, st, t);
    FZ_CHECK(++calls < 2 * SM_LINK_BUF + 64, "idle makes no progress");
  } while (st != SM_NEED_MORE);
  for (; o->next < o->n_rec && o->rec[o->next].end <= o->fed; o->next++)
    pass_over(o, &o->rec[o->next]);
}

/* ---- an independent model of "an intact frame starts here" --------------
 * Used to find records with a frame inside (tainted). Written from the
 * specs, not from decoder/: should the decoder believe a frame the model
 * does not, the oracle sees a telegram it did not expect. */

static bool mbus_intact(const uint8_t *p, size_t n) {
  if (n < 10 || p[0] != 0x68 || p[1] != p[2] || p[3] != 0x68)
    return false;
  /* L < 3 is the T210-D's 257+ byte frame with an 8-bit length. */
  size_t len = p[1] < 3 ? p[1] + 256u : p[1];
  if (len + 6 > n || len <= 5 || p[len + 5] != 0x16 || p[6] > 0x1F)
    return false;
  uint8_t sum = 0;
  for (size_t i = 4; i < 4 + len; i++)
    sum = (uint8_t)(sum + p[i]);
  return sum == p[4 + len];
}

static size_t hdlc_addr_len(const uint8_t *p) {
  for (size_t i = 0; i < 4; i++)
    if (p[i] & 1)
      return i == 2 ? 0 : i + 1; /* 1, 2 or 4 bytes */
  return 0;
}

static bool crc_le(const uint8_t *p, size_t n) {
  uint16_t crc = frm_crc16_x25(p, n);
  return p[n] == (uint8_t)crc && p[n + 1] == (uint8_t)(crc >> 8);
}

static bool hdlc_intact(const uint8_t *p, size_t n) {
  if (n < 3 || p[0] != 0x7E || (p[1] & 0xF0) != 0xA0)
    return false;
  size_t len = ((size_t)p[1] & 7) << 8 | p[2];
  if (len < 9 || len + 2 > n || p[len + 1] != 0x7E)
    return false;
  size_t da = hdlc_addr_len(p + 3);
  size_t sa = da ? hdlc_addr_len(p + 3 + da) : 0;
  size_t hcs = 3 + da + sa + 1;
  /* INFO of at least one byte between HCS and FCS */
  if (!sa || hcs + 4 > len)
    return false;
  return crc_le(p + 1, hcs - 1) && crc_le(p + 1, len - 2);
}

static bool dsmr_text(uint8_t c) {
  return (c >= 0x20 && c <= 0x7E) || c == '\r' || c == '\n' || c == '\t';
}

static int hex_value(uint8_t c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : -1;
}

/* '/' text "\n!" and 4 hex digits of its CRC-16/ARC (the CR LF after it
 * may still be on the way: an idle gap would take it without). */
static bool dsmr_intact(const uint8_t *p, size_t n) {
  if (n == 0 || p[0] != '/')
    return false;
  size_t bang = 0;
  for (size_t i = 1; i < n && i <= SM_MAX_APDU - 5 && !bang; i++) {
    if (p[i] == '!' && p[i - 1] == '\n')
      bang = i;
    else if (!dsmr_text(p[i]))
      return false;
  }
  if (!bang || bang + 4 >= n)
    return false;
  unsigned sent = 0;
  for (size_t k = 1; k <= 4; k++) {
    int d = hex_value(p[bang + k]);
    if (d < 0)
      return false;
    sent = sent << 4 | (unsigned)d;
  }
  return frm_crc16_arc(p, bang + 1) == sent;
}

/* A general-glo-ciphering header Framing auto believes without a check:
 * DB 08, title, a BER length of at most 2 bytes, a body of at least 6
 * bytes within SM_MAX_APDU, an SC of 20/21/30/31. *total: what it claims. */
static bool glo_plausible(const uint8_t *p, size_t n, size_t *total) {
  if (n < 12 || p[0] != 0xDB || p[1] != 0x08)
    return false;
  size_t pos, body;
  if (p[10] < 0x80) {
    body = p[10], pos = 11;
  } else if (p[10] == 0x81) {
    body = p[11], pos = 12;
  } else if (p[10] == 0x82 && n > 13) {
    body = (size_t)p[11] << 8 | p[12], pos = 13;
  } else {
    return false;
  }
  *total = pos + body;
  return body >= 6 && *total <= SM_MAX_APDU && (p[pos] & 0xEE) == 0x20;
}

static bool intact_frame(const oracle *o, const uint8_t *p, size_t n) {
  bool any = o->auto_input;
  return ((any || o->framing == FR_MBUS) && mbus_intact(p, n)) ||
         ((any || o->framing == FR_HDLC) && hdlc_intact(p, n)) ||
         ((any || o->framing == FR_DSMR) && dsmr_intact(p, n));
}

/* starts[i]: the harness put a frame's first byte at stream[i]. */
static void taint(oracle *o, const uint8_t *stream, size_t len,
                  const uint8_t *starts) {
  if (o->framing == FR_APDU)
    return; /* no check: nothing is found inside a frame */
  for (size_t k = 0; k < o->n_rec; k++) {
    record *r = &o->rec[k];
    for (size_t i = r->start; i < r->end && !r->tainted; i++)
      r->tainted = !starts[i] && intact_frame(o, stream + i, len - i);
  }
}

static void debug_records(const oracle *o) {
  for (size_t k = 0; k < o->n_rec; k++) {
    const record *r = &o->rec[k];
    fprintf(stderr,
            "record %zu: [%zu, %zu) %zu plain, apdu %zu, %s%s%s%ssc %02x "
            "title %u fc %u: %s\n",
            k, r->start, r->end, r->len, r->apdu_len, r->dsmr ? "dsmr " : "",
            r->gbt ? "gbt " : "", r->tainted ? "tainted " : "",
            r->cut ? "cut " : "", r->sc, r->title, (unsigned)r->fc,
            sm_strerror(r->direct));
  }
}

/* ---- building the stream ------------------------------------------------- */

typedef struct builder {
  uint8_t *out;
  size_t len, cap;
  uint8_t *starts; /* a byte per stream byte: a frame starts here */
} builder;

/* Frames were appended from offset from: mark where each one starts (the
 * harness's M-Bus and HDLC frames carry their own length). */
static void mark_frames(builder *b, size_t from, enum framing fr) {
  for (size_t i = from; i < b->len;) {
    b->starts[i] = 1;
    if (fr == FR_MBUS)
      i += (size_t)b->out[i + 1] + 6;
    else if (fr == FR_HDLC)
      i += (((size_t)b->out[i + 1] & 7) << 8 | b->out[i + 2]) + 2;
    else
      break; /* one APDU or DSMR telegram per record */
  }
}

static void put_bytes(builder *b, const uint8_t *p, size_t n) {
  FZ_CHECK(b->len + n <= b->cap, "stream buffer");
  memcpy(b->out + b->len, p, n);
  b->len += n;
}

static void put_mbus(builder *b, const uint8_t *apdu, size_t n, size_t seg,
                     size_t *frames) {
  /* 0 and more than MBUS_DATA: full frames (no 8-bit-L quirk frames) */
  size_t k = frm_mbus_wrap_max(b->out + b->len, b->cap - b->len, apdu, n,
                               seg == 0 || seg > MBUS_DATA ? MBUS_DATA : seg,
                               16, frames);
  FZ_CHECK(k > 0, "stream buffer");
  b->len += k;
}

static void put_hdlc(builder *b, const uint8_t *apdu, size_t n, size_t seg,
                     unsigned addr) {
  size_t frames;
  size_t k = frm_hdlc_wrap(b->out + b->len, b->cap - b->len, apdu, n, seg, addr,
                           &frames);
  FZ_CHECK(k > 0, "stream buffer");
  b->len += k;
}

/* The APDU as General-Block-Transfer blocks of seg data bytes, one per
 * frame; in HDLC the LLC only in the first (as the E450 sends them). */
static void put_blocks(builder *b, enum framing fr, const uint8_t *apdu,
                       size_t n, size_t seg, unsigned addr) {
  static uint8_t block[FRM_HDLC_DATA_MAX + GBT_HDR_MAX];
  size_t most =
      fr == FR_MBUS ? MBUS_DATA - GBT_HDR_MAX : FRM_HDLC_DATA_MAX - GBT_HDR_MAX;
  if (seg == 0 || seg > most)
    seg = most;
  uint16_t number = 1;
  for (size_t off = 0; off < n; off += seg, number++) {
    size_t k = n - off < seg ? n - off : seg;
    size_t bn =
        frm_gbt_block(block, sizeof block, off + k == n, number, apdu + off, k);
    size_t frames, w;
    if (fr == FR_MBUS)
      w = frm_mbus_wrap_max(b->out + b->len, b->cap - b->len, block, bn,
                            MBUS_DATA, 1, &frames);
    else
      w = frm_hdlc_frame(b->out + b->len, b->cap - b->len, addr, false,
                         off == 0, block, bn);
    FZ_CHECK(bn > 0 && w > 0, "stream buffer");
    b->len += w;
  }
}

/* DSMR text from fuzzer bytes: text bytes only, and no "\n!" before the
 * end (so the telegram is one frame of exactly the record's length; the
 * parser's grammar is still anyone's). */
static size_t dsmr_plain(const uint8_t *p, size_t n, bool lower, uint8_t *out,
                         size_t cap) {
  static uint8_t text[MAX_PLAIN];
  size_t k = n < MAX_PLAIN ? n : MAX_PLAIN;
  for (size_t i = 0; i < k; i++) {
    uint8_t c = p[i];
    if (!dsmr_text(c))
      c = (uint8_t)(0x20 + c % 95);
    if (c == '!' && i > 0 && text[i - 1] == '\n')
      c = '?';
    text[i] = c;
  }
  size_t len = frm_dsmr_seal(text, k, lower, out, cap);
  FZ_CHECK(len > 0, "dsmr buffer");
  return len;
}

typedef struct rec_in {
  uint8_t ctrl, opts, fcd, seg;
  const uint8_t *data;
  size_t len;
} rec_in;

/* The record's plaintext, and what it is. */
static void make_plain(const oracle *o, record *r, const rec_in *in,
                       uint8_t *pl) {
  static const uint8_t scs[8] = {0, 0x20, 0x21, 0x30, 0x31, 0x30, 0x20, 0x21};
  r->sc = o->framing == FR_DSMR ? 0 : scs[in->ctrl & 7];
  r->encrypted = r->sc != 0;
  r->title = (in->ctrl >> 3) & (N_TITLES - 1);
  /* A bare unencrypted APDU must be 0F; Framing auto would find a plain
   * DSMR telegram inside an M-Bus or HDLC frame (its own check). */
  bool plain_dsmr_ok =
      o->framing == FR_DSMR || (o->framing != FR_APDU && !o->auto_input);
  r->dsmr = o->framing == FR_DSMR ||
            ((in->opts & OPT_DSMR) && (r->encrypted || plain_dsmr_ok));
  if (r->dsmr) {
    r->len = dsmr_plain(in->data, in->len, (in->opts & OPT_LOWER) != 0, pl,
                        MAX_PLAIN + DSMR_EXTRA);
  } else {
    memcpy(pl, in->data, in->len);
    r->len = in->len;
    if (!r->encrypted) {
      if (r->len == 0)
        r->len = 1;
      pl[0] = 0x0F; /* an unencrypted record is its own APDU */
    }
  }
  r->plain = pl;
  size_t used = 0;
  r->direct = direct_parse(r, &expect, &used);
  if (!r->encrypted && o->framing == FR_APDU && r->direct == SM_TELEGRAM)
    r->len = used; /* back to back: the next APDU follows at once */
}

static size_t seal(record *r, unsigned key, uint32_t *title_fc,
                   bool *title_used, uint8_t fcd, uint8_t *apdu, size_t cap) {
  if (!r->encrypted) {
    memcpy(apdu, r->plain, r->len);
    return r->len;
  }
  uint32_t prev = title_used[r->title] ? title_fc[r->title] : FC_BASE;
  r->fc = fcd < 128 ? prev + fcd : prev - (uint32_t)(fcd - 127);
  title_used[r->title] = true;
  title_fc[r->title] = r->fc;
  enc_params s;
  make_title(r->title, s.system_title);
  s.sc = r->sc;
  s.fc = r->fc;
  memcpy(s.key, fz_keys[key % FZ_N_KEYS], SM_KEY_LEN);
  memcpy(s.auth_key, fz_auth_key, SM_KEY_LEN);
  size_t n = enc_seal(&s, r->plain, r->len, apdu, cap);
  FZ_CHECK(n > 0, "seal failed");
  return n;
}

static void wrap(oracle *o, builder *b, record *r, const rec_in *in,
                 const uint8_t *apdu, size_t n) {
  size_t seg = (in->opts & OPT_SEG8) ? (size_t)in->seg * 8 : in->seg;
  unsigned addr = (in->opts & OPT_ADDR) >> 3;
  size_t from = b->len;
  r->gbt =
      (in->opts & OPT_GBT) && (o->framing == FR_MBUS || o->framing == FR_HDLC);
  if (r->gbt)
    put_blocks(b, o->framing, apdu, n, seg, addr);
  else if (o->framing == FR_MBUS)
    put_mbus(b, apdu, n, in->seg, &r->frames);
  else if (o->framing == FR_HDLC)
    put_hdlc(b, apdu, n, seg, addr);
  else
    put_bytes(b, apdu, n);
  mark_frames(b, from, r->gbt && o->framing == FR_MBUS ? FR_MBUS : o->framing);
  /* Bare APDUs: a glo APDU is framed by its length, so only one too long
   * is refused by the link; an unencrypted one is framed by parsing, so
   * one that does not parse may be cut anywhere. Then the decoder steps
   * into it byte by byte. */
  r->resync = o->framing == FR_APDU &&
              (n > SM_MAX_APDU || (!r->encrypted && r->direct != SM_TELEGRAM));
  /* HDLC frames after an APDU too long to join have no LLC: the last of
   * them may start an APDU of its own (see the top). */
  if (o->framing == FR_HDLC && !r->gbt && n > SM_MAX_APDU) {
    r->cut = true;
    r->cut_at = UINT64_MAX;
    r->remains = 1;
  }
}

/* Parse records from the input and build the byte stream. */
static void build(oracle *o, const uint8_t *p, size_t n, unsigned key,
                  builder *b) {
  static uint8_t apdu[MAX_PLAIN + DSMR_EXTRA + 64];
  static uint8_t plain0[MAX_RECORDS][MAX_PLAIN + DSMR_EXTRA];
  bool title_used[N_TITLES] = {false};
  uint32_t title_fc[N_TITLES];
  while (n >= REC_HDR && o->n_rec < MAX_RECORDS) {
    record *r = &o->rec[o->n_rec];
    rec_in in = {p[0], p[1], p[2], p[3], p + REC_HDR, (size_t)p[4] << 8 | p[5]};
    p += REC_HDR;
    n -= REC_HDR;
    if (in.len > n)
      in.len = n;
    if (in.len > MAX_PLAIN)
      in.len = MAX_PLAIN;
    p += in.len;
    n -= in.len;
    memset(r, 0, sizeof *r);
    make_plain(o, r, &in, plain0[o->n_rec]);
    size_t alen = seal(r, key, title_fc, title_used, in.fcd, apdu, sizeof apdu);
    r->apdu_len = alen;
    r->start = b->len;
    wrap(o, b, r, &in, apdu, alen);
    r->end = b->len;
    o->n_rec++;
  }
}

/* ---- one input ----------------------------------------------------------- */

static sm_decoder *open_decoder(const oracle *o, unsigned key) {
  static const sm_input inputs[4] = {SM_INPUT_MBUS, SM_INPUT_APDU,
                                     SM_INPUT_HDLC, SM_INPUT_DSMR};
  sm_options opt;
  memset(&opt, 0, sizeof opt);
  opt.input = o->auto_input ? SM_INPUT_AUTO : inputs[o->framing];
  opt.has_key = true;
  memcpy(opt.key, fz_keys[key % FZ_N_KEYS], SM_KEY_LEN);
  opt.has_auth_key = o->auth != AUTH_NONE;
  memcpy(opt.auth_key, o->auth == AUTH_WRONG ? fz_auth_key_wrong : fz_auth_key,
         SM_KEY_LEN);
  sm_status err;
  sm_decoder *d = sm_decoder_new(&opt, &err);
  FZ_CHECK(d != NULL, "sm_decoder_new failed");
  return d;
}

/* FUZZ_DUMP=FILE: the stream as built, to feed smartmeter-decode. */
static void dump_stream(const uint8_t *p, size_t n) {
  const char *path = getenv("FUZZ_DUMP");
  FILE *f = path ? fopen(path, "wb") : NULL;
  if (!f)
    return;
  fwrite(p, 1, n, f);
  fclose(f);
}

static void configure(oracle *o, uint8_t cfg) {
  static const enum auth_mode auths[4] = {AUTH_NONE, AUTH_RIGHT, AUTH_WRONG,
                                          AUTH_RIGHT};
  static const sm_input framings[4] = {SM_INPUT_MBUS, SM_INPUT_APDU,
                                       SM_INPUT_HDLC, SM_INPUT_DSMR};
  memset(o, 0, sizeof *o);
  o->auth = auths[cfg & 3];
  o->framing = (enum framing)((cfg >> 2) & 3);
  o->auto_input = (cfg & 0x10) && o->framing != FR_APDU;
  o->expect_framing = framings[o->framing];
  o->untagged_ok = fz_untagged_accepted_with_auth_key();
}

/* Records left at the end: none of them may be owed. An unencrypted APDU
 * has no length field: in bare-APDU framing the decoder parses one only
 * once 20 bytes (the longest header) are buffered from its start, so one
 * that begins less than 20 bytes before the end of the stream - and
 * everything behind it - may wait for the idle gap at the end. */
static void finish(oracle *o, size_t len) {
  for (; o->next < o->n_rec; o->next++) {
    record *r = &o->rec[o->next];
    if (o->framing == FR_APDU && len - r->start < 20)
      break;
    pass_over(o, r);
  }
  gap(o);
  for (; o->next < o->n_rec; o->next++)
    pass_over(o, &o->rec[o->next]);
  sm_stats s;
  sm_decoder_stats(o->d, &s);
  /* One framing throughout: auto never switched (an idle gap's remains
   * may be found by another row, though). */
  FZ_CHECK(o->poisoned || o->any_cut || s.framing_changes == 0,
           "framing changed in a stream of one framing");
  if (debug_on())
    fprintf(stderr, "end: %s%s%llu telegrams\n", o->poisoned ? "lenient, " : "",
            o->any_cut ? "cut, " : "", (unsigned long long)s.telegrams);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 5)
    return 0;
  static oracle o;
  configure(&o, data[0]);
  unsigned key = data[0] >> 5;

  /* A plaintext byte becomes at most 22 stream bytes (1-byte blocks, one
   * per HDLC frame); a record adds its seal, block and frame headers. */
  builder b = {.cap = 24 * (size + 64 * MAX_RECORDS) + 1024};
  b.out = malloc(b.cap);
  b.starts = calloc(b.cap, 1);
  FZ_CHECK(b.out && b.starts, "malloc");
  build(&o, data + 5, size - 5, key, &b);
  o.stream = b.out;
  o.stream_len = b.len;
  taint(&o, b.out, b.len, b.starts);
  if (debug_on())
    debug_records(&o);
  dump_stream(b.out, b.len);
  o.d = open_decoder(&o, key);

  const uint8_t *p = b.out;
  size_t n = b.len;
  for (size_t i = 0; n > 0; i++) {
    uint8_t plan = data[1 + i % 4];
    size_t k = plan & 0x7F;
    if (k == 0 || k > n)
      k = n;
    feed(&o, p, k);
    p += k;
    n -= k;
    if ((plan & 0x80) && n > 0)
      gap(&o);
  }
  feed(&o, NULL, 0);
  finish(&o, b.len);
  sm_decoder_free(o.d);
  free(b.out);
  free(b.starts);
  return 0;
}
