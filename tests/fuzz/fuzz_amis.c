/* SPDX-License-Identifier: MIT */
/* fuzz_amis.c - libFuzzer target for Netz OÖ's AMIS path: the EN 13757-3
 * record walker on its own, and the link row with OMS mode 5 in a stream.
 *
 * Input: byte 0 bit 0 picks the mode.
 *
 * 0, records: bytes 1-2 the manufacturer (00 00 = SAM, the AMIS one),
 *   the rest a plaintext for sm_mbus_records(). Checked: the status is one
 *   it may return; a failure leaves no reading and no meter time and a
 *   detail; a success has readings whose OBIS codes and units are the
 *   mapping's, no OBIS twice, and - walking the same bytes again with
 *   sm_mbus_record_next() - the k-th reading is the k-th record's data
 *   read as a little-endian integer (nothing shifted, nothing guessed).
 *
 * 1, stream: byte 1 bit 0 = a wrong key, bits 1-7 the largest chunk fed
 *   at once; then ops until the input ends, each an op byte:
 *     0 SND_NKE; 1 E5 (echo); 2 SND_UD: an access byte (bit 0 of the op's
 *     high nibble is the FCB) and up to 80 plaintext bytes (the rest of a
 *     short input padded with 2F); 3 noise: a length byte and that many
 *     bytes (10, 68, 7E, 2F and DB become 00: noise starts no frame);
 *     4 the last frame again, byte for byte; 5 the last SND_UD with one
 *     ciphertext byte changed and its checksum not; 6 an idle gap.
 *   The harness seals each SND_UD with the tests' enc_amis_snd_ud()
 *   (AES-128-CBC, IV = address || 8 x access number) and feeds the bytes
 *   in chunks. Checked: the E5 owed are exactly the intact frames sent
 *   (SND_NKE, SND_UD, repeats); each delivered telegram is, in order, one
 *   that was owed: a SND_UD sent intact, not identical to the frame before
 *   it, with the right key and a plaintext that starts with the 2F 2F fill
 *   and sm_mbus_records() accepts,
 * with exactly those readings, its access number as frame counter and the
 * address as system title; a wrong key or a changed byte delivers nothing;
 * every telegram passes fz_check_telegram(); no replay is ever counted.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SAM 0x4C2D
#define PLAIN ENC_AMIS_PLAIN
#define FRAME ENC_AMIS_FRAME
#define MAX_OWED 32
#define STREAM_MAX (8 * 1024) /* repeats amplify: 1 input byte, 101 sent */

static const uint8_t KEY[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t WRONG[16] = {0x01, 0x11, 0x22, 0x33, 0x44, 0x55,
                                  0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,
                                  0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t ADDRESS[8] = {0x2D, 0x4C, 0, 0, 0, 0, 0x01, 0x0E};
static const uint8_t NKE[5] = {0x10, 0x40, 0xF0, 0x30, 0x16};
/* Noise never starts a frame of any row: a bare APDU header (DB) in noise
 * may take a whole AMIS frame behind it as its body when both complete in
 * one chunk, which is the link driver's rule, not an AMIS matter. */
static const uint8_t FRAME_STARTS[] = {0x10, 0x68, 0x7E, 0x2F, 0xDB};

/* ---- mode 0: the record walker ----------------------------------------- */

static sm_telegram tel;

/* Every status has its text (fz_check_status() predates SM_ERR_LAYOUT). */
static void check_status(sm_status st) {
  FZ_CHECK(st <= SM_TELEGRAM && strcmp(sm_strerror(st), "unknown status"),
           "status without text");
}

static int64_t little_endian(const sm_mbus_record *r, bool is_signed) {
  uint64_t u = 0;
  for (size_t i = 0; i < r->len; i++)
    u |= (uint64_t)r->data[i] << (8 * i);
  if (is_signed && r->len < 8 && (u >> (8 * r->len - 1)) & 1)
    u |= ~(uint64_t)0 << (8 * r->len);
  return (int64_t)u;
}

static void check_reading(const sm_value *v, uint16_t mfr) {
  static const uint8_t unit_of[5][2] = {
      {0, 0}, {27, 30}, {27, 30}, {29, 32}, {29, 32}}; /* [C][D == 8] */
  FZ_CHECK(v->obis[0] == 1 && v->obis[1] == 0 && v->obis[5] == 255,
           "AMIS reading outside 1.0.x.x.x.255");
  FZ_CHECK(v->obis[2] >= 1 && v->obis[2] <= 4, "OBIS C not 1..4");
  FZ_CHECK(v->obis[3] == 7 || v->obis[3] == 8 || v->obis[3] == 128,
           "OBIS D not 7, 8 or 128");
  if (v->obis[3] == 128)
    FZ_CHECK(v->obis[2] == 1 && mfr == SAM && v->unit == 30,
             "Inkasso register without SAM, import or Wh");
  else
    FZ_CHECK(v->unit == unit_of[v->obis[2]][v->obis[3] == 8],
             "unit does not fit the OBIS code");
  FZ_CHECK(v->kind == SM_VALUE_NUMBER && !v->is_float, "not an integer");
  FZ_CHECK(v->obis[3] == 128 || v->raw >= 0, "negative counter or power");
  fz_check_value(v);
}

/* Walk again: the k-th record that is no date-time holds the k-th value. */
static void check_pairing(const uint8_t *p, size_t n) {
  size_t pos = 0, k = 0, last = 0;
  sm_mbus_record r;
  sm_status st;
  while ((st = sm_mbus_record_next(p, n, &pos, &r)) == SM_TELEGRAM) {
    FZ_CHECK(pos > last && pos <= n && r.data >= p && r.data + r.len <= p + n,
             "walker out of bounds or not advancing");
    last = pos;
    if (r.vif[0] == 0x6D)
      continue;
    FZ_CHECK(k < tel.n_values, "more value records than readings");
    const sm_value *v = &tel.values[k++];
    FZ_CHECK(v->raw == little_endian(&r, v->obis[3] == 128),
             "reading is not its record's data");
    FZ_CHECK(r.tariff == v->obis[4], "tariff is not OBIS E");
  }
  FZ_CHECK(st == SM_NEED_MORE, "records accepted although the walk fails");
  FZ_CHECK(k == tel.n_values, "fewer value records than readings");
}

static void records_mode(const uint8_t *data, size_t size) {
  if (size < 3)
    return;
  uint16_t mfr = (uint16_t)(data[1] | data[2] << 8);
  mfr = mfr ? mfr : SAM;
  size_t n = size - 3;
  uint8_t *p = malloc(n ? n : 1); /* exactly n: ASan sees an overread */
  FZ_CHECK(p != NULL, "malloc");
  memcpy(p, data + 3, n);
  char detail[SM_DETAIL_MAX];
  memset(&tel, 0xA5, sizeof tel);
  detail[0] = '\0';
  sm_status st = sm_mbus_records(p, n, mfr, &tel, detail, sizeof detail);
  check_status(st);
  FZ_CHECK(memchr(detail, '\0', sizeof detail) != NULL, "detail unterminated");
  if (st != SM_TELEGRAM) {
    FZ_CHECK(st == SM_ERR_APDU_LENGTH || st == SM_ERR_UNSUPPORTED ||
                 st == SM_ERR_LAYOUT,
             "unexpected status from sm_mbus_records");
    FZ_CHECK(tel.n_values == 0 && !tel.meter_time.present,
             "a failed parse left readings or a time");
    FZ_CHECK(detail[0] != '\0', "a failure without a detail");
  } else {
    FZ_CHECK(tel.n_values > 0 && tel.n_values <= SM_MAX_VALUES,
             "success without readings");
    for (size_t i = 0; i < tel.n_values; i++) {
      check_reading(&tel.values[i], mfr);
      for (size_t j = 0; j < i; j++)
        FZ_CHECK(memcmp(tel.values[i].obis, tel.values[j].obis, 6),
                 "one OBIS code twice");
    }
    fz_check_datetime(&tel.meter_time);
    check_pairing(p, n);
  }
  free(p);
}

/* ---- mode 1: the stream ------------------------------------------------ */

typedef struct owed {
  sm_telegram want; /* the readings sm_mbus_records() gives */
  uint8_t access;
} owed;

typedef struct run {
  const uint8_t *in;
  size_t n, at;
  bool wrong_key;
  uint8_t stream[STREAM_MAX];
  size_t len;
  uint8_t last[FRAME]; /* the last AMIS frame sent intact */
  size_t last_len;
  uint8_t last_ud[FRAME]; /* the last SND_UD (for op 5) */
  bool have_ud;
  unsigned acks; /* E5 the decoder must owe */
  owed owed[MAX_OWED];
  size_t n_owed, n_seen;
} run;

static run R;

static int take(run *r) {
  return r->at < r->n ? r->in[r->at++] : -1;
}

static void put(run *r, const uint8_t *p, size_t n) {
  if (n <= sizeof r->stream - r->len) {
    memcpy(r->stream + r->len, p, n);
    r->len += n;
  }
}

/* An intact AMIS frame: owes an E5; a SND_UD not identical to the frame
 * before it, with the right key and records that parse, owes a telegram. */
static void sent_intact(run *r, const uint8_t *f, size_t n,
                        const uint8_t *plain) {
  bool repeat = n == r->last_len && !memcmp(f, r->last, n);
  r->acks++;
  memcpy(r->last, f, n);
  r->last_len = n == sizeof NKE ? 0 : n; /* after SND_NKE: no repeat */
  /* sm_amis_decode() takes a plaintext only after its 2F 2F fill. */
  if (!plain || repeat || r->wrong_key || r->n_owed == MAX_OWED ||
      plain[0] != 0x2F || plain[1] != 0x2F)
    return;
  owed *o = &r->owed[r->n_owed];
  char detail[SM_DETAIL_MAX];
  /* What sm_mbus_records() leaves alone is the decoder's: as it sets it. */
  o->want.invoke_id = 0;
  o->want.meter_number[0] = o->want.device_name[0] = '\0';
  if (sm_mbus_records(plain, PLAIN, SAM, &o->want, detail, sizeof detail) ==
      SM_TELEGRAM) {
    o->access = f[15];
    r->n_owed++;
  }
}

static void op_snd_ud(run *r, int op) {
  uint8_t f[FRAME], plain[PLAIN];
  int access = take(r);
  memset(plain, 0x2F, sizeof plain);
  for (size_t i = 0; i < PLAIN && r->at < r->n; i++)
    plain[i] = (uint8_t)take(r);
  FZ_CHECK(enc_amis_snd_ud(f, sizeof f, KEY, (uint8_t)(access < 0 ? 0 : access),
                           (op & 0x10) != 0, plain) == FRAME,
           "enc_amis_snd_ud");
  put(r, f, FRAME);
  memcpy(r->last_ud, f, FRAME);
  r->have_ud = true;
  sent_intact(r, f, FRAME, plain);
}

static void op_noise(run *r) {
  int k = take(r);
  for (int i = 0; i < k && r->at < r->n; i++) {
    uint8_t b = (uint8_t)take(r);
    b = memchr(FRAME_STARTS, b, sizeof FRAME_STARTS) ? 0 : b;
    put(r, &b, 1);
  }
}

static void op_broken(run *r) {
  int at = take(r);
  if (!r->have_ud)
    return;
  uint8_t f[FRAME];
  memcpy(f, r->last_ud, FRAME);
  f[19 + (at < 0 ? 0 : at) % PLAIN] ^= 0x01; /* CS left as it was */
  put(r, f, FRAME);
}

/* The decoder's results so far against what is owed. */
static void feed_all(run *r, sm_decoder *d, size_t from, size_t max_chunk) {
  for (size_t pos = from; pos < r->len;) {
    size_t k = r->len - pos < max_chunk ? r->len - pos : max_chunk;
    size_t used;
    const sm_telegram *t;
    sm_status st;
    do {
      st = sm_decoder_feed(d, r->stream + pos, k, &used, &t);
      check_status(st);
      pos += used;
      k -= used;
      if (st == SM_TELEGRAM) {
        FZ_CHECK(r->n_seen < r->n_owed, "a telegram nobody owed");
        const owed *o = &r->owed[r->n_seen++];
        fz_check_telegram(t);
        FZ_CHECK(t->framing == SM_INPUT_AMIS && t->encrypted &&
                     t->frame_counter == o->access &&
                     !memcmp(t->system_title, ADDRESS, 8),
                 "AMIS identity wrong");
        FZ_CHECK(fz_same_content(t, &o->want), "readings differ");
      }
    } while (st != SM_NEED_MORE);
  }
}

static void idle_all(sm_decoder *d) {
  const sm_telegram *t;
  for (int i = 0; i < 4 * SM_MAX_APDU; i++)
    if (sm_decoder_idle(d, &t) == SM_NEED_MORE)
      return;
  fz_fail("idle() makes no progress");
}

static void stream_mode(const uint8_t *data, size_t size) {
  run *r = &R;
  if (size < 2)
    return;
  r->in = data;
  r->n = size;
  r->at = 2;
  r->wrong_key = data[1] & 1;
  size_t chunk = (data[1] >> 1) * 8u + 1u; /* 1 .. 1017 bytes a read */
  r->len = r->last_len = r->n_owed = r->n_seen = 0;
  r->have_ud = false;
  r->acks = 0;
  sm_options o = {.input = (data[0] & 2) ? SM_INPUT_AMIS : SM_INPUT_AUTO,
                  .has_key = true};
  memcpy(o.key, r->wrong_key ? WRONG : KEY, 16);
  sm_decoder *d = sm_decoder_new(&o, NULL);
  FZ_CHECK(d != NULL, "sm_decoder_new");
  unsigned acks = 0;
  size_t fed = 0;
  int op;
  while ((op = take(r)) >= 0) {
    switch (op & 0x0F) {
    case 0:
      put(r, NKE, sizeof NKE);
      sent_intact(r, NKE, sizeof NKE, NULL);
      break;
    case 1:
      put(r, (const uint8_t[]){0xE5}, 1);
      break;
    case 2:
      op_snd_ud(r, op);
      break;
    case 3:
      op_noise(r);
      break;
    case 4:
      if (r->last_len) {
        put(r, r->last, r->last_len);
        sent_intact(r, r->last, r->last_len, NULL);
      }
      break;
    case 5:
      op_broken(r);
      break;
    case 6:
      feed_all(r, d, fed, chunk);
      fed = r->len;
      idle_all(d);
      break;
    default:
      break;
    }
    if (r->len > STREAM_MAX - 2 * FRAME)
      break;
  }
  feed_all(r, d, fed, chunk);
  acks += sm_decoder_acks_due(d);
  idle_all(d);
  acks += sm_decoder_acks_due(d);
  FZ_CHECK(acks == r->acks, "E5 owed differ from the intact frames sent");
  FZ_CHECK(r->n_seen == r->n_owed, "an owed telegram was not delivered");
  sm_stats s;
  sm_decoder_stats(d, &s);
  FZ_CHECK(s.replays == 0, "a replay counted on an AMIS stream");
  sm_decoder_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool init;
  if (!init) {
    FZ_CHECK(sm_crypto_init() == SM_NEED_MORE, "sm_crypto_init");
    init = true;
  }
  if (size == 0)
    return 0;
#ifdef FZ_AMIS_RECORDS_ONLY /* fuzz_amis_records.c: every input, mode 0 */
  (void)stream_mode;
  records_mode(data, size);
#else
  if (data[0] & 1)
    stream_mode(data, size);
  else
    records_mode(data, size);
#endif
  return 0;
}
