/* serialport-pty-shim.c - TEST ONLY. An LD_PRELOAD shim that lets
 * libserialport 0.1.1 open a pty, so the tests exercise the same code path
 * a real USB adapter takes (not just the termios fallback):
 *
 *   LD_PRELOAD=$builddir/tests/sim/.libs/libsmptyshim.so port-cat /dev/pts/N
 *
 * libserialport looks the port up in sysfs: lstat("/sys/class/tty/pts/N")
 * (through glibc's old __lxstat symbol in the Debian build), then
 * readlink() of it, and refuses the port when that fails. On open it reads
 * and sets modem lines with TIOCMGET/TIOCMBIS/TIOCMBIC/TIOCMSET, which the
 * pty driver rejects with ENOTTY. The shim fakes exactly these answers for
 * ptys and passes every other call through. Never install or ship it. */
/* The shim defines readlink(): fortify's inline wrapper would clash. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#define SYS_PTS "/sys/class/tty/pts/"
/* Where the fake sysfs link points: no "usb"/"bluetooth" in it, so
 * libserialport treats the port as a plain native one. */
#define FAKE_TARGET "../../devices/smptyshim/tty/pts"

int __lxstat(int ver, const char *path, struct stat *st);
int lstat(const char *restrict path, struct stat *restrict st);
ssize_t readlink(const char *restrict path, char *restrict buf, size_t len);

/* "/sys/class/tty/pts/<digits>" optionally followed by "/device". */
static bool is_sys_pts(const char *path) {
  if (!path || strncmp(path, SYS_PTS, sizeof SYS_PTS - 1) != 0)
    return false;
  const char *n = path + sizeof SYS_PTS - 1;
  size_t digits = strspn(n, "0123456789");
  return digits > 0 &&
         (n[digits] == '\0' || strcmp(n + digits, "/device") == 0);
}

static int fake_link_stat(struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFLNK | 0777;
  st->st_nlink = 1;
  return 0;
}

/* The pre-2.33 glibc entry point: compat-only now, so look it up by
 * version (x86-64 first, then aarch64's base version). */
typedef int (*lxstat_fn)(int, const char *, struct stat *);
static lxstat_fn real_lxstat(void) {
  void *f = dlsym(RTLD_NEXT, "__lxstat");
  if (!f)
    f = dlvsym(RTLD_NEXT, "__lxstat", "GLIBC_2.2.5");
  if (!f)
    f = dlvsym(RTLD_NEXT, "__lxstat", "GLIBC_2.17");
  return (lxstat_fn)f;
}

int __lxstat(int ver, const char *path, struct stat *st) {
  if (is_sys_pts(path))
    return fake_link_stat(st);
  lxstat_fn f = real_lxstat();
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(ver, path, st);
}

int lstat(const char *restrict path, struct stat *restrict st) {
  if (is_sys_pts(path))
    return fake_link_stat(st);
  int (*f)(const char *, struct stat *) =
      (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(path, st);
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t len) {
  if (is_sys_pts(path)) {
    /* libserialport passes the same buffer as path and result. */
    static const char target[] = FAKE_TARGET;
    size_t n = sizeof target - 1 < len ? sizeof target - 1 : len;
    memmove(buf, target, n);
    return (ssize_t)n;
  }
  ssize_t (*f)(const char *, char *, size_t) =
      (ssize_t(*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(path, buf, len);
}

static bool fd_is_pty(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
    return false;
  unsigned maj = major(st.st_rdev);
  return maj >= 136 && maj <= 143; /* Unix98 pty slaves */
}

static bool is_modem_ioctl(unsigned long req) {
  return req == TIOCMGET || req == TIOCMBIS || req == TIOCMBIC ||
         req == TIOCMSET;
}

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (is_modem_ioctl(req) && fd_is_pty(fd)) {
    if (req == TIOCMGET && arg)
      *(int *)arg = 0; /* no modem lines asserted */
    return 0;
  }
  int (*f)(int, unsigned long, ...) =
      (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(fd, req, arg);
}
