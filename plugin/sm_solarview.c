/* SPDX-License-Identifier: MIT */
/* sm_solarview.c - the Solarview export file; see sm_solarview.h. */
#include "sm_solarview.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_names.h"

/* Append to buf at *len (snprintf convention: *len grows past size when
 * the buffer is too small, so the caller learns the full length). */
static void put(char *buf, size_t size, size_t *len, const char *s) {
  size_t n = strlen(s);
  if (*len < size) {
    size_t room = size - *len - 1;
    size_t copy = n < room ? n : room;
    memcpy(buf + *len, s, copy);
    buf[*len + copy] = '\0';
  }
  *len += n;
}

/* "%010.3f" with a '.' as the decimal point in any locale: %f prints an
 * optional '-', digits, the locale's decimal point, digits; whatever
 * stands between the two digit runs becomes '.'. */
static void format_number(double v, char *out, size_t size) {
  char tmp[512];
  snprintf(tmp, sizeof(tmp), "%010.3f", v);
  size_t i = tmp[0] == '-' ? 1 : 0;
  while (tmp[i] >= '0' && tmp[i] <= '9')
    i++;
  size_t j = i;
  while (tmp[j] != '\0' && (tmp[j] < '0' || tmp[j] > '9'))
    j++;
  if (j > i + 1 || (j == i + 1 && tmp[i] != '.')) {
    tmp[i] = '.';
    memmove(tmp + i + 1, tmp + j, strlen(tmp + j) + 1);
  }
  snprintf(out, size, "%s", tmp);
}

size_t sm_solarview_format(const sm_telegram *t, char *buf, size_t size) {
  size_t len = 0;
  if (size > 0)
    buf[0] = '\0';
  put(buf, size, &len, "/?!\n/KAIFA\n");
  for (size_t k = 0; t != NULL && k < t->n_values; k++) {
    const sm_value *v = &t->values[k];
    if (v->kind != SM_VALUE_NUMBER || !isfinite(v->value))
      continue;
    char code[16], num[512];
    snprintf(code, sizeof(code), "%u.%u.%u(", (unsigned)v->obis[2],
             (unsigned)v->obis[3], (unsigned)v->obis[4]);
    format_number(v->value, num, sizeof(num));
    put(buf, size, &len, code);
    put(buf, size, &len, num);
    put(buf, size, &len, "*");
    put(buf, size, &len, sm_unit_symbol(v->unit));
    put(buf, size, &len, ")\n");
  }
  put(buf, size, &len, "!\n");
  return len;
}

static const char *errno_text(int e, char *buf, size_t size) {
#if defined(_GNU_SOURCE)
  return strerror_r(e, buf, size);
#else
  if (strerror_r(e, buf, size) != 0)
    snprintf(buf, size, "error %d", e);
  return buf;
#endif
}

static int fail(char *err, size_t errlen, const char *what, const char *path,
                int e) {
  char tmp[128];
  if (errlen > 0)
    snprintf(err, errlen, "Solarview file %s: %s: %s", path, what,
             errno_text(e, tmp, sizeof(tmp)));
  return -1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (w == 0) {
      errno = EIO;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* "<dir>/.<name>.XXXXXX" for path "<dir>/<name>" (or ".<name>.XXXXXX"). */
static char *temp_template(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
  const char *name = path + dirlen;
  size_t n = dirlen + 1 + strlen(name) + 8;
  char *tmpl = malloc(n);
  if (tmpl != NULL)
    snprintf(tmpl, n, "%.*s.%s.XXXXXX", (int)dirlen, path, name);
  return tmpl;
}

int sm_solarview_write(const char *path, const sm_telegram *t, char *err,
                       size_t errlen) {
  if (errlen > 0)
    err[0] = '\0';
  if (path == NULL || path[0] == '\0' || t == NULL ||
      path[strlen(path) - 1] == '/')
    return fail(err, errlen, "invalid argument", path ? path : "(null)",
                EINVAL);

  char stackbuf[SM_SOLARVIEW_MAX];
  char *text = stackbuf;
  size_t len = sm_solarview_format(t, stackbuf, sizeof(stackbuf));
  if (len >= sizeof(stackbuf)) {
    text = malloc(len + 1);
    if (text == NULL)
      return fail(err, errlen, "cannot render", path, ENOMEM);
    sm_solarview_format(t, text, len + 1);
  }

  char *tmpl = temp_template(path);
  if (tmpl == NULL) {
    if (text != stackbuf)
      free(text);
    return fail(err, errlen, "cannot render", path, ENOMEM);
  }

  int rc = -1;
  int fd = mkostemp(tmpl, O_CLOEXEC);
  if (fd < 0) {
    fail(err, errlen, "cannot create a temporary file beside it", path, errno);
    goto out;
  }
  const char *what = NULL;
  if (write_all(fd, text, len) != 0)
    what = "cannot write the temporary file";
  else if (fchmod(fd, 0644) != 0)
    what = "cannot set the temporary file's mode";
  else if (fsync(fd) != 0)
    what = "cannot fsync the temporary file";
  int e = errno;
  if (close(fd) != 0 && what == NULL) {
    what = "cannot close the temporary file";
    e = errno;
  }
  if (what == NULL && rename(tmpl, path) != 0) {
    what = "cannot rename the temporary file over it";
    e = errno;
  }
  if (what != NULL) {
    unlink(tmpl);
    fail(err, errlen, what, path, e);
    goto out;
  }
  rc = 0;
out:
  free(tmpl);
  if (text != stackbuf)
    free(text);
  return rc;
}
