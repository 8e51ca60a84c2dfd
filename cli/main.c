/* SPDX-License-Identifier: MIT */
/* main.c - smartmeter-decode: options -> one action -> exit code. */
#include <stdio.h>

#include "cli_convert.h"
#include "cli_input.h"
#include "cli_live.h"
#include "cli_options.h"
#include "cli_scan.h"
#include "sm_config.h"

static int run(const cli_options *o) {
  switch (o->action) {
  case CLI_ACTION_HELP:
    cli_usage();
    return CLI_EXIT_OK;
  case CLI_ACTION_VERSION:
    printf("smartmeter-decode (collectd-smartmeter) %s\n", SM_VERSION);
    return CLI_EXIT_OK;
  case CLI_ACTION_CONVERT:
    return cli_convert_kaifareader(o->convert_file);
  case CLI_ACTION_SCAN:
    return cli_scan_run(o);
  default:
    break;
  }
  if (o->port.device != NULL)
    return cli_live_run(o);
  return cli_input_run(o);
}

int main(int argc, char **argv) {
  cli_options o;
  int rc;

  setvbuf(stdout, NULL, _IOLBF, 0);
  rc = cli_options_parse(&o, argc, argv);
  if (rc == CLI_EXIT_OK)
    rc = run(&o);
  cli_options_wipe(&o);
  if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
    perror("smartmeter-decode: writing the output");
    rc = CLI_EXIT_FAIL;
  }
  return rc;
}
