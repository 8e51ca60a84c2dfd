/* SPDX-License-Identifier: MIT */
/* sm_mbus_records.c - EN 13757-3 data records: the walker, and what the
 * records of an AMIS meter mean.
 *
 * A record is DIF [DIFE ...] VIF [VIFE ...] data:
 *   DIF   bits 0-3 the data field (its size), 4-5 the function, 6 storage
 *         number bit 0, 7 a DIFE follows;
 *   DIFE  bits 0-3 storage number, 4-5 tariff, 6 subunit, 7 more;
 *   VIF   bit 7 a VIFE follows; FB selects the first extension table,
 *         whose code is the next byte;
 *   VIFE  combinable codes (3C backward flow, 7x correction factor), FF:
 *         a manufacturer-specific VIFE follows.
 * 2F bytes around records are idle fill. The walker sizes each record from
 * its DIF (and the LVAR byte of variable data) and never guesses; the
 * mapping then takes only what it fully understands. So each record is a
 * reading with a certain OBIS code, unit and scaler, or the telegram
 * delivers none: one unknown byte can never shift another value. */
#include <stdio.h>
#include <string.h>

#include "sm_private.h"

#define EXT 0x80
#define FILL 0x2F
#define DIF_DATA 0x0F
#define DIF_FUNCTION 0x30
#define DIF_STORAGE 0x40
#define DATA_FLOAT 0x05
#define DATA_VARIABLE 0x0D
#define DATA_SPECIAL 0x0F
#define VIF_PLAIN_TEXT 0x7C
#define VIF_TABLE_FB 0xFB
#define VIF_DATE_TIME 0x6D
#define VIFE_BACKWARD 0x3C
#define VIFE_CORRECTION 0x70   /* 0111 0nnn: x 10^(nnn-6) */
#define VIFE_MANUFACTURER 0x7F /* the next VIFE is the manufacturer's */
#define MANUFACTURER_SAM 0x4C2D
#define SAM_INKASSO 0x04 /* Netz OÖ's Inkassozählwerk (billing register) */
#define MAX_TARIFF 63
#define TYPE_I_LEN 6

/* Bytes of data fields 0..E; 0x0D (variable) is sized by its LVAR. */
static const uint8_t DATA_SIZE[16] = {0, 1, 2, 3, 4, 4, 6, 8,
                                      0, 1, 2, 3, 4, 0, 6, 0};

/* ---- the walker -------------------------------------------------------- */

static sm_status difes(const uint8_t *p, size_t n, size_t *pos,
                       sm_mbus_record *r) {
  uint8_t b = r->dif;
  for (unsigned i = 0; b & EXT; i++) {
    if (i == SM_MBUS_MAX_DIFE)
      return SM_ERR_UNSUPPORTED;
    if (*pos >= n)
      return SM_ERR_APDU_LENGTH;
    b = p[(*pos)++];
    r->storage |= (uint64_t)(b & 0x0F) << (1 + 4 * i);
    r->tariff |= (uint32_t)((b >> 4) & 3) << (2 * i);
    r->subunit |= (uint32_t)((b >> 6) & 1) << i;
  }
  return SM_TELEGRAM;
}

static sm_status vifs(const uint8_t *p, size_t n, size_t *pos,
                      sm_mbus_record *r) {
  uint8_t b;
  do {
    if (r->n_vif == sizeof r->vif)
      return SM_ERR_UNSUPPORTED;
    if (*pos >= n)
      return SM_ERR_APDU_LENGTH;
    b = p[(*pos)++];
    r->vif[r->n_vif++] = b;
  } while (b & EXT);
  /* A plain-text VIF carries its unit as a string inside the record. */
  if ((r->vif[0] & ~EXT) == VIF_PLAIN_TEXT)
    return SM_ERR_UNSUPPORTED;
  return SM_TELEGRAM;
}

/* Text, BCD and binary sizes; the reserved and the long binary codes are
 * not walked. */
static bool lvar_size(uint8_t lvar, size_t *size) {
  if (lvar <= 0xBF)
    *size = lvar;
  else if (lvar >= 0xC0 && lvar <= 0xC9)
    *size = lvar - 0xC0u;
  else if (lvar >= 0xD0 && lvar <= 0xD9)
    *size = lvar - 0xD0u;
  else if (lvar >= 0xE0 && lvar <= 0xEF)
    *size = lvar - 0xE0u;
  else
    return false;
  return true;
}

static sm_status data_field(const uint8_t *p, size_t n, size_t *pos,
                            sm_mbus_record *r) {
  unsigned coding = r->dif & DIF_DATA;
  size_t size = DATA_SIZE[coding];
  if (coding == DATA_VARIABLE) {
    if (*pos >= n)
      return SM_ERR_APDU_LENGTH;
    if (!lvar_size(p[(*pos)++], &size))
      return SM_ERR_UNSUPPORTED;
  }
  if (size > n - *pos)
    return SM_ERR_APDU_LENGTH;
  r->data = p + *pos;
  r->len = size;
  *pos += size;
  return SM_TELEGRAM;
}

sm_status sm_mbus_record_next(const uint8_t *p, size_t n, size_t *pos,
                              sm_mbus_record *r) {
  while (*pos < n && p[*pos] == FILL)
    (*pos)++;
  if (*pos >= n)
    return SM_NEED_MORE;
  memset(r, 0, sizeof *r);
  r->at = *pos;
  r->dif = p[(*pos)++];
  /* 0F/1F manufacturer data to the end, 7F a readout request, the rest
   * reserved: nothing with a size of its own. */
  if ((r->dif & DIF_DATA) == DATA_SPECIAL)
    return SM_ERR_UNSUPPORTED;
  r->storage = (r->dif & DIF_STORAGE) ? 1 : 0;
  sm_status st = difes(p, n, pos, r);
  if (st == SM_TELEGRAM)
    st = vifs(p, n, pos, r);
  if (st == SM_TELEGRAM)
    st = data_field(p, n, pos, r);
  return st;
}

/* ---- what a record means ----------------------------------------------- */

typedef enum quantity {
  Q_ENERGY = 1,      /* Wh */
  Q_POWER,           /* W */
  Q_REACTIVE_ENERGY, /* varh */
  Q_REACTIVE_POWER,  /* var */
  Q_DATE_TIME,
} quantity;

typedef struct meaning {
  quantity q;
  int exponent;   /* the reading is data x 10^exponent in q's unit */
  bool backward;  /* VIFE 3C: negative contributions, i.e. export */
  bool corrected; /* a 7x VIFE was applied */
  bool inkasso;   /* SAM's billing register, signed */
} meaning;

/* Primary VIF, extension bit cleared. */
static bool primary(uint8_t v, meaning *m) {
  if (v <= 0x07) { /* E000 0nnn: energy 10^(nnn-3) Wh */
    m->q = Q_ENERGY;
    m->exponent = (v & 7) - 3;
  } else if ((v & 0x78) == 0x28) { /* E010 1nnn: power 10^(nnn-3) W */
    m->q = Q_POWER;
    m->exponent = (v & 7) - 3;
  } else if (v == VIF_DATE_TIME) {
    m->q = Q_DATE_TIME;
  } else {
    return false;
  }
  return true;
}

/* The first extension table (after VIF FB), extension bit cleared; in
 * varh and var. */
static bool table_fb(uint8_t v, meaning *m) {
  if ((v & 0x7E) == 0x02) { /* E000 001n: reactive energy 10^n kvarh */
    m->q = Q_REACTIVE_ENERGY;
    m->exponent = (v & 1) + 3;
  } else if ((v & 0x7C) == 0x14) { /* E001 01nn: 10^(nn-3) kvar */
    m->q = Q_REACTIVE_POWER;
    m->exponent = v & 3;
  } else {
    return false;
  }
  return true;
}

/* The Inkasso register: energy, then FF 04 as the last VIFEs. A
 * manufacturer's code means nothing for another manufacturer. */
static bool manufacturer_vife(const sm_mbus_record *r, size_t i, uint16_t mfr,
                              meaning *m) {
  if (mfr != MANUFACTURER_SAM || i + 1 != r->n_vif ||
      r->vif[i] != SAM_INKASSO || m->q != Q_ENERGY || m->backward)
    return false;
  m->inkasso = true;
  return true;
}

static bool combinable(const sm_mbus_record *r, size_t i, uint16_t mfr,
                       meaning *m) {
  for (; i < r->n_vif; i++) {
    uint8_t v = r->vif[i] & ~EXT;
    if (v == VIFE_BACKWARD && !m->backward) {
      m->backward = true;
    } else if ((v & 0x78) == VIFE_CORRECTION && !m->corrected) {
      m->corrected = true;
      m->exponent += (v & 7) - 6;
    } else if (v == VIFE_MANUFACTURER) {
      return manufacturer_vife(r, i + 1, mfr, m);
    } else {
      return false;
    }
  }
  return true;
}

static bool meaning_of(const sm_mbus_record *r, uint16_t mfr, meaning *m) {
  memset(m, 0, sizeof *m);
  size_t next = 1;
  if (r->vif[0] == VIF_TABLE_FB) {
    if (r->n_vif < 2 || !table_fb(r->vif[1] & ~EXT, m))
      return false;
    next = 2;
  } else if (!primary(r->vif[0] & ~EXT, m)) {
    return false;
  }
  if (m->q == Q_DATE_TIME)
    return r->n_vif == 1;
  return combinable(r, next, mfr, m);
}

/* ---- readings ---------------------------------------------------------- */

static bool obis_of(const meaning *m, uint32_t tariff, uint8_t obis[6],
                    uint8_t *unit) {
  static const struct {
    quantity q;
    uint8_t forward, backward, d, unit; /* OBIS C by direction, D; DLMS */
  } ROWS[] = {
      {Q_ENERGY, 1, 2, 8, 30},
      {Q_POWER, 1, 2, 7, 27},
      {Q_REACTIVE_ENERGY, 3, 4, 8, 32},
      {Q_REACTIVE_POWER, 3, 4, 7, 29},
  };
  for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
    if (ROWS[i].q != m->q)
      continue;
    obis[0] = 1;
    obis[1] = 0;
    obis[2] = m->backward ? ROWS[i].backward : ROWS[i].forward;
    obis[3] = m->inkasso ? 128 : ROWS[i].d;
    obis[4] = (uint8_t)tariff;
    obis[5] = 255;
    *unit = ROWS[i].unit;
    return true;
  }
  return false;
}

/* Binary integers, least significant byte first. SPEC: counters and
 * powers are unsigned, the Inkasso register is two's complement. */
static bool integer(const sm_mbus_record *r, bool is_signed, int64_t *out) {
  unsigned coding = r->dif & DIF_DATA;
  if (coding < 1 || coding > 7 || coding == DATA_FLOAT)
    return false;
  uint64_t u = 0;
  for (size_t i = r->len; i-- > 0;)
    u = u << 8 | r->data[i];
  unsigned bits = 8 * (unsigned)r->len;
  if (is_signed && bits < 64 && (u >> (bits - 1)) & 1)
    u |= ~(uint64_t)0 << bits;
  else if (!is_signed && u > INT64_MAX)
    return false;
  *out = (int64_t)u;
  return true;
}

static double pow10_of(int e) {
  double r = 1;
  for (int i = 0; i < (e < 0 ? -e : e); i++)
    r *= 10; /* exact: |e| stays small */
  return r;
}

static bool duplicate(const sm_telegram *t, const uint8_t obis[6]) {
  for (size_t i = 0; i < t->n_values; i++)
    if (!memcmp(t->values[i].obis, obis, 6))
      return true;
  return false;
}

static bool reading(const sm_mbus_record *r, const meaning *m, sm_telegram *t) {
  sm_value v = {.kind = SM_VALUE_NUMBER};
  if (r->tariff > MAX_TARIFF || !obis_of(m, r->tariff, v.obis, &v.unit) ||
      !integer(r, m->inkasso, &v.raw) || m->exponent < -20 ||
      m->exponent > 20 || duplicate(t, v.obis))
    return false;
  v.scaler = (int8_t)m->exponent;
  v.value = m->exponent >= 0 ? (double)v.raw * pow10_of(m->exponent)
                             : (double)v.raw / pow10_of(m->exponent);
  if (t->n_values == SM_MAX_VALUES)
    t->values_truncated = true;
  else
    t->values[t->n_values++] = v;
  return true;
}

/* Type I (CP48): b0 seconds 0-5, SU (summer time) 6 | b1 minutes 0-5,
 * time invalid 7 | b2 hours 0-4, weekday 5-7 (1 = Monday) | b3 day 0-4,
 * year bits 0-2 in 5-7 | b4 month 0-3, year bits 3-6 in 4-7 | b5 week. */
static bool type_i(const uint8_t *b, sm_datetime *dt) {
  memset(dt, 0, sizeof *dt);
  if (b[1] & 0x80)
    return true; /* the meter says its clock is not set: no meter time */
  dt->second = b[0] & 0x3F;
  dt->minute = b[1] & 0x3F;
  dt->hour = b[2] & 0x1F;
  dt->weekday = b[2] >> 5 ? b[2] >> 5 : 0xFF;
  dt->day = b[3] & 0x1F;
  dt->month = b[4] & 0x0F;
  dt->year = (uint16_t)(2000 + ((b[3] >> 5) | (b[4] >> 4) << 3));
  dt->hundredths = 0xFF;
  dt->deviation = INT16_MIN; /* the meter gives SU, not the offset */
  dt->status = (b[0] & 0x40) ? 0x80 : 0;
  dt->present = true;
  return dt->second < 60 && dt->minute < 60 && dt->hour < 24 && dt->day >= 1 &&
         dt->day <= 31 && dt->month >= 1 && dt->month <= 12;
}

static bool date_time(const sm_mbus_record *r, sm_telegram *t) {
  if (r->len != TYPE_I_LEN || r->tariff || t->meter_time.present)
    return false;
  return type_i(r->data, &t->meter_time);
}

/* Instantaneous values of the meter itself, now: no storage number (an
 * older value), subunit or max/min function the OBIS code could not say. */
static bool record(const sm_mbus_record *r, uint16_t mfr, sm_telegram *t) {
  meaning m;
  if ((r->dif & DIF_FUNCTION) || r->storage || r->subunit ||
      !meaning_of(r, mfr, &m))
    return false;
  if (m.q == Q_DATE_TIME)
    return date_time(r, t);
  return reading(r, &m, t);
}

static void describe(const uint8_t *p, const sm_mbus_record *r, unsigned k,
                     const char *why, char *detail, size_t detail_size) {
  int w = snprintf(detail, detail_size, "record %u at byte %zu", k, r->at);
  size_t end = r->data ? (size_t)(r->data - p) : r->at + 1;
  for (size_t i = r->at;
       i < end && i < r->at + 16 && w > 0 && (size_t)w < detail_size; i++)
    w += snprintf(detail + w, detail_size - (size_t)w, " %02X", p[i]);
  if (w > 0 && (size_t)w < detail_size)
    snprintf(detail + w, detail_size - (size_t)w, ": %s", why);
}

static void telegram_clear(sm_telegram *t) {
  memset(&t->meter_time, 0, sizeof t->meter_time);
  t->n_values = 0;
  t->values_truncated = false;
}

static const char *walk_error(sm_status st) {
  return st == SM_ERR_APDU_LENGTH ? "runs past the end of the records"
                                  : "a coding that has no size";
}

sm_status sm_mbus_records(const uint8_t *p, size_t n, uint16_t manufacturer,
                          sm_telegram *t, char *detail, size_t detail_size) {
  telegram_clear(t);
  sm_mbus_record r = {0};
  size_t pos = 0;
  unsigned k = 0;
  sm_status st;
  while ((st = sm_mbus_record_next(p, n, &pos, &r)) == SM_TELEGRAM) {
    k++;
    if (!record(&r, manufacturer, t)) {
      describe(p, &r, k, "not a reading known here", detail, detail_size);
      telegram_clear(t);
      return SM_ERR_LAYOUT;
    }
  }
  if (st != SM_NEED_MORE) {
    describe(p, &r, k + 1, walk_error(st), detail, detail_size);
    telegram_clear(t);
    return st;
  }
  if (t->n_values == 0) {
    snprintf(detail, detail_size, "no readings among %u records", k);
    telegram_clear(t);
    return SM_ERR_LAYOUT;
  }
  return SM_TELEGRAM;
}
