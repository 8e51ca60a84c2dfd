/* SPDX-License-Identifier: MIT */
/* cli_convert.c - --convert-kaifareader: load, check, print. */
#include "cli_convert.h"

#include <errno.h>
#include <string.h>

#include "cli_options.h"
#include "sm_names.h"

#define MAX_FILE (64 * 1024)

/* Read the whole file into buf (NUL-terminated). Returns the length or
 * -1 after a message. */
static long load(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "rb");
  size_t n;

  if (f == NULL) {
    fprintf(stderr, "smartmeter-decode: cannot open %s: %s\n", path,
            strerror(errno));
    return -1;
  }
  n = fread(buf, 1, size - 1, f);
  if (ferror(f) || (n == size - 1 && fgetc(f) != EOF)) {
    fprintf(stderr,
            "smartmeter-decode: %s: unreadable or larger than %d "
            "bytes\n",
            path, MAX_FILE);
    fclose(f);
    return -1;
  }
  fclose(f);
  buf[n] = '\0';
  return (long)n;
}

int cli_convert_kaifareader(const char *path) {
  static char text[MAX_FILE + 1];
  static cli_json_object json;
  cli_kaifa k;
  char err[256];
  long n = load(path, text, sizeof text);
  int rc = CLI_EXIT_FAIL;

  if (n < 0)
    return CLI_EXIT_FAIL;
  if (cli_json_parse(text, (size_t)n, &json, err, sizeof err) != 0 ||
      cli_kaifa_check(&json, &k, err, sizeof err) != 0) {
    fprintf(stderr, "smartmeter-decode: %s: %s\n", path, err);
  } else {
    cli_kaifa_print(stdout, &k);
    rc = CLI_EXIT_OK;
  }
  sm_wipe(&k, sizeof k);
  sm_wipe(text, sizeof text);
  sm_wipe(&json, sizeof json);
  return rc;
}
