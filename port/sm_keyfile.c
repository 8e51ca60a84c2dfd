/* SPDX-License-Identifier: MIT */
/* sm_keyfile.c - reading a key file (see sm_keyfile.h). */
#include "sm_keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_names.h"

/* Read all of fd into buf (SM_KEYFILE_MAX + 1 bytes), NUL-terminated.
 * Asking for one byte more than the limit tells a file that is too large
 * without reading it all. */
static sm_keyfile_status read_all(int fd, char *buf, int *sys_errno) {
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, SM_KEYFILE_MAX + 1 - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *sys_errno = errno;
      return SM_KEYFILE_ERR_READ;
    }
    if (n == 0)
      break;
    have += (size_t)n;
    if (have > SM_KEYFILE_MAX)
      return SM_KEYFILE_ERR_TOO_LARGE;
  }
  buf[have] = '\0';
  return SM_KEYFILE_OK;
}

static sm_keyfile_status key_from_fd(int fd, unsigned flags,
                                     uint8_t key[SM_KEY_LEN],
                                     sm_keyfile_info *info) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    info->sys_errno = errno;
    return SM_KEYFILE_ERR_STAT;
  }
  if ((flags & SM_KEYFILE_REGULAR_ONLY) && !S_ISREG(st.st_mode))
    return SM_KEYFILE_ERR_NOT_REGULAR;
  info->shared = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
  char buf[SM_KEYFILE_MAX + 1];
  sm_keyfile_status status = read_all(fd, buf, &info->sys_errno);
  if (status == SM_KEYFILE_OK && sm_key_parse(buf, key) != 0)
    status = SM_KEYFILE_ERR_NOT_A_KEY;
  sm_wipe(buf, sizeof(buf));
  return status;
}

sm_keyfile_status sm_keyfile_read(const char *path, unsigned flags,
                                  uint8_t key[SM_KEY_LEN],
                                  sm_keyfile_info *info) {
  info->sys_errno = 0;
  info->shared = false;
  sm_keyfile_status status;
  /* O_NOCTTY: a key file named after a terminal must not become ours.
   * O_NONBLOCK when only regular files will do: opening a FIFO would
   * otherwise wait for a writer, possibly forever (it has no effect on
   * reading a regular file). */
  int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
  if (flags & SM_KEYFILE_REGULAR_ONLY)
    oflags |= O_NONBLOCK;
  int fd = open(path, oflags);
  if (fd < 0) {
    info->sys_errno = errno;
    status = SM_KEYFILE_ERR_OPEN;
  } else {
    status = key_from_fd(fd, flags, key, info);
    close(fd);
  }
  if (status != SM_KEYFILE_OK)
    sm_wipe(key, SM_KEY_LEN);
  return status;
}
