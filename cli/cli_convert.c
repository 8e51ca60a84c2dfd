/* SPDX-License-Identifier: MIT */
/* cli_convert.c - --convert-kaifareader hands over to smartmeter-convert. */
#include "cli_convert.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_options.h"

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

int cli_convert_kaifareader(const char *path) {
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
