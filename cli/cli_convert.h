/* SPDX-License-Identifier: MIT */
/* cli_convert.h - --convert-kaifareader, kept for one release: the
 * converter is now the program smartmeter-convert(1).
 */
#ifndef CLI_CONVERT_H
#define CLI_CONVERT_H

/* Replaces the process with `smartmeter-convert -- path`, found in the
 * directory of this program first, then in $PATH. Returns only when
 * neither could be started: CLI_EXIT_FAIL, after saying where the
 * converter went. */
int cli_convert_kaifareader(const char *path);

#endif
