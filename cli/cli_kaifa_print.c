/* SPDX-License-Identifier: MIT */
/* cli_kaifa_print.c - writes the collectd configuration equivalent to a
 * checked kaifareader meter.json. The key goes into the configuration
 * (that is what the user asked for) and nowhere else. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli_convert.h"
#include "sm_names.h"

static const char *const known_keys[] = {"loglevel",
                                         "port",
                                         "baudrate",
                                         "parity",
                                         "stopbits",
                                         "bytesize",
                                         "key_hex_string",
                                         "supplier",
                                         "file_export_enabled",
                                         "file_export_abspath",
                                         "mqtt_enabled",
                                         "mqtt_server",
                                         "mqtt_port",
                                         "mqtt_user",
                                         "mqtt_password",
                                         "mqtt_basetopic",
                                         "influxdb_enabled",
                                         "influxdb_url",
                                         "influxdb_token",
                                         "influxdb_org",
                                         "influxdb_bucket",
                                         "influxdb_measurement",
                                         NULL};

static const char *get(const cli_kaifa *k, const char *key) {
  const cli_json_member *m = cli_json_get(k->json, key);

  if (m == NULL || m->type == CLI_JSON_NULL || m->text[0] == '\0')
    return NULL;
  return m->text;
}

static bool enabled(const cli_kaifa *k, const char *key) {
  const char *s = get(k, key);

  return s != NULL && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

/* A collectd (or TOML) string: backslash and double quote escaped,
 * control characters (which could end a comment line) made visible. */
static void quoted(FILE *f, const char *s) {
  putc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      putc('\\', f);
    putc(*p < 0x20 || *p == 0x7F ? '?' : *p, f);
  }
  putc('"', f);
}

/* Text inside a comment: no control characters. */
static void comment_text(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    putc(*p < 0x20 || *p == 0x7F ? '?' : *p, f);
}

static void option(FILE *f, const char *indent, const char *name,
                   const char *value) {
  fprintf(f, "%s%s ", indent, name);
  quoted(f, value);
  putc('\n', f);
}

static void print_log_level(FILE *f, const cli_kaifa *k) {
  const char *s = get(k, "loglevel");

  if (s == NULL)
    return;
  fputs("# loglevel ", f);
  comment_text(f, s);
  fprintf(f, ": collectd sets the level in its log plugin%s\n",
          k->log_level ? ", e.g." : " (not understood here)");
  if (k->log_level == NULL)
    return;
  fputs("#   LoadPlugin syslog\n#   <Plugin syslog>\n", f);
  fprintf(f, "#     LogLevel %s\n#   </Plugin>\n", k->log_level);
  fputs("# (Debian's collectd has no debug level: info is the closest.)\n\n",
        f);
}

static void print_key(FILE *f, const cli_kaifa *k) {
  static const char digits[] = "0123456789ABCDEF";
  char hex[2 * SM_KEY_LEN + 1];

  if (!k->has_key) {
    fputs("    # key_hex_string is empty: set your 32 hex digit key\n"
          "    #Key \"00000000000000000000000000000000\"\n",
          f);
    return;
  }
  for (int i = 0; i < SM_KEY_LEN; i++) {
    hex[2 * i] = digits[k->key[i] >> 4];
    hex[2 * i + 1] = digits[k->key[i] & 0x0F];
  }
  hex[sizeof hex - 1] = '\0';
  fputs("    # Safer: KeyFile \"/etc/collectd/smartmeter.key\" (mode 0600)\n",
        f);
  option(f, "    ", "Key", hex);
  sm_wipe(hex, sizeof hex);
}

static void print_serial(FILE *f, const cli_kaifa *k) {
  const char *dev = get(k, "port");

  if (dev != NULL)
    option(f, "    ", "Device", dev);
  else
    fputs("    # port is not set: Device \"/dev/ttyUSB0\"?\n", f);
  if (k->baud > 0)
    fprintf(f, "    Baudrate %d\n", k->baud);
  if (k->has_parity)
    option(f, "    ", "Parity", sm_parity_name(k->parity));
  if (k->data_bits > 0)
    fprintf(f, "    DataBits %d\n", k->data_bits);
  if (k->stop_bits > 0)
    fprintf(f, "    StopBits %d\n", k->stop_bits);
}

static void print_meter(FILE *f, const cli_kaifa *k) {
  const char *path = get(k, "file_export_abspath");

  fputs("LoadPlugin smartmeter\n<Plugin smartmeter>\n  <Meter \"meter\">\n", f);
  print_serial(f, k);
  print_key(f, k);
  if (k->supplier != NULL)
    option(f, "    ", "Supplier", k->supplier);
  if (enabled(k, "file_export_enabled") && path != NULL)
    option(f, "    ", "SolarviewFile", path);
  else if (enabled(k, "file_export_enabled"))
    fputs("    # file_export_enabled, but file_export_abspath is empty\n", f);
  fputs("  </Meter>\n</Plugin>\n", f);
}

static void print_mqtt(FILE *f, const cli_kaifa *k) {
  static const char *const map[][2] = {{"mqtt_server", "Host"},
                                       {"mqtt_port", "Port"},
                                       {"mqtt_user", "User"},
                                       {"mqtt_password", "Password"},
                                       {"mqtt_basetopic", "Prefix"}};

  if (!enabled(k, "mqtt_enabled"))
    return;
  fputs("\n# MQTT: kaifareader published <basetopic>/<field> with the plain\n"
        "# value; collectd publishes <Prefix>/<host>/smartmeter-meter/\n"
        "# <type>-<instance> with \"time:value\" payloads. Adapt subscribers.\n"
        "LoadPlugin mqtt\n<Plugin mqtt>\n  <Publish \"kaifareader\">\n",
        f);
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    const char *v = get(k, map[i][0]);

    if (v != NULL)
      option(f, "    ", map[i][1], v);
  }
  fputs("  </Publish>\n</Plugin>\n", f);
}

static const char *or_unset(const cli_kaifa *k, const char *key) {
  const char *v = get(k, key);

  return v != NULL ? v : "(not set)";
}

static void toml_line(FILE *f, const char *name, const char *value) {
  fprintf(f, "#     %s = ", name);
  quoted(f, value);
  putc('\n', f);
}

static void print_influx(FILE *f, const cli_kaifa *k) {
  if (!enabled(k, "influxdb_enabled"))
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
  quoted(f, or_unset(k, "influxdb_url"));
  fputs("]\n", f);
  toml_line(f, "token", or_unset(k, "influxdb_token"));
  toml_line(f, "organization", or_unset(k, "influxdb_org"));
  toml_line(f, "bucket", or_unset(k, "influxdb_bucket"));
  fputs("# Measurements are then named by collectd (smartmeter_value with\n"
        "# tags instance/type/type_instance), not ",
        f);
  quoted(f, or_unset(k, "influxdb_measurement"));
  fputs(". For kaifareader's\n"
        "# shape run `smartmeter-decode --device ... --format influx` under\n"
        "# Telegraf's inputs.execd instead.\n"
        "LoadPlugin network\n<Plugin network>\n"
        "  Server \"127.0.0.1\" \"25826\"\n</Plugin>\n",
        f);
}

static bool is_known(const char *key) {
  for (const char *const *p = known_keys; *p != NULL; p++) {
    if (strcmp(*p, key) == 0)
      return true;
  }
  return false;
}

static void print_unknown(FILE *f, const cli_kaifa *k) {
  for (size_t i = 0; i < k->json->n; i++) {
    if (is_known(k->json->m[i].key))
      continue;
    fputs("# meter.json key ", f);
    quoted(f, k->json->m[i].key);
    fputs(" has no equivalent; ignored\n", f);
  }
}

void cli_kaifa_print(FILE *f, const cli_kaifa *k) {
  fputs("# collectd configuration converted from a kaifareader meter.json\n"
        "# by smartmeter-decode --convert-kaifareader.\n\n",
        f);
  print_log_level(f, k);
  print_meter(f, k);
  print_mqtt(f, k);
  print_influx(f, k);
  print_unknown(f, k);
}
