/* SPDX-License-Identifier: MIT */
/* sm_axdr.c - DLMS data-notification: header, A-XDR values, and the walker
 * for self-describing bodies.
 *
 * Plaintext: 0F <long-invoke-id 4> <date-time: 0C+12 | 09 0C+12 | 00>
 * <body: one A-XDR data element>, read one of two ways, every length
 * checked as it is read (sm_axdr_skip sizes a body only when its decode
 * failed, to report a malformed body as such, see sizing_first):
 *  - sm_layout.c recognises its shape (positional layouts, the E450's
 *    clock + (OBIS, value) pairs, the capture-object list) and says what
 *    each element is; the elements are read here (apply_shape);
 *  - otherwise the walker pairs self-describing elements by what they are:
 *      EVN:    struct{ date-time, OBIS, value, {scaler, unit}, OBIS, ...,
 *                      meter number }
 *      TINETZ, VKW, Salzburg: struct{ OBIS clock, date-time,
 *                      {OBIS, meter number}, {OBIS, device name},
 *                      {OBIS, value, {scaler, unit}}, ... }
 *    A 6-byte octet-string while no OBIS is pending is an OBIS code; the
 *    next element is its value, whatever its type (null-data, dont-care
 *    and bit-strings consume the code without giving a reading); a
 *    {int8, enum} right after a value, in the same container, is its
 *    scaler and unit. Strings without an OBIS code: a valid date-time is
 *    the meter time, printable text the meter number, "" is ignored.
 *
 * Fail closed, never a guess (SM_ERR_LAYOUT, the body's shape in detail):
 * a number, bit-string, date, time or binary string without a pending
 * OBIS code; a container where an OBIS code waits for its value; a
 * container or the body ending while one waits. SM_ERR_AXDR: unknown
 * types (compact-array 0x13 included: no meter is known to push one),
 * truncation, BCD with a nibble above 9.
 * Delivered as sent, for the bounds to judge (sm_value_bound: the plugin
 * and the CLI drop, count and name such a reading, issue 10): NaN and
 * infinite floats, and any scaler (a +120 gives a value beyond every
 * bound). Left out with a note in detail: numbers whose unit nobody
 * documents (sm_layout.c). BCD reads as two decimal digits (0x42 = 42).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sm_names.h"
#include "sm_private.h"

#define MAX_DEPTH 12
#define DATETIME_LEN 12
#define SCALER_MAX 9 /* the fast path's range; others take the walk */

typedef struct walker {
  const uint8_t *p;
  size_t n, pos; /* n: end of the body */
  sm_telegram *t;
  char *detail;
  size_t detail_size;
  bool have_obis; /* obis waits for its value */
  uint8_t obis[6];
  bool after_value; /* the last element was a value of an OBIS code */
  sm_value *last;   /* that value, when it is a stored number */
  int depth;
  size_t time_at, date_at; /* positional: contents of os(4) / os(5) */
} walker;

typedef struct number {
  bool is_float;
  int64_t raw;
  double f;
} number;

static const uint8_t OBIS_CLOCK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t OBIS_METER_NUMBER[6] = {0, 0, 96, 1, 0, 255};
static const uint8_t OBIS_DEVICE_NAME[6] = {0, 0, 42, 0, 0, 255};

/* "1.0.1.8.0.255: why" into detail. */
static void note(walker *w, const uint8_t obis[6], const char *why) {
  if (w->detail_size)
    snprintf(w->detail, w->detail_size, "%u.%u.%u.%u.%u.%u: %s", obis[0],
             obis[1], obis[2], obis[3], obis[4], obis[5], why);
}

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

/* The meter time from a 12-byte date-time, unless the header gave one. */
static void clock_found(walker *w, const uint8_t *b) {
  if (!w->t->meter_time.present && datetime_valid(b))
    datetime_read(b, &w->t->meter_time);
}

/* ---- values ------------------------------------------------------------ */

/* Scaler and unit of the value just read (w->last, NULL when it was not
 * stored). Any scaler is taken: what no meter can measure (a wild scaler,
 * NaN) is the bounds' business (sm_value_bound, sm_names.h), where the
 * plugin and the CLI drop, count and name it. */
static sm_status set_scaler(walker *w, int8_t scaler, uint8_t unit) {
  sm_value *v = w->last;
  if (!v)
    return SM_TELEGRAM;
  v->scaler = scaler;
  v->unit = unit;
  if (scaler == 0)
    return SM_TELEGRAM; /* x * 10^0 is x: value holds it already */
  sm_value_rescale(v);
  return SM_TELEGRAM;
}

/* A number of OBIS code obis (non-finite floats too: see set_scaler). */
static sm_status reading_add(walker *w, const uint8_t obis[6], const number *x,
                             int8_t scaler, uint8_t unit) {
  w->last = NULL;
  if (obis != w->obis)
    memcpy(w->obis, obis, 6);
  if (!x->is_float) { /* raw, scaler, unit and value in one pass */
    w->last = sm_value_integer(w->t, obis, x->raw, scaler, unit);
    return SM_TELEGRAM;
  }
  sm_value *v = sm_value_add(w->t, obis);
  if (v) {
    v->is_float = true;
    v->value = x->f; /* raw stays 0 */
  }
  w->last = v;
  if (scaler == 0 && unit == 255)
    return SM_TELEGRAM; /* what sm_value_add set: nothing to scale */
  return set_scaler(w, scaler, unit);
}

static bool all_printable(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] >= 0x7F)
      return false;
  return true;
}

static bool is_printable(const uint8_t *s, size_t n) {
  return n > 0 && all_printable(s, n);
}

/* Printable text as it is, anything else in hex; cut to SM_MAX_TEXT. */
static void copy_text(char *dst, const uint8_t *s, size_t n) {
  if (all_printable(s, n)) {
    size_t o = n < SM_MAX_TEXT - 1 ? n : SM_MAX_TEXT - 1;
    memcpy(dst, s, o);
    dst[o] = '\0';
    return;
  }
  size_t fits = (SM_MAX_TEXT - 1) / 2;
  sm_hex_encode(s, n < fits ? n : fits, dst);
}

static void text_add(walker *w, const uint8_t obis[6], const uint8_t *s,
                     size_t n) {
  sm_value *v = sm_value_add(w->t, obis);
  if (v) {
    v->kind = SM_VALUE_TEXT;
    copy_text(v->text, s, n);
  }
}

/* ---- reading elements -------------------------------------------------- */

static bool need(walker *w, size_t k) {
  return w->n - w->pos >= k;
}

/* k (1, 2, 4 or 8) bytes, big-endian; the caller checked they are there.
 * Spelled out per size: this runs for every number of every telegram. */
static uint64_t read_be(walker *w, size_t k) {
  const uint8_t *b = w->p + w->pos;
  uint64_t v = 0;
  w->pos += k;
  switch (k) {
  case 1:
    return b[0];
  case 2:
    return (uint64_t)b[0] << 8 | b[1];
  case 4:
    return (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 |
           b[3];
  default:
    for (size_t i = 0; i < k; i++)
      v = (v << 8) | b[i];
    return v;
  }
}

/* A BER length at w->pos: the one-byte form, which every length in a
 * telegram body has, without a call; the rest by sm_ber_length. */
static long ber_length(walker *w) {
  if (w->pos < w->n && w->p[w->pos] < 0x80)
    return w->p[w->pos++];
  return sm_ber_length(w->p, w->n, &w->pos);
}

/* Size of a fixed-width integer type, negative when signed; 0 if the tag
 * is none of them. */
static int int_size(uint8_t tag) {
  switch (tag) {
  case T_BOOL:
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

/* The integer of int_size sz in b[0..|sz|): sign-extended, an unsigned
 * 64-bit one above INT64_MAX clamped. */
static inline int64_t int_value(const uint8_t *b, int sz) {
  switch (sz) {
  case 1:
    return b[0];
  case -1:
    return (int8_t)b[0];
  case 2:
    return (uint16_t)(b[0] << 8 | b[1]);
  case -2:
    return (int16_t)(uint16_t)(b[0] << 8 | b[1]);
  case 4:
  case -4: {
    uint32_t u = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
                 (uint32_t)b[2] << 8 | b[3];
    return sz < 0 ? (int64_t)(int32_t)u : (int64_t)u;
  }
  default: {
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
      u = u << 8 | b[i];
    return sz > 0 && u > INT64_MAX ? INT64_MAX : (int64_t)u;
  }
  }
}

static sm_status read_int(walker *w, int sz, number *x) {
  size_t k = (size_t)(sz < 0 ? -sz : sz);
  if (!need(w, k))
    return SM_ERR_AXDR;
  x->raw = int_value(w->p + w->pos, sz);
  w->pos += k;
  return SM_TELEGRAM;
}

static sm_status read_float(walker *w, uint8_t tag, number *x) {
  size_t k = tag == T_F32 ? 4 : 8;
  if (!need(w, k))
    return SM_ERR_AXDR;
  uint64_t u = read_be(w, k);
  x->is_float = true;
  if (k == 4) {
    uint32_t u32 = (uint32_t)u;
    float f;
    memcpy(&f, &u32, 4);
    x->f = f;
  } else {
    memcpy(&x->f, &u, 8);
  }
  return SM_TELEGRAM;
}

/* Two decimal digits, one per nibble. */
static sm_status read_bcd(walker *w, number *x) {
  if (!need(w, 1))
    return SM_ERR_AXDR;
  uint8_t b = w->p[w->pos++];
  if ((b >> 4) > 9 || (b & 15) > 9) {
    note(w, w->obis, "BCD digit above 9");
    return SM_ERR_AXDR;
  }
  x->raw = (b >> 4) * 10 + (b & 15);
  return SM_TELEGRAM;
}

/* The number whose tag was just read, at w->pos. SM_ERR_AXDR when the
 * tag is not a number type. */
static sm_status read_number(walker *w, uint8_t tag, number *x) {
  x->is_float = false;
  x->raw = 0;
  x->f = 0;
  if (tag == T_F32 || tag == T_F64)
    return read_float(w, tag, x);
  if (tag == T_BCD)
    return read_bcd(w, x);
  int sz = int_size(tag);
  return sz ? read_int(w, sz, x) : SM_ERR_AXDR;
}

/* A string's contents at w->pos (after its tag); advances past them. */
static sm_status read_string(walker *w, const uint8_t **s, size_t *n) {
  long len = ber_length(w);
  if (len < 0 || !need(w, (size_t)len))
    return SM_ERR_AXDR;
  *s = w->p + w->pos;
  *n = (size_t)len;
  w->pos += (size_t)len;
  return SM_TELEGRAM;
}

/* ---- the walker -------------------------------------------------------- */

/* The pending OBIS code got its value. */
static void paired(walker *w) {
  w->have_obis = false;
  w->after_value = true;
  w->last = NULL;
}

static void named_string(walker *w, const uint8_t *s, size_t n) {
  sm_telegram *t = w->t;
  paired(w);
  if (!memcmp(w->obis, OBIS_CLOCK, 6) && n == DATETIME_LEN)
    clock_found(w, s);
  else if (!memcmp(w->obis, OBIS_METER_NUMBER, 6))
    copy_text(t->meter_number, s, n);
  else if (!memcmp(w->obis, OBIS_DEVICE_NAME, 6))
    copy_text(t->device_name, s, n);
  else
    text_add(w, w->obis, s, n); /* unknown OBIS: kept as text */
}

/* A string without a pending OBIS: EVN's leading date-time or trailing
 * meter number. Anything else has no name to go by. */
static sm_status loose_string(walker *w, const uint8_t *s, size_t n) {
  sm_telegram *t = w->t;
  if (n == DATETIME_LEN && datetime_valid(s))
    clock_found(w, s);
  else if (is_printable(s, n) && t->meter_number[0] == '\0')
    copy_text(t->meter_number, s, n);
  else if (n != 0 && !is_printable(s, n))
    return SM_ERR_LAYOUT;
  return SM_TELEGRAM;
}

static sm_status string_found(walker *w, uint8_t tag, const uint8_t *s,
                              size_t n) {
  if (tag == T_OCTETS && n == 6 && !w->have_obis) {
    memcpy(w->obis, s, 6);
    w->have_obis = true;
    return SM_TELEGRAM;
  }
  if (!w->have_obis)
    return loose_string(w, s, n);
  named_string(w, s, n);
  return SM_TELEGRAM;
}

/* {int8 scaler, enum unit} at w->pos, inside the body. */
static bool is_scaler_unit(walker *w) {
  return need(w, 4) && w->p[w->pos] == T_I8 && w->p[w->pos + 2] == T_ENUM;
}

/* A container's tag was read: SM_NEED_MORE when it is open (its *count
 * elements follow), SM_TELEGRAM when it was taken whole as the
 * scaler_unit of the value before it, or an error. */
static sm_status open_container(walker *w, uint8_t tag, bool may_unit,
                                long *count) {
  *count = ber_length(w);
  if (*count < 0)
    return SM_ERR_AXDR;
  if (w->have_obis)
    return SM_ERR_LAYOUT; /* an OBIS code with a container for a value */
  /* (At the nesting limit even a scaler_unit is one level too deep.) */
  if (tag == T_STRUCT && *count == 2 && may_unit && is_scaler_unit(w) &&
      w->depth < MAX_DEPTH) {
    int8_t scaler = (int8_t)w->p[w->pos + 1];
    uint8_t unit = w->p[w->pos + 3];
    w->pos += 4;
    return set_scaler(w, scaler, unit);
  }
  if (++w->depth > MAX_DEPTH)
    return SM_ERR_AXDR;
  return SM_NEED_MORE;
}

/* After a container's last element. */
static sm_status close_container(walker *w) {
  if (w->have_obis)
    return SM_ERR_LAYOUT; /* the code's value would come from outside */
  w->after_value = false; /* a scaler belongs to a value in its container */
  w->depth--;
  return SM_TELEGRAM;
}

static sm_status walk_string(walker *w, uint8_t tag) {
  const uint8_t *s;
  size_t n;
  sm_status st = read_string(w, &s, &n);
  return st == SM_TELEGRAM ? string_found(w, tag, s, n) : st;
}

/* Null-data, dont-care, bit-strings: the pending OBIS code's value, but
 * no reading. Without a code only the empty ones are harmless. */
static sm_status walk_no_reading(walker *w, uint8_t tag) {
  if (tag == T_BITS) {
    long bits = ber_length(w);
    size_t bytes = bits < 0 ? 0 : ((size_t)bits + 7) / 8;
    if (bits < 0 || !need(w, bytes))
      return SM_ERR_AXDR;
    w->pos += bytes;
  }
  if (w->have_obis)
    paired(w);
  else if (tag == T_BITS)
    return SM_ERR_LAYOUT;
  return SM_TELEGRAM;
}

/* With an OBIS code: like a string (the clock, or text in hex). Without:
 * a date-time is the meter time; a date or a time means nothing. */
static sm_status walk_time(walker *w, uint8_t tag) {
  size_t k = tag == T_DATETIME ? DATETIME_LEN : tag == T_DATE ? 5 : 4;
  if (!need(w, k))
    return SM_ERR_AXDR;
  const uint8_t *s = w->p + w->pos;
  w->pos += k;
  if (w->have_obis)
    named_string(w, s, k);
  else if (tag == T_DATETIME)
    clock_found(w, s); /* typed: a date-time, valid or not */
  else
    return SM_ERR_LAYOUT;
  return SM_TELEGRAM;
}

static sm_status walk_number(walker *w, uint8_t tag) {
  number x;
  sm_status st = read_number(w, tag, &x);
  if (st != SM_TELEGRAM)
    return st;
  if (!w->have_obis)
    return SM_ERR_LAYOUT; /* a number with no name: never paired by guess */
  paired(w);
  return reading_add(w, w->obis, &x, 0, 255);
}

/* An element that is no container, its tag just read. */
static sm_status leaf(walker *w, uint8_t tag) {
  switch (tag) {
  case T_OCTETS:
  case T_VISIBLE:
  case T_UTF8:
    return walk_string(w, tag);
  case T_NULL:
  case T_DONT_CARE:
  case T_BITS:
    return walk_no_reading(w, tag);
  case T_DATETIME:
  case T_DATE:
  case T_TIME:
    return walk_time(w, tag);
  default:
    return walk_number(w, tag);
  }
}

/* OBIS code, integer, {scaler, unit}: how every M-Bus meter sends its
 * readings, as three elements of one container (EVN: of the body,
 * TINETZ/VKW: of a structure(3) of their own, wrapped). When the bytes
 * at w->pos are exactly that, the three are read here at once, through
 * the same helpers and leaving the same state as the turns of the walk
 * (structure(3) opened, string, number, scaler_unit, structure closed);
 * otherwise false and nothing changed. A scaler out of range is left to
 * the walk, which reports it. */
static bool reading_triple(walker *w, long todo, long *taken, sm_status *st) {
  const uint8_t *p = w->p + w->pos;
  size_t left = w->n - w->pos;
  bool wrapped = left >= 2 && p[0] == T_STRUCT && p[1] == 3;
  if (!wrapped && todo < 2) /* the three must be siblings */
    return false;
  size_t at = wrapped ? 2 : 0, depth = w->depth + wrapped;
  p += at;
  if (w->have_obis || left < at + 9 || p[0] != T_OCTETS || p[1] != 6)
    return false;
  int sz = int_size(p[8]);
  size_t k = (size_t)(sz < 0 ? -sz : sz);
  if (sz == 0 || left < at + 9 + k + 6)
    return false;
  const uint8_t *su = p + 9 + k; /* 02 02 0F scaler 16 unit */
  int8_t scaler = (int8_t)su[3];
  if (su[0] != T_STRUCT || su[1] != 2 || su[2] != T_I8 || su[4] != T_ENUM ||
      scaler < -SCALER_MAX || scaler > SCALER_MAX || depth >= MAX_DEPTH)
    return false;
  /* What the turns leave: the code paired with its scaled value, which
   * is w->last, and no value right before the next element. */
  memcpy(w->obis, p + 2, 6);
  w->pos += at + 9 + k + 6;
  w->have_obis = false;
  w->after_value = false;
  w->last =
      sm_value_integer(w->t, w->obis, int_value(p + 9, sz), scaler, su[5]);
  *st = SM_TELEGRAM;
  *taken = wrapped ? 0 : 2; /* siblings taken besides this element */
  return true;
}

/* The element at w->pos and all it contains, in order. Iterative, with
 * the count still to come of each open container on a small stack: a
 * recursive call per element cost about as much as reading the element.
 * (Opening checks the nesting against MAX_DEPTH; walks start outside any
 * container, so the stack holds what is open.) */
static sm_status walk(walker *w) {
  long left[MAX_DEPTH + 1], todo = 1;
  size_t open = 0;
  for (;;) {
    while (todo == 0) {
      if (open == 0)
        return SM_TELEGRAM;
      sm_status st = close_container(w);
      if (st != SM_TELEGRAM)
        return st;
      todo = left[--open];
    }
    todo--;
    sm_status st;
    long taken;
    if (reading_triple(w, todo, &taken, &st)) {
      if (st != SM_TELEGRAM)
        return st;
      todo -= taken;
      continue;
    }
    if (!need(w, 1))
      return SM_ERR_AXDR;
    bool may_unit = w->after_value;
    w->after_value = false;
    uint8_t tag = w->p[w->pos++];
    if (tag == T_ARRAY || tag == T_STRUCT) {
      long count;
      st = open_container(w, tag, may_unit, &count);
      if (st == SM_NEED_MORE && open < MAX_DEPTH + 1) {
        left[open++] = todo;
        todo = count;
        continue;
      }
    } else {
      st = leaf(w, tag);
    }
    if (st != SM_TELEGRAM)
      return st == SM_NEED_MORE ? SM_ERR_AXDR : st;
  }
}

/* ---- bodies of a known shape (sm_layout.c) ----------------------------- */

static sm_status field_clock(walker *w, size_t pos) {
  const uint8_t *s = NULL;
  size_t n = 0;
  w->pos = pos + 1;
  if (w->p[pos] == T_DATETIME && need(w, DATETIME_LEN)) {
    s = w->p + w->pos;
    n = DATETIME_LEN;
  } else if (w->p[pos] == T_OCTETS && read_string(w, &s, &n) != SM_TELEGRAM) {
    n = 0;
  }
  if (n != DATETIME_LEN) {
    note(w, w->obis, "clock is not a date-time");
    return SM_ERR_LAYOUT;
  }
  clock_found(w, s);
  return SM_TELEGRAM;
}

static sm_status field_reading(walker *w, const sm_field *f, size_t pos) {
  uint8_t tag = w->p[pos];
  number x;
  w->pos = pos + 1;
  memcpy(w->obis, f->obis, 6);
  if (tag == T_NULL || tag == T_DONT_CARE)
    return SM_TELEGRAM; /* no value this time */
  if (read_number(w, tag, &x) != SM_TELEGRAM) {
    note(w, f->obis, "not a number");
    return SM_ERR_LAYOUT;
  }
  return reading_add(w, f->obis, &x, f->scaler, f->unit);
}

/* A string element of a positional layout (its type was matched). */
static void field_string(walker *w, size_t pos, const uint8_t **s, size_t *n) {
  w->pos = pos + 1;
  if (read_string(w, s, n) != SM_TELEGRAM) {
    *s = w->p;
    *n = 0;
  }
}

static sm_status field_named(walker *w, const sm_field *f, size_t pos) {
  memcpy(w->obis, f->obis, 6);
  w->have_obis = true;
  w->after_value = false;
  w->pos = pos;
  sm_status st = walk(w);
  if (st == SM_ERR_LAYOUT)
    note(w, f->obis, "value of an unexpected type");
  return st;
}

static sm_status apply_field(walker *w, const sm_field *f, size_t pos) {
  const uint8_t *s;
  size_t n;
  memcpy(w->obis, f->obis, 6);
  switch (f->role) {
  case SM_ROLE_METER_NUMBER:
    field_string(w, pos, &s, &n);
    copy_text(w->t->meter_number, s, n);
    return SM_TELEGRAM;
  case SM_ROLE_TIME: /* os(4) and os(5): lengths matched */
    field_string(w, pos, &s, &n);
    w->time_at = (size_t)(s - w->p);
    return SM_TELEGRAM;
  case SM_ROLE_DATE:
    field_string(w, pos, &s, &n);
    w->date_at = (size_t)(s - w->p);
    return SM_TELEGRAM;
  case SM_ROLE_CLOCK:
    return field_clock(w, pos);
  case SM_ROLE_READING:
    return field_reading(w, f, pos);
  case SM_ROLE_TEXT:
    field_string(w, pos, &s, &n);
    if (n)
      text_add(w, f->obis, s, n);
    return SM_TELEGRAM;
  case SM_ROLE_NAMED:
    return field_named(w, f, pos);
  case SM_ROLE_NO_UNIT:
    note(w, f->obis, "no scaler/unit sent or documented: left out");
    return SM_TELEGRAM;
  default:
    return SM_TELEGRAM; /* SKIP, ID (matched already) */
  }
}

/* Kärnten/Wels: time os(4) + date os(5) into a date-time with deviation
 * and status not specified; only when the header had none. */
static void positional_time(walker *w) {
  if (!w->time_at || !w->date_at)
    return;
  const uint8_t *tm = w->p + w->time_at, *d = w->p + w->date_at;
  const uint8_t b[DATETIME_LEN] = {d[0],  d[1],  d[2],  d[3], d[4], tm[0],
                                   tm[1], tm[2], tm[3], 0x80, 0x00, 0xFF};
  clock_found(w, b);
}

static sm_status apply_shape(walker *w, sm_shape *s) {
  size_t pos;
  sm_field f;
  while (sm_shape_next(s, &pos, &f)) {
    sm_status st = apply_field(w, &f, pos);
    if (st != SM_TELEGRAM)
      return st;
  }
  positional_time(w);
  return SM_TELEGRAM;
}

/* The body at `body`, its size not checked yet (see sizing_first): a
 * shape sm_layout.c knows (sized by the matcher), else the walker (which
 * checks every length it reads). *end is the body's end on success;
 * *walked says the walker ran. */
static sm_status decode_body(walker *w, size_t body, size_t *end,
                             bool *walked) {
  sm_shape s;
  sm_status st;
  *walked = false;
  if (sm_shape_match(w->p, body, w->n, &s, &st, w->detail, w->detail_size)) {
    w->n = s.end;
    *end = s.end;
    w->t->layout = s.name;
    return st == SM_TELEGRAM ? apply_shape(w, &s) : st;
  }
  *walked = true;
  w->pos = body;
  w->t->layout = "OBIS list (EVN, TINETZ, IKB, VKW, Salzburg and others)";
  st = walk(w);
  *end = w->pos;
  return st;
}

/* ---- the notification header ------------------------------------------- */

bool sm_axdr_is_notification(const uint8_t *p, size_t n) {
  size_t clock, body;
  return sm_notification_header(p, n, &clock, &body) == SM_TELEGRAM;
}

static void header_fields(walker *w, size_t clock) {
  w->pos = 1;
  w->t->invoke_id = (uint32_t)read_be(w, 4);
  if (clock != 0 && datetime_valid(w->p + clock))
    datetime_read(w->p + clock, &w->t->meter_time);
}

/* A body that sm_axdr_skip cannot size is SM_ERR_AXDR (or, when more
 * bytes may come, SM_NEED_MORE) whatever else is wrong with it: that
 * check came first when every body was sized before it was read. Now only
 * a failed decode pays for it: a walk or a shape match that succeeds has
 * read every length, type and nesting level sm_axdr_skip would check, and
 * found them good. Returns SM_TELEGRAM with *end when the size is fine. */
static sm_status sizing_first(const uint8_t *p, size_t n, bool more_may_come,
                              size_t body, size_t *end) {
  *end = body;
  sm_status st = sm_axdr_skip(p, n, end);
  if (st == SM_NEED_MORE)
    return more_may_come && n < SM_MAX_APDU ? SM_NEED_MORE : SM_ERR_AXDR;
  return st;
}

static void say_unsized(char *detail, size_t detail_size, sm_status st) {
  if (!detail_size)
    return;
  detail[0] = '\0';
  if (st == SM_ERR_AXDR)
    snprintf(detail, detail_size,
             "A-XDR body: truncated, an unknown type "
             "(compact-array?) or nested too deep");
}

/* A failed decode: the sizing error if there is one (nothing of the walk
 * is kept, as if it had never run), else the decode's own error. */
static sm_status decode_failed(walker *w, sm_status st, bool more_may_come,
                               size_t body, bool walked) {
  size_t end;
  sm_status size_st = sizing_first(w->p, w->n, more_may_come, body, &end);
  if (size_st != SM_TELEGRAM) {
    sm_telegram_clear(w->t);
    say_unsized(w->detail, w->detail_size, size_st);
    return size_st;
  }
  if (st == SM_ERR_LAYOUT && walked)
    sm_shape_describe(w->p, body, end, w->detail, w->detail_size);
  w->t->n_values = 0; /* nothing half-decoded is ever read */
  return st;
}

sm_status sm_axdr_notification(const uint8_t *p, size_t n, bool more_may_come,
                               sm_telegram *t, size_t *used, char *detail,
                               size_t detail_size) {
  if (detail_size)
    detail[0] = '\0';
  sm_telegram_clear(t);
  if (more_may_come && n < 20) /* header not complete yet */
    return SM_NEED_MORE;
  size_t clock, body, end;
  bool walked;
  sm_status st = sm_notification_header(p, n, &clock, &body);
  if (st != SM_TELEGRAM) {
    say_unsized(detail, detail_size, st);
    return st;
  }
  walker w = {
      .p = p, .n = n, .t = t, .detail = detail, .detail_size = detail_size};
  header_fields(&w, clock);
  st = decode_body(&w, body, &end, &walked);
  if (st != SM_TELEGRAM)
    return decode_failed(&w, st, more_may_come, body, walked);
  *used = end;
  return SM_TELEGRAM;
}
