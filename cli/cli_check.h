/* SPDX-License-Identifier: MIT */
/* cli_check.h - the answer of --check-key. */
#ifndef CLI_CHECK_H
#define CLI_CHECK_H

#include "cli_run.h"

/* Print whether the key decrypted the input ("key OK ..." on stdout, or
 * what went wrong on stderr). Returns the exit code (0 = key OK). */
int cli_check_report(const cli_run *r);

#endif
