/* SPDX-License-Identifier: MIT */
/* sm_layout.c - data-notification bodies whose meaning comes from their
 * shape, never from an operator name. This file only says what each
 * element of such a body is (an sm_field); sm_axdr.c reads the values.
 *
 * Positional layouts (no OBIS code on the values; units and scalers from
 * the operator documents, /work/shared/INTERFACES.md section 1). A body
 * matches a row when it is a structure with exactly the row's element
 * count, every element has the row's A-XDR type, every string the row's
 * length where the row fixes one, and an ID element holds its OBIS code:
 *   Kärnten    structure(12): os(6)=0-6:25.9.0.255, os(13) meter number,
 *              os(4) time, os(5) date, 6 u32, os(*) 96.13.0, os(*) 96.13.1
 *   Wels       structure(10): os(6)=0-6:25.9.0.255, os(8) serial, os(4)
 *              time, os(5) date, 6 u32
 *   Wr. Netze  structure(10): os(16) serial, os(12) clock, 8 u32
 *              structure(9):  os(12) clock, 8 u32 (older firmware)
 *   Burgenland structure(11): 6 u16, 4 u32, os(8) meter number
 *              structure(14): 6 u16, 4 u32, 3 u16 (undocumented: left
 *              out), os(8) meter number
 *   6 u32 = 1.8.0, 2.8.0 Wh; 3.8.0, 4.8.0 varh; 1.7.0, 2.7.0 W, scaler 0;
 *   8 u32 = those and 3.7.0, 4.7.0 var. Burgenland: U1-3 (32/52/72.7.0) V
 *   scaler 0, I1-3 (31/51/71.7.0) A scaler -2, 1.7.0, 2.7.0 W, 1.8.0,
 *   2.8.0 Wh.
 *
 * E450 pairs: structure(2k+1), k >= 1: a date-time (os(12) or 0x19), then
 * k times os(6) OBIS and an integer or float. No scaler or unit is sent:
 * the documents say integer Wh, varh, W, var, so the unit comes from the
 * OBIS code (unit_of); a code outside that rule is left out (NO_UNIT).
 *
 * Capture-object list (Energie Klagenfurt E450, unconfirmed): a structure
 * whose element 0 is an array of definitions, each exactly
 * {u16 class, os(6) OBIS, i8 attribute, u16 data-index}, followed by the
 * values in definition order. When definition 0 is the push setup's own
 * list (class 40, attribute 2) it describes element 0 and there are as
 * many definitions as elements; otherwise one fewer. Any other count, or
 * a scaler_unit (attribute 3) that is not {i8, enum}, is SM_ERR_LAYOUT.
 * Class 8 attribute 2 is the clock; class 3/4 attribute 2 a register
 * whose scaler and unit come from its attribute 3 in the same list, else
 * from the OBIS rule above, else it is left out; class 1 attribute 2 a
 * data value (meter number, device name, text or a unit-less number);
 * everything else is skipped.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sm_private.h"

enum { U_W = 27, U_VAR = 29, U_WH = 30, U_VARH = 32, U_A = 33, U_V = 35 };
enum { U_NONE = 255 };

enum { SHAPE_POSITIONAL = 1, SHAPE_PAIRS, SHAPE_CAPTURE };

/* ---- the positional layouts --------------------------------------------- */

/* One sm_field per element; the tables below read as the documents do. */
/* clang-format off */
#define ID_PUSH_SETUP {T_OCTETS, 6, SM_ROLE_ID, 0, U_NONE, {0, 6, 25, 9, 0, 255}}
#define STRING(n, role) {T_OCTETS, n, role, 0, U_NONE, {0}}
#define U32(c, d, u) {T_U32, 0, SM_ROLE_READING, 0, u, {1, 0, c, d, 0, 255}}
#define U16(c, s, u) {T_U16, 0, SM_ROLE_READING, s, u, {1, 0, c, 7, 0, 255}}
#define UNDOCUMENTED(t) {t, 0, SM_ROLE_SKIP, 0, U_NONE, {0}}
#define MESSAGE(e) {T_OCTETS, 0, SM_ROLE_TEXT, 0, U_NONE, {0, 0, 96, 13, e, 255}}

#define SIX_REGISTERS                                                          \
  U32(1, 8, U_WH), U32(2, 8, U_WH), U32(3, 8, U_VARH), U32(4, 8, U_VARH),      \
      U32(1, 7, U_W), U32(2, 7, U_W)
#define EIGHT_REGISTERS SIX_REGISTERS, U32(3, 7, U_VAR), U32(4, 7, U_VAR)
#define BURGENLAND_TEN                                                         \
  U16(32, 0, U_V), U16(52, 0, U_V), U16(72, 0, U_V), U16(31, -2, U_A),         \
      U16(51, -2, U_A), U16(71, -2, U_A), U32(1, 7, U_W), U32(2, 7, U_W),      \
      U32(1, 8, U_WH), U32(2, 8, U_WH)

static const sm_field KAERNTEN[] = {
    ID_PUSH_SETUP,
    STRING(13, SM_ROLE_METER_NUMBER),
    STRING(4, SM_ROLE_TIME),
    STRING(5, SM_ROLE_DATE),
    SIX_REGISTERS,
    MESSAGE(0),
    MESSAGE(1),
};

static const sm_field WELS[] = {
    ID_PUSH_SETUP,           STRING(8, SM_ROLE_METER_NUMBER),
    STRING(4, SM_ROLE_TIME), STRING(5, SM_ROLE_DATE),
    SIX_REGISTERS,
};

static const sm_field WIENER_NETZE[] = {
    STRING(16, SM_ROLE_METER_NUMBER),
    STRING(12, SM_ROLE_CLOCK),
    EIGHT_REGISTERS,
};

static const sm_field WIENER_NETZE_OLD[] = {
    STRING(12, SM_ROLE_CLOCK),
    EIGHT_REGISTERS,
};

static const sm_field BURGENLAND[] = {
    BURGENLAND_TEN,
    STRING(8, SM_ROLE_METER_NUMBER),
};

static const sm_field BURGENLAND_120[] = {
    BURGENLAND_TEN,
    UNDOCUMENTED(T_U16),
    UNDOCUMENTED(T_U16),
    UNDOCUMENTED(T_U16),
    STRING(8, SM_ROLE_METER_NUMBER),
};

typedef struct layout {
  const sm_field *fields;
  size_t count;
  const char *name; /* sm_telegram.layout: who sends it */
} layout;

#define ROW(f, name) {f, sizeof f / sizeof f[0], name}
static const layout LAYOUTS[] = {
    ROW(KAERNTEN, "push-setup structure(12) (Siemens IM350, Iskraemeco "
                  "AM550: KNG-Kaernten, some Wiener Netze)"),
    ROW(WELS, "push-setup structure(10) (Siemens IM350: eww Wels)"),
    ROW(WIENER_NETZE, "Wiener Netze structure(10) (Siemens IM350/IM150, "
                      "Iskraemeco AM550, L+G E450)"),
    ROW(WIENER_NETZE_OLD, "Wiener Netze structure(9) (older firmware)"),
    ROW(BURGENLAND, "Burgenland structure(11) (L+G E450)"),
    ROW(BURGENLAND_120, "Burgenland structure(14) (L+G E450)"),
};
#define NAME_PAIRS "clock and (OBIS, value) pairs (L+G E450: Steiermark)"
#define NAME_CAPTURE "capture-object list (L+G E450: Klagenfurt)"
/* clang-format on */

/* ---- elements ----------------------------------------------------------- */

/* Tag of the element at p[pos] (pos < end); *len is a string's length
 * (bit-string: bits) or a container's count, 0 otherwise; *data the
 * offset after the tag and length. */
static inline __attribute__((always_inline)) uint8_t
head(const uint8_t *p, size_t end, size_t pos, size_t *len, size_t *data) {
  uint8_t tag = p[pos];
  size_t at = pos + 1;
  *len = 0;
  switch (tag) {
  case T_ARRAY:
  case T_STRUCT:
  case T_BITS:
  case T_OCTETS:
  case T_VISIBLE:
  case T_UTF8: {
    /* The one-byte form without a call: a matcher reads many heads. */
    long l = at < end && p[at] < 0x80 ? p[at++] : sm_ber_length(p, end, &at);
    *len = l < 0 ? 0 : (size_t)l;
    break;
  }
  default:
    break;
  }
  *data = at;
  return tag;
}

/* The size of the element at p[pos] (pos < end) when its tag, or its tag
 * and a one-byte length, say it: a number or a string, what layouts
 * consist of. 0 for the rest (containers, longer lengths, unknown tags),
 * which sm_axdr_skip sizes. The sizes are those sm_axdr_skip steps. */
static size_t flat_size(const uint8_t *p, size_t end, size_t pos) {
  switch (p[pos]) {
  case T_I8:
  case T_U8:
  case T_ENUM:
  case T_BOOL:
    return 1 + 1;
  case T_I16:
  case T_U16:
    return 1 + 2;
  case T_I32:
  case T_U32:
  case T_F32:
    return 1 + 4;
  case T_I64:
  case T_U64:
  case T_F64:
    return 1 + 8;
  case T_DATETIME:
    return 1 + 12;
  case T_OCTETS:
  case T_VISIBLE:
  case T_UTF8:
    return end - pos >= 2 && p[pos + 1] < 0x80 ? 2 + (size_t)p[pos + 1] : 0;
  default:
    return 0;
  }
}

/* Step *pos over the element there. The matcher sizes each element
 * before it looks inside (the body is not sized as a whole: a telegram
 * that matches no shape is never sized twice); false when it cannot be
 * sized, which rules the shape out. */
static bool step(const uint8_t *p, size_t end, size_t *pos) {
  if (*pos >= end)
    return false;
  size_t k = flat_size(p, end, *pos);
  if (k == 0)
    return sm_axdr_skip(p, end, pos) == SM_TELEGRAM;
  if (end - *pos < k)
    return false; /* what sm_axdr_skip says of it: truncated */
  *pos += k;
  return true;
}

/* The offset of element i + 1 (element i is at s->at[i], i < s->n_at):
 * kept from an earlier step, else sized now and kept. false when element
 * i cannot be sized. (Inlined: it runs for each element of every match.) */
static inline __attribute__((always_inline)) bool
step_kept(sm_shape *s, size_t end, size_t i, size_t *next) {
  if (i + 1 < s->n_at) {
    *next = s->at[i + 1];
    return true;
  }
  *next = s->at[i];
  if (!step(s->p, end, next))
    return false;
  if (s->n_at < SM_SHAPE_AT)
    s->at[s->n_at++] = (uint16_t)*next;
  return true;
}

/* After a match (every element sized): the next element's offset. */
static size_t next_elem(const uint8_t *p, size_t end, size_t pos) {
  if (sm_axdr_skip(p, end, &pos) != SM_TELEGRAM)
    return end; /* cannot happen on a sized body; stops any loop */
  return pos;
}

static bool is_number_tag(uint8_t tag) {
  switch (tag) {
  case T_I8:
  case T_I16:
  case T_I32:
  case T_I64:
  case T_U8:
  case T_U16:
  case T_U32:
  case T_U64:
  case T_F32:
  case T_F64:
    return true;
  default:
    return false;
  }
}

/* (An element that was sized.) */
static bool is_datetime(const uint8_t *p, size_t end, size_t pos) {
  size_t len, data;
  uint8_t tag = head(p, end, pos, &len, &data);
  return tag == T_DATETIME || (tag == T_OCTETS && len == 12);
}

/* The body's structure: element count and offset of element 0. */
static bool body_struct(const uint8_t *p, size_t body, size_t end,
                        size_t *count, size_t *first) {
  return head(p, end, body, count, first) == T_STRUCT;
}

/* Integer Wh, varh, W, var (the operator documents) for A=1, C 1..4,
 * D 8 (energy) or 7 (power); false for any other code. */
static bool unit_of(const uint8_t obis[6], uint8_t *unit) {
  uint8_t c = obis[2], d = obis[3];
  if (obis[0] != 1 || c < 1 || c > 4 || (d != 7 && d != 8))
    return false;
  if (d == 8)
    *unit = c <= 2 ? U_WH : U_VARH;
  else
    *unit = c <= 2 ? U_W : U_VAR;
  return true;
}

/* ---- matching ----------------------------------------------------------- */

static bool field_fits(const uint8_t *p, size_t end, size_t pos,
                       const sm_field *f) {
  size_t len, data;
  uint8_t tag = head(p, end, pos, &len, &data);
  if (tag != f->tag || (f->len != 0 && len != f->len))
    return false;
  return f->role != SM_ROLE_ID || memcmp(p + data, f->obis, 6) == 0;
}

/* A row whose every element fits; *body_end after its last one. Rows of
 * the same count share the offsets s keeps. */
static const layout *positional(sm_shape *s, size_t end, size_t count,
                                size_t *body_end) {
  for (size_t r = 0; r < sizeof LAYOUTS / sizeof LAYOUTS[0]; r++) {
    const layout *l = &LAYOUTS[r];
    if (l->count != count)
      continue;
    size_t pos = s->first, next, i = 0;
    while (i < count && step_kept(s, end, i, &next) &&
           field_fits(s->p, end, pos, &l->fields[i])) {
      pos = next;
      i++;
    }
    if (i == count) {
      *body_end = pos;
      return l;
    }
  }
  return NULL;
}

/* Element i of the pairs shape: a date-time, then OBIS, number, ... */
static bool pair_fits(const uint8_t *p, size_t end, size_t pos, size_t i) {
  size_t len, data;
  uint8_t tag = head(p, end, pos, &len, &data);
  if (i == 0)
    return is_datetime(p, end, pos);
  return i % 2 ? tag == T_OCTETS && len == 6 : is_number_tag(tag);
}

static bool pairs(sm_shape *s, size_t end, size_t count, size_t *body_end) {
  if (count < 3 || count % 2 == 0)
    return false;
  size_t pos = s->first, next;
  for (size_t i = 0; i < count; i++) {
    /* The type first (it reads only the head, inside end): a body that
     * is no pairs shape fails before its odd element is sized. */
    if (pos >= end || !pair_fits(s->p, end, pos, i) ||
        !step_kept(s, end, i, &next))
      return false;
    pos = next;
  }
  *body_end = pos;
  return true;
}

/* ---- the capture-object list ------------------------------------------- */

/* 02 04 | 12 class(2) | 09 06 OBIS(6) | 0F attribute | 12 index(2) */
#define DEF_SIZE 18
/* 02 02 | 0F scaler | 16 unit */
#define SCALER_UNIT_SIZE 6

typedef struct capture {
  uint16_t class_id;
  const uint8_t *obis;
  int8_t attribute;
} capture;

static bool def_fits(const uint8_t *d) {
  return d[0] == T_STRUCT && d[1] == 4 && d[2] == T_U16 && d[5] == T_OCTETS &&
         d[6] == 6 && d[13] == T_I8 && d[15] == T_U16;
}

static capture def_read(const sm_shape *s, size_t i) {
  const uint8_t *d = s->p + s->defs + i * DEF_SIZE;
  capture c = {(uint16_t)(d[3] << 8 | d[4]), d + 7, (int8_t)d[14]};
  return c;
}

static bool is_register(const capture *c) {
  return c->class_id == 3 || c->class_id == 4;
}

static bool is_scaler_unit_def(const capture *c) {
  return is_register(c) && c->attribute == 3;
}

/* Offset of body element k (k < count). */
static size_t elem_at(const sm_shape *s, size_t k) {
  size_t pos = s->first;
  while (k-- > 0)
    pos = next_elem(s->p, s->end, pos);
  return pos;
}

/* Offset of the element definition i describes. */
static size_t def_value(const sm_shape *s, size_t i) {
  return elem_at(s, s->self_listed ? i : i + 1);
}

static bool scaler_unit_at(const uint8_t *p, size_t end, size_t pos) {
  return end - pos >= SCALER_UNIT_SIZE && p[pos] == T_STRUCT &&
         p[pos + 1] == 2 && p[pos + 2] == T_I8 && p[pos + 4] == T_ENUM;
}

static bool refuse(sm_status *st) {
  *st = SM_ERR_LAYOUT;
  return true;
}

/* Element 0 an array of definitions, every one exactly DEF_SIZE bytes of
 * the types above. */
static bool capture_defs(const uint8_t *p, size_t end, sm_shape *s) {
  size_t n, data;
  if (head(p, end, s->first, &n, &data) != T_ARRAY || n == 0 ||
      (end - data) / DEF_SIZE < n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!def_fits(p + data + i * DEF_SIZE))
      return false;
  s->defs = data;
  s->n_defs = n;
  capture c = def_read(s, 0);
  s->self_listed = c.class_id == 40 && c.attribute == 2;
  return true;
}

/* The list and the values agree: one value per definition, and every
 * scaler_unit is {i8, enum}. */
static bool capture_check(sm_shape *s, sm_status *st, char *detail,
                          size_t size) {
  size_t values = s->self_listed ? s->count : s->count - 1;
  if (s->n_defs != values) {
    if (size)
      snprintf(detail, size,
               "capture-object list: %zu definitions for %zu elements",
               s->n_defs, s->count);
    return refuse(st);
  }
  for (size_t i = 0; i < s->n_defs; i++) {
    capture c = def_read(s, i);
    if (is_scaler_unit_def(&c) &&
        !scaler_unit_at(s->p, s->end, def_value(s, i))) {
      if (size)
        snprintf(detail, size,
                 "capture-object list: definition %zu is a scaler_unit, "
                 "element %zu is not {i8, enum}",
                 i, s->self_listed ? i : i + 1);
      return refuse(st);
    }
  }
  *st = SM_TELEGRAM;
  return true;
}

/* A register's value: scaler and unit from its scaler_unit in the list,
 * else from the OBIS rule, else left out. */
static void register_field(const sm_shape *s, const capture *c, sm_field *f) {
  memcpy(f->obis, c->obis, 6);
  f->role = SM_ROLE_READING;
  f->scaler = 0;
  for (size_t j = 0; j < s->n_defs; j++) {
    capture u = def_read(s, j);
    if (is_scaler_unit_def(&u) && memcmp(u.obis, c->obis, 6) == 0) {
      size_t pos = def_value(s, j);
      f->scaler = (int8_t)s->p[pos + 3];
      f->unit = s->p[pos + 5];
      return;
    }
  }
  if (!unit_of(c->obis, &f->unit))
    f->role = SM_ROLE_NO_UNIT;
}

static void capture_field(const sm_shape *s, size_t k, sm_field *f) {
  if (k == 0)
    return; /* the list itself */
  capture c = def_read(s, s->self_listed ? k : k - 1);
  memcpy(f->obis, c.obis, 6);
  if (c.attribute != 2)
    return; /* a scaler_unit is read with its register; others skipped */
  if (c.class_id == 8)
    f->role = SM_ROLE_CLOCK;
  else if (is_register(&c))
    register_field(s, &c, f);
  else if (c.class_id == 1)
    f->role = SM_ROLE_NAMED;
}

/* ---- the interface ------------------------------------------------------ */

/* Only a body whose element 0 is an array can be a capture list: only
 * then is the whole body sized, and the list checked against it. */
static bool capture_sized(const uint8_t *p, size_t body, size_t n,
                          sm_shape *s) {
  size_t end = body;
  if (s->first >= n || p[s->first] != T_ARRAY ||
      sm_axdr_skip(p, n, &end) != SM_TELEGRAM)
    return false;
  s->end = end;
  return true;
}

bool sm_shape_match(const uint8_t *p, size_t body, size_t n, sm_shape *s,
                    sm_status *st, char *detail, size_t detail_size) {
  memset(s, 0, offsetof(sm_shape, at)); /* at[] is written as it fills */
  s->p = p;
  s->end = n;
  *st = SM_TELEGRAM;
  if (!body_struct(p, body, n, &s->count, &s->first) || s->count == 0)
    return false;
  s->pos = s->first;
  s->at[0] = (uint16_t)s->first;
  s->n_at = 1;
  const layout *l = positional(s, n, s->count, &s->end);
  if (l) {
    s->kind = SHAPE_POSITIONAL;
    s->name = l->name;
    s->fields = l->fields;
    return true;
  }
  if (pairs(s, n, s->count, &s->end)) {
    s->kind = SHAPE_PAIRS;
    s->name = NAME_PAIRS;
    return true;
  }
  if (capture_sized(p, body, n, s) && capture_defs(p, s->end, s)) {
    s->kind = SHAPE_CAPTURE;
    s->name = NAME_CAPTURE;
    return capture_check(s, st, detail, detail_size);
  }
  return false;
}

static void pairs_field(const sm_shape *s, size_t k, sm_field *f) {
  if (k == 0) {
    f->role = SM_ROLE_CLOCK;
    return;
  }
  if (k % 2)
    return; /* the OBIS code, read with its value */
  memcpy(f->obis, s->p + s->prev + 2, 6);
  f->role = unit_of(f->obis, &f->unit) ? SM_ROLE_READING : SM_ROLE_NO_UNIT;
}

bool sm_shape_next(sm_shape *s, size_t *pos, sm_field *f) {
  if (s->k >= s->count)
    return false;
  static const sm_field skip = {0, 0, SM_ROLE_SKIP, 0, U_NONE, {0}};
  *f = skip;
  if (s->kind == SHAPE_POSITIONAL)
    *f = s->fields[s->k];
  else if (s->kind == SHAPE_PAIRS)
    pairs_field(s, s->k, f);
  else
    capture_field(s, s->k, f);
  *pos = s->pos;
  s->prev = s->pos;
  s->pos =
      s->k + 1 < s->n_at ? s->at[s->k + 1] : next_elem(s->p, s->end, s->pos);
  s->k++;
  return true;
}

/* ---- the shape as text -------------------------------------------------- */

static const char *fixed_name(uint8_t tag) {
  switch (tag) {
  case 0x00:
    return "null";
  case 0x03:
    return "bool";
  case 0x05:
    return "i32";
  case 0x06:
    return "u32";
  case 0x0D:
    return "bcd";
  case 0x0F:
    return "i8";
  case 0x10:
    return "i16";
  case 0x11:
    return "u8";
  case 0x12:
    return "u16";
  case 0x14:
    return "i64";
  case 0x15:
    return "u64";
  case 0x16:
    return "enum";
  case 0x17:
    return "f32";
  case 0x18:
    return "f64";
  case 0x19:
    return "date-time";
  case 0x1A:
    return "date";
  case 0x1B:
    return "time";
  case 0xFF:
    return "dont-care";
  default:
    return NULL;
  }
}

static const char *sized_name(uint8_t tag) {
  switch (tag) {
  case T_ARRAY:
    return "array";
  case T_STRUCT:
    return "structure";
  case T_BITS:
    return "bits";
  case T_OCTETS:
    return "os";
  case T_VISIBLE:
    return "vs";
  case T_UTF8:
    return "utf8";
  default:
    return NULL;
  }
}

static void elem_name(const uint8_t *p, size_t end, size_t pos, char *out,
                      size_t size) {
  size_t len, data;
  uint8_t tag = head(p, end, pos, &len, &data);
  const char *name = sized_name(tag);
  if (name)
    snprintf(out, size, "%s(%zu)", name, len);
  else if ((name = fixed_name(tag)) != NULL)
    snprintf(out, size, "%s", name);
  else
    snprintf(out, size, "0x%02X", tag);
}

/* Append s to buf[0..size), which holds used bytes; returns the new used
 * count, never past size - 1. */
static size_t append(char *buf, size_t size, size_t used, const char *s) {
  size_t n = strlen(s);
  if (used + 1 >= size)
    return used;
  if (n > size - 1 - used)
    n = size - 1 - used;
  memcpy(buf + used, s, n);
  buf[used + n] = '\0';
  return used + n;
}

void sm_shape_describe(const uint8_t *p, size_t body, size_t end, char *detail,
                       size_t detail_size) {
  char name[32];
  size_t count, pos, used = 0;
  if (detail_size == 0)
    return;
  detail[0] = '\0';
  elem_name(p, end, body, name, sizeof name);
  used = append(detail, detail_size, used, name);
  uint8_t tag = head(p, end, body, &count, &pos);
  if (tag != T_STRUCT && tag != T_ARRAY)
    return;
  used = append(detail, detail_size, used, ":");
  for (size_t i = 0; i < count && pos < end; i++) {
    elem_name(p, end, pos, name, sizeof name);
    used = append(detail, detail_size, used, " ");
    used = append(detail, detail_size, used, name);
    pos = next_elem(p, end, pos);
  }
}
