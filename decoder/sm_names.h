/* SPDX-License-Identifier: MIT */
/* sm_names.h - the one naming table for readings, and exact formatting.
 *
 * Used by the CLI's JSON/Influx/text output and by the collectd plugin, so
 * that every route names a reading the same way.
 *
 * Promises: pure functions, no allocation, output always NUL-terminated
 * when the buffer size is > 0; the return value is the length that would
 * have been written (snprintf convention).
 */
#ifndef SM_NAMES_H
#define SM_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "sm_decoder.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field name of a reading: the table name ("energy_import", "voltage_l1",
 * ...) or NULL when the OBIS code is not in the table. */
const char *sm_obis_table_name(const uint8_t obis[6]);

/* Field name for any OBIS code: the table name, else "obis_A_B_C_D_E_F".
 * buf must hold at least SM_NAME_MAX bytes to never truncate. */
#define SM_NAME_MAX 32
size_t sm_obis_name(const uint8_t obis[6], char *buf, size_t size);

/* "1.0.1.8.0.255" */
size_t sm_obis_format(const uint8_t obis[6], char *buf, size_t size);

/* Unit symbol for a DLMS unit enum: "W", "Wh", "var", "varh", "V", "A",
 * "Hz", "VA", "VAh", ... ; "" for 255 (no unit) and for unknown units
 * (the caller may print the number from sm_value.unit then). */
const char *sm_unit_symbol(uint8_t unit);

/* The scaled value as an exact decimal: raw 2337, scaler -1 -> "233.7";
 * 1000, -3 -> "1"; 320, -2 -> "3.2"; 5, 2 -> "500". Floats print with the
 * shortest of %.15g/%.17g that round-trips. Text values print their text.
 * SM_NUM_MAX bytes always suffice for numbers. */
#define SM_NUM_MAX 48
size_t sm_value_format(const sm_value *v, char *buf, size_t size);

/* ISO 8601 local time as sent: "2023-07-26T20:05:20" (no zone). Returns 0
 * and writes "" when the date-time is absent, its date unspecified or a
 * field out of range. */
#define SM_TIME_MAX 32
size_t sm_datetime_format(const sm_datetime *dt, char *buf, size_t size);

/* Plausibility (sm_bounds.c): a number that is not finite, or whose
 * magnitude exceeds the bound of its unit, cannot be a reading of the
 * meter and is never to be dispatched or printed. Bounds: 1000 V,
 * 10^4 A, 10^8 W / VA / var, 1000 Hz, 10^15 Wh / VAh / varh and any other
 * unit. Text readings are always plausible. */
typedef enum sm_bound {
  SM_BOUND_OK = 0,
  SM_BOUND_NOT_FINITE, /* NaN or an infinity */
  SM_BOUND_EXCEEDED,   /* |value| > sm_unit_bound(unit) */
} sm_bound;
sm_bound sm_value_bound(const sm_value *v);
double sm_unit_bound(uint8_t unit);
/* Remove the implausible readings from t in place (order kept). Returns
 * how many were removed; the first of them is copied to *first (may be
 * NULL). */
size_t sm_telegram_drop_implausible(sm_telegram *t, sm_value *first);
/* The telegram to hand on: t itself when every reading is plausible
 * (nothing copied: the usual case), else *spare, a copy of t without the
 * implausible readings. *dropped says how many went; the first of them
 * is copied to *first (may be NULL). */
const sm_telegram *sm_telegram_plausible(const sm_telegram *t,
                                         sm_telegram *spare, sm_value *first,
                                         size_t *dropped);
/* For a log line: "1.0.32.7.0.255 = 2.2e+127 V is beyond the bound of
 * 1000 V" or "1.0.14.7.0.255 is not a finite number (nan)". */
#define SM_BOUND_TEXT_MAX 128
size_t sm_bound_describe(const sm_value *v, char *buf, size_t size);
/* The rest of that line when a telegram lost dropped > 1 readings:
 * " with 2 other implausible readings" (" with 1 other implausible
 * reading"), "" for 0 or 1. Returns the length, as snprintf. */
#define SM_BOUND_OTHERS_MAX 64
size_t sm_bound_others(size_t dropped, char *buf, size_t size);

/* Parse hex text into bytes, ignoring whitespace (and ':' / '-'
 * separators). Returns the number of bytes written, or -1 on a non-hex
 * character, an odd digit count or more than size bytes. */
long sm_hex_decode(const char *text, size_t text_len, uint8_t *out,
                   size_t size);

/* Value of one hex digit, or -1. */
int sm_hex_digit(char c);

/* The one hex table: "0123456789ABCDEF". */
extern const char sm_hex_upper[16];
/* n bytes as 2n upper-case hex digits and a NUL: out holds 2n + 1. */
void sm_hex_encode(const uint8_t *p, size_t n, char *out);

/* A kaifareader supplier name, for sm_options.supplier: "KSMWest", "EVN"
 * or "auto" in any case. Returns 0 with *canonical the spelling above, or
 * -1 for anything else (NULL too). Decoding never depends on it; the CLI
 * and the plugin accept the same names through this. */
int sm_supplier_parse(const char *name, const char **canonical);
#define SM_SUPPLIER_NAMES "KSMWest, EVN, auto"

/* A key: exactly 32 hex digits (whitespace ignored). Returns 0 or -1. */
int sm_key_parse(const char *text, uint8_t key[SM_KEY_LEN]);

/* Overwrite memory in a way the compiler will not remove. */
void sm_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
