/* SPDX-License-Identifier: MIT */
/* conv_print_out.c - kaifareader's MQTT and InfluxDB v2 exports in
 * collectd terms: the mqtt writer, and the network plugin to a local
 * Telegraf (collectd has no InfluxDB v2 writer) with the Telegraf side in
 * comments. */
#include "conv_kaifa.h"

void conv_print_mqtt(FILE *f, const conv_kaifa *k) {
  char port[16];

  if (!k->mqtt)
    return;
  fputs("\n# MQTT: kaifareader published <basetopic>/<field> with the plain\n"
        "# value; collectd publishes <Prefix>/<host>/smartmeter-meter/\n"
        "# <type>-<instance> with \"time:value\" payloads. Adapt subscribers.\n"
        "LoadPlugin mqtt\n<Plugin mqtt>\n  <Publish \"kaifareader\">\n",
        f);
  if (k->mqtt_server != NULL)
    conv_print_option(f, "Host", k->mqtt_server);
  if (k->mqtt_port > 0) {
    snprintf(port, sizeof port, "%d", k->mqtt_port);
    conv_print_option(f, "Port", port);
  }
  if (k->mqtt_user != NULL)
    conv_print_option(f, "User", k->mqtt_user);
  if (k->mqtt_password != NULL)
    conv_print_option(f, "Password", k->mqtt_password);
  if (k->mqtt_topic != NULL)
    conv_print_option(f, "Prefix", k->mqtt_topic);
  fputs("  </Publish>\n</Plugin>\n", f);
}

static const char *or_unset(const char *v) {
  return v != NULL ? v : "(not set)";
}

static void toml_line(FILE *f, const char *name, const char *value) {
  fprintf(f, "#     %s = ", name);
  conv_print_quoted(f, or_unset(value));
  putc('\n', f);
}

void conv_print_influx(FILE *f, const conv_kaifa *k) {
  if (!k->influx)
    return;
  fputs("\n# InfluxDB v2: collectd has no InfluxDB v2 writer. Send the values\n"
        "# to a local Telegraf with the network plugin below and let Telegraf\n"
        "# write them; in telegraf.conf:\n"
        "#   [[inputs.socket_listener]]\n"
        "#     service_address = \"udp://127.0.0.1:25826\"\n"
        "#     data_format = \"collectd\"\n"
        "#     collectd_typesdb = [\"/usr/share/collectd/types.db\"]\n"
        "#     collectd_parse_multivalue = \"split\"\n"
        "#   [[outputs.influxdb_v2]]\n",
        f);
  fputs("#     urls = [", f);
  conv_print_quoted(f, or_unset(k->influx_url));
  fputs("]\n", f);
  toml_line(f, "token", k->influx_token);
  toml_line(f, "organization", k->influx_org);
  toml_line(f, "bucket", k->influx_bucket);
  fputs("# Measurements are then named by collectd (smartmeter_value with\n"
        "# tags instance/type/type_instance), not ",
        f);
  conv_print_quoted(f, or_unset(k->influx_measurement));
  fputs(". For kaifareader's\n"
        "# shape run `smartmeter-decode --device ... --format influx` under\n"
        "# Telegraf's inputs.execd instead.\n"
        "LoadPlugin network\n<Plugin network>\n"
        "  Server \"127.0.0.1\" \"25826\"\n</Plugin>\n",
        f);
}
