/* SPDX-License-Identifier: MIT */
/* sm-variant.c - TEST ONLY: telegrams of an M-Bus capture (a header date-
 * time and OBIS triples: the VKW and TINETZ layouts) with chosen frame
 * counters, meter times and planted implausible values, for the
 * "never a wrong number" tests (issue 10). sm-forge makes counters and
 * tags; this adds what they need besides.
 *
 *   sm-variant -c COUNTERS [-t STEP[,START]] [-v] [-X scaler|nan]
 *              -o OUTDIR CAPTURE_NAME
 *
 *   -c COUNTERS  "5-11,5,11": frame counters in sending order
 *   -t STEP[,START]  the k-th telegram (from 0) gets the capture's meter
 *                time + START + k*STEP seconds (header and clock object;
 *                START may be negative: older telegrams)
 *   -v           power import (1.0.1.7.0.255, u32) = the frame counter
 *   -X scaler    energy import (1.0.1.8.0.255) with scaler +120 (the
 *                issue's 1e+127 Wh)
 *   -X nan       voltage L1 (1.0.32.7.0.255) as float32 NaN
 *
 * CAPTURE_NAME is a file of $SM_SRCDIR/tests/vectors. Writes OUTDIR/t00001.hex
 * ... like sm-forge (a "# key:" header), one telegram each. Exit 0, 1 on
 * errors, 2 on usage errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm_names.h"
#include "vec.h"

#define MAX_COUNTERS 20000
#define HDR_TIME 6 /* 0F, invoke id (4), 0C, then 12 date-time bytes */

static int fail(const char *msg, const char *arg) {
  fprintf(stderr, "sm-variant: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return 1;
}

static long parse_counters(const char *s, uint32_t *out) {
  long n = 0;
  while (*s) {
    char *end;
    unsigned long a = strtoul(s, &end, 10), b = a;
    if (end == s)
      return -1;
    s = end;
    if (*s == '-') {
      b = strtoul(s + 1, &end, 10);
      if (end == s + 1 || b < a)
        return -1;
      s = end;
    }
    for (unsigned long v = a; v <= b; v++) {
      if (n == MAX_COUNTERS)
        return -1;
      out[n++] = (uint32_t)v;
    }
    if (*s == ',')
      s++;
    else if (*s)
      return -1;
  }
  return n;
}

/* Offset of the bytes right after `pat` in p, or -1. */
static long find(const uint8_t *p, size_t n, const uint8_t *pat, size_t k) {
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(p + i, pat, k) == 0)
      return (long)(i + k);
  return -1;
}

static const uint8_t OBIS_POWER[] = {0x09, 0x06, 1, 0, 1, 7, 0, 0xFF, 0x06};
static const uint8_t OBIS_ENERGY[] = {0x09, 0x06, 1, 0, 1, 8, 0, 0xFF, 0x06};
static const uint8_t OBIS_VOLT[] = {0x09, 0x06, 1, 0, 32, 7, 0, 0xFF, 0x12};

/* 12 date-time bytes + secs: written back with the weekday recomputed. */
static void shift_time(const uint8_t in[12], long secs, uint8_t out[12]) {
  struct tm tm = {0};
  tm.tm_year = ((in[0] << 8) | in[1]) - 1900;
  tm.tm_mon = in[2] - 1;
  tm.tm_mday = in[3];
  tm.tm_hour = in[5];
  tm.tm_min = in[6];
  tm.tm_sec = in[7];
  time_t t = timegm(&tm) + secs;
  gmtime_r(&t, &tm);
  memcpy(out, in, 12);
  out[0] = (uint8_t)((tm.tm_year + 1900) >> 8);
  out[1] = (uint8_t)(tm.tm_year + 1900);
  out[2] = (uint8_t)(tm.tm_mon + 1);
  out[3] = (uint8_t)tm.tm_mday;
  out[4] = (uint8_t)(tm.tm_wday == 0 ? 7 : tm.tm_wday);
  out[5] = (uint8_t)tm.tm_hour;
  out[6] = (uint8_t)tm.tm_min;
  out[7] = (uint8_t)tm.tm_sec;
}

/* Every copy of the original header time (header and clock object). */
static void set_time(vec_model *m, const uint8_t orig[12], long secs) {
  uint8_t now[12];
  shift_time(orig, secs, now);
  for (size_t i = HDR_TIME; i + 12 <= m->plain_len; i++)
    if (memcmp(m->plain + i, orig, 12) == 0)
      memcpy(m->plain + i, now, 12);
}

static int plant(vec_model *m, const char *what) {
  long at;
  if (strcmp(what, "scaler") == 0) {
    at = find(m->plain, m->plain_len, OBIS_ENERGY, sizeof OBIS_ENERGY);
    /* u32 value, then 02 02 0F <scaler> */
    if (at < 0 || m->plain[at + 4] != 0x02 || m->plain[at + 6] != 0x0F)
      return fail("-X scaler: no energy import triple", NULL);
    m->plain[at + 7] = 120;
    return 0;
  }
  if (strcmp(what, "nan") == 0) {
    at = find(m->plain, m->plain_len, OBIS_VOLT, sizeof OBIS_VOLT);
    if (at < 0 || m->plain_len + 2 > sizeof m->plain)
      return fail("-X nan: no u16 voltage L1", NULL);
    /* 12 hi lo -> 17 7F C0 00 00: two bytes longer */
    memmove(m->plain + at + 4, m->plain + at + 2,
            m->plain_len - (size_t)at - 2);
    m->plain[at - 1] = 0x17;
    memcpy(m->plain + at, "\x7F\xC0\x00\x00", 4);
    m->plain_len += 2;
    return 0;
  }
  return fail("-X: scaler or nan", what);
}

static int write_one(const char *dir, long i, const uint8_t *w, size_t n,
                     uint32_t fc, const vec *v) {
  char path[4096];
  snprintf(path, sizeof path, "%s/t%05ld.hex", dir, i);
  FILE *f = fopen(path, "w");
  if (!f)
    return fail(strerror(errno), path);
  fprintf(f, "# made by sm-variant: frame counter %u\n# key: ", (unsigned)fc);
  for (size_t k = 0; k < SM_KEY_LEN; k++)
    fprintf(f, "%02X", v->key[k]);
  fputc('\n', f);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%02X%s", w[k], k % 32 == 31 ? "\n" : "");
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : fail(strerror(errno), path);
}

static int usage(void) {
  fprintf(stderr, "usage: sm-variant -c COUNTERS [-t STEP[,START]] [-v] "
                  "[-X scaler|nan] -o OUTDIR CAPTURE_NAME\n");
  return 2;
}

int main(int argc, char **argv) {
  static uint32_t counters[MAX_COUNTERS];
  static uint8_t out[VEC_MAX_BYTES];
  static vec cap;
  static vec_model m;
  const char *clist = NULL, *dir = NULL, *plant_what = NULL;
  long step = 0, start = 0;
  bool timed = false, vary = false;
  int opt;
  while ((opt = getopt(argc, argv, "c:t:vX:o:")) != -1) {
    if (opt == 'c')
      clist = optarg;
    else if (opt == 't') {
      timed = true;
      if (sscanf(optarg, "%ld,%ld", &step, &start) < 1)
        return usage();
    } else if (opt == 'v')
      vary = true;
    else if (opt == 'X')
      plant_what = optarg;
    else if (opt == 'o')
      dir = optarg;
    else
      return usage();
  }
  if (optind + 1 != argc || !clist || !dir)
    return usage();
  long n = parse_counters(clist, counters);
  if (n <= 0)
    return fail("bad -c list", clist) + 1;
  if (sm_crypto_init() != SM_NEED_MORE || vec_load(argv[optind], &cap) != 0 ||
      vec_model_init(&cap, &m) != 0)
    return fail("cannot load or decrypt", argv[optind]);
  if (m.plain[0] != 0x0F || m.plain[HDR_TIME - 1] != 0x0C)
    return fail("no header date-time in", argv[optind]);
  uint8_t orig[12];
  memcpy(orig, m.plain + HDR_TIME, 12);
  if (plant_what && plant(&m, plant_what) != 0)
    return 1;
  long power = find(m.plain, m.plain_len, OBIS_POWER, sizeof OBIS_POWER);
  if (vary && power < 0)
    return fail("-v: no u32 power import", NULL);
  static uint8_t pristine[SM_MAX_APDU];
  memcpy(pristine, m.plain, m.plain_len);
  for (long i = 0; i < n; i++) {
    memcpy(m.plain, pristine, m.plain_len);
    if (vary)
      for (int b = 0; b < 4; b++)
        m.plain[power + b] = (uint8_t)(counters[i] >> (24 - 8 * b));
    if (timed)
      set_time(&m, orig, start + i * step);
    size_t w = vec_model_make(&m, counters[i], true, out, sizeof out);
    if (w == 0)
      return fail("cannot seal", NULL);
    if (write_one(dir, i + 1, out, w, counters[i], &cap) != 0)
      return 1;
  }
  return 0;
}
