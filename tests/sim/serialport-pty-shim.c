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
 * Test modes, off unless their variable is set:
 *  - SMPTYSHIM_PARITY=1: a pty takes parity like a UART. tcsetattr() keeps
 *    PARENB/PARODD and INPCK/PARMRK for the caller but not for the kernel
 *    (the pty driver would drop PARENB, and with PARMRK it would double
 *    every 0xFF itself); tcgetattr() reports them back. The writer then
 *    plays the kernel's part: meter-sim --parmrk sends a data 0xFF as
 *    FF FF and a byte with a parity error as FF 00 <byte>.
 *  - SMPTYSHIM_UART=PATH: SMPTYSHIM_PARITY, and every successful
 *    tcsetattr() of a pty (re)writes PATH (PATH.tmp, then rename) with the
 *    caller's settings, one line "<baud> <bits><N|E|O><stop> parmrk=<0|1>"
 *    (parmrk=1: INPCK and PARMRK both on), e.g. "2400 8E1 parmrk=1".
 *    meter-sim/amis-sim --uart-file PATH read it and deliver what a UART
 *    at these settings would receive from their meter;
 *  - SMPTYSHIM_EIO_EVERY=N: every Nth read() of a pty fails with EIO, as a
 *    flaky USB adapter does;
 *  - SMPTYSHIM_REFUSE=1: no sysfs or modem-line faking, so libserialport
 *    refuses the pty as without the shim and the termios fallback runs
 *    with the fault modes above. */
/* The shim defines readlink(): fortify's inline wrapper would clash. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
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
  return fd >= 0 && fd < MAX_FD &&
         (env_on("SMPTYSHIM_PARITY") || env_on("SMPTYSHIM_UART")) &&
         fd_is_pty(fd);
}

/* ---- SMPTYSHIM_UART: the caller's line settings, for the simulators --- */

static const struct {
  speed_t speed;
  unsigned baud;
} uart_bauds[] = {
    {B50, 50},           {B75, 75},           {B110, 110},
    {B134, 134},         {B150, 150},         {B200, 200},
    {B300, 300},         {B600, 600},         {B1200, 1200},
    {B1800, 1800},       {B2400, 2400},       {B4800, 4800},
    {B9600, 9600},       {B19200, 19200},     {B38400, 38400},
    {B57600, 57600},     {B115200, 115200},   {B230400, 230400},
    {B460800, 460800},   {B500000, 500000},   {B576000, 576000},
    {B921600, 921600},   {B1000000, 1000000}, {B1152000, 1152000},
    {B1500000, 1500000}, {B2000000, 2000000}, {B2500000, 2500000},
    {B3000000, 3000000}, {B3500000, 3500000}, {B4000000, 4000000},
};

static unsigned uart_baud(speed_t s) {
  for (size_t i = 0; i < sizeof uart_bauds / sizeof uart_bauds[0]; i++)
    if (uart_bauds[i].speed == s)
      return uart_bauds[i].baud;
  return 0; /* B0 (hang up) or unknown: no simulator rate matches it */
}

static int uart_bits(tcflag_t c) {
  switch (c & CSIZE) {
  case CS5:
    return 5;
  case CS6:
    return 6;
  case CS7:
    return 7;
  default:
    return 8;
  }
}

static int uart_line(const struct termios *t, char *buf, size_t len) {
  char parity = !(t->c_cflag & PARENB)  ? 'N'
                : (t->c_cflag & PARODD) ? 'O'
                                        : 'E';
  bool parmrk = (t->c_iflag & INPCK) && (t->c_iflag & PARMRK);
  return snprintf(buf, len, "%u %d%c%d parmrk=%d\n", uart_baud(cfgetospeed(t)),
                  uart_bits(t->c_cflag), parity, (t->c_cflag & CSTOPB) ? 2 : 1,
                  parmrk ? 1 : 0);
}

/* Whole or not at all: the simulator may read PATH at any moment. Best
 * effort; the caller's tcsetattr() has succeeded either way. */
static void uart_record(const struct termios *t) {
  const char *path = getenv("SMPTYSHIM_UART");
  char tmp[4096], line[64];
  int n = uart_line(t, line, sizeof line);
  if (!path || !*path || n <= 0 || (size_t)n >= sizeof line ||
      snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return;
  int saved = errno;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    bool whole = write(fd, line, (size_t)n) == n;
    if (close(fd) == 0 && whole)
      rename(tmp, path);
    else
      unlink(tmp);
  }
  errno = saved;
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
    if (env_on("SMPTYSHIM_UART"))
      uart_record(t);
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
