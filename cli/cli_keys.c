/* SPDX-License-Identifier: MIT */
/* cli_keys.c - keys from argv or a key file, wiped after use. */
#include "cli_keys.h"

#include <stdio.h>
#include <string.h>

#include "sm_keyfile.h"
#include "sm_names.h"

bool cli_looks_like_key(const char *s) {
  uint8_t tmp[SM_KEY_LEN];
  bool yes = sm_key_parse(s, tmp) == 0;

  sm_wipe(tmp, sizeof tmp);
  return yes;
}

int cli_key_from_arg(char *arg, uint8_t key[SM_KEY_LEN]) {
  int rc = sm_key_parse(arg, key);
  size_t n = strlen(arg);

  memset(arg, 'x', n);
  if (rc != 0)
    sm_wipe(key, SM_KEY_LEN);
  return rc;
}

int cli_key_from_file(const char *path, uint8_t key[SM_KEY_LEN], char *err,
                      size_t errlen) {
  sm_keyfile_info info;
  sm_keyfile_status st = sm_keyfile_read(path, 0, key, &info);

  /* A warning, not an error: the key still works, as in the plugin. */
  if (info.shared)
    fprintf(stderr, "smartmeter-decode: warning: key file %s %s\n", path,
            SM_KEYFILE_SHARED_WARNING);
  if (st == SM_KEYFILE_ERR_OPEN && cli_looks_like_key(path))
    snprintf(err, errlen,
             "cannot open the key file (the argument looks "
             "like a key itself: put it into a file)");
  else if (st == SM_KEYFILE_ERR_OPEN)
    snprintf(err, errlen, "cannot open key file %s: %s", path,
             strerror(info.sys_errno));
  else if (st == SM_KEYFILE_ERR_NOT_A_KEY)
    snprintf(err, errlen,
             "key file %s does not hold a key of exactly 32 hex digits", path);
  else if (st != SM_KEYFILE_OK)
    snprintf(err, errlen, "cannot read key file %s (unreadable or too large)",
             path);
  return st == SM_KEYFILE_OK ? 0 : -1;
}
