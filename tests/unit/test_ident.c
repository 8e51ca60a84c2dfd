/* SPDX-License-Identifier: MIT */
/* test_ident.c - the plugin's OBIS -> collectd identifier mapping for every
 * row of doc/CONTRACTS.md, including readings no bundled capture carries
 * (per-phase power, tariffs, reactive power, frequency) and the fallback
 * for unknown codes. Plain TAP on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "sm_ident.h"

typedef struct row {
  uint8_t c, d, e;      /* OBIS 1.0.C.D.E.255 */
  const char *expected; /* "type-type_instance" */
} row;

static const row rows[] = {
    {1, 8, 0, "energy_wh-import"},
    {2, 8, 0, "energy_wh-export"},
    {1, 8, 1, "energy_wh-import_t1"},
    {1, 8, 2, "energy_wh-import_t2"},
    {2, 8, 1, "energy_wh-export_t1"},
    {2, 8, 2, "energy_wh-export_t2"},
    {3, 8, 0, "energy_wh-reactive_import"},
    {4, 8, 0, "energy_wh-reactive_export"},
    {1, 7, 0, "power-import"},
    {2, 7, 0, "power-export"},
    {3, 7, 0, "power-reactive_import"},
    {4, 7, 0, "power-reactive_export"},
    {21, 7, 0, "power-import_l1"},
    {41, 7, 0, "power-import_l2"},
    {61, 7, 0, "power-import_l3"},
    {22, 7, 0, "power-export_l1"},
    {42, 7, 0, "power-export_l2"},
    {62, 7, 0, "power-export_l3"},
    {32, 7, 0, "voltage-l1"},
    {52, 7, 0, "voltage-l2"},
    {72, 7, 0, "voltage-l3"},
    {31, 7, 0, "current-l1"},
    {51, 7, 0, "current-l2"},
    {71, 7, 0, "current-l3"},
    {13, 7, 0, "gauge-power_factor"},
    {14, 7, 0, "frequency-grid"},
    {9, 7, 0, "gauge-obis_1_0_9_7_0_255"}, /* apparent power: not mapped */
};

static int n_test;
static int failures;

static void check(int ok, const char *what, const char *got) {
  n_test++;
  printf("%sok %d - %s\n", ok ? "" : "not ", n_test, what);
  if (!ok) {
    printf("#   got: %s\n", got);
    failures++;
  }
}

static void check_row(const row *r) {
  sm_value v;
  memset(&v, 0, sizeof(v));
  v.kind = SM_VALUE_NUMBER;
  v.obis[0] = 1;
  v.obis[2] = r->c;
  v.obis[3] = r->d;
  v.obis[4] = r->e;
  v.obis[5] = 255;
  smp_ident id;
  char got[SMP_TYPE_MAX + SMP_TYPE_INSTANCE_MAX + 2] = "(not mapped)";
  if (smp_ident_of(&v, &id) == 0)
    snprintf(got, sizeof(got), "%s-%s", id.type, id.type_instance);
  const char *want = r->expected;
  char what[128];
  snprintf(what, sizeof(what), "1.0.%u.%u.%u.255 -> %s", r->c, r->d, r->e,
           want);
  check(strcmp(got, want) == 0, what, got);
}

int main(void) {
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
    check_row(&rows[i]);

  sm_value text;
  memset(&text, 0, sizeof(text));
  text.kind = SM_VALUE_TEXT;
  memcpy(text.obis, (uint8_t[]){0, 0, 96, 1, 0, 255}, 6);
  smp_ident id;
  check(smp_ident_of(&text, &id) != 0,
        "text values (meter number) are not dispatched", "mapped");

  printf("1..%d\n", n_test);
  return failures == 0 ? 0 : 1;
}
