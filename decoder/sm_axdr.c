/* sm_axdr.c - DLMS data-notification and a generic A-XDR walker.
 *
 * Plaintext: 0F <long-invoke-id 4> <date-time: 0C+12 | 09 0C+12 | 00>
 * <body: one A-XDR data element>. The walker needs no layout table: it
 * visits the body's elements in order and pairs them up by what they are.
 * That covers both shapes the Austrian operators send:
 *   EVN:    struct{ date-time, OBIS, value, {scaler, unit}, OBIS, ...,
 *                   meter number }
 *   TINETZ, VKW, Salzburg: struct{ OBIS clock, date-time,
 *                   {OBIS, meter number}, {OBIS, device name},
 *                   {OBIS, value, {scaler, unit}}, ... }
 * Rules: a 6-byte octet-string while no OBIS is pending is an OBIS code;
 * the next value belongs to it; a following structure {int8, enum} is that
 * value's scaler and unit. */
#include <string.h>

#include "sm_private.h"

enum {
  T_NULL = 0x00,
  T_ARRAY = 0x01,
  T_STRUCT = 0x02,
  T_BOOL = 0x03,
  T_BITS = 0x04,
  T_I32 = 0x05,
  T_U32 = 0x06,
  T_OCTETS = 0x09,
  T_VISIBLE = 0x0A,
  T_UTF8 = 0x0C,
  T_BCD = 0x0D,
  T_I8 = 0x0F,
  T_I16 = 0x10,
  T_U8 = 0x11,
  T_U16 = 0x12,
  T_I64 = 0x14,
  T_U64 = 0x15,
  T_ENUM = 0x16,
  T_F32 = 0x17,
  T_F64 = 0x18,
  T_DATETIME = 0x19,
  T_DATE = 0x1A,
  T_TIME = 0x1B,
};

#define MAX_DEPTH 12
#define DATETIME_LEN 12

typedef struct walker {
  const uint8_t *p;
  size_t n, pos;
  sm_telegram *t;
  bool have_obis;
  uint8_t obis[6];
  sm_value *last; /* may still receive a scaler/unit */
  int depth;
} walker;

static const uint8_t OBIS_CLOCK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t OBIS_METER_NUMBER[6] = {0, 0, 96, 1, 0, 255};
static const uint8_t OBIS_DEVICE_NAME[6] = {0, 0, 42, 0, 0, 255};

/* ---- date-time --------------------------------------------------------- */

static bool in_range(uint8_t v, uint8_t lo, uint8_t hi) {
  return v == 0xFF || (v >= lo && v <= hi);
}

/* Month 0xFD/0xFE (DST begin/end) and day 0xFD/0xFE (last days) are legal
 * wildcards too; plain garbage or ASCII fails these checks. */
static bool datetime_valid(const uint8_t *b) {
  uint8_t month = b[2], day = b[3];
  bool month_ok = in_range(month, 1, 12) || month == 0xFD || month == 0xFE;
  bool day_ok = in_range(day, 1, 31) || day == 0xFD || day == 0xFE;
  return month_ok && day_ok && in_range(b[4], 1, 7) && in_range(b[5], 0, 23) &&
         in_range(b[6], 0, 59) && in_range(b[7], 0, 59) &&
         in_range(b[8], 0, 99);
}

static void datetime_read(const uint8_t *b, sm_datetime *dt) {
  dt->present = true;
  dt->year = (uint16_t)(b[0] << 8 | b[1]);
  dt->month = b[2];
  dt->day = b[3];
  dt->weekday = b[4];
  dt->hour = b[5];
  dt->minute = b[6];
  dt->second = b[7];
  dt->hundredths = b[8];
  dt->deviation = (int16_t)(uint16_t)(b[9] << 8 | b[10]);
  dt->status = b[11];
}

/* ---- values ------------------------------------------------------------ */

static double pow10_exact(int e) {
  /* 10^0 .. 10^22 are exact doubles, so raw / 10^k rounds correctly. */
  static const double p[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double r = 1;
  while (e > 22) {
    r *= 1e22;
    e -= 22;
  }
  return r * p[e];
}

/* Called once per value, when its {scaler, unit} arrives. Floats carry
 * their unscaled number in value until then. */
static void value_rescale(sm_value *v) {
  if (v->kind != SM_VALUE_NUMBER)
    return;
  double x = v->is_float ? v->value : (double)v->raw;
  v->value =
      v->scaler >= 0 ? x * pow10_exact(v->scaler) : x / pow10_exact(-v->scaler);
}

static sm_value *value_add(walker *w) {
  sm_telegram *t = w->t;
  w->have_obis = false;
  if (t->n_values == SM_MAX_VALUES) {
    t->values_truncated = true;
    return NULL;
  }
  sm_value *v = &t->values[t->n_values++];
  memcpy(v->obis, w->obis, 6);
  v->kind = SM_VALUE_NUMBER;
  v->is_float = false;
  v->scaler = 0;
  v->unit = 255;
  v->raw = 0;
  v->value = 0;
  v->text[0] = '\0';
  return v;
}

static void number_found(walker *w, int64_t raw, double f, bool is_float) {
  if (!w->have_obis)
    return; /* e.g. a status word without an OBIS code: nothing to name */
  sm_value *v = value_add(w);
  w->last = v;
  if (!v)
    return;
  v->is_float = is_float;
  v->raw = is_float ? 0 : raw;
  v->value = is_float ? f : (double)raw;
}

static void copy_text(char *dst, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  bool printable = true;
  for (size_t i = 0; i < n; i++)
    printable = printable && s[i] >= 0x20 && s[i] < 0x7F;
  size_t o = 0;
  for (size_t i = 0; i < n && o + (printable ? 1 : 2) < SM_MAX_TEXT; i++) {
    if (printable) {
      dst[o++] = (char)s[i];
    } else {
      dst[o++] = hex[s[i] >> 4];
      dst[o++] = hex[s[i] & 15];
    }
  }
  dst[o] = '\0';
}

static bool is_printable(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] >= 0x7F)
      return false;
  return n > 0;
}

/* A string without a pending OBIS: EVN's leading date-time or trailing
 * meter number. */
static void loose_string(walker *w, const uint8_t *s, size_t n) {
  sm_telegram *t = w->t;
  if (n == DATETIME_LEN && datetime_valid(s)) {
    if (!t->meter_time.present)
      datetime_read(s, &t->meter_time);
  } else if (is_printable(s, n) && t->meter_number[0] == '\0') {
    copy_text(t->meter_number, s, n);
  }
}

static void named_string(walker *w, const uint8_t *s, size_t n) {
  sm_telegram *t = w->t;
  w->last = NULL;
  if (!memcmp(w->obis, OBIS_CLOCK, 6) && n == DATETIME_LEN) {
    w->have_obis = false;
    if (!t->meter_time.present && datetime_valid(s))
      datetime_read(s, &t->meter_time);
  } else if (!memcmp(w->obis, OBIS_METER_NUMBER, 6)) {
    w->have_obis = false;
    copy_text(t->meter_number, s, n);
  } else if (!memcmp(w->obis, OBIS_DEVICE_NAME, 6)) {
    w->have_obis = false;
    copy_text(t->device_name, s, n);
  } else {
    sm_value *v = value_add(w); /* unknown OBIS: kept as text */
    if (v) {
      v->kind = SM_VALUE_TEXT;
      copy_text(v->text, s, n);
    }
  }
}

static void string_found(walker *w, uint8_t tag, const uint8_t *s, size_t n) {
  if (tag == T_OCTETS && n == 6 && !w->have_obis) {
    memcpy(w->obis, s, 6);
    w->have_obis = true;
    w->last = NULL;
  } else if (w->have_obis) {
    named_string(w, s, n);
  } else {
    loose_string(w, s, n);
  }
}

/* ---- the walker -------------------------------------------------------- */

static bool need(walker *w, size_t k) {
  return w->n - w->pos >= k;
}

static uint64_t read_be(walker *w, size_t k) {
  uint64_t v = 0;
  for (size_t i = 0; i < k; i++)
    v = (v << 8) | w->p[w->pos++];
  return v;
}

static sm_status walk(walker *w);

/* {int8 scaler, enum unit} right after a value. */
static bool scaler_unit(walker *w) {
  if (!need(w, 4) || w->p[w->pos] != T_I8 || w->p[w->pos + 2] != T_ENUM)
    return false;
  if (w->last) {
    w->last->scaler = (int8_t)w->p[w->pos + 1];
    w->last->unit = w->p[w->pos + 3];
    value_rescale(w->last);
  }
  w->last = NULL;
  w->pos += 4;
  return true;
}

static sm_status walk_container(walker *w, uint8_t tag) {
  long count = sm_ber_length(w->p, w->n, &w->pos);
  if (count < 0)
    return need(w, 1) ? SM_ERR_AXDR : SM_NEED_MORE;
  if (tag == T_STRUCT && count == 2 && scaler_unit(w))
    return SM_TELEGRAM;
  if (++w->depth > MAX_DEPTH)
    return SM_ERR_AXDR;
  for (long i = 0; i < count; i++) {
    sm_status st = walk(w);
    if (st != SM_TELEGRAM)
      return st;
  }
  w->depth--;
  return SM_TELEGRAM;
}

static sm_status walk_string(walker *w, uint8_t tag) {
  long len = sm_ber_length(w->p, w->n, &w->pos);
  if (len < 0)
    return need(w, 1) ? SM_ERR_AXDR : SM_NEED_MORE;
  if (tag == T_BITS) { /* length counts bits */
    size_t bytes = ((size_t)len + 7) / 8;
    if (!need(w, bytes))
      return SM_NEED_MORE;
    w->pos += bytes;
    return SM_TELEGRAM;
  }
  if (!need(w, (size_t)len))
    return SM_NEED_MORE;
  string_found(w, tag, w->p + w->pos, (size_t)len);
  w->pos += (size_t)len;
  return SM_TELEGRAM;
}

/* Size of a fixed-width integer type, negative when signed; 0 if the tag
 * is none of them. */
static int int_size(uint8_t tag) {
  switch (tag) {
  case T_BOOL:
  case T_BCD:
  case T_U8:
  case T_ENUM:
    return 1;
  case T_I8:
    return -1;
  case T_U16:
    return 2;
  case T_I16:
    return -2;
  case T_U32:
    return 4;
  case T_I32:
    return -4;
  case T_U64:
    return 8;
  case T_I64:
    return -8;
  default:
    return 0;
  }
}

static sm_status walk_fixed(walker *w, uint8_t tag) {
  int sz = int_size(tag);
  if (sz == 0)
    return SM_ERR_AXDR;
  size_t k = (size_t)(sz < 0 ? -sz : sz);
  if (!need(w, k))
    return SM_NEED_MORE;
  uint64_t u = read_be(w, k);
  int64_t v;
  if (sz < 0 && k < 8 && (u >> (8 * k - 1)))
    v = (int64_t)(u | ~((UINT64_C(1) << (8 * k)) - 1)); /* sign-extend */
  else if (sz > 0 && u > INT64_MAX)
    v = INT64_MAX;
  else
    v = (int64_t)u;
  number_found(w, v, 0, false);
  return SM_TELEGRAM;
}

static sm_status walk_float(walker *w, uint8_t tag) {
  size_t k = tag == T_F32 ? 4 : 8;
  if (!need(w, k))
    return SM_NEED_MORE;
  uint64_t u = read_be(w, k);
  double d;
  if (k == 4) {
    uint32_t u32 = (uint32_t)u;
    float f;
    memcpy(&f, &u32, 4);
    d = f;
  } else {
    memcpy(&d, &u, 8);
  }
  number_found(w, 0, d, true);
  return SM_TELEGRAM;
}

static sm_status walk_time(walker *w, uint8_t tag) {
  size_t k = tag == T_DATETIME ? DATETIME_LEN : tag == T_DATE ? 5 : 4;
  if (!need(w, k))
    return SM_NEED_MORE;
  if (tag == T_DATETIME)
    string_found(w, T_OCTETS, w->p + w->pos, k);
  else if (w->have_obis)
    named_string(w, w->p + w->pos, k);
  w->pos += k;
  return SM_TELEGRAM;
}

static sm_status walk(walker *w) {
  if (!need(w, 1))
    return SM_NEED_MORE;
  uint8_t tag = w->p[w->pos++];
  switch (tag) {
  case T_NULL:
    return SM_TELEGRAM;
  case T_ARRAY:
  case T_STRUCT:
    return walk_container(w, tag);
  case T_OCTETS:
  case T_VISIBLE:
  case T_UTF8:
  case T_BITS:
    return walk_string(w, tag);
  case T_F32:
  case T_F64:
    return walk_float(w, tag);
  case T_DATETIME:
  case T_DATE:
  case T_TIME:
    return walk_time(w, tag);
  default:
    return walk_fixed(w, tag);
  }
}

/* ---- the notification header ------------------------------------------- */

static void telegram_clear(sm_telegram *t) {
  /* Only the header fields: values[] beyond n_values are never read. */
  t->invoke_id = 0;
  memset(&t->meter_time, 0, sizeof t->meter_time);
  t->meter_number[0] = '\0';
  t->device_name[0] = '\0';
  t->n_values = 0;
  t->values_truncated = false;
}

bool sm_axdr_is_notification(const uint8_t *p, size_t n) {
  size_t clock, body;
  return sm_notification_header(p, n, &clock, &body) == SM_TELEGRAM;
}

static sm_status header(walker *w) {
  size_t clock, body;
  sm_status st = sm_notification_header(w->p, w->n, &clock, &body);
  if (st != SM_TELEGRAM)
    return st;
  w->pos = 1;
  w->t->invoke_id = (uint32_t)read_be(w, 4);
  if (clock != 0 && datetime_valid(w->p + clock))
    datetime_read(w->p + clock, &w->t->meter_time);
  w->pos = body;
  return SM_TELEGRAM;
}

sm_status sm_axdr_notification(const uint8_t *p, size_t n, bool more_may_come,
                               sm_telegram *t, size_t *used, char *detail,
                               size_t detail_size) {
  if (detail_size)
    detail[0] = '\0';
  walker w = {.p = p, .n = n, .t = t};
  telegram_clear(t);
  if (more_may_come && n < 20) /* header not complete yet */
    return SM_NEED_MORE;
  sm_status st = header(&w);
  if (st == SM_TELEGRAM)
    st = walk(&w);
  if (st == SM_NEED_MORE)
    return more_may_come && n < SM_MAX_APDU ? SM_NEED_MORE : SM_ERR_AXDR;
  if (st != SM_TELEGRAM)
    return st;
  *used = w.pos;
  return SM_TELEGRAM;
}
