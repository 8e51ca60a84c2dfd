/* SPDX-License-Identifier: MIT */
/* test_port_write.c - sm_port_write(), the only way bytes leave the
 * plugin (an AMIS reader's E5): ports open read-write, the byte arrives on
 * a pty and over TCP, a full output costs at most the timeout, a closed
 * socket is an error and never a SIGPIPE, a port opened read-only says
 * so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sm_port_private.h"
#include "sm_clock.h"

static const uint8_t E5 = 0xE5;

/* A pty pair: *master, and the slave's path in name. */
static int pty_pair(char *name, size_t size) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
  assert_true(m >= 0);
  assert_int_equal(grantpt(m), 0);
  assert_int_equal(unlockpt(m), 0);
  assert_int_equal(ptsname_r(m, name, size), 0);
  struct termios t;
  assert_int_equal(tcgetattr(m, &t), 0);
  cfmakeraw(&t);
  assert_int_equal(tcsetattr(m, TCSANOW, &t), 0);
  return m;
}

static sm_port *open_dev(const char *dev) {
  sm_port_config c = {.device = dev, .baud = 9600, .parity = SM_PARITY_EVEN};
  sm_port_status st;
  char err[256];
  sm_port *p = sm_port_open(&c, &st, err, sizeof err);
  if (!p)
    print_message("# %s\n", err);
  assert_non_null(p);
  return p;
}

static int read_byte(int fd, int timeout_ms) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  uint8_t b;
  if (poll(&pfd, 1, timeout_ms) != 1 || read(fd, &b, 1) != 1)
    return -1;
  return b;
}

/* A pty (the termios fallback): opened read-write, the E5 arrives. */
static void test_pty(void **state) {
  (void)state;
  char name[64], err[256];
  int m = pty_pair(name, sizeof name);
  sm_port *p = open_dev(name);
  assert_int_equal(sm_port_backend_of(p), SM_PORT_TERMIOS);
  assert_false(p->read_only);
  assert_int_equal(fcntl(p->fd, F_GETFL) & O_ACCMODE, O_RDWR);
  assert_int_equal(sm_port_write(p, &E5, 1, 50, err, sizeof err), SM_PORT_OK);
  assert_int_equal(read_byte(m, 1000), 0xE5);
  /* Nothing else was written. */
  assert_int_equal(read_byte(m, 100), -1);
  sm_port_close(p);
  close(m);
}

/* Nobody reads the other end: the output fills, and the write gives up
 * after its timeout instead of blocking the reader thread. */
static void test_full_output(void **state) {
  (void)state;
  char name[64], err[256];
  static uint8_t big[1 << 20];
  int m = pty_pair(name, sizeof name);
  sm_port *p = open_dev(name);
  memset(big, 0xE5, sizeof big);
  long long t0 = sm_mono_ms();
  sm_port_status st = sm_port_write(p, big, sizeof big, 50, err, sizeof err);
  long long took = sm_mono_ms() - t0;
  assert_int_equal(st, SM_PORT_TIMEOUT);
  assert_non_null(strstr(err, "no room"));
  print_message("# a full output gave up after %lld ms (timeout 50)\n", took);
  assert_true(took >= 40 && took < 1000);
  sm_port_close(p);
  close(m);
}

static int listener(int *port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_true(s >= 0);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(s, 1), 0);
  assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(a.sin_port);
  return s;
}

/* tcp:// (ser2net): the E5 goes over the socket; after the peer closed,
 * writing is an error, never a SIGPIPE that would kill collectd. */
static void test_tcp(void **state) {
  (void)state;
  char dev[64], err[256];
  int port, s = listener(&port);
  snprintf(dev, sizeof dev, "tcp://127.0.0.1:%d", port);
  sm_port *p = open_dev(dev);
  int c = accept(s, NULL, NULL);
  assert_true(c >= 0);
  assert_int_equal(sm_port_write(p, &E5, 1, 50, err, sizeof err), SM_PORT_OK);
  assert_int_equal(read_byte(c, 1000), 0xE5);
  close(c);
  sm_port_status st = SM_PORT_OK;
  for (int i = 0; i < 20 && st == SM_PORT_OK; i++) {
    st = sm_port_write(p, &E5, 1, 50, err, sizeof err);
    usleep(20000);
  }
  assert_int_equal(st, SM_PORT_GONE);
  assert_non_null(strstr(err, dev));
  sm_port_close(p);
  close(s);
}

/* Write permission missing (as root, faked): the write says why. */
static void test_read_only(void **state) {
  (void)state;
  char name[64], err[256];
  int m = pty_pair(name, sizeof name);
  sm_port *p = open_dev(name);
  p->read_only = true;
  assert_int_equal(sm_port_write(p, &E5, 1, 50, err, sizeof err),
                   SM_PORT_ERR_IO);
  assert_non_null(strstr(err, "read-only"));
  assert_int_equal(read_byte(m, 100), -1);
  sm_port_close(p);
  close(m);
}

static void test_arguments(void **state) {
  (void)state;
  char err[256];
  assert_int_equal(sm_port_write(NULL, &E5, 1, 50, err, sizeof err),
                   SM_PORT_ERR_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pty),       cmocka_unit_test(test_full_output),
      cmocka_unit_test(test_tcp),       cmocka_unit_test(test_read_only),
      cmocka_unit_test(test_arguments),
  };
  return cmocka_run_group_tests_name("port_write", tests, NULL, NULL);
}
