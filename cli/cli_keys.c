/* cli_keys.c - keys from argv or a key file, wiped after use. */
#include "cli_keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm_names.h"

#define KEY_FILE_MAX 4096

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

/* Read at most size-1 bytes of f into buf, NUL-terminated. Returns the
 * length, or -1 when the file is larger or unreadable. */
static long read_small(FILE *f, char *buf, size_t size) {
  size_t n = fread(buf, 1, size - 1, f);

  buf[n] = '\0';
  if (ferror(f))
    return -1;
  if (n == size - 1 && fgetc(f) != EOF)
    return -1;
  return (long)n;
}

int cli_key_from_file(const char *path, uint8_t key[SM_KEY_LEN], char *err,
                      size_t errlen) {
  char buf[KEY_FILE_MAX + 1];
  FILE *f = fopen(path, "r");
  long n;
  int rc;

  if (f == NULL && cli_looks_like_key(path)) {
    snprintf(err, errlen,
             "cannot open the key file (the argument looks "
             "like a key itself: put it into a file)");
    return -1;
  }
  if (f == NULL) {
    snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
    return -1;
  }
  n = read_small(f, buf, sizeof buf);
  fclose(f);
  rc = n < 0 ? -1 : sm_key_parse(buf, key);
  sm_wipe(buf, sizeof buf);
  if (n < 0)
    snprintf(err, errlen, "cannot read key file %s (unreadable or too large)",
             path);
  else if (rc != 0)
    snprintf(err, errlen,
             "key file %s does not hold a key of exactly 32 hex digits", path);
  if (rc != 0)
    sm_wipe(key, SM_KEY_LEN);
  return rc;
}
