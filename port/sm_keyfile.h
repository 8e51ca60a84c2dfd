/* SPDX-License-Identifier: MIT */
/* sm_keyfile.h - the one key-file reader of the plugin and the CLI.
 *
 * A key file holds a 16-byte key as 32 hex digits; whitespace and line
 * breaks are ignored. The plugin's KeyFile / AuthKeyFile options and the
 * CLI's --key-file / --auth-key-file both read through here, so the size
 * limit, the parsing and the "readable by group or others" check cannot
 * drift apart. Nothing here prints or logs: each caller words its messages
 * for its own channel (collectd's log, stderr), naming the file and never
 * its contents. The bytes read are wiped before returning.
 */
#ifndef SM_KEYFILE_H
#define SM_KEYFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "sm_decoder.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 32 hex digits need 32 bytes; the slack allows any spacing and comments
 * of whitespace, and a file bigger than this is not a key file. */
#define SM_KEYFILE_MAX 4096

/* The warning both give, after the file's name, for a key file that group
 * or others may read. */
#define SM_KEYFILE_SHARED_WARNING                                              \
  "can be read by group or others; it holds a secret key (chmod 600 it)."

typedef enum sm_keyfile_status {
  SM_KEYFILE_OK = 0,
  SM_KEYFILE_ERR_OPEN,        /* open() failed: sys_errno */
  SM_KEYFILE_ERR_STAT,        /* fstat() failed: sys_errno */
  SM_KEYFILE_ERR_NOT_REGULAR, /* with SM_KEYFILE_REGULAR_ONLY */
  SM_KEYFILE_ERR_READ,        /* read() failed: sys_errno */
  SM_KEYFILE_ERR_TOO_LARGE,   /* more than SM_KEYFILE_MAX bytes */
  SM_KEYFILE_ERR_NOT_A_KEY,   /* not exactly 32 hex digits */
} sm_keyfile_status;

/* Flags for sm_keyfile_read(). The plugin reads only regular files (a
 * FIFO could block collectd's configuration forever); the CLI also takes
 * pipes such as --key-file <(pass show meter). */
#define SM_KEYFILE_REGULAR_ONLY 1u

typedef struct sm_keyfile_info {
  int sys_errno; /* errno of the failed call, else 0 */
  bool shared;   /* the file is readable by group or others (set once it
                    is known to be a file we read, also when reading then
                    fails) */
} sm_keyfile_info;

/* Read the key in `path` into key. On any error the key is zeroed. */
sm_keyfile_status sm_keyfile_read(const char *path, unsigned flags,
                                  uint8_t key[SM_KEY_LEN],
                                  sm_keyfile_info *info);

#ifdef __cplusplus
}
#endif

#endif
