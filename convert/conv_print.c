/* SPDX-License-Identifier: MIT */
/* conv_print.c - writes the collectd configuration equivalent to a
 * checked kaifareader meter.json: the smartmeter plugin block, the log
 * level note and the settings without an equivalent. The key goes into
 * the configuration (that is what the user asked for) and nowhere else. */
#include <string.h>

#include "conv_field.h"
#include "conv_kaifa.h"
#include "sm_names.h"

void conv_print_quoted(FILE *f, const char *s) {
  putc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      putc('\\', f);
    putc(*p < 0x20 || *p == 0x7F ? '?' : *p, f);
  }
  putc('"', f);
}

/* An option of the <Meter> or <Publish> block (both indented alike). */
void conv_print_option(FILE *f, const char *name, const char *value) {
  fprintf(f, "    %s ", name);
  conv_print_quoted(f, value);
  putc('\n', f);
}

static void print_log_level(FILE *f, const conv_kaifa *k) {
  if (k->log_level_given == NULL)
    return;
  fputs("# loglevel ", f);
  conv_warn_visible(f, k->log_level_given);
  fprintf(f, ": collectd sets the level in its log plugin%s\n",
          k->log_level ? ", e.g." : " (not understood here)");
  if (k->log_level == NULL)
    return;
  fputs("#   LoadPlugin syslog\n#   <Plugin syslog>\n", f);
  fprintf(f, "#     LogLevel %s\n#   </Plugin>\n", k->log_level);
  fputs("# (Debian's collectd has no debug level: info is the closest.)\n\n",
        f);
}

static void print_key(FILE *f, const conv_kaifa *k) {
  char hex[2 * SM_KEY_LEN + 1];

  if (!k->has_key) {
    fputs("    # key_hex_string is empty: set your 32 hex digit key\n"
          "    #Key \"00000000000000000000000000000000\"\n",
          f);
    return;
  }
  sm_hex_encode(k->key, SM_KEY_LEN, hex);
  fputs("    # Safer: KeyFile \"/etc/collectd/smartmeter.key\" (mode 0600)\n",
        f);
  conv_print_option(f, "Key", hex);
  sm_wipe(hex, sizeof hex);
}

static void print_serial(FILE *f, const conv_kaifa *k) {
  if (k->port != NULL)
    conv_print_option(f, "Device", k->port);
  else
    fputs("    # port is not set: Device \"/dev/ttyUSB0\"?\n", f);
  if (k->baud > 0)
    fprintf(f, "    Baudrate %d\n", k->baud);
  if (k->has_parity)
    conv_print_option(f, "Parity", sm_parity_name(k->parity));
  if (k->data_bits > 0)
    fprintf(f, "    DataBits %d\n", k->data_bits);
  if (k->stop_bits > 0)
    fprintf(f, "    StopBits %d\n", k->stop_bits);
}

static void print_meter(FILE *f, const conv_kaifa *k) {
  fputs("LoadPlugin smartmeter\n<Plugin smartmeter>\n  <Meter \"meter\">\n", f);
  print_serial(f, k);
  print_key(f, k);
  if (k->supplier != NULL)
    conv_print_option(f, "Supplier", k->supplier);
  if (k->file_export && k->file_path != NULL)
    conv_print_option(f, "SolarviewFile", k->file_path);
  else if (k->file_export)
    fputs("    # file_export_enabled, but file_export_abspath is empty\n", f);
  fputs("  </Meter>\n</Plugin>\n", f);
}

static void print_unknown(FILE *f, const conv_kaifa *k) {
  const char *key;
  const json_t *v;

  /* jansson keeps the members in file order */
  json_object_foreach((json_t *)k->json, key, v) {
    (void)v;
    if (conv_field_known(key))
      continue;
    fputs("# meter.json key ", f);
    conv_print_quoted(f, key);
    fputs(" has no equivalent; ignored\n", f);
  }
}

void conv_kaifa_print(FILE *f, const conv_kaifa *k, conv_secrets *s) {
  fputs("# collectd configuration converted from a kaifareader meter.json\n"
        "# by smartmeter-convert.\n\n",
        f);
  print_log_level(f, k);
  print_meter(f, k);
  conv_print_mqtt(f, k);
  conv_print_influx(f, k);
  print_unknown(f, k);
  s->key = k->has_key;
  s->mqtt_password = k->mqtt && k->mqtt_password != NULL;
  s->influx_token = k->influx && k->influx_token != NULL;
}
