/* SPDX-License-Identifier: MIT */
/* cli_input.h - decoding a file or stdin (raw bytes or --hex text). */
#ifndef CLI_INPUT_H
#define CLI_INPUT_H

#include "cli_options.h"

/* Decode all of o->file (stdin when NULL or "-") and return the exit
 * code: 0 when at least one telegram decoded and the input was readable,
 * 1 otherwise. */
int cli_input_run(const cli_options *o);

#endif
