/* SPDX-License-Identifier: MIT */
/* sm_key.h - Key / AuthKey / KeyFile / AuthKeyFile options.
 *
 * A key is never logged: messages name the meter, the option and (for key
 * files) the path, never the text. The key text in collectd's parsed config
 * tree is overwritten once it has been read.
 */
#ifndef SMP_KEY_H
#define SMP_KEY_H

#include <stdint.h>

#include "collectd/core/daemon/configfile.h"

#include "sm_decoder.h"

/* `Key "32 hex digits"`. Returns 0 or -1 (logged). */
int smp_key_option(oconfig_item_t *ci, const char *meter,
                   uint8_t key[SM_KEY_LEN]);

/* `KeyFile "/path"`: the file holds the 32 hex digits (whitespace and a
 * trailing newline are fine). Warns when group or others may read it.
 * Returns 0 or -1 (logged). */
int smp_key_file_option(const oconfig_item_t *ci, const char *meter,
                        uint8_t key[SM_KEY_LEN]);

#endif
