/* SPDX-License-Identifier: MIT */
/* sm_ident.c - OBIS reading -> collectd type / type instance.
 *
 * The field names come from the shared naming table (sm_names.c), so the
 * CLI and the plugin cannot drift apart; this file only maps a name family
 * onto a standard collectd type and strips the family prefix.
 */
#include "sm_ident.h"

#include <stdio.h>
#include <string.h>

#include "sm_names.h"

typedef struct family {
  const char *prefix;   /* field-name prefix ("" = whole name must match) */
  const char *exact;    /* or an exact field name */
  const char *type;     /* collectd type from types.db */
  const char *instance; /* prepended to the rest of the name */
} family;

/* Order matters: "reactive_energy_" before "energy_", "power_factor"
 * before "power_". */
static const family families[] = {
    {"reactive_energy_", NULL, "energy_wh", "reactive_"},
    {"reactive_power_", NULL, "power", "reactive_"},
    {"energy_", NULL, "energy_wh", ""},
    {NULL, "power_factor", "gauge", "power_factor"},
    {"power_", NULL, "power", ""},
    {"voltage_", NULL, "voltage", ""},
    {"current_", NULL, "current", ""},
    {NULL, "frequency", "frequency", "grid"},
};

static void set(smp_ident *id, const char *type, const char *inst,
                const char *rest) {
  snprintf(id->type, sizeof(id->type), "%s", type);
  snprintf(id->type_instance, sizeof(id->type_instance), "%s%s", inst, rest);
}

static bool apply_family(const family *f, const char *name, smp_ident *id) {
  if (f->exact != NULL) {
    if (strcmp(name, f->exact) != 0)
      return false;
    set(id, f->type, f->instance, "");
    return true;
  }
  size_t n = strlen(f->prefix);
  if (strncmp(name, f->prefix, n) != 0)
    return false;
  set(id, f->type, f->instance, name + n);
  return true;
}

int smp_ident_of(const sm_value *v, smp_ident *id) {
  if (v->kind != SM_VALUE_NUMBER)
    return -1;
  const char *name = sm_obis_table_name(v->obis);
  if (name != NULL) {
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
      if (apply_family(&families[i], name, id))
        return 0;
    /* A table name without a family here: still a plain gauge. */
    set(id, "gauge", name, "");
    return 0;
  }
  /* Not in the table: "gauge-obis_A_B_C_D_E_F", unit as the meter sent. */
  char buf[SM_NAME_MAX];
  sm_obis_name(v->obis, buf, sizeof(buf));
  set(id, "gauge", buf, "");
  return 0;
}
