/* SPDX-License-Identifier: MIT */
/* cli_keys.h - getting a 16-byte key from the command line or a key file.
 *
 * Nothing here ever prints or returns the key text: error messages name
 * only the option or the file.
 */
#ifndef CLI_KEYS_H
#define CLI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm_decoder.h"

/* Parse 32 hex digits (whitespace ignored) from a command-line argument,
 * then overwrite the argument in place with 'x' so that `ps` and
 * /proc/PID/cmdline stop showing it. Returns 0 or -1. */
int cli_key_from_arg(char *arg, uint8_t key[SM_KEY_LEN]);

/* Read a key file (hex, whitespace ignored; at most SM_KEYFILE_MAX = 4 KiB)
 * with the plugin's reader (port/sm_keyfile.h). Prints the plugin's warning
 * to stderr when group or others may read the file. Returns 0, or -1 with
 * a message naming the file (never its contents) in err. */
int cli_key_from_file(const char *path, uint8_t key[SM_KEY_LEN], char *err,
                      size_t errlen);

/* True when s is 32 hex digits (whitespace ignored): a key typed where a
 * file name was expected. Such arguments are never echoed. */
bool cli_looks_like_key(const char *s);

#endif
