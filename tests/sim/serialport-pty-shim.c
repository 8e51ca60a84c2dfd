/* SPDX-License-Identifier: MIT */
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
 * ptys and passes every other call through. Never install or ship it.
 *
 * Two fault modes for the tests, off unless their variable is set:
 *  - SMPTYSHIM_PARITY=1: a pty takes parity like a UART. tcsetattr() keeps
 *    PARENB/PARODD and INPCK/PARMRK for the caller but not for the kernel
 *    (the pty driver would drop PARENB, and with PARMRK it would double
 *    every 0xFF itself); tcgetattr() reports them back. The writer then
 *    plays the kernel's part: meter-sim --parmrk sends a data 0xFF as
 *    FF FF and a byte with a parity error as FF 00 <byte>.
 *  - SMPTYSHIM_EIO_EVERY=N: every Nth read() of a pty fails with EIO, as a
 *    flaky USB adapter does;
 *  - SMPTYSHIM_REFUSE=1: no sysfs or modem-line faking, so libserialport
 *    refuses the pty as without the shim and the termios fallback runs
 *    with the fault modes above. */
/* The shim defines readlink(): fortify's inline wrapper would clash. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#define SYS_PTS "/sys/class/tty/pts/"
/* Where the fake sysfs link points: no "usb"/"bluetooth" in it, so
 * libserialport treats the port as a plain native one. */
#define FAKE_TARGET "../../devices/smptyshim/tty/pts"

int __lxstat(int ver, const char *path, struct stat *st);
int lstat(const char *restrict path, struct stat *restrict st);
ssize_t readlink(const char *restrict path, char *restrict buf, size_t len);

static bool env_on(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0;
}

/* "/sys/class/tty/pts/<digits>" optionally followed by "/device". */
static bool is_sys_pts(const char *path) {
  if (env_on("SMPTYSHIM_REFUSE") || !path ||
      strncmp(path, SYS_PTS, sizeof SYS_PTS - 1) != 0)
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
  if (is_modem_ioctl(req) && !env_on("SMPTYSHIM_REFUSE") && fd_is_pty(fd)) {
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

/* ---- SMPTYSHIM_PARITY: parity settings kept per fd --------------------- */

#define MAX_FD 4096
#define CFLAG_KEPT (PARENB | PARODD)
#define IFLAG_KEPT (INPCK | PARMRK)
/* Written by whichever thread configures the fd; a test configures each
 * fd from one thread, so relaxed atomics only keep the compiler honest. */
static tcflag_t kept_cflag[MAX_FD], kept_iflag[MAX_FD];

static bool parity_fd(int fd) {
  return fd >= 0 && fd < MAX_FD && env_on("SMPTYSHIM_PARITY") && fd_is_pty(fd);
}

int tcsetattr(int fd, int act, const struct termios *t) {
  int (*f)(int, int, const struct termios *) =
      (int (*)(int, int, const struct termios *))dlsym(RTLD_NEXT, "tcsetattr");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  if (!t || !parity_fd(fd))
    return f(fd, act, t);
  struct termios k = *t;
  k.c_cflag &= ~(tcflag_t)CFLAG_KEPT;
  k.c_iflag &= ~(tcflag_t)IFLAG_KEPT;
  int rc = f(fd, act, &k);
  if (rc == 0) {
    __atomic_store_n(&kept_cflag[fd], t->c_cflag & CFLAG_KEPT,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&kept_iflag[fd], t->c_iflag & IFLAG_KEPT,
                     __ATOMIC_RELAXED);
  }
  return rc;
}

int tcgetattr(int fd, struct termios *t) {
  int (*f)(int, struct termios *) =
      (int (*)(int, struct termios *))dlsym(RTLD_NEXT, "tcgetattr");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  int rc = f(fd, t);
  if (rc == 0 && parity_fd(fd)) {
    t->c_cflag |= __atomic_load_n(&kept_cflag[fd], __ATOMIC_RELAXED);
    t->c_iflag |= __atomic_load_n(&kept_iflag[fd], __ATOMIC_RELAXED);
  }
  return rc;
}

/* A new pty may get a closed one's number: forget its settings. */
int close(int fd) {
  if (fd >= 0 && fd < MAX_FD) {
    __atomic_store_n(&kept_cflag[fd], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&kept_iflag[fd], 0, __ATOMIC_RELAXED);
  }
  int (*f)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(fd);
}

/* ---- SMPTYSHIM_EIO_EVERY: a flaky adapter ------------------------------ */

static unsigned long eio_every(void) {
  const char *v = getenv("SMPTYSHIM_EIO_EVERY");
  return v ? strtoul(v, NULL, 10) : 0;
}

ssize_t read(int fd, void *buf, size_t len) {
  static unsigned long reads;
  unsigned long every = eio_every();
  if (every > 0 && fd_is_pty(fd) &&
      __atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED) % every == 0) {
    errno = EIO;
    return -1;
  }
  ssize_t (*f)(int, void *, size_t) =
      (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
  if (!f) {
    errno = ENOSYS;
    return -1;
  }
  return f(fd, buf, len);
}
