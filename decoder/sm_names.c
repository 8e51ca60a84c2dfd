/* sm_names.c - names and units of readings, exact number formatting. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_names.h"

typedef struct name_row {
  uint8_t c, d, e; /* A=1, B=0, F=255 for every row */
  const char *name;
} name_row;

static const name_row NAMES[] = {
    {1, 8, 0, "energy_import"},
    {2, 8, 0, "energy_export"},
    {1, 8, 1, "energy_import_t1"},
    {1, 8, 2, "energy_import_t2"},
    {2, 8, 1, "energy_export_t1"},
    {2, 8, 2, "energy_export_t2"},
    {3, 8, 0, "reactive_energy_import"},
    {4, 8, 0, "reactive_energy_export"},
    {3, 8, 1, "reactive_energy_import_t1"},
    {3, 8, 2, "reactive_energy_import_t2"},
    {4, 8, 1, "reactive_energy_export_t1"},
    {4, 8, 2, "reactive_energy_export_t2"},
    {1, 7, 0, "power_import"},
    {2, 7, 0, "power_export"},
    {3, 7, 0, "reactive_power_import"},
    {4, 7, 0, "reactive_power_export"},
    {1, 128, 0, "energy_inkasso"}, /* Netz OÖ AMIS billing register, signed */
    {21, 7, 0, "power_import_l1"},
    {41, 7, 0, "power_import_l2"},
    {61, 7, 0, "power_import_l3"},
    {22, 7, 0, "power_export_l1"},
    {42, 7, 0, "power_export_l2"},
    {62, 7, 0, "power_export_l3"},
    {32, 7, 0, "voltage_l1"},
    {52, 7, 0, "voltage_l2"},
    {72, 7, 0, "voltage_l3"},
    {31, 7, 0, "current_l1"},
    {51, 7, 0, "current_l2"},
    {71, 7, 0, "current_l3"},
    {13, 7, 0, "power_factor"},
    {14, 7, 0, "frequency"},
};

const char *sm_obis_table_name(const uint8_t o[6]) {
  if (o[0] != 1 || o[1] != 0 || o[5] != 255)
    return NULL;
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
    if (NAMES[i].c == o[2] && NAMES[i].d == o[3] && NAMES[i].e == o[4])
      return NAMES[i].name;
  return NULL;
}

static size_t put(char *buf, size_t size, int n) {
  if (n < 0) {
    if (size)
      buf[0] = '\0';
    return 0;
  }
  return (size_t)n;
}

size_t sm_obis_name(const uint8_t o[6], char *buf, size_t size) {
  const char *name = sm_obis_table_name(o);
  if (name)
    return put(buf, size, snprintf(buf, size, "%s", name));
  return put(buf, size,
             snprintf(buf, size, "obis_%u_%u_%u_%u_%u_%u", o[0], o[1], o[2],
                      o[3], o[4], o[5]));
}

size_t sm_obis_format(const uint8_t o[6], char *buf, size_t size) {
  return put(buf, size,
             snprintf(buf, size, "%u.%u.%u.%u.%u.%u", o[0], o[1], o[2], o[3],
                      o[4], o[5]));
}

const char *sm_unit_symbol(uint8_t unit) {
  switch (unit) {
  case 27:
    return "W";
  case 28:
    return "VA";
  case 29:
    return "var";
  case 30:
    return "Wh";
  case 31:
    return "VAh";
  case 32:
    return "varh";
  case 33:
    return "A";
  case 34:
    return "C";
  case 35:
    return "V";
  case 44:
    return "Hz";
  case 1:
    return "a";
  case 2:
    return "mo";
  case 3:
    return "wk";
  case 4:
    return "d";
  case 5:
    return "h";
  case 6:
    return "min";
  case 7:
    return "s";
  case 9:
    return "°C";
  case 56:
    return "%";
  default:
    return "";
  }
}

static size_t format_float(double v, char *buf, size_t size) {
  char tmp[SM_NUM_MAX];
  snprintf(tmp, sizeof tmp, "%.15g", v);
  if (strtod(tmp, NULL) != v)
    snprintf(tmp, sizeof tmp, "%.17g", v);
  return put(buf, size, snprintf(buf, size, "%s", tmp));
}

/* raw * 10^scaler written out digit by digit: no binary rounding. */
static size_t format_scaled(int64_t raw, int scaler, char *buf, size_t size) {
  char digits[SM_NUM_MAX];
  uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
  int nd = snprintf(digits, sizeof digits, "%" PRIu64, mag);
  char out[SM_NUM_MAX + 32];
  size_t o = 0;
  if (raw < 0)
    out[o++] = '-';
  if (scaler >= 0) {
    memcpy(out + o, digits, (size_t)nd);
    o += (size_t)nd;
    for (int i = 0; mag != 0 && i < scaler; i++)
      out[o++] = '0';
  } else {
    int k = -scaler, whole = nd - k;
    if (whole <= 0) {
      out[o++] = '0';
      out[o++] = '.';
      for (int i = 0; i < -whole; i++)
        out[o++] = '0';
      memcpy(out + o, digits, (size_t)nd);
      o += (size_t)nd;
    } else {
      memcpy(out + o, digits, (size_t)whole);
      o += (size_t)whole;
      out[o++] = '.';
      memcpy(out + o, digits + whole, (size_t)k);
      o += (size_t)k;
    }
    while (out[o - 1] == '0')
      o--;
    if (out[o - 1] == '.')
      o--;
  }
  if (o == 2 && out[0] == '-' && out[1] == '0')
    o = 1, out[0] = '0'; /* "-0" cannot happen from integers, but be safe */
  out[o] = '\0';
  return put(buf, size, snprintf(buf, size, "%s", out));
}

size_t sm_value_format(const sm_value *v, char *buf, size_t size) {
  if (v->kind == SM_VALUE_TEXT)
    return put(buf, size, snprintf(buf, size, "%s", v->text));
  if (v->is_float)
    return format_float(v->value, buf, size);
  /* Scalers beyond +-20 do not occur in practice; keep the buffer bound. */
  if (v->scaler > 20 || v->scaler < -20)
    return format_float(v->value, buf, size);
  return format_scaled(v->raw, v->scaler, buf, size);
}

size_t sm_datetime_format(const sm_datetime *dt, char *buf, size_t size) {
  if (!dt->present || dt->year > 9999 || dt->month < 1 || dt->month > 12 ||
      dt->day < 1 || dt->day > 31) {
    if (size)
      buf[0] = '\0';
    return 0;
  }
  unsigned h = dt->hour == 0xFF ? 0 : dt->hour;
  unsigned m = dt->minute == 0xFF ? 0 : dt->minute;
  unsigned s = dt->second == 0xFF ? 0 : dt->second;
  if (h > 23 || m > 59 || s > 59) { /* callers may build their own */
    if (size)
      buf[0] = '\0';
    return 0;
  }
  return put(buf, size,
             snprintf(buf, size, "%04u-%02u-%02uT%02u:%02u:%02u", dt->year,
                      dt->month, dt->day, h, m, s));
}
