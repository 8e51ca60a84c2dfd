/* SPDX-License-Identifier: MIT */
/* main.c - smartmeter-decode: options -> one action -> exit code. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_input.h"
#include "cli_live.h"
#include "cli_options.h"
#include "cli_scan.h"
#include "sm_config.h"

#define CONVERTER "smartmeter-convert"

/* The converter installed next to this binary (same prefix, same
 * release) comes before whatever $PATH finds. */
static void exec_beside_self(char *const argv[]) {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  char *slash;

  if (n <= 0)
    return;
  path[n] = '\0';
  slash = strrchr(path, '/');
  if (slash == NULL ||
      (size_t)(slash + 1 - path) + sizeof CONVERTER > sizeof path)
    return;
  memcpy(slash + 1, CONVERTER, sizeof CONVERTER);
  execv(path, argv);
}

/* --convert-kaifareader, kept for one release: the converter is now the
 * program smartmeter-convert(1). Returns only when it could not be
 * started, after saying where it went. */
static int convert_kaifareader(const char *path) {
  char *argv[] = {CONVERTER, "--", (char *)path, NULL};
  int err;

  fflush(NULL);
  exec_beside_self(argv);
  execvp(CONVERTER, argv);
  err = errno;
  fprintf(
      stderr,
      "smartmeter-decode: --convert-kaifareader is now the program " CONVERTER
      " (see " CONVERTER "(1)); it could not be started "
      "from this program's directory or $PATH: %s. Run: " CONVERTER " %s\n",
      strerror(err), path);
  return CLI_EXIT_FAIL;
}

static int run(const cli_options *o) {
  switch (o->action) {
  case CLI_ACTION_HELP:
    cli_usage();
    return CLI_EXIT_OK;
  case CLI_ACTION_VERSION:
    printf("smartmeter-decode (collectd-smartmeter) %s\n", SM_VERSION);
    return CLI_EXIT_OK;
  case CLI_ACTION_CONVERT:
    return convert_kaifareader(o->convert_file);
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
