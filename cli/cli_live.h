/* SPDX-License-Identifier: MIT */
/* cli_live.h - live mode: read a serial port or tcp://host:port until
 * stopped, reconnecting with back-off. */
#ifndef CLI_LIVE_H
#define CLI_LIVE_H

#include "cli_options.h"

/* Run until SIGTERM/SIGINT/SIGHUP or EOF on a stdin pipe (or, with
 * --check-key, until the answer is known). Returns the exit code: 0 for a
 * clean stop, 1 for a configuration the port refuses or a failed key
 * check. */
int cli_live_run(const cli_options *o);

#endif
