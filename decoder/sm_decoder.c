/* sm_decoder.c - drives the layers (link -> segments -> cipher -> A-XDR),
 * keeps the replay guard and the counters.
 *
 * Frame counters: a telegram whose counter is not greater than the last one
 * seen for its system title is rejected (SM_ERR_REPLAY). A meter may
 * restart its counter (firmware update, replacement with the same title):
 * after SM_RESTART_RUN consecutive telegrams that are below the remembered
 * counter but increasing among themselves, the decoder accepts the restart
 * (stats.counter_resets) and delivers from the last of them on. So a
 * restart costs two telegrams (~10 s), and a replay of fewer than three
 * increasing old telegrams yields nothing. */
#include <stdlib.h>
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

#define SM_RESTART_RUN 3

typedef struct sm_title {
  bool used;
  uint8_t title[8];
  uint32_t last;      /* highest accepted counter */
  uint32_t candidate; /* last counter of a possible restart run */
  int run;            /* length of that run */
  uint64_t stamp;     /* for least-recently-used eviction */
} sm_title;

struct sm_decoder {
  sm_input input;
  bool input_decided;
  sm_link link;
  sm_segments seg; /* in APDU input mode: the accumulation buffer */
  sm_cipher cipher;
  sm_stats stats;
  sm_title titles[SM_MAX_TITLES];
  uint64_t clock;
  sm_telegram tel;
};

sm_status sm_crypto_init(void) {
  if (gcry_control(GCRYCTL_ANY_INITIALIZATION_P))
    return SM_NEED_MORE; /* the host (e.g. collectd's network plugin) did */
  if (!gcry_check_version(GCRYPT_VERSION))
    return SM_ERR_CRYPTO;
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  return SM_NEED_MORE;
}

sm_decoder *sm_decoder_new(const sm_options *opts, sm_status *err) {
  sm_status dummy;
  if (!err)
    err = &dummy;
  if (sm_crypto_init() != SM_NEED_MORE) {
    *err = SM_ERR_CRYPTO;
    return NULL;
  }
  sm_decoder *d = calloc(1, sizeof *d);
  if (!d) {
    *err = SM_ERR_NOMEM;
    return NULL;
  }
  d->input = opts ? opts->input : SM_INPUT_AUTO;
  d->input_decided = d->input != SM_INPUT_AUTO;
  sm_link_reset(&d->link);
  sm_segments_init(&d->seg);
  *err = sm_cipher_open(&d->cipher, opts);
  if (*err != SM_NEED_MORE) {
    free(d);
    return NULL;
  }
  return d;
}

void sm_decoder_free(sm_decoder *d) {
  if (!d)
    return;
  sm_cipher_close(&d->cipher);
  sm_wipe(d, sizeof *d); /* plaintext and readings too */
  free(d);
}

void sm_decoder_stats(const sm_decoder *d, sm_stats *out) {
  *out = d->stats;
}

void sm_decoder_forget_counters(sm_decoder *d) {
  memset(d->titles, 0, sizeof d->titles);
}

/* ---- replay guard ------------------------------------------------------ */

static sm_title *title_slot(sm_decoder *d, const uint8_t title[8]) {
  sm_title *oldest = &d->titles[0];
  for (size_t i = 0; i < SM_MAX_TITLES; i++) {
    sm_title *s = &d->titles[i];
    if (s->used && !memcmp(s->title, title, 8))
      return s;
    if (!s->used || (oldest->used && s->stamp < oldest->stamp))
      oldest = s;
  }
  memset(oldest, 0, sizeof *oldest);
  memcpy(oldest->title, title, 8);
  return oldest;
}

static sm_status counter_check(sm_decoder *d, const uint8_t title[8],
                               uint32_t fc) {
  sm_title *s = title_slot(d, title);
  s->stamp = ++d->clock;
  if (!s->used || fc > s->last) {
    s->used = true;
    s->last = fc;
    s->run = 0;
    return SM_TELEGRAM;
  }
  s->run = (s->run > 0 && fc > s->candidate) ? s->run + 1 : 1;
  s->candidate = fc;
  if (s->run < SM_RESTART_RUN)
    return SM_ERR_REPLAY;
  s->last = fc;
  s->run = 0;
  d->stats.counter_resets++;
  return SM_TELEGRAM;
}

/* ---- one APDU ---------------------------------------------------------- */

static sm_status decode_plain(sm_decoder *d, uint8_t *apdu, size_t len,
                              bool more_may_come, size_t *used) {
  sm_telegram *t = &d->tel;
  t->encrypted = t->authenticated = t->tag_unchecked = false;
  t->security = 0;
  memset(t->system_title, 0, 8);
  t->frame_counter = 0;
  sm_status st = sm_axdr_notification(apdu, len, more_may_come, t, used);
  return st == SM_ERR_KEY_WRONG ? SM_ERR_AXDR : st; /* nothing was keyed */
}

static sm_status decode_glo(sm_decoder *d, uint8_t *apdu, size_t len,
                            size_t *used) {
  sm_glo g;
  sm_status st = sm_glo_parse(apdu, len, &g, used);
  if (st != SM_TELEGRAM)
    return st;
  bool authenticated;
  st = sm_cipher_decrypt(&d->cipher, &g, &authenticated);
  if (st != SM_TELEGRAM)
    return st;
  sm_telegram *t = &d->tel;
  size_t inner;
  st = sm_axdr_notification(g.payload, g.payload_len, false, t, &inner);
  if (st != SM_TELEGRAM)
    return st;
  /* Only a telegram that decrypted and parsed may move the counter. */
  st = counter_check(d, g.system_title, g.frame_counter);
  if (st != SM_TELEGRAM)
    return st;
  t->encrypted = true;
  t->authenticated = authenticated;
  t->tag_unchecked = g.tag != NULL && !authenticated;
  t->security = g.sc;
  memcpy(t->system_title, g.system_title, 8);
  t->frame_counter = g.frame_counter;
  return SM_TELEGRAM;
}

static sm_status decode_apdu(sm_decoder *d, uint8_t *apdu, size_t len,
                             bool more_may_come, size_t *used) {
  if (len == 0)
    return more_may_come ? SM_NEED_MORE : SM_ERR_UNSUPPORTED;
  if (apdu[0] == 0x0F)
    return decode_plain(d, apdu, len, more_may_come, used);
  if (apdu[0] == 0xDB)
    return decode_glo(d, apdu, len, used);
  return SM_ERR_UNSUPPORTED;
}

static void count(sm_decoder *d, sm_status st) {
  sm_stats *s = &d->stats;
  switch (st) {
  case SM_TELEGRAM:
    s->telegrams++;
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
    s->format_errors++;
    break;
  default:
    break;
  }
}

static sm_status result(sm_decoder *d, sm_status st,
                        const sm_telegram **out) {
  count(d, st);
  if (st == SM_TELEGRAM)
    *out = &d->tel;
  return st;
}

/* ---- M-Bus input ------------------------------------------------------- */

static sm_status feed_mbus(sm_decoder *d, const uint8_t *buf, size_t len,
                           size_t *consumed, const sm_telegram **out) {
  for (;;) {
    sm_frame f;
    sm_status st = sm_link_next(&d->link, &f, &d->stats.bytes_discarded);
    if (st == SM_TELEGRAM) {
      d->stats.frames++;
      st = sm_segments_add(&d->seg, &f);
      if (st == SM_TELEGRAM) {
        size_t used;
        st = decode_apdu(d, d->seg.buf, d->seg.len, false, &used);
      }
      if (st == SM_NEED_MORE)
        continue;
    }
    if (st != SM_NEED_MORE)
      return result(d, st, out);
    if (*consumed == len)
      return SM_NEED_MORE;
    size_t k = sm_link_take(&d->link, buf + *consumed, len - *consumed);
    *consumed += k;
    d->stats.bytes += k;
  }
}

/* ---- bare APDU input (captures) ---------------------------------------- */

static void apdu_drop(sm_decoder *d, size_t k) {
  sm_segments *s = &d->seg;
  memmove(s->buf, s->buf + k, s->len - k);
  s->len -= k;
}

/* Skip bytes that cannot start an APDU. */
static void apdu_seek(sm_decoder *d) {
  size_t k = 0;
  while (k < d->seg.len && d->seg.buf[k] != 0xDB && d->seg.buf[k] != 0x0F)
    k++;
  d->stats.bytes_discarded += k;
  apdu_drop(d, k);
}

/* One APDU from the buffer: SM_NEED_MORE, a telegram or an error. */
static sm_status apdu_next(sm_decoder *d) {
  sm_segments *s = &d->seg;
  apdu_seek(d);
  if (s->len == 0)
    return SM_NEED_MORE;
  size_t total = s->len, used = 0;
  sm_status st = SM_TELEGRAM;
  if (s->buf[0] == 0xDB) {
    st = sm_apdu_length(s->buf, s->len, &total);
    if (st == SM_TELEGRAM && total > SM_MAX_APDU)
      st = SM_ERR_TOO_LONG;
    if (st == SM_TELEGRAM && total > s->len)
      st = SM_NEED_MORE;
  }
  if (st == SM_TELEGRAM)
    st = decode_apdu(d, s->buf, total, s->buf[0] == 0x0F, &used);
  if (st == SM_NEED_MORE && s->len == SM_MAX_APDU)
    st = SM_ERR_TOO_LONG;
  if (st == SM_NEED_MORE)
    return st;
  d->stats.frames += st == SM_TELEGRAM;
  /* A good APDU leaves, and so does a ciphered one that failed after its
   * length was known (no resync inside ciphertext: one error, not many);
   * anything else loses only its first byte. */
  size_t drop = 1;
  if (st == SM_TELEGRAM)
    drop = used ? used : total;
  else if (s->buf[0] == 0xDB && used)
    drop = used;
  apdu_drop(d, drop);
  return st;
}

static sm_status feed_apdu(sm_decoder *d, const uint8_t *buf, size_t len,
                           size_t *consumed, const sm_telegram **out) {
  for (;;) {
    sm_status st = apdu_next(d);
    if (st != SM_NEED_MORE)
      return result(d, st, out);
    if (*consumed == len)
      return SM_NEED_MORE;
    size_t room = SM_MAX_APDU - d->seg.len;
    size_t k = len - *consumed < room ? len - *consumed : room;
    memcpy(d->seg.buf + d->seg.len, buf + *consumed, k);
    d->seg.len += k;
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
  if (!d->input_decided && len > 0) {
    d->input = (buf[0] == 0xDB || buf[0] == 0x0F) ? SM_INPUT_APDU
                                                  : SM_INPUT_MBUS;
    d->input_decided = true;
  }
  if (d->input == SM_INPUT_APDU)
    return feed_apdu(d, buf, len, consumed, out);
  return feed_mbus(d, buf, len, consumed, out);
}

bool sm_decoder_idle(sm_decoder *d) {
  bool partial = sm_link_pending(&d->link) > 0 ||
                 (d->input != SM_INPUT_APDU && sm_segments_partial(&d->seg)) ||
                 (d->input == SM_INPUT_APDU && d->seg.len > 0);
  sm_link_reset(&d->link);
  if (d->input == SM_INPUT_APDU)
    d->seg.len = 0;
  else
    sm_segments_reset(&d->seg);
  if (partial)
    d->stats.partial_drops++;
  return partial;
}
