/* SPDX-License-Identifier: MIT */
/* test_port_wake.c - sm_port_read_wake(), the wait of the plugin's reader
 * thread: a wake fd ends a wait without time limit at once (also while
 * bytes wait, and for a port that unescapes parity marks), bytes end it
 * without the wake fd, a timeout still times out, wake_fd -1 is
 * sm_port_read(), and the wake fd is left readable for the caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sm_port_private.h"
#include "sm_clock.h"

typedef struct rig {
  int master; /* the meter's side of the pty */
  int wake;   /* eventfd */
  sm_port *p; /* the reader's side, opened through sm_port_open */
} rig;

static int rig_setup(void **state) {
  rig *r = calloc(1, sizeof *r);
  assert_non_null(r);
  char name[128];
  r->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
  assert_true(r->master >= 0);
  assert_int_equal(grantpt(r->master), 0);
  assert_int_equal(unlockpt(r->master), 0);
  assert_int_equal(ptsname_r(r->master, name, sizeof name), 0);
  struct termios t;
  assert_int_equal(tcgetattr(r->master, &t), 0);
  cfmakeraw(&t);
  assert_int_equal(tcsetattr(r->master, TCSANOW, &t), 0);
  sm_port_config c = {.device = name, .baud = 2400};
  sm_port_status st;
  char err[256];
  r->p = sm_port_open(&c, &st, err, sizeof err);
  if (!r->p)
    print_message("# %s\n", err);
  assert_non_null(r->p);
  r->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  assert_true(r->wake >= 0);
  *state = r;
  return 0;
}

static int rig_teardown(void **state) {
  rig *r = *state;
  sm_port_close(r->p);
  close(r->master);
  close(r->wake);
  free(r);
  return 0;
}

static void signal_fd(int fd) {
  uint64_t one = 1;
  assert_int_equal(write(fd, &one, sizeof one), (ssize_t)sizeof one);
}

static void send_bytes(int fd, const char *s) {
  assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static bool readable(int fd) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  return poll(&pfd, 1, 0) == 1;
}

typedef struct later {
  int fd;
  unsigned ms;
} later;

static void *signal_later(void *arg) {
  const later *l = arg;
  struct timespec ts = {.tv_sec = 0, .tv_nsec = l->ms * 1000000L};
  nanosleep(&ts, NULL);
  uint64_t one = 1;
  if (write(l->fd, &one, sizeof one) != (ssize_t)sizeof one)
    abort();
  return NULL;
}

/* The plugin's case: no deadline, a stop request from another thread. */
static void test_woken_while_waiting(void **state) {
  rig *r = *state;
  uint8_t buf[64];
  size_t got = 99;
  char err[256] = "";
  later l = {.fd = r->wake, .ms = 150};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, signal_later, &l), 0);
  long long t0 = sm_mono_ms();
  sm_port_status st = sm_port_read_wake(r->p, buf, sizeof buf, -1, r->wake,
                                        &got, err, sizeof err);
  long long took = sm_mono_ms() - t0;
  pthread_join(t, NULL);
  assert_int_equal(st, SM_PORT_WOKEN);
  assert_int_equal(got, 0);
  print_message("# woken after %lld ms (signalled at 150 ms)\n", took);
  assert_true(took >= 140 && took < 1000);
  /* Polled, never read: the caller's fd stays readable. */
  assert_true(readable(r->wake));
  assert_string_equal(sm_port_strerror(st), "woken");
}

/* A stop must not wait behind a busy line; the bytes stay for later. */
static void test_wake_before_bytes(void **state) {
  rig *r = *state;
  uint8_t buf[64];
  size_t got = 99;
  char err[256] = "";
  send_bytes(r->master, "ABC");
  usleep(20000);
  signal_fd(r->wake);
  assert_int_equal(sm_port_read_wake(r->p, buf, sizeof buf, -1, r->wake, &got,
                                     err, sizeof err),
                   SM_PORT_WOKEN);
  assert_int_equal(got, 0);
  assert_int_equal(
      sm_port_read(r->p, buf, sizeof buf, 100, &got, err, sizeof err),
      SM_PORT_OK);
  assert_int_equal(got, 3);
  assert_memory_equal(buf, "ABC", 3);
}

/* Bytes end a wait without time limit; the quiet wake fd does nothing. */
static void test_bytes_without_timeout(void **state) {
  rig *r = *state;
  uint8_t buf[64];
  size_t got = 0;
  char err[256] = "";
  send_bytes(r->master, "XY");
  assert_int_equal(sm_port_read_wake(r->p, buf, sizeof buf, -1, r->wake, &got,
                                     err, sizeof err),
                   SM_PORT_OK);
  assert_int_equal(got, 2);
  assert_memory_equal(buf, "XY", 2);
  /* sm_port_read() takes -1 as "no time limit" too. */
  send_bytes(r->master, "Z");
  assert_int_equal(
      sm_port_read(r->p, buf, sizeof buf, -1, &got, err, sizeof err),
      SM_PORT_OK);
  assert_int_equal(got, 1);
}

/* A deadline is kept with and without a wake fd. */
static void test_timeout(void **state) {
  rig *r = *state;
  uint8_t buf[64];
  size_t got = 99;
  char err[256] = "";
  long long t0 = sm_mono_ms();
  assert_int_equal(sm_port_read_wake(r->p, buf, sizeof buf, 120, r->wake, &got,
                                     err, sizeof err),
                   SM_PORT_TIMEOUT);
  long long took = sm_mono_ms() - t0;
  assert_int_equal(got, 0);
  assert_true(took >= 110 && took < 1000);
  t0 = sm_mono_ms();
  assert_int_equal(
      sm_port_read_wake(r->p, buf, sizeof buf, 60, -1, &got, err, sizeof err),
      SM_PORT_TIMEOUT);
  took = sm_mono_ms() - t0;
  assert_true(took >= 50 && took < 1000);
}

/* The meter side closing is still a loss, not a wake-up. */
static void test_gone(void **state) {
  rig *r = *state;
  uint8_t buf[64];
  size_t got = 0;
  char err[256] = "";
  close(r->master);
  r->master = open("/dev/null", O_RDONLY); /* for the teardown */
  assert_int_equal(sm_port_read_wake(r->p, buf, sizeof buf, -1, r->wake, &got,
                                     err, sizeof err),
                   SM_PORT_GONE);
}

/* A port that undoes PARMRK escapes passes the wake fd on to its poll. */
static void test_marked_port(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  sm_port *p = calloc(1, sizeof *p);
  assert_non_null(p);
  p->fd = fds[0];
  p->backend = SM_PORT_TERMIOS;
  p->marks = true;
  snprintf(p->path, sizeof p->path, "pipe");
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  assert_true(wake >= 0);
  uint8_t buf[64];
  size_t got = 0;
  char err[256] = "";
  /* FF FF is one data byte FF. */
  assert_int_equal(write(fds[1], "\x41\xff\xff", 3), 3);
  assert_int_equal(
      sm_port_read_wake(p, buf, sizeof buf, -1, wake, &got, err, sizeof err),
      SM_PORT_OK);
  assert_int_equal(got, 2);
  assert_memory_equal(buf, "\x41\xff", 2);
  later l = {.fd = wake, .ms = 100};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, signal_later, &l), 0);
  long long t0 = sm_mono_ms();
  assert_int_equal(
      sm_port_read_wake(p, buf, sizeof buf, -1, wake, &got, err, sizeof err),
      SM_PORT_WOKEN);
  long long took = sm_mono_ms() - t0;
  pthread_join(t, NULL);
  assert_true(took >= 90 && took < 1000);
  close(wake);
  close(fds[1]);
  sm_port_close(p); /* closes fds[0] */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_woken_while_waiting, rig_setup,
                                      rig_teardown),
      cmocka_unit_test_setup_teardown(test_wake_before_bytes, rig_setup,
                                      rig_teardown),
      cmocka_unit_test_setup_teardown(test_bytes_without_timeout, rig_setup,
                                      rig_teardown),
      cmocka_unit_test_setup_teardown(test_timeout, rig_setup, rig_teardown),
      cmocka_unit_test_setup_teardown(test_gone, rig_setup, rig_teardown),
      cmocka_unit_test(test_marked_port),
  };
  return cmocka_run_group_tests_name("port_wake", tests, NULL, NULL);
}
