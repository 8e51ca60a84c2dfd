/* SPDX-License-Identifier: MIT */
/* cli_scan.h - smartmeter-decode --device DEV --scan. */
#ifndef CLI_SCAN_H
#define CLI_SCAN_H

#include "cli_options.h"

/* Find the serial settings of the meter on o->port.device (sm_scan.h),
 * print the report and the <Meter> block on stdout. Returns CLI_EXIT_OK
 * when a setting framed and the keys given work (or none was given),
 * CLI_EXIT_FAIL otherwise. */
int cli_scan_run(const cli_options *o);

#endif
