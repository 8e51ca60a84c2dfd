/* SPDX-License-Identifier: MIT */
/* sm_meter.c - a meter's lifetime: parsing one <Meter> block, freeing. */
#include "sm_meter.h"

#include "collectd/core/utils/common/common.h"

#include "sm_key.h"
#include "sm_names.h"

#include <string.h>
#include <strings.h>

/* Per-block parse state beyond the meter itself. */
typedef struct parse_ctx {
  smp_meter *m;
  int key_sources;      /* Key + KeyFile given */
  int auth_key_sources; /* AuthKey + AuthKeyFile given */
} parse_ctx;

typedef int (*option_fn)(oconfig_item_t *ci, parse_ctx *p);

static const char *mname(const parse_ctx *p) {
  return p->m->cfg.name;
}

static int bad_value(const parse_ctx *p, const oconfig_item_t *ci,
                     const char *want) {
  ERROR("smartmeter plugin: meter \"%s\": option %s: %s.", mname(p), ci->key,
        want);
  return -1;
}

static int opt_device(oconfig_item_t *ci, parse_ctx *p) {
  if (cf_util_get_string(ci, &p->m->cfg.device) != 0 ||
      p->m->cfg.device[0] == '\0')
    return bad_value(p, ci, "expected a device path or \"tcp://host:port\"");
  return 0;
}

static int get_int(oconfig_item_t *ci, parse_ctx *p, int lo, int hi, int *out) {
  int v;
  if (cf_util_get_int(ci, &v) != 0 || v < lo || v > hi) {
    char want[64];
    snprintf(want, sizeof(want), "expected a number from %d to %d", lo, hi);
    return bad_value(p, ci, want);
  }
  *out = v;
  return 0;
}

/* "auto": sm_scan finds it (sm_reader.c). */
static bool is_auto(const oconfig_item_t *ci) {
  return ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING &&
         strcasecmp(ci->values[0].value.string, "auto") == 0;
}

static int opt_baud(oconfig_item_t *ci, parse_ctx *p) {
  p->m->cfg.baud_auto = is_auto(ci);
  if (p->m->cfg.baud_auto)
    return 0;
  return get_int(ci, p, 50, 4000000, &p->m->cfg.port.baud);
}

static int opt_data_bits(oconfig_item_t *ci, parse_ctx *p) {
  return get_int(ci, p, 5, 8, &p->m->cfg.port.data_bits);
}

static int opt_stop_bits(oconfig_item_t *ci, parse_ctx *p) {
  return get_int(ci, p, 1, 2, &p->m->cfg.port.stop_bits);
}

static int opt_parity(oconfig_item_t *ci, parse_ctx *p) {
  char buf[64];
  p->m->cfg.parity_auto = is_auto(ci);
  if (p->m->cfg.parity_auto)
    return 0;
  if (cf_util_get_string_buffer(ci, buf, sizeof(buf)) != 0 ||
      sm_parity_parse(buf, &p->m->cfg.port.parity) != 0)
    return bad_value(p, ci, "expected \"none\", \"even\", \"odd\" or \"auto\"");
  return 0;
}

static int opt_key(oconfig_item_t *ci, parse_ctx *p) {
  p->key_sources++;
  p->m->cfg.options.has_key = true;
  return smp_key_option(ci, mname(p), p->m->cfg.options.key);
}

static int opt_key_file(oconfig_item_t *ci, parse_ctx *p) {
  p->key_sources++;
  p->m->cfg.options.has_key = true;
  return smp_key_file_option(ci, mname(p), p->m->cfg.options.key);
}

static int opt_auth_key(oconfig_item_t *ci, parse_ctx *p) {
  p->auth_key_sources++;
  p->m->cfg.options.has_auth_key = true;
  return smp_key_option(ci, mname(p), p->m->cfg.options.auth_key);
}

static int opt_auth_key_file(oconfig_item_t *ci, parse_ctx *p) {
  p->auth_key_sources++;
  p->m->cfg.options.has_auth_key = true;
  return smp_key_file_option(ci, mname(p), p->m->cfg.options.auth_key);
}

static int opt_supplier(oconfig_item_t *ci, parse_ctx *p) {
  /* Only a hint kept for kaifareader configs: decoding never depends on
   * it; the names the CLI takes (sm_supplier_parse). */
  if (cf_util_get_string(ci, &p->m->cfg.supplier) != 0 ||
      sm_supplier_parse(p->m->cfg.supplier, &p->m->cfg.options.supplier) != 0)
    return bad_value(p, ci, "expected \"KSMWest\", \"EVN\" or \"auto\"");
  return 0;
}

static int opt_solarview_file(oconfig_item_t *ci, parse_ctx *p) {
  if (cf_util_get_string(ci, &p->m->cfg.solarview_file) != 0 ||
      p->m->cfg.solarview_file[0] == '\0')
    return bad_value(p, ci, "expected a quoted file name");
  return 0;
}

static int opt_framing(oconfig_item_t *ci, parse_ctx *p) {
  char buf[16];
  if (cf_util_get_string_buffer(ci, buf, sizeof(buf)) != 0 ||
      sm_input_parse(buf, &p->m->cfg.options.input) != 0)
    return bad_value(p, ci, "expected " SM_INPUT_NAMES);
  return 0;
}

static int get_duration(oconfig_item_t *ci, parse_ctx *p, cdtime_t *out) {
  if (cf_util_get_cdtime(ci, out) != 0 || *out == 0)
    return bad_value(p, ci, "expected a positive number of seconds");
  return 0;
}

static int opt_max_age(oconfig_item_t *ci, parse_ctx *p) {
  return get_duration(ci, p, &p->m->cfg.max_age);
}

static int opt_interval(oconfig_item_t *ci, parse_ctx *p) {
  return get_duration(ci, p, &p->m->cfg.interval);
}

static const struct {
  const char *key;
  option_fn fn;
} options[] = {
    {"Device", opt_device},
    {"Baudrate", opt_baud},
    {"Parity", opt_parity},
    {"DataBits", opt_data_bits},
    {"StopBits", opt_stop_bits},
    {"Key", opt_key},
    {"KeyFile", opt_key_file},
    {"AuthKey", opt_auth_key},
    {"AuthKeyFile", opt_auth_key_file},
    {"Supplier", opt_supplier},
    {"Framing", opt_framing},
    {"MaxAge", opt_max_age},
    {"Interval", opt_interval},
    {"SolarviewFile", opt_solarview_file},
};

static int parse_option(oconfig_item_t *ci, parse_ctx *p) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(options); i++)
    if (strcasecmp(ci->key, options[i].key) == 0)
      return options[i].fn(ci, p);
  ERROR("smartmeter plugin: meter \"%s\": unknown option \"%s\".", mname(p),
        ci->key);
  return -1;
}

/* Whole-block rules that no single option can check. */
/* Baudrate/Parity auto search what sm_scan_order lists, on a serial
 * device: refuse what the search could never find. */
static int check_auto(const smp_meter_config *c) {
  if (!c->baud_auto && !c->parity_auto)
    return 0;
  if (strncmp(c->device, "tcp://", 6) == 0) {
    ERROR("smartmeter plugin: meter \"%s\": Baudrate/Parity \"auto\" need "
          "a serial device; a tcp:// port's settings are set where the "
          "adapter is (e.g. in ser2net).",
          c->name);
    return -1;
  }
  for (size_t i = 0; i < SM_SCAN_SETTINGS; i++) {
    const sm_scan_setting *s = &sm_scan_order[i];
    if ((c->baud_auto || s->baud == c->port.baud) &&
        (c->parity_auto || s->parity == c->port.parity))
      return 0;
  }
  ERROR("smartmeter plugin: meter \"%s\": Parity \"auto\" with Baudrate "
        "%d: no meter uses that baud rate (auto searches 2400, 9600 and "
        "115200); set Baudrate \"auto\" or the parity.",
        c->name, c->port.baud);
  return -1;
}

static int check_block(const parse_ctx *p) {
  const smp_meter_config *c = &p->m->cfg;
  if (c->device == NULL) {
    ERROR("smartmeter plugin: meter \"%s\": option Device is missing.",
          c->name);
    return -1;
  }
  if (p->key_sources > 1 || p->auth_key_sources > 1) {
    ERROR("smartmeter plugin: meter \"%s\": give %s only once (either the "
          "key or a key file).",
          c->name, p->key_sources > 1 ? "Key/KeyFile" : "AuthKey/AuthKeyFile");
    return -1;
  }
  if (check_auto(c) != 0)
    return -1;
  char err[256];
  if (sm_port_config_check(&c->port, err, sizeof(err)) != SM_PORT_OK) {
    ERROR("smartmeter plugin: meter \"%s\": %s", c->name, err);
    return -1;
  }
  return 0;
}

static int set_name(smp_meter *m, const oconfig_item_t *ci) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
    ERROR("smartmeter plugin: <Meter> needs exactly one quoted name, "
          "e.g. <Meter \"home\">.");
    return -1;
  }
  const char *name = ci->values[0].value.string;
  /* The name is the plugin instance: it must fit and must not contain the
   * identifier separator '/'. */
  if (name[0] == '\0' || strlen(name) >= sizeof(m->cfg.name) ||
      strchr(name, '/') != NULL) {
    ERROR("smartmeter plugin: meter \"%s\": the name must be 1 to %zu "
          "characters without '/'.",
          name, sizeof(m->cfg.name) - 1);
    return -1;
  }
  sstrncpy(m->cfg.name, name, sizeof(m->cfg.name));
  return 0;
}

static smp_meter *meter_alloc(void) {
  smp_meter *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return NULL;
  if (smp_control_init(&m->ctl) != 0) {
    free(m);
    return NULL;
  }
  if (smp_latest_init(&m->latest) != 0) {
    smp_control_destroy(&m->ctl);
    free(m);
    return NULL;
  }
  m->cfg.port.baud = 2400;
  m->cfg.port.parity = SM_PARITY_EVEN;
  m->cfg.port.data_bits = 8;
  m->cfg.port.stop_bits = 1;
  /* The first intact frame of any kind decides; see sm_decoder.h. */
  m->cfg.options.input = SM_INPUT_AUTO;
  m->cfg.max_age = TIME_T_TO_CDTIME_T(SMP_DEFAULT_MAX_AGE_S);
  smp_linklog_init(&m->linklog);
  C_COMPLAIN_INIT(&m->decode_complaint);
  C_COMPLAIN_INIT(&m->export_complaint);
  C_COMPLAIN_INIT(&m->restart_complaint);
  C_COMPLAIN_INIT(&m->bounds_complaint);
  /* c_complain starts its intervals at the read interval (fractions of a
   * second in some setups): begin these at a minute, then 2, 4 ... */
  m->restart_complaint.interval = TIME_T_TO_CDTIME_T(60);
  m->bounds_complaint.interval = TIME_T_TO_CDTIME_T(60);
  C_COMPLAIN_INIT(&m->ack_complaint);
  return m;
}

smp_meter *smp_meter_from_config(oconfig_item_t *ci) {
  smp_meter *m = meter_alloc();
  if (m == NULL) {
    ERROR("smartmeter plugin: out of memory.");
    return NULL;
  }
  parse_ctx p = {.m = m};
  int status = set_name(m, ci);
  if (status == 0) {
    /* Go on after a bad option so that one run reports every mistake. */
    for (int i = 0; i < ci->children_num; i++)
      if (parse_option(&ci->children[i], &p) != 0)
        status = -1;
  }
  m->cfg.port.device = m->cfg.device;
  if (status == 0)
    status = check_block(&p);
  if (status != 0) {
    smp_meter_free(m);
    return NULL;
  }
  return m;
}

void smp_meter_free(smp_meter *m) {
  if (m == NULL)
    return;
  sm_decoder_free(m->decoder);
  sm_wipe(&m->cfg.options, sizeof(m->cfg.options));
  free(m->cfg.device);
  free(m->cfg.supplier);
  free(m->cfg.solarview_file);
  smp_latest_destroy(&m->latest);
  smp_control_destroy(&m->ctl);
  free(m);
}
