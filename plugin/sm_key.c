/* sm_key.c - reading AES keys from the configuration or a key file. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "sm_key.h"
#include "sm_names.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key file holds 32 hex digits and perhaps whitespace; anything this long
 * is not a key file. */
#define KEYFILE_MAX 256

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

static void warn_if_shared(const struct stat *st, const char *meter,
                           const char *option, const char *path) {
  if ((st->st_mode & (S_IRGRP | S_IROTH)) == 0)
    return;
  WARNING("smartmeter plugin: meter \"%s\": %s \"%s\" can be read by group "
          "or others; it holds a secret key (chmod 600 it).",
          meter, option, path);
}

/* Read at most KEYFILE_MAX - 1 bytes; -1 with errno on failure, -2 when
 * the file is longer. */
static ssize_t read_small(int fd, char *buf) {
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, KEYFILE_MAX - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    have += (size_t)n;
    if (have >= KEYFILE_MAX)
      return -2;
  }
  buf[have] = '\0';
  return (ssize_t)have;
}

static int key_from_fd(int fd, const char *meter, const char *option,
                       const char *path, uint8_t key[SM_KEY_LEN]) {
  char buf[KEYFILE_MAX + 1];
  ssize_t n = read_small(fd, buf);
  int status = -1;
  if (n == -1)
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\": read failed: %s", meter,
          option, path, STRERRNO);
  else if (n == -2 || sm_key_parse(buf, key) != 0)
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" must contain exactly "
          "32 hex digits.",
          meter, option, path);
  else
    status = 0;
  sm_wipe(buf, sizeof(buf));
  return status;
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
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" cannot be read: %s",
          meter, ci->key, path, STRERRNO);
    return -1;
  }
  struct stat st;
  int status = -1;
  if (fstat(fd, &st) != 0)
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\": stat failed: %s", meter,
          ci->key, path, STRERRNO);
  else if (!S_ISREG(st.st_mode))
    ERROR("smartmeter plugin: meter \"%s\": %s \"%s\" is not a regular file.",
          meter, ci->key, path);
  else {
    warn_if_shared(&st, meter, ci->key, path);
    status = key_from_fd(fd, meter, ci->key, path, key);
  }
  close(fd);
  return status;
}
