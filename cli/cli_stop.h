/* SPDX-License-Identifier: MIT */
/* cli_stop.h - when live mode has to end: SIGTERM/SIGINT/SIGHUP, or EOF
 * on a stdin pipe (Telegraf's execd closes the child's stdin to stop it).
 */
#ifndef CLI_STOP_H
#define CLI_STOP_H

#include <stdbool.h>

/* Install the signal handlers (without SA_RESTART, so waits end early)
 * and decide whether stdin is watched: only when it is a pipe or socket,
 * never for a terminal, /dev/null or a file. */
void cli_stop_init(void);

/* True once a stop signal arrived or the stdin pipe reached EOF. */
bool cli_stop_requested(void);

/* Wait up to ms milliseconds, watching stdin (its data is discarded).
 * Returns early when a stop is requested. */
void cli_stop_wait(unsigned ms);

#endif
