/* fuzz_common.c - see fuzz_common.h. */
#include "fuzz_common.h"

#include <gcrypt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_names.h"

const uint8_t fz_keys[FZ_N_KEYS][SM_KEY_LEN] = {
    /* evn_netznoe_doc_example_2frames */
    {0x36, 0xC6, 0x66, 0x39, 0xE4, 0x8A, 0x8C, 0xA4, 0xD6, 0xBC, 0x8B, 0x28,
     0x2A, 0x79, 0x3B, 0xBB},
    /* evn_netznoe_doc_old_sagemcom_apdu, tinetz_doc_example_2frames */
    {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B,
     0x1C, 0x1D, 0x1E, 0x1F},
    /* evn_netznoe_kaifa_fkw9_real */
    {0x82, 0x5D, 0xC0, 0xD1, 0x67, 0xDE, 0xEB, 0x63, 0xF4, 0x9D, 0xAB, 0x4F,
     0x31, 0xA8, 0x6C, 0xC7},
    /* evn_netznoe_sagemcom_t210d_fkw9_L01quirk */
    {0xE3, 0x63, 0x44, 0xD7, 0x6C, 0x1F, 0x6E, 0x5D, 0xD9, 0xF5, 0x42, 0x58,
     0xB5, 0x50, 0x88, 0x66},
    /* evn_netznoe_sagemcom_t210d_rddl */
    {0xA8, 0x9A, 0xE6, 0xC2, 0x25, 0xE4, 0x51, 0x30, 0x29, 0x8B, 0x3C, 0xC3,
     0xF4, 0xD2, 0x34, 0x63},
    /* ksmwest_dlmscosem_rs_test_apdu */
    {0xDE, 0xAF, 0xBE, 0xEF, 0xCA, 0xFE, 0xBA, 0xBE, 0xDE, 0xAF, 0xBE, 0xEF,
     0xCA, 0xFE, 0xBA, 0xBE},
    /* ksmwest_poland_amsreader_gh905 */
    {0x39, 0x43, 0x6F, 0x51, 0x37, 0x77, 0x35, 0x4C, 0x4D, 0x46, 0x6F, 0x4C,
     0x53, 0x33, 0x67, 0x4A},
    /* ksmwest_vkw_philippsev_2023-07-26 */
    {0x48, 0x70, 0x4F, 0x44, 0x4F, 0x32, 0x6D, 0x50, 0x50, 0x55, 0x30, 0x33,
     0x78, 0x4C, 0x33, 0x33},
    /* ksmwest_vkw_smaiax_layblar */
    {0x32, 0x69, 0x31, 0x63, 0x79, 0x79, 0x45, 0x6C, 0x59, 0x37, 0x34, 0x44,
     0x73, 0x6D, 0x33, 0x75},
};

const uint8_t fz_auth_key[SM_KEY_LEN] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5,
                                         0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB,
                                         0xDC, 0xDD, 0xDE, 0xDF};
const uint8_t fz_auth_key_wrong[SM_KEY_LEN] = {
    0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
    0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDE};

int fz_key_index(const uint8_t key[SM_KEY_LEN]) {
  for (int i = 0; i < FZ_N_KEYS; i++)
    if (!memcmp(fz_keys[i], key, SM_KEY_LEN))
      return i;
  return -1;
}

bool fz_known(const char *finding) {
  static const char *known;
  static bool read;
  if (!read) {
    known = getenv("FUZZ_KNOWN");
    read = true;
  }
  if (!known)
    return false;
  size_t n = strlen(finding);
  for (const char *p = known; (p = strstr(p, finding)) != NULL; p += n)
    if ((p == known || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
      return true;
  return false;
}

void fz_fail(const char *what) {
  fprintf(stderr, "fuzz invariant: %s\n", what);
  abort();
}

void fz_check_status(sm_status st) {
  FZ_CHECK(st >= SM_ERR_NOMEM && st <= SM_TELEGRAM, "status out of range");
  FZ_CHECK(strcmp(sm_strerror(st), "unknown status") != 0,
           "status without text");
}

/* ---- formatting checks --------------------------------------------------- */

/* Output of a sm_names.h formatter must be a NUL-terminated string of
 * exactly the returned length; for every shorter buffer the function must
 * return the same length, write a NUL-terminated prefix and stay inside the
 * buffer. fmt is called through a small adapter per formatter. */
typedef size_t (*fz_fmt)(const void *obj, char *buf, size_t size);

static size_t fmt_value(const void *o, char *b, size_t s) {
  return sm_value_format(o, b, s);
}
static size_t fmt_obis_name(const void *o, char *b, size_t s) {
  return sm_obis_name(o, b, s);
}
static size_t fmt_obis(const void *o, char *b, size_t s) {
  return sm_obis_format(o, b, s);
}
static size_t fmt_time(const void *o, char *b, size_t s) {
  return sm_datetime_format(o, b, s);
}

/* Bytes after the buffer handed to a formatter must stay untouched. */
#define FZ_GUARD 16
static const char guard[FZ_GUARD] = "\x55\x55\x55\x55\x55\x55\x55\x55"
                                    "\x55\x55\x55\x55\x55\x55\x55\x55";

static size_t check_format(fz_fmt fmt, const void *obj, size_t max,
                           char *full) {
  char buf[64 + FZ_GUARD];
  FZ_CHECK(max <= 64, "check_format: max too large");
  memset(buf, 0x55, max + FZ_GUARD);
  size_t n = fmt(obj, buf, max);
  FZ_CHECK(n < max, "formatter needs more than its documented maximum");
  FZ_CHECK(memchr(buf, '\0', max) != NULL, "formatter output not terminated");
  FZ_CHECK(strlen(buf) == n, "formatter return value != strlen");
  FZ_CHECK(!memcmp(buf + max, guard, FZ_GUARD),
           "formatter wrote past its buffer");
  memcpy(full, buf, n + 1);
  const size_t sizes[] = {0, 1, n / 2, n, n + 1};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t size = sizes[k];
    memset(buf, 0x55, size + FZ_GUARD);
    size_t m = fmt(obj, buf, size);
    FZ_CHECK(m == n, "formatter length depends on the buffer size");
    FZ_CHECK(!memcmp(buf + size, guard, FZ_GUARD),
             "formatter wrote past a short buffer");
    if (size == 0)
      continue;
    size_t got = size - 1 < n ? size - 1 : n;
    FZ_CHECK(buf[got] == '\0', "truncated output not terminated");
    FZ_CHECK(!memcmp(buf, full, got), "truncated output is not a prefix");
  }
  return n;
}

static void check_number_text(const sm_value *v, const char *s) {
  char *end;
  double parsed = strtod(s, &end);
  FZ_CHECK(*s != '\0' && *end == '\0', "number did not format as a number");
  if (v->is_float) {
    if (isnan(v->value))
      FZ_CHECK(isnan(parsed), "NaN did not format as nan");
    else
      FZ_CHECK(parsed == v->value, "float does not round-trip");
    return;
  }
  if (v->scaler > 20 || v->scaler < -20)
    return; /* printed through the float path */
  /* value = raw * 10^scaler; the decimal string is exact, the double is
   * rounded once or twice: they agree to a few ulps. */
  double diff = fabs(parsed - v->value);
  FZ_CHECK(diff <= fabs(v->value) * 1e-12 || diff < 1e-300,
           "formatted decimal disagrees with the scaled value");
}

void fz_check_value(const sm_value *v) {
  char full[256];
  FZ_CHECK(v->kind == SM_VALUE_NUMBER || v->kind == SM_VALUE_TEXT,
           "bad value kind");
  if (v->kind == SM_VALUE_TEXT) {
    FZ_CHECK(memchr(v->text, '\0', SM_MAX_TEXT) != NULL,
             "text value not terminated");
    FZ_CHECK(!v->is_float, "text value marked float");
  }
  /* Text values are < SM_MAX_TEXT == SM_NUM_MAX, numbers < SM_NUM_MAX. */
  check_format(fmt_value, v, SM_NUM_MAX, full);
  if (v->kind == SM_VALUE_NUMBER)
    check_number_text(v, full);
  check_format(fmt_obis_name, v->obis, SM_NAME_MAX, full);
  const char *table = sm_obis_table_name(v->obis);
  if (table)
    FZ_CHECK(!strcmp(table, full), "sm_obis_name differs from table name");
  else
    FZ_CHECK(!strncmp(full, "obis_", 5), "untabled name not obis_...");
  check_format(fmt_obis, v->obis, 24, full);
  const char *unit = sm_unit_symbol(v->unit);
  FZ_CHECK(unit != NULL && strlen(unit) < 8, "unit symbol");
}

void fz_check_datetime(const sm_datetime *dt) {
  char full[256];
  size_t n = check_format(fmt_time, dt, SM_TIME_MAX, full);
  FZ_CHECK(dt->present || n == 0, "absent date-time formatted");
  if (n == 0 || fz_known("datetime"))
    return;
  /* ISO 8601 as documented: "2023-07-26T20:05:20", fields in range. */
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail;
  FZ_CHECK(n == 19 && sscanf(full, "%4u-%2u-%2uT%2u:%2u:%2u%c", &y, &mo, &d,
                             &h, &mi, &s, &tail) == 6,
           "date-time not formatted as YYYY-MM-DDTHH:MM:SS");
  FZ_CHECK(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 &&
               s <= 60,
           "date-time formatted with a field out of range");
}

void fz_check_strings(const sm_telegram *t) {
  FZ_CHECK(t->n_values <= SM_MAX_VALUES, "n_values > SM_MAX_VALUES");
  FZ_CHECK(memchr(t->meter_number, '\0', SM_MAX_TEXT) != NULL,
           "meter_number not terminated");
  FZ_CHECK(memchr(t->device_name, '\0', SM_MAX_TEXT) != NULL,
           "device_name not terminated");
  for (size_t i = 0; i < t->n_values && i < SM_MAX_VALUES; i++)
    FZ_CHECK(memchr(t->values[i].text, '\0', SM_MAX_TEXT) != NULL,
             "value text not terminated");
}

void fz_check_telegram(const sm_telegram *t) {
  fz_check_strings(t);
  FZ_CHECK(!t->values_truncated || t->n_values == SM_MAX_VALUES,
           "values_truncated with room left");
  if (!t->encrypted) {
    static const uint8_t zero[8];
    FZ_CHECK(t->security == 0 && t->frame_counter == 0 &&
                 !memcmp(t->system_title, zero, 8),
             "plain telegram with security fields");
    FZ_CHECK(!t->authenticated && !t->tag_unchecked,
             "plain telegram claims a tag");
  } else {
    /* AMIS (OMS, not DLMS) reports its security mode 5 instead. */
    FZ_CHECK((t->security & 0x20) ||
                 (t->framing == SM_INPUT_AMIS && t->security == 5),
             "encrypted telegram without SC 0x20 bit");
  }
  if (t->authenticated)
    FZ_CHECK(t->security & 0x10, "authenticated without a tag");
  if (t->tag_unchecked)
    FZ_CHECK((t->security & 0x10) && !t->authenticated,
             "tag_unchecked inconsistent");
  if ((t->security & 0x10) && t->encrypted)
    FZ_CHECK(t->authenticated != t->tag_unchecked,
             "tagged telegram neither authenticated nor unchecked");
  fz_check_datetime(&t->meter_time);
  for (size_t i = 0; i < t->n_values && i < SM_MAX_VALUES; i++)
    fz_check_value(&t->values[i]);
}

static bool same_time(const sm_datetime *a, const sm_datetime *b) {
  return a->present == b->present && a->year == b->year &&
         a->month == b->month && a->day == b->day &&
         a->weekday == b->weekday && a->hour == b->hour &&
         a->minute == b->minute && a->second == b->second &&
         a->hundredths == b->hundredths && a->deviation == b->deviation &&
         a->status == b->status;
}

static bool same_value(const sm_value *a, const sm_value *b) {
  if (memcmp(a->obis, b->obis, 6) || a->kind != b->kind ||
      a->is_float != b->is_float || a->scaler != b->scaler ||
      a->unit != b->unit || a->raw != b->raw ||
      memcmp(&a->value, &b->value, sizeof a->value))
    return false;
  return a->kind != SM_VALUE_TEXT || !strcmp(a->text, b->text);
}

bool fz_same_content(const sm_telegram *a, const sm_telegram *b) {
  if (a->invoke_id != b->invoke_id || !same_time(&a->meter_time, &b->meter_time) ||
      strcmp(a->meter_number, b->meter_number) ||
      strcmp(a->device_name, b->device_name) || a->n_values != b->n_values ||
      a->values_truncated != b->values_truncated)
    return false;
  for (size_t i = 0; i < a->n_values && i < SM_MAX_VALUES; i++)
    if (!same_value(&a->values[i], &b->values[i]))
      return false;
  return true;
}

/* ---- sealing ------------------------------------------------------------ */

static gcry_cipher_hd_t gcm_handle(const uint8_t *key, const uint8_t iv[12]) {
  gcry_cipher_hd_t hd;
  if (gcry_cipher_open(&hd, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0))
    return NULL;
  if (gcry_cipher_setkey(hd, key, SM_KEY_LEN) ||
      gcry_cipher_setiv(hd, iv, 12)) {
    gcry_cipher_close(hd);
    return NULL;
  }
  return hd;
}

static void make_iv(const fz_seal *s, uint8_t iv[12]) {
  memcpy(iv, s->system_title, 8);
  iv[8] = (uint8_t)(s->fc >> 24);
  iv[9] = (uint8_t)(s->fc >> 16);
  iv[10] = (uint8_t)(s->fc >> 8);
  iv[11] = (uint8_t)s->fc;
}

size_t fz_seal_apdu(const fz_seal *s, const uint8_t *plain, size_t n,
                    uint8_t *out, size_t cap) {
  size_t tag = (s->sc & 0x10) ? 12 : 0;
  size_t body = 5 + n + tag;
  size_t lenlen = body < 0x80 ? 1 : body < 0x100 ? 2 : 3;
  size_t total = 2 + 8 + lenlen + body;
  if (body > 0xFFFF || total > cap)
    return 0;
  size_t o = 0;
  out[o++] = 0xDB;
  out[o++] = 0x08;
  memcpy(out + o, s->system_title, 8);
  o += 8;
  if (lenlen == 2)
    out[o++] = 0x81;
  else if (lenlen == 3) {
    out[o++] = 0x82;
    out[o++] = (uint8_t)(body >> 8);
  }
  out[o++] = (uint8_t)body;
  out[o++] = s->sc;
  out[o++] = (uint8_t)(s->fc >> 24);
  out[o++] = (uint8_t)(s->fc >> 16);
  out[o++] = (uint8_t)(s->fc >> 8);
  out[o++] = (uint8_t)s->fc;
  uint8_t iv[12];
  make_iv(s, iv);
  gcry_cipher_hd_t hd = gcm_handle(s->key, iv);
  if (!hd)
    return 0;
  bool ok = true;
  if (tag) {
    uint8_t aad[1 + SM_KEY_LEN];
    aad[0] = s->sc;
    memcpy(aad + 1, s->auth_key, SM_KEY_LEN);
    ok = !gcry_cipher_authenticate(hd, aad, sizeof aad);
  }
  ok = ok && !gcry_cipher_encrypt(hd, out + o, n, plain, n);
  o += n;
  if (ok && tag)
    ok = !gcry_cipher_gettag(hd, out + o, 12);
  gcry_cipher_close(hd);
  return ok ? total : 0;
}

bool fz_untagged_accepted_with_auth_key(void) {
  static int answer = -1;
  if (answer >= 0)
    return answer;
  /* 0F, invoke id, no date-time, {OBIS 1.8.0, u32 12937, {0, Wh}} */
  static const uint8_t plain[] = {0x0F, 0, 0, 0, 1, 0x00, 0x02, 0x03, 0x09,
                                  0x06, 1, 0, 1, 8, 0, 255, 0x06, 0, 0, 0x32,
                                  0x89, 0x02, 0x02, 0x0F, 0, 0x16, 0x1E};
  fz_seal s = {.system_title = {'K', 'F', 'M', 0, 0, 0, 0, 1},
               .sc = 0x20,
               .fc = 1,
               .key = fz_keys[0],
               .auth_key = fz_auth_key};
  uint8_t apdu[128], frames[256];
  size_t n = fz_seal_apdu(&s, plain, sizeof plain, apdu, sizeof apdu), k;
  size_t m = fz_mbus_wrap(apdu, n, 250, 16, frames, sizeof frames, &k);
  FZ_CHECK(n > 0 && m > 0, "probe telegram");
  sm_options o;
  memset(&o, 0, sizeof o);
  o.input = SM_INPUT_MBUS;
  o.has_key = o.has_auth_key = true;
  memcpy(o.key, fz_keys[0], SM_KEY_LEN);
  memcpy(o.auth_key, fz_auth_key, SM_KEY_LEN);
  sm_decoder *d = sm_decoder_new(&o, NULL);
  FZ_CHECK(d != NULL, "probe decoder");
  size_t used;
  const sm_telegram *t;
  answer = sm_decoder_feed(d, frames, m, &used, &t) == SM_TELEGRAM;
  sm_decoder_free(d);
  return answer;
}

size_t fz_open_apdu(const uint8_t *apdu, size_t n, const uint8_t *key,
                    uint8_t *plain, size_t cap, fz_seal *hdr) {
  if (n < 11 || apdu[0] != 0xDB || apdu[1] != 0x08)
    return 0;
  size_t pos = 10, body;
  if (apdu[pos] < 0x80) {
    body = apdu[pos++];
  } else if (apdu[pos] == 0x81 && n > 11) {
    body = apdu[pos + 1];
    pos += 2;
  } else if (apdu[pos] == 0x82 && n > 12) {
    body = (size_t)apdu[pos + 1] << 8 | apdu[pos + 2];
    pos += 3;
  } else {
    return 0;
  }
  if (body < 6 || pos + body > n)
    return 0;
  memcpy(hdr->system_title, apdu + 2, 8);
  hdr->sc = apdu[pos];
  hdr->fc = (uint32_t)apdu[pos + 1] << 24 | (uint32_t)apdu[pos + 2] << 16 |
            (uint32_t)apdu[pos + 3] << 8 | apdu[pos + 4];
  hdr->key = key;
  hdr->auth_key = NULL;
  size_t tag = (hdr->sc & 0x10) ? 12 : 0;
  if (body < 5 + tag + 1 || body - 5 - tag > cap)
    return 0;
  size_t len = body - 5 - tag;
  uint8_t iv[12];
  make_iv(hdr, iv);
  gcry_cipher_hd_t hd = gcm_handle(key, iv);
  if (!hd)
    return 0;
  bool ok = !gcry_cipher_decrypt(hd, plain, len, apdu + pos + 5, len);
  gcry_cipher_close(hd);
  return ok ? len : 0;
}

size_t fz_mbus_wrap(const uint8_t *apdu, size_t n, size_t seg,
                    size_t max_frames, uint8_t *out, size_t cap,
                    size_t *frames) {
  if (seg == 0 || seg > 250)
    seg = 250;
  *frames = n == 0 ? 1 : (n + seg - 1) / seg;
  size_t o = 0, i = 0, k = 0;
  do {
    size_t d = n - i < seg ? n - i : seg;
    bool fin = i + d == n;
    if (o + d + 11 > cap)
      return 0;
    uint8_t l = (uint8_t)(d + 5);
    out[o++] = 0x68;
    out[o++] = l;
    out[o++] = l;
    out[o++] = 0x68;
    size_t start = o;
    out[o++] = 0x53;
    out[o++] = 0xFF;
    out[o++] = (uint8_t)((k & 0x0F) | (fin ? 0x10 : 0));
    out[o++] = 0x01;
    out[o++] = 0x67;
    memcpy(out + o, apdu + i, d);
    o += d;
    unsigned sum = 0;
    for (size_t j = start; j < o; j++)
      sum += out[j];
    out[o++] = (uint8_t)sum;
    out[o++] = 0x16;
    i += d;
    k++;
  } while (i < n && k < max_frames);
  return o;
}

size_t fz_mbus_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu,
                      size_t cap) {
  size_t i = 0, o = 0;
  while (i + 4 <= n) {
    if (buf[i] != 0x68 || buf[i + 1] != buf[i + 2] || buf[i + 3] != 0x68)
      return 0;
    /* L < 3 is the T210-D's truncated 257+ byte length. */
    size_t len = buf[i + 1] < 3 ? (size_t)buf[i + 1] + 256 : buf[i + 1];
    if (len < 5 || i + 4 + len + 2 > n || o + len - 5 > cap)
      return 0;
    memcpy(apdu + o, buf + i + 9, len - 5);
    o += len - 5;
    i += 4 + len + 2;
  }
  return i == n ? o : 0;
}
