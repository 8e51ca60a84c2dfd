/* SPDX-License-Identifier: MIT */
/* smartmeter.c - collectd plugin "smartmeter": registration and lifecycle.
 *
 *   config   : every <Meter> block becomes an smp_meter (sm_meter.c);
 *   init     : libgcrypt once, then per meter a decoder, a reader thread
 *              (sm_reader.c) and a complex read callback (sm_dispatch.c);
 *   shutdown : stop all threads, join, free, wipe keys.
 *
 * The read callbacks get no free_func: collectd frees read user data
 * before the shutdown callbacks run, while our threads are still using the
 * meters. The meters are owned here and freed after the joins.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "sm_dispatch.h"
#include "sm_meter.h"
#include "sm_reader.h"
#include "sm_version.h"

#include <strings.h>

static smp_meter **meters;
static size_t meters_num;
static bool config_failed; /* remembered so init fails as well */
static bool initialised;

static smp_meter *find_meter(const char *name) {
  for (size_t i = 0; i < meters_num; i++)
    if (strcmp(meters[i]->cfg.name, name) == 0)
      return meters[i];
  return NULL;
}

static const char *find_device_user(const char *device) {
  for (size_t i = 0; i < meters_num; i++)
    if (strcmp(meters[i]->cfg.device, device) == 0)
      return meters[i]->cfg.name;
  return NULL;
}

/* Refuse what two meters cannot share: the name (it is the plugin
 * instance) and the device (two readers would split its bytes). */
static int check_unique(const smp_meter *m) {
  if (find_meter(m->cfg.name) != NULL) {
    ERROR("smartmeter plugin: meter \"%s\": a <Meter> of this name exists "
          "already (the name must be unique).",
          m->cfg.name);
    return -1;
  }
  const char *other = find_device_user(m->cfg.device);
  if (other != NULL) {
    ERROR("smartmeter plugin: meter \"%s\": option Device \"%s\" is used by "
          "meter \"%s\" already.",
          m->cfg.name, m->cfg.device, other);
    return -1;
  }
  return 0;
}

static int add_meter(oconfig_item_t *ci) {
  smp_meter *m = smp_meter_from_config(ci);
  if (m == NULL)
    return -1;
  if (check_unique(m) != 0) {
    smp_meter_free(m);
    return -1;
  }
  smp_meter **grown = realloc(meters, (meters_num + 1) * sizeof(*meters));
  if (grown == NULL) {
    ERROR("smartmeter plugin: out of memory.");
    smp_meter_free(m);
    return -1;
  }
  meters = grown;
  meters[meters_num++] = m;
  return 0;
}

static int smp_config(oconfig_item_t *ci) {
  int status = 0;
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = &ci->children[i];
    if (strcasecmp(child->key, "Meter") == 0) {
      if (add_meter(child) != 0)
        status = -1;
    } else {
      ERROR("smartmeter plugin: unknown option \"%s\" (expected <Meter "
            "\"name\"> blocks).",
            child->key);
      status = -1;
    }
  }
  if (status != 0)
    config_failed = true;
  return status;
}

static int register_read(smp_meter *m) {
  char name[DATA_MAX_NAME_LEN];
  ssnprintf(name, sizeof(name), "smartmeter/%s", m->cfg.name);
  /* No free_func, see the top of this file. */
  user_data_t ud = {.data = m, .free_func = NULL};
  if (plugin_register_complex_read("smartmeter", name, smp_dispatch_read,
                                   m->cfg.interval, &ud) != 0) {
    ERROR("smartmeter plugin: meter \"%s\": cannot register its read "
          "callback.",
          m->cfg.name);
    return -1;
  }
  return 0;
}

/* Signal all first, then join: the pauses end together, so stopping takes
 * one read timeout in total, not one per meter. */
static void stop_all(void) {
  for (size_t i = 0; i < meters_num; i++)
    smp_reader_stop(meters[i]);
  for (size_t i = 0; i < meters_num; i++)
    smp_reader_join(meters[i]);
}

static int smp_init(void) {
  if (initialised)
    return 0;
  if (config_failed) {
    ERROR("smartmeter plugin: not started: the configuration has errors "
          "(see above).");
    return -1;
  }
  if (meters_num == 0) {
    WARNING("smartmeter plugin: loaded, but no <Meter> is configured.");
    return 0;
  }
  /* Before any thread exists, and guarded: collectd's network plugin may
   * have initialised libgcrypt already. */
  if (sm_crypto_init() != SM_OK) {
    ERROR("smartmeter plugin: cannot initialise libgcrypt.");
    return -1;
  }
  initialised = true;
  for (size_t i = 0; i < meters_num; i++) {
    if (smp_reader_start(meters[i]) != 0 || register_read(meters[i]) != 0) {
      /* collectd unloads a plugin whose init failed, but knows nothing of
       * our threads and reads: undo them here. */
      plugin_unregister_read_group("smartmeter");
      stop_all();
      return -1;
    }
  }
  INFO("smartmeter plugin: version %s, %zu meter(s).", smp_version(),
       meters_num);
  return 0;
}

static int smp_shutdown(void) {
  stop_all();
  for (size_t i = 0; i < meters_num; i++)
    smp_meter_free(meters[i]);
  free(meters);
  meters = NULL;
  meters_num = 0;
  initialised = false;
  return 0;
}

void module_register(void) {
  plugin_register_complex_config("smartmeter", smp_config);
  plugin_register_init("smartmeter", smp_init);
  plugin_register_shutdown("smartmeter", smp_shutdown);
}
