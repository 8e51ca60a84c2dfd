/* SPDX-License-Identifier: MIT */
/* conv_lost.c - the warnings about kaifareader settings that do not carry
 * over: unknown keys, values without an equivalent, exports collectd does
 * differently. Values are shown only for settings that are never secret. */
#include <stdio.h>

#include "conv_field.h"
#include "conv_kaifa.h"

/* "<what> \"<value>\" <rest>" as one warning line. */
static void warn_value(const char *what, const char *value, const char *rest) {
  fprintf(stderr, "smartmeter-convert: warning: %s \"", what);
  conv_warn_visible(stderr, value);
  fprintf(stderr, "\" %s\n", rest);
}

static void warn_unknown_keys(const conv_kaifa *k) {
  const char *key;
  const json_t *v;

  json_object_foreach((json_t *)k->json, key, v) {
    (void)v;
    if (!conv_field_known(key))
      warn_value("meter.json key", key,
                 "is not a kaifareader setting: ignored");
  }
}

static void warn_unmapped(const conv_kaifa *k) {
  static const struct {
    unsigned bit;
    const char *text;
  } flags[] = {
      {CONV_UNCLEAR_FILE, "file_export_enabled"},
      {CONV_UNCLEAR_MQTT, "mqtt_enabled"},
      {CONV_UNCLEAR_INFLUX, "influxdb_enabled"},
  };

  if (k->unmapped & CONV_UNMAPPED_LOGLEVEL)
    warn_value("loglevel", k->log_level_given,
               "has no collectd LogLevel: set one in collectd's log plugin");
  if (k->unmapped & CONV_UNMAPPED_SUPPLIER)
    warn_value("supplier", k->supplier_given,
               "is not KSMWest, EVN or auto: left out (decoding does not "
               "need it)");
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (k->unmapped & flags[i].bit)
      conv_warn("%s is neither true nor false: taken as false", flags[i].text);
  }
  if (k->mqtt && (k->unmapped & CONV_UNMAPPED_MQTT_PORT))
    conv_warn("mqtt_port is not a port number 1..65535: left out (collectd "
              "uses 1883)");
}

static void warn_exports(const conv_kaifa *k) {
  if (k->file_export && k->file_path == NULL)
    conv_warn("file_export_enabled, but file_export_abspath is empty: no "
              "SolarviewFile");
  if (k->mqtt && k->mqtt_topic != NULL)
    conv_warn("mqtt_basetopic: collectd publishes <Prefix>/<host>/"
              "smartmeter-meter/<type>-<instance> with \"time:value\" "
              "payloads, not <basetopic>/<field>: adapt subscribers");
  if (k->influx)
    conv_warn("influxdb_enabled: collectd has no InfluxDB v2 writer: the "
              "values go to a local Telegraf (network plugin; its "
              "telegraf.conf part is in the comments)");
  if (k->influx && k->influx_measurement != NULL)
    conv_warn("influxdb_measurement: not carried over: collectd names the "
              "measurement itself (smartmeter_value)");
}

void conv_kaifa_warn(const conv_kaifa *k) {
  warn_unmapped(k);
  warn_exports(k);
  warn_unknown_keys(k);
}
