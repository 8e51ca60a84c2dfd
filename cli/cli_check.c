/* SPDX-License-Identifier: MIT */
/* cli_check.c - --check-key: one clear sentence about the key. */
#include "cli_check.h"

#include <stdio.h>

static int report_success(const cli_run *r) {
  if (r->encrypted == 0) {
    printf("key not needed: %lu telegram(s) decoded, none encrypted\n",
           r->decoded);
    return CLI_EXIT_OK;
  }
  printf("key OK: %lu telegram(s) decrypted", r->encrypted);
  if (r->authenticated > 0)
    printf(", GCM tag verified with the authentication key");
  else if (r->tag_unchecked > 0)
    printf(", GCM tag not checked (no --auth-key given)");
  putchar('\n');
  return CLI_EXIT_OK;
}

static const char *failure_text(const cli_run *r) {
  if (r->no_key_errors > 0)
    return "the telegrams are encrypted: give --key or --key-file";
  if (r->key_errors > 0)
    return "key wrong: decryption produced no valid data-notification";
  if (r->tag_errors > 0)
    return "authentication failed: GCM tag mismatch (check --auth-key)";
  if (r->last_error < 0)
    return sm_strerror(r->last_error);
  return "no telegram found in the input";
}

int cli_check_report(const cli_run *r) {
  if (r->decoded > 0)
    return report_success(r);
  fprintf(stderr, "smartmeter-decode: %s\n", failure_text(r));
  return CLI_EXIT_FAIL;
}
