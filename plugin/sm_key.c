/* SPDX-License-Identifier: MIT */
/* sm_key.c - reading AES keys from the configuration or a key file. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "sm_key.h"
#include "sm_keyfile.h"
#include "sm_names.h"

#include <string.h>

static const char *single_string(const oconfig_item_t *ci) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
    return NULL;
  return ci->values[0].value.string;
}

int smp_key_option(oconfig_item_t *ci, const char *meter,
                   uint8_t key[SM_KEY_LEN]) {
  const char *text = single_string(ci);
  if (text == NULL) {
    ERROR("smartmeter plugin: meter \"%s\": option %s needs one quoted "
          "string of 32 hex digits.",
          meter, ci->key);
    return -1;
  }
  int status = sm_key_parse(text, key);
  /* The config tree lives on in collectd until it is freed: do not leave
   * the key text there. */
  sm_wipe(ci->values[0].value.string, strlen(text));
  if (status != 0) {
    ERROR("smartmeter plugin: meter \"%s\": option %s is not 32 hex digits "
          "(16 bytes); the key is in the meter operator's letter or portal.",
          meter, ci->key);
    return -1;
  }
  return 0;
}

/* Messages for the reader's failures, in the plugin's words. */
static void report(sm_keyfile_status status, const sm_keyfile_info *info,
                   const char *meter, const char *option, const char *path) {
  const char *why = STRERROR(info->sys_errno);
  switch (status) {
  case SM_KEYFILE_OK:
    break;
  case SM_KEYFILE_ERR_OPEN:
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" cannot be read: %s",
          meter, option, path, why);
    break;
  case SM_KEYFILE_ERR_STAT:
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\": stat failed: %s", meter,
          option, path, why);
    break;
  case SM_KEYFILE_ERR_NOT_REGULAR:
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" is not a regular file.",
          meter, option, path);
    break;
  case SM_KEYFILE_ERR_READ:
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\": read failed: %s", meter,
          option, path, why);
    break;
  case SM_KEYFILE_ERR_TOO_LARGE:
  case SM_KEYFILE_ERR_NOT_A_KEY:
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" must contain exactly "
          "32 hex digits.",
          meter, option, path);
    break;
  }
}

int smp_key_file_option(const oconfig_item_t *ci, const char *meter,
                        uint8_t key[SM_KEY_LEN]) {
  const char *path = single_string(ci);
  if (path == NULL || path[0] == '\0') {
    ERROR("smartmeter plugin: meter \"%s\": option %s needs one quoted "
          "file name.",
          meter, ci->key);
    return -1;
  }
  sm_keyfile_info info;
  sm_keyfile_status status =
      sm_keyfile_read(path, SM_KEYFILE_REGULAR_ONLY, key, &info);
  if (info.shared)
    WARNING(
        "smartmeter plugin: meter \"%s\": %s \"%s\" " SM_KEYFILE_SHARED_WARNING,
        meter, ci->key, path);
  report(status, &info, meter, ci->key, path);
  return status == SM_KEYFILE_OK ? 0 : -1;
}
