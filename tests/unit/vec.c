/* SPDX-License-Identifier: MIT */
/* vec.c - see vec.h. */
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framer.h"
#include "sm_names.h"

const char *const vec_files[VEC_N_FILES] = {
    "evn_netznoe_doc_example_2frames.hex",
    "evn_netznoe_doc_old_sagemcom_apdu.hex",
    "evn_netznoe_kaifa_fkw9_real.hex",
    "evn_netznoe_sagemcom_t210d_fkw9_L01quirk.hex",
    "evn_netznoe_sagemcom_t210d_rddl.hex",
    "ksmwest_dlmscosem_rs_test_apdu.hex",
    "ksmwest_poland_amsreader_gh905.hex",
    "ksmwest_vkw_philippsev_2023-07-26.hex",
    "ksmwest_vkw_smaiax_layblar.hex",
    "tinetz_doc_example_2frames.hex",
};

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "# key: ..." / "# ak: ..." header lines; other comments are ignored. */
static int header_line(const char *line, vec *v) {
  const char *p = line + 1;
  while (*p == ' ')
    p++;
  if (strncmp(p, "key:", 4) == 0) {
    v->has_key = true;
    return sm_key_parse(p + 4, v->key);
  }
  if (strncmp(p, "ak:", 3) == 0) {
    v->has_ak = true;
    return sm_key_parse(p + 3, v->ak);
  }
  return 0;
}

static int data_line(const char *line, vec *v) {
  long n = sm_hex_decode(line, strlen(line), v->bytes + v->len,
                         sizeof v->bytes - v->len);
  if (n < 0)
    return -1;
  v->len += (size_t)n;
  return 0;
}

static FILE *open_vector(const char *name) {
  const char *src = getenv("SM_SRCDIR");
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/tests/vectors/%s", src ? src : ".", name);
  f = fopen(path, "r");
  if (!f)
    fprintf(stderr, "vec: cannot open %s (is SM_SRCDIR set?)\n", path);
  return f;
}

int vec_load(const char *name, vec *v) {
  char line[1024];
  int rc = 0;
  FILE *f = open_vector(name);
  memset(v, 0, sizeof *v);
  if (!f)
    return -1;
  snprintf(v->name, sizeof v->name, "%s", name);
  v->is_apdu = ends_with(name, "_apdu.hex");
  while (rc == 0 && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    rc = line[0] == '#' ? header_line(line, v) : data_line(line, v);
  }
  fclose(f);
  if (rc != 0 || v->len == 0) {
    fprintf(stderr, "vec: %s: bad header or hex\n", name);
    return -1;
  }
  return 0;
}

void vec_options(const vec *v, sm_input input, sm_options *o) {
  memset(o, 0, sizeof *o);
  o->input = input;
  o->has_key = v->has_key;
  memcpy(o->key, v->key, SM_KEY_LEN);
  o->has_auth_key = v->has_ak;
  memcpy(o->auth_key, v->ak, SM_KEY_LEN);
}

int vec_model_init(const vec *v, vec_model *m) {
  static uint8_t apdu[VEC_MAX_BYTES];
  const uint8_t *a = v->bytes;
  size_t n = v->len;
  enc_header h;
  memset(m, 0, sizeof *m);
  m->is_apdu = v->is_apdu;
  if (!v->is_apdu) {
    n = frm_mbus_unwrap(v->bytes, v->len, apdu, sizeof apdu, &m->seg);
    a = apdu;
  }
  m->plain_len = enc_open(a, n, v->key, m->plain, sizeof m->plain, &h);
  if (!m->plain_len || h.apdu_len != n)
    return -1;
  memcpy(m->enc.system_title, h.system_title, 8);
  m->enc.sc = h.sc;
  m->enc.fc = h.fc;
  memcpy(m->enc.key, v->key, SM_KEY_LEN);
  memcpy(m->enc.auth_key, v->ak, SM_KEY_LEN);
  if (m->seg == 0)
    m->seg = 250;
  return 0;
}

size_t vec_model_make(const vec_model *m, uint32_t fc, bool mbus, uint8_t *out,
                      size_t cap) {
  static uint8_t apdu[VEC_MAX_BYTES];
  enc_params p = m->enc;
  size_t n;
  p.fc = fc;
  if (m->is_apdu && !mbus)
    return enc_seal(&p, m->plain, m->plain_len, out, cap);
  n = enc_seal(&p, m->plain, m->plain_len, apdu, sizeof apdu);
  return n ? frm_mbus_wrap(out, cap, apdu, n, m->seg) : 0;
}

static void tally_status(vec_tally *t, sm_status st, const sm_telegram *tg) {
  if (st == SM_TELEGRAM) {
    t->telegrams++;
    if (!tg)
      t->api_violation = true;
    else if (t->cb)
      t->cb(tg, t->ctx);
  } else if (st < 0 && -st < VEC_N_STATUS) {
    t->errors[-st]++;
  } else {
    t->api_violation = true;
  }
  if (st != SM_TELEGRAM && tg)
    t->api_violation = true;
}

void vec_feed(sm_decoder *d, const uint8_t *buf, size_t len, vec_tally *t) {
  /* A decoder may report several results per call without taking bytes,
   * but never an unbounded number of them. */
  size_t budget = 4 * len + 64;
  sm_status st;
  do {
    size_t used = 0;
    const sm_telegram *tg = NULL;
    st = sm_decoder_feed(d, buf, len, &used, &tg);
    t->calls++;
    if (used > len || budget-- == 0) {
      t->api_violation = true;
      return;
    }
    buf += used;
    len -= used;
    if (st != SM_NEED_MORE)
      tally_status(t, st, tg);
  } while (st != SM_NEED_MORE);
  if (len != 0)
    t->api_violation = true;
}

bool vec_idle(sm_decoder *d, vec_tally *t) {
  sm_stats before, after;
  size_t budget = 2 * SM_MAX_APDU + 64 + 2 * SM_MAX_APDU;
  sm_status st;
  sm_decoder_stats(d, &before);
  do {
    const sm_telegram *tg = NULL;
    st = sm_decoder_idle(d, &tg);
    t->calls++;
    if (budget-- == 0) {
      t->api_violation = true;
      break;
    }
    if (st != SM_NEED_MORE)
      tally_status(t, st, tg);
  } while (st != SM_NEED_MORE);
  sm_decoder_stats(d, &after);
  return after.partial_drops != before.partial_drops;
}

size_t vec_errors(const vec_tally *t) {
  size_t i, n = 0;
  for (i = 0; i < VEC_N_STATUS; i++)
    n += t->errors[i];
  return n;
}

uint64_t vec_rand(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

void vec_record_cb(const sm_telegram *t, void *ctx) {
  static const uint8_t a_plus[6] = {1, 0, 1, 8, 0, 255};
  vec_record *r = ctx;
  vec_seen *s;
  size_t i;
  if (r->n++ >= VEC_MAX_SEEN)
    return;
  s = &r->s[r->n - 1];
  memset(s, 0, sizeof *s);
  s->fc = t->frame_counter;
  s->energy_import = -1;
  s->encrypted = t->encrypted;
  s->authenticated = t->authenticated;
  s->tag_unchecked = t->tag_unchecked;
  s->security = t->security;
  memcpy(s->meter_number, t->meter_number, SM_MAX_TEXT);
  s->meter_number[SM_MAX_TEXT - 1] = '\0';
  for (i = 0; i < t->n_values && i < SM_MAX_VALUES; i++) {
    const sm_value *v = &t->values[i];
    if (v->kind != SM_VALUE_NUMBER)
      continue;
    s->n_numbers++;
    if (memcmp(v->obis, a_plus, 6) == 0)
      s->energy_import = v->raw;
  }
}

void vec_feed_chunks(sm_decoder *d, const uint8_t *buf, size_t len,
                     size_t max_chunk, uint64_t *seed, vec_tally *t) {
  while (len > 0) {
    size_t k = 1 + (size_t)(vec_rand(seed) % max_chunk);
    if (k > len)
      k = len;
    vec_feed(d, buf, k, t);
    buf += k;
    len -= k;
  }
}

const sm_value *vec_reading(const sm_telegram *t, const char *obis) {
  char text[32];
  for (size_t i = 0; i < t->n_values; i++) {
    sm_obis_format(t->values[i].obis, text, sizeof text);
    if (!strcmp(text, obis))
      return &t->values[i];
  }
  return NULL;
}
