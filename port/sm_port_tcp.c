/* SPDX-License-Identifier: MIT */
/* sm_port_tcp.c - "tcp://host:port": a serial adapter served over the
 * network (ser2net in raw mode). Serial settings are the server's job. */
#include "sm_port_private.h"
#include "sm_clock.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 3000
/* A silently dead peer (no RST) is found after ~30 + 3 * 10 s. */
#define KEEPALIVE_IDLE_S 30
#define KEEPALIVE_INTVL_S 10
#define KEEPALIVE_CNT 3

/* Wait for a non-blocking connect() to finish. Returns 0 or an errno. */
static int finish_connect(int fd, long long deadline) {
  for (;;) {
    long long left = deadline - sm_mono_ms();
    if (left <= 0)
      return ETIMEDOUT;
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int rc = poll(&pfd, 1, (int)left);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0)
      return errno;
    if (rc == 0)
      return ETIMEDOUT;
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
      return errno;
    return soerr;
  }
}

/* Returns a connected fd, or -1 with *e set. */
static int connect_one(const struct addrinfo *ai, long long deadline, int *e) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  ai->ai_protocol);
  if (fd < 0) {
    *e = errno;
    return -1;
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return fd;
  *e = errno == EINPROGRESS ? finish_connect(fd, deadline) : errno;
  if (*e == 0)
    return fd;
  close(fd);
  return -1;
}

/* Best effort: without keepalive a dead link is only noticed by silence. */
static void set_keepalive(int fd) {
  int on = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTVL_S,
      cnt = KEEPALIVE_CNT;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

sm_port_status sm_tcp_open(sm_port *p, const char *dev, char *err,
                           size_t errlen) {
  char host[256], port[8], eb[SM_ERRBUF];
  if (sm_tcp_split(dev, host, sizeof host, port, sizeof port) != 0) {
    sm_port_errf(err, errlen, "invalid address %s", dev);
    return SM_PORT_ERR_ARG;
  }
  snprintf(p->path, sizeof p->path, "%s", dev);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    sm_port_errf(err, errlen, "cannot resolve %s: %s", dev,
                 rc == EAI_SYSTEM ? sm_errstr(errno, eb, sizeof eb)
                                  : gai_strerror(rc));
    return SM_PORT_ERR_OPEN;
  }
  long long deadline = sm_mono_ms() + CONNECT_TIMEOUT_MS;
  int fd = -1, e = EHOSTUNREACH;
  for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
    fd = connect_one(ai, deadline, &e);
  freeaddrinfo(res);
  if (fd < 0) {
    sm_port_errf(err, errlen, "cannot connect to %s: %s", dev,
                 sm_errstr(e, eb, sizeof eb));
    return SM_PORT_ERR_OPEN;
  }
  set_keepalive(fd);
  p->fd = fd;
  p->backend = SM_PORT_TCP;
  p->is_tty = false;
  return SM_PORT_OK;
}
