/* SPDX-License-Identifier: MIT */
/* cli_options.c - argv -> cli_options. Usage errors print one line to
 * stderr and return CLI_EXIT_USAGE; no message ever contains a key. */
#include "cli_options.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_keys.h"
#include "sm_names.h"

enum {
  OPT_HEX = 256,
  OPT_INPUT,
  OPT_SCAN,
  OPT_SCAN_TIME,
  OPT_BAUD,
  OPT_PARITY,
  OPT_DATA_BITS,
  OPT_STOP_BITS,
  OPT_KEY,
  OPT_KEY_FILE,
  OPT_AUTH_KEY,
  OPT_AUTH_KEY_FILE,
  OPT_SUPPLIER,
  OPT_METER,
  OPT_TIMESTAMP,
  OPT_CHECK_KEY,
  OPT_CONVERT,
};

static const struct option long_opts[] = {
    {"hex", no_argument, NULL, OPT_HEX},
    {"input", required_argument, NULL, OPT_INPUT},
    {"scan", no_argument, NULL, OPT_SCAN},
    {"scan-time", required_argument, NULL, OPT_SCAN_TIME},
    {"device", required_argument, NULL, 'd'},
    {"baud", required_argument, NULL, OPT_BAUD},
    {"parity", required_argument, NULL, OPT_PARITY},
    {"data-bits", required_argument, NULL, OPT_DATA_BITS},
    {"stop-bits", required_argument, NULL, OPT_STOP_BITS},
    {"key", required_argument, NULL, OPT_KEY},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"auth-key", required_argument, NULL, OPT_AUTH_KEY},
    {"auth-key-file", required_argument, NULL, OPT_AUTH_KEY_FILE},
    {"supplier", required_argument, NULL, OPT_SUPPLIER},
    {"format", required_argument, NULL, 'f'},
    {"meter", required_argument, NULL, OPT_METER},
    {"timestamp", required_argument, NULL, OPT_TIMESTAMP},
    {"quiet", no_argument, NULL, 'q'},
    {"check-key", no_argument, NULL, OPT_CHECK_KEY},
    {"convert-kaifareader", required_argument, NULL, OPT_CONVERT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Which key options were seen, to refuse giving one key twice. */
typedef struct key_seen {
  int key, auth_key;
} key_seen;

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...) {
  va_list ap;

  fputs("smartmeter-decode: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (see --help)\n", stderr);
  return CLI_EXIT_USAGE;
}

/* The option as typed, without any "=value" (which may be a key). */
static void print_option_name(const char *problem, const char *arg) {
  size_t n = strcspn(arg, "=");

  fprintf(stderr, "smartmeter-decode: %s '%.*s' (see --help)\n", problem,
          (int)n, arg);
}

static int parse_int(const char *s, int min, int max, int *out) {
  char *end;
  long v;

  if (*s == '\0')
    return -1;
  v = strtol(s, &end, 10);
  if (*end != '\0' || v < min || v > max)
    return -1;
  *out = (int)v;
  return 0;
}

static int parse_format(const char *s, cli_format *f) {
  if (strcmp(s, "text") == 0)
    *f = CLI_FORMAT_TEXT;
  else if (strcmp(s, "json") == 0)
    *f = CLI_FORMAT_JSON;
  else if (strcmp(s, "influx") == 0)
    *f = CLI_FORMAT_INFLUX;
  else
    return usage_error("unknown --format '%s' (text, json, influx)", s);
  return CLI_EXIT_OK;
}

static int parse_input(const char *s, sm_input *in) {
  if (sm_input_parse(s, in) != 0)
    return usage_error("unknown --input '%s' (expected %s)", s, SM_INPUT_NAMES);
  return CLI_EXIT_OK;
}

static int parse_supplier(const char *s, const char **out) {
  if (sm_supplier_parse(s, out) == 0)
    return CLI_EXIT_OK;
  return usage_error("unknown --supplier '%s' (" SM_SUPPLIER_NAMES ")", s);
}

static int parse_timestamp(const char *s, cli_timestamp *ts) {
  if (strcmp(s, "receive") == 0)
    *ts = CLI_TS_RECEIVE;
  else if (strcmp(s, "meter") == 0)
    *ts = CLI_TS_METER;
  else
    return usage_error("unknown --timestamp '%s' (receive, meter)", s);
  return CLI_EXIT_OK;
}

static int parse_serial_int(const char *s, const char *opt, int min, int max,
                            int *out) {
  if (parse_int(s, min, max, out) != 0)
    return usage_error("invalid value for %s", opt);
  return CLI_EXIT_OK;
}

/* --key / --auth-key / their -file forms. which: 0 = key, 1 = auth key. */
static int take_key(cli_options *o, key_seen *seen, int which, bool file) {
  int *count = which ? &seen->auth_key : &seen->key;
  uint8_t *dst = which ? o->dec.auth_key : o->dec.key;
  const char *name = which ? "--auth-key" : "--key";
  char err[512];

  if ((*count)++ > 0) {
    if (!file)
      memset(optarg, 'x', strlen(optarg));
    return usage_error("%s or its -file form given more than once", name);
  }
  if (file && cli_key_from_file(optarg, dst, err, sizeof err) != 0)
    return usage_error("%s", err);
  if (!file && cli_key_from_arg(optarg, dst) != 0)
    return usage_error("%s needs exactly 32 hex digits", name);
  if (file && which)
    o->auth_key_file = optarg;
  else if (file)
    o->key_file = optarg;
  if (which)
    o->dec.has_auth_key = true;
  else
    o->dec.has_key = true;
  return CLI_EXIT_OK;
}

static int take_serial(cli_options *o, int c) {
  sm_port_config *p = &o->port;

  o->serial_set = o->serial_set || c != 'd';
  switch (c) {
  case 'd':
    p->device = optarg;
    return CLI_EXIT_OK;
  case OPT_BAUD:
    return parse_serial_int(optarg, "--baud", 1, INT_MAX, &p->baud);
  case OPT_DATA_BITS:
    return parse_serial_int(optarg, "--data-bits", 5, 8, &p->data_bits);
  case OPT_STOP_BITS:
    return parse_serial_int(optarg, "--stop-bits", 1, 2, &p->stop_bits);
  default: /* OPT_PARITY */
    if (sm_parity_parse(optarg, &p->parity) != 0)
      return usage_error("unknown --parity '%s' (none, even, odd)", optarg);
    return CLI_EXIT_OK;
  }
}

static int take_option(cli_options *o, key_seen *seen, int c) {
  switch (c) {
  case 'h':
    o->action = CLI_ACTION_HELP;
    return CLI_EXIT_OK;
  case 'V':
    o->action = CLI_ACTION_VERSION;
    return CLI_EXIT_OK;
  case 'q':
    o->quiet = true;
    return CLI_EXIT_OK;
  case 'f':
    return parse_format(optarg, &o->format);
  case OPT_HEX:
    o->hex = true;
    return CLI_EXIT_OK;
  case OPT_INPUT:
    return parse_input(optarg, &o->dec.input);
  case OPT_SCAN:
    o->action = CLI_ACTION_SCAN;
    return CLI_EXIT_OK;
  case OPT_SCAN_TIME: {
    int s;
    if (parse_int(optarg, 1, 3600, &s) != 0)
      return usage_error("%s", "--scan-time needs 1 to 3600 seconds");
    o->scan_ms = (unsigned)s * 1000;
    return CLI_EXIT_OK;
  }
  case 'd':
  case OPT_BAUD:
  case OPT_PARITY:
  case OPT_DATA_BITS:
  case OPT_STOP_BITS:
    return take_serial(o, c);
  case OPT_KEY:
  case OPT_KEY_FILE:
  case OPT_AUTH_KEY:
  case OPT_AUTH_KEY_FILE:
    return take_key(o, seen, c == OPT_AUTH_KEY || c == OPT_AUTH_KEY_FILE,
                    c == OPT_KEY_FILE || c == OPT_AUTH_KEY_FILE);
  case OPT_SUPPLIER:
    return parse_supplier(optarg, &o->dec.supplier);
  case OPT_METER:
    o->meter = optarg;
    return CLI_EXIT_OK;
  case OPT_TIMESTAMP:
    return parse_timestamp(optarg, &o->timestamp);
  case OPT_CHECK_KEY:
    o->check_key = true;
    return CLI_EXIT_OK;
  case OPT_CONVERT:
    o->action = CLI_ACTION_CONVERT;
    o->convert_file = optarg;
    return CLI_EXIT_OK;
  default:
    return CLI_EXIT_USAGE;
  }
}

/* getopt's complaint, rebuilt so that no option value is echoed. */
static int getopt_failure(int c, int argc, char **argv) {
  char buf[3] = {'-', (char)optopt, '\0'};
  const char *last = optind > 0 && optind <= argc ? argv[optind - 1] : "";
  const char *problem =
      c == ':' ? "missing value for option" : "unknown or ambiguous option";

  if (strncmp(last, "--", 2) == 0 || optopt <= 0 || optopt > 127)
    print_option_name(problem, last);
  else
    print_option_name(problem, buf);
  return CLI_EXIT_USAGE;
}

static int check_combination(const cli_options *o, int nargs) {
  char err[256];

  if (nargs > 1)
    return usage_error("%s", "more than one input file given");
  if (o->port.device != NULL && nargs > 0)
    return usage_error("%s", "give either --device or an input file");
  if (o->port.device != NULL && o->hex)
    return usage_error("%s", "--hex reads files or stdin, not --device");
  if (o->port.device != NULL &&
      sm_port_config_check(&o->port, err, sizeof err) != SM_PORT_OK)
    return usage_error("%s", err);
  return CLI_EXIT_OK;
}

/* --scan tries the serial settings itself: giving one is a mistake. */
static int check_scan(const cli_options *o, int nargs) {
  if (o->port.device == NULL || nargs > 0)
    return usage_error("%s", "--scan needs --device and no input file");
  if (o->port.baud || o->serial_set)
    return usage_error("%s", "--scan finds --baud, --parity, --data-bits "
                             "and --stop-bits itself: leave them out");
  return CLI_EXIT_OK;
}

int cli_options_parse(cli_options *o, int argc, char **argv) {
  key_seen seen = {0, 0};
  int c, rc;

  memset(o, 0, sizeof *o);
  o->port.parity = SM_PARITY_EVEN;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":hVqf:d:", long_opts, NULL)) != -1) {
    if (c == '?' || c == ':')
      return getopt_failure(c, argc, argv);
    rc = take_option(o, &seen, c);
    if (rc != CLI_EXIT_OK)
      return rc;
  }
  if (optind < argc)
    o->file = argv[optind];
  if (o->action == CLI_ACTION_SCAN)
    return check_scan(o, argc - optind);
  if (o->action != CLI_ACTION_DECODE)
    return CLI_EXIT_OK;
  return check_combination(o, argc - optind);
}

void cli_options_wipe(cli_options *o) {
  sm_wipe(o->dec.key, sizeof o->dec.key);
  sm_wipe(o->dec.auth_key, sizeof o->dec.auth_key);
  o->dec.has_key = false;
  o->dec.has_auth_key = false;
}

/* ---- --help (never shows key material) -------------------------------- */

static const char usage_text[] =
    "Usage: smartmeter-decode [OPTIONS] [FILE|-]\n"
    "       smartmeter-decode --device PATH|tcp://HOST:PORT [OPTIONS]\n"
    "       smartmeter-decode --device PATH --scan [--key-file FILE]\n"
    "       smartmeter-decode --convert-kaifareader meter.json\n"
    "\n"
    "Decode the customer interface of Austrian smart meters: M-Bus, HDLC or\n"
    "DSMR frames carrying DLMS/COSEM data-notifications or DSMR text, usually\n"
    "AES-128-GCM encrypted, and Netz OOe's AMIS meters (answered with E5 in\n"
    "--device mode).\n"
    "\n"
    "Input (raw bytes from FILE, or stdin when FILE is '-' or missing):\n"
    "      --hex               input is hex text; whitespace and '#'\n"
    "                          comments are ignored\n"
    "      --input MODE        auto (default), mbus, hdlc, dsmr, amis or apdu\n"
    "  -d, --device PATH       read a serial port live, or tcp://host:port\n"
    "                          (ser2net); runs until SIGTERM/SIGINT or until\n"
    "                          a stdin pipe is closed\n"
    "      --baud N            default 2400\n"
    "      --parity P          none, even (default) or odd\n"
    "      --data-bits N       5..8, default 8\n"
    "      --stop-bits N       1 (default) or 2\n"
    "      --scan              find the serial settings and framing of the\n"
    "                          meter on --device (2400 8E1, 2400 8N1, 9600\n"
    "                          8E1, 9600 8N1, 115200 8N1), say whether the\n"
    "                          key works and print the <Meter> block for\n"
    "                          collectd.conf; exit 0 found, 1 nothing found\n"
    "                          or the key failed\n"
    "      --scan-time S       listen at most S seconds per setting (default\n"
    "                          12, 62 at 9600 8E1 for AMIS)\n"
    "\n"
    "Keys (32 hex digits; whitespace ignored):\n"
    "      --key HEX           encryption key (visible to other users for a\n"
    "                          moment: prefer --key-file)\n"
    "      --key-file FILE     read the encryption key from FILE\n"
    "      --auth-key HEX      authentication key (security control 0x30)\n"
    "      --auth-key-file FILE\n"
    "      --supplier NAME     KSMWest, EVN or auto (accepted for kaifareader\n"
    "                          users; decoding does not depend on it)\n"
    "\n"
    "Output:\n"
    "  -f, --format FMT        text (default), json (one object per line) or\n"
    "                          influx (line protocol for Telegraf execd)\n"
    "      --meter NAME        influx tag 'meter' (default: meter number,\n"
    "                          else system title)\n"
    "      --timestamp WHEN    influx time: receive (default) or meter\n"
    "                          (the meter's clock read as local time)\n"
    "  -q, --quiet             no per-telegram error messages\n"
    "      --check-key         only say whether the key decrypts the input\n"
    "      --convert-kaifareader FILE\n"
    "                          runs smartmeter-convert FILE: the collectd\n"
    "                          configuration of a kaifareader meter.json\n"
    "  -h, --help              this text\n"
    "  -V, --version           program version\n"
    "\n"
    "Exit status: 0 at least one telegram decoded (live mode: clean stop),\n"
    "1 none decoded or an input error, 2 usage error.\n";

void cli_usage(void) {
  fputs(usage_text, stdout);
}
