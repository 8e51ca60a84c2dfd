/* SPDX-License-Identifier: MIT */
/* cli_options.h - command line of smartmeter-decode: what the user asked for.
 *
 * cli_options_parse() fills a cli_options from argv. Keys are parsed into
 * the sm_options in place (never kept as text) and the argv copy of a
 * --key / --auth-key value is overwritten so `ps` does not show it.
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stdbool.h>

#include "sm_decoder.h"
#include "sm_port.h"

/* Exit codes of the program. */
enum {
  CLI_EXIT_OK = 0,    /* at least one telegram decoded */
  CLI_EXIT_FAIL = 1,  /* no telegram decoded, input or I/O problem */
  CLI_EXIT_USAGE = 2, /* bad command line */
};

typedef enum cli_format {
  CLI_FORMAT_TEXT = 0,
  CLI_FORMAT_JSON,
  CLI_FORMAT_INFLUX,
} cli_format;

typedef enum cli_timestamp {
  CLI_TS_RECEIVE = 0, /* reception time (CLOCK_REALTIME) */
  CLI_TS_METER,       /* the meter's clock, read as local time */
} cli_timestamp;

typedef enum cli_action {
  CLI_ACTION_DECODE = 0,
  CLI_ACTION_HELP,
  CLI_ACTION_VERSION,
  CLI_ACTION_CONVERT, /* --convert-kaifareader */
  CLI_ACTION_SCAN,    /* --device DEV --scan */
} cli_action;

typedef struct cli_options {
  cli_action action;
  const char *file;    /* FILE argument; NULL or "-" = stdin */
  bool hex;            /* input is hex text */
  sm_options dec;      /* keys, supplier, input framing */
  sm_port_config port; /* live mode when port.device != NULL */
  cli_format format;
  cli_timestamp timestamp;
  const char *meter; /* Influx tag override */
  bool quiet;
  bool check_key;
  bool serial_set;           /* a serial setting was given */
  unsigned scan_ms;          /* --scan-time in ms; 0: the settings' own */
  const char *key_file;      /* --key-file / --auth-key-file paths, for */
  const char *auth_key_file; /* the block --scan prints */
  const char *convert_file;  /* kaifareader meter.json */
} cli_options;

/* Parse argv. Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing one
 * message to stderr (which never contains key material). On any return
 * the caller must call cli_options_wipe(). */
int cli_options_parse(cli_options *o, int argc, char **argv);

/* Forget the keys held in o. */
void cli_options_wipe(cli_options *o);

/* The --help text, on stdout. */
void cli_usage(void);

#endif
