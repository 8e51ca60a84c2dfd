/* SPDX-License-Identifier: MIT */
/* conv_main.c - smartmeter-convert: a kaifareader meter.json (file or
 * stdin) -> the equivalent collectd configuration on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conv_input.h"
#include "conv_kaifa.h"
#include "sm_config.h"

enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "Usage: smartmeter-convert [FILE|-]\n"
    "\n"
    "Print the collectd configuration equivalent to a kaifareader meter.json\n"
    "(FILE, or standard input when FILE is - or missing): the smartmeter\n"
    "plugin block, the mqtt writer, notes for InfluxDB v2 via Telegraf.\n"
    "Settings that do not carry over are warned about on standard error.\n"
    "\n"
    "  -h, --help     this text\n"
    "  -V, --version  program version\n"
    "\n"
    "The output holds the key: write it under umask 077, or move the key\n"
    "to a KeyFile. Exit status: 0 configuration printed, 1 unreadable or\n"
    "invalid input (nothing printed), 2 usage error.\n";

/* The option as typed, without any "=value". */
static int usage_error(const char *problem, const char *arg) {
  fprintf(stderr, "smartmeter-convert: %s '%.*s' (see --help)\n", problem,
          (int)strcspn(arg, "="), arg);
  return EXIT_USAGE;
}

/* getopt's complaint rebuilt: a short option by its letter (it may sit
 * inside a cluster), a long one as typed up to any "=". */
static int unknown_option(int argc, char **argv) {
  const char *last = optind > 0 && optind <= argc ? argv[optind - 1] : "";
  char letter[3] = {'-', (char)optopt, '\0'};

  if (strncmp(last, "--", 2) != 0 && optopt > 0 && optopt < 128)
    return usage_error("unknown option", letter);
  return usage_error("unknown option", last);
}

/* Returns -1 to go on with *path, else the exit code. */
static int parse_args(int argc, char **argv, const char **path) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"version", no_argument, NULL, 'V'},
                                       {NULL, 0, NULL, 0}};
  int c;

  opterr = 0;
  while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage_text, stdout);
      return EXIT_OK;
    }
    if (c == 'V') {
      printf("smartmeter-convert (collectd-smartmeter) %s\n", SM_VERSION);
      return EXIT_OK;
    }
    return unknown_option(argc, argv);
  }
  if (argc - optind > 1) {
    fputs("smartmeter-convert: more than one file given (see --help)\n",
          stderr);
    return EXIT_USAGE;
  }
  *path = optind < argc ? argv[optind] : "-";
  return -1;
}

static int convert(const char *path) {
  const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
  conv_fail fail = {0};
  conv_secrets secrets = {0};
  conv_kaifa k;
  json_t *json;
  int rc = EXIT_BAD_INPUT;

  if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO))
    fputs("smartmeter-convert: reading meter.json from the terminal "
          "(end with Ctrl-D)\n",
          stderr);
  if (conv_input_load(path, &json, &fail) == CONV_OK &&
      conv_kaifa_check(json, &k, &fail) == CONV_OK) {
    conv_kaifa_warn(&k);
    conv_kaifa_print(stdout, &k, &secrets);
    rc = EXIT_OK;
    conv_kaifa_wipe(&k);
  } else {
    conv_fail_print(name, &fail);
  }
  json_decref(json);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    perror("smartmeter-convert: writing the output");
    return EXIT_BAD_INPUT;
  }
  if (rc == EXIT_OK)
    conv_warn_exposed(&secrets);
  return rc;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int rc;

  conv_alloc_init();
  rc = parse_args(argc, argv, &path);
  if (rc >= 0) {
    if (fflush(stdout) != 0)
      return EXIT_BAD_INPUT;
    return rc;
  }
  return convert(path);
}
