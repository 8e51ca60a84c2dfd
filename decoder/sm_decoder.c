/* SPDX-License-Identifier: MIT */
/* sm_decoder.c - drives the layers (link -> segments -> cipher -> A-XDR),
 * asks the replay guard (sm_replay.c) about every decrypted telegram and
 * keeps the counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

struct sm_decoder {
  sm_input configured;
  sm_link link;
  sm_segments seg;
  sm_blocks blocks;
  sm_cipher cipher;
  sm_stats stats;
  sm_replay replay;
  bool idle_dropped;     /* sm_decoder_idle() gave up bytes in this gap */
  bool line_counted;     /* a line error was counted, no frame since */
  sm_input last_framing; /* of the last telegram */
  sm_header header;      /* of the last APDU, before decryption */
  char detail[SM_DETAIL_MAX];
  sm_telegram tel;
  /* AMIS */
  sm_oms oms;
  unsigned acks_due;                    /* E5 owed to the meter */
  uint8_t amis_last[SM_AMIS_FRAME_MAX]; /* the previous SND_UD */
  size_t amis_last_len;
};

sm_status sm_crypto_init(void) {
  if (gcry_control(GCRYCTL_ANY_INITIALIZATION_P))
    return SM_OK; /* the host (e.g. collectd's network plugin) did */
  if (!gcry_check_version(GCRYPT_VERSION))
    return SM_ERR_CRYPTO;
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  return SM_OK;
}

sm_decoder *sm_decoder_new(const sm_options *opts, sm_status *err) {
  sm_status dummy;
  if (!err)
    err = &dummy;
  if (sm_crypto_init() != SM_OK) {
    *err = SM_ERR_CRYPTO;
    return NULL;
  }
  sm_decoder *d = calloc(1, sizeof *d);
  if (!d) {
    *err = SM_ERR_NOMEM;
    return NULL;
  }
  d->configured = opts ? opts->input : SM_INPUT_AUTO;
  sm_link_init(&d->link, sm_link_row(d->configured));
  if (d->configured != SM_INPUT_AUTO && !d->link.ops) {
    free(d);
    *err = SM_ERR_ARG;
    return NULL;
  }
  sm_segments_init(&d->seg);
  sm_blocks_reset(&d->blocks);
  *err = sm_cipher_open(&d->cipher, opts);
  if (*err != SM_OK) {
    free(d);
    return NULL;
  }
  *err = sm_oms_open(&d->oms, opts);
  if (*err != SM_OK) {
    sm_cipher_close(&d->cipher);
    free(d);
    return NULL;
  }
  return d;
}

void sm_decoder_free(sm_decoder *d) {
  if (!d)
    return;
  sm_cipher_close(&d->cipher);
  sm_oms_close(&d->oms);
  sm_wipe(d, sizeof *d); /* plaintext and readings too */
  free(d);
}

void sm_decoder_stats(const sm_decoder *d, sm_stats *out) {
  *out = d->stats;
}

const char *sm_decoder_detail(const sm_decoder *d) {
  return d->detail;
}

void sm_decoder_header(const sm_decoder *d, sm_header *out) {
  *out = d->header;
}

sm_input sm_decoder_framing(const sm_decoder *d) {
  return d->link.ops ? d->link.ops->input : SM_INPUT_AUTO;
}

void sm_decoder_forget_counters(sm_decoder *d) {
  sm_replay_forget(&d->replay);
  d->amis_last_len = 0;
}

/* ---- replay guard ------------------------------------------------------ */

static sm_status counter_check(sm_decoder *d, const uint8_t title[8],
                               uint32_t fc) {
  switch (sm_replay_check(&d->replay, title, fc, &d->tel.meter_time)) {
  case SM_REPLAY_NEW:
    return SM_TELEGRAM;
  case SM_REPLAY_RESTART:
    d->stats.counter_resets++;
    return SM_TELEGRAM;
  case SM_REPLAY_FULL:
    snprintf(d->detail, sizeof d->detail,
             "more than %d system titles in one stream; a new one is refused",
             SM_MAX_TITLES);
    return SM_ERR_REPLAY;
  case SM_REPLAY_OLD:
    break;
  }
  return SM_ERR_REPLAY;
}

/* ---- one APDU ---------------------------------------------------------- */

static void telegram_unkeyed(sm_telegram *t) {
  t->encrypted = t->authenticated = t->tag_unchecked = false;
  t->security = 0;
  memset(t->system_title, 0, 8);
  t->frame_counter = 0;
}

/* Plaintext: a data-notification or a DSMR text telegram. */
static sm_status decode_text(sm_decoder *d, const uint8_t *p, size_t n) {
  sm_telegram *t = &d->tel;
  t->dsmr = n > 0 && p[0] == '/';
  if (t->dsmr)
    return sm_dsmr_parse(p, n, t, d->detail, sizeof d->detail);
  size_t used;
  return sm_axdr_notification(p, n, false, t, &used, d->detail,
                              sizeof d->detail);
}

static sm_status decode_plain(sm_decoder *d, const uint8_t *apdu, size_t len) {
  telegram_unkeyed(&d->tel);
  memset(&d->header, 0, sizeof d->header);
  d->header.valid = true;
  d->header.framing = d->tel.framing;
  sm_status st = decode_text(d, apdu, len);
  return st == SM_ERR_KEY_WRONG ? SM_ERR_AXDR : st; /* nothing was keyed */
}

static sm_status decode_glo(sm_decoder *d, uint8_t *apdu, size_t len) {
  sm_glo g;
  size_t used;
  sm_status st = sm_glo_parse(apdu, len, &g, &used);
  if (st != SM_TELEGRAM)
    return st;
  sm_header *h = &d->header;
  h->valid = h->encrypted = true;
  h->security = g.sc;
  memcpy(h->system_title, g.system_title, 8);
  h->frame_counter = g.frame_counter;
  h->framing = d->tel.framing;
  bool authenticated;
  st = sm_cipher_decrypt(&d->cipher, &g, &authenticated);
  if (st != SM_TELEGRAM)
    return st;
  st = decode_text(d, g.payload, g.payload_len);
  if (st != SM_TELEGRAM)
    return st;
  /* Only a telegram that decrypted and parsed may move the counter. */
  st = counter_check(d, g.system_title, g.frame_counter);
  if (st != SM_TELEGRAM)
    return st;
  sm_telegram *t = &d->tel;
  t->encrypted = true;
  t->authenticated = authenticated;
  t->tag_unchecked = g.tag != NULL && !authenticated;
  t->security = g.sc;
  memcpy(t->system_title, g.system_title, 8);
  t->frame_counter = g.frame_counter;
  return SM_TELEGRAM;
}

#define TAG_GBT 0xE0

/* One reassembled APDU. Blocks of a General-Block-Transfer are joined
 * first; the joined APDU is decoded like any other (but is no block). */
static sm_status decode_apdu(sm_decoder *d, uint8_t *apdu, size_t len,
                             bool blocks_allowed) {
  d->tel.framing = sm_decoder_framing(d);
  if (len == 0)
    return SM_ERR_UNSUPPORTED;
  switch (apdu[0]) {
  case 0x0F:
  case '/':
    return decode_plain(d, apdu, len);
  case 0xDB:
    return decode_glo(d, apdu, len);
  case TAG_GBT:
    if (blocks_allowed) {
      sm_status st = sm_blocks_add(&d->blocks, apdu, len);
      if (st != SM_TELEGRAM)
        return st;
      return decode_apdu(d, d->blocks.buf, d->blocks.len, false);
    }
    return SM_ERR_UNSUPPORTED;
  default:
    return SM_ERR_UNSUPPORTED;
  }
}

static void count(sm_decoder *d, sm_status st) {
  sm_stats *s = &d->stats;
  switch (st) {
  case SM_TELEGRAM:
    s->telegrams++;
    /* Framing auto followed another framing (a different adapter). */
    s->framing_changes +=
        d->last_framing != SM_INPUT_AUTO && d->tel.framing != d->last_framing;
    d->last_framing = d->tel.framing;
    break;
  case SM_ERR_CHECKSUM:
  case SM_ERR_STOP_BYTE:
    s->checksum_errors++;
    break;
  case SM_ERR_SEGMENT:
  case SM_ERR_TOO_LONG:
    s->segment_errors++;
    break;
  case SM_ERR_NO_KEY:
  case SM_ERR_KEY_WRONG:
    s->decrypt_errors++;
    break;
  case SM_ERR_TAG:
    s->tag_errors++;
    break;
  case SM_ERR_REPLAY:
    s->replays++;
    break;
  case SM_ERR_AXDR:
  case SM_ERR_UNSUPPORTED:
  case SM_ERR_APDU_LENGTH:
  case SM_ERR_CRYPTO:
  case SM_ERR_LAYOUT:
  case SM_ERR_DSMR:
    s->format_errors++;
    break;
  default:
    break;
  }
}

static sm_status result(sm_decoder *d, sm_status st, const sm_telegram **out) {
  count(d, st);
  if (st == SM_TELEGRAM)
    *out = &d->tel;
  return st;
}

/* ---- AMIS: acknowledgements and repeats -------------------------------- */

/* The access number has 8 bits (a wrap every 256 s) and starts again at 0
 * after each SND_NKE, so "newer than the last one" cannot work here; and
 * this is kept apart from counter_check(). What must not happen is one
 * reading counted twice: a SND_UD the meter sends again because our E5
 * got lost is the one before, byte for byte (same access number, FCB and
 * ciphertext). It is acknowledged again and decoded once. */
static bool amis_repeat(sm_decoder *d, const sm_frame *f) {
  if (f->len > sizeof d->amis_last)
    return false; /* longer than the row delivers: cannot happen */
  bool same =
      f->len == d->amis_last_len && !memcmp(f->data, d->amis_last, f->len);
  memcpy(d->amis_last, f->data, f->len);
  d->amis_last_len = f->len;
  return same;
}

/* Every frame of the AMIS row is addressed to the reader and intact: the
 * E5 is owed before anything else, whatever the decryption says. */
static sm_status decode_amis(sm_decoder *d, const sm_frame *f) {
  d->acks_due++;
  if (sm_amis_is_link_start(f->data, f->len)) {
    d->amis_last_len = 0; /* access number 0 next: no repeat */
    return SM_NEED_MORE;
  }
  if (amis_repeat(d, f))
    return SM_NEED_MORE;
  d->tel.framing = SM_INPUT_AMIS;
  sm_amis_header(f->data, f->len, &d->header);
  d->header.framing = SM_INPUT_AMIS;
  return sm_amis_decode(&d->oms, f->data, f->len, &d->tel, d->detail,
                        sizeof d->detail);
}

/* ---- the byte stream --------------------------------------------------- */

/* A bare APDU that did not decode may have been a cut one or a header of
 * noise: its bytes are searched again (sm_link_reject). A replay or a
 * missing key says nothing against the framing. */
static bool vouches(sm_status st) {
  return st == SM_TELEGRAM || st == SM_NEED_MORE || st == SM_ERR_REPLAY ||
         st == SM_ERR_NO_KEY;
}

static sm_status on_frame(sm_decoder *d, const sm_frame *f) {
  d->stats.frames++;
  d->line_counted = false;
  if (d->link.ops == &sm_link_amis)
    return decode_amis(d, f);
  sm_status st = sm_segments_add(&d->seg, f);
  if (st == SM_TELEGRAM)
    st = decode_apdu(d, d->seg.buf, d->seg.len, true);
  if (!vouches(st))
    sm_link_reject(&d->link, &d->stats.bytes_discarded);
  return st;
}

static sm_status pump(sm_decoder *d, const uint8_t *buf, size_t len,
                      bool at_end, size_t *consumed, const sm_telegram **out) {
  d->detail[0] = '\0';
  for (;;) {
    sm_frame f;
    sm_status st =
        sm_link_next(&d->link, at_end, &f, &d->stats.bytes_discarded);
    if (st == SM_TELEGRAM) {
      st = on_frame(d, &f);
      if (st == SM_NEED_MORE)
        continue; /* frame taken, the APDU is not complete yet */
    }
    if (st != SM_NEED_MORE)
      return result(d, st, out);
    if (*consumed == len)
      return SM_NEED_MORE;
    size_t k = sm_link_take(&d->link, buf + *consumed, len - *consumed);
    if (k == 0) {
      /* Full of one undecided frame: the rows' bounds make this
       * impossible; should it happen, give the bytes up, never spin. */
      d->stats.bytes_discarded += sm_link_pending(&d->link);
      sm_link_reset(&d->link);
      continue;
    }
    *consumed += k;
    d->stats.bytes += k;
  }
}

/* ---- public ------------------------------------------------------------ */

sm_status sm_decoder_feed(sm_decoder *d, const uint8_t *buf, size_t len,
                          size_t *consumed, const sm_telegram **out) {
  if (!consumed || !out)
    return SM_ERR_ARG;
  *consumed = 0;
  *out = NULL;
  if (!d || (!buf && len))
    return SM_ERR_ARG;
  return pump(d, buf, len, false, consumed, out);
}

unsigned sm_decoder_acks_due(sm_decoder *d) {
  if (!d)
    return 0;
  unsigned n = d->acks_due;
  d->acks_due = 0;
  return n;
}

sm_status sm_decoder_idle(sm_decoder *d, const sm_telegram **out) {
  if (!out)
    return SM_ERR_ARG;
  *out = NULL;
  if (!d)
    return SM_ERR_ARG;
  size_t consumed = 0;
  uint64_t before = d->stats.bytes_discarded;
  sm_status st = pump(d, NULL, 0, true, &consumed, out);
  d->idle_dropped = d->idle_dropped || d->stats.bytes_discarded > before;
  if (st != SM_NEED_MORE)
    return st;
  bool partial = d->idle_dropped || sm_segments_partial(&d->seg) ||
                 sm_blocks_partial(&d->blocks);
  d->idle_dropped = false;
  d->line_counted = false;
  sm_link_reset(&d->link);
  sm_segments_reset(&d->seg);
  sm_blocks_reset(&d->blocks);
  if (partial)
    d->stats.partial_drops++;
  return SM_NEED_MORE;
}

/* Every frame still buffered began before the bad byte and has not ended:
 * each of them contains it. So dropping the link's bytes drops exactly the
 * frame the byte falls in (and noise that only looked like a frame start);
 * its remaining bytes arrive later as noise and are stepped over. Segments
 * already complete are kept: a lost frame shows there as a missing one. */
void sm_decoder_line_error(sm_decoder *d) {
  if (!d)
    return;
  d->stats.line_errors++;
  /* A burst of bad bytes breaks one frame: count it once. */
  if (!d->line_counted)
    d->stats.checksum_errors++;
  d->line_counted = true;
  d->stats.bytes_discarded += sm_link_pending(&d->link);
  sm_link_reset(&d->link);
}
