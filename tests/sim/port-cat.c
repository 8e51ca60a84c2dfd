/* SPDX-License-Identifier: MIT */
/* port-cat.c - test helper: open a device through libsmport and copy its
 * bytes to stdout for a while. Events go to stderr, one line each, as
 * "<event> key=value ..." with CLOCK_MONOTONIC seconds in t=, so shell
 * tests can compare them with the simulator's log.
 *
 *   port-cat [-b baud] [-p parity] [-d bits] [-s stop] [-t seconds]
 *            [-n bytes] [-w read_timeout_ms] [-R] [-F fd] DEVICE
 *   port-cat -B            (prints the sm_backoff sequence)
 *
 * -R: on SM_PORT_GONE close and reopen with sm_backoff until the time is up.
 * -F: occupy descriptors up to fd first, so the port's fd is above it (a
 *     busy collectd has fds >= 1024, where select() would abort).
 * SIGTERM/SIGINT end the copy early like the time limit (exit 0).
 * A byte received with a parity or framing error (SM_PORT_LINE_ERROR) is
 * not copied; a "line-error at=<bytes copied so far>" event says where.
 * Exit: 0 time or byte count reached, 1 open failed, 2 device gone (no -R),
 * 3 other read error, 64 usage. */
#include "sm_port.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

/* No SA_RESTART: a pending sleep ends at once; sm_port_read returns within
 * its timeout anyway. */
static void install_stop_handler(void) {
  struct sigaction sa = {.sa_handler = on_stop};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
}

typedef struct opts {
  sm_port_config cfg;
  double seconds;
  long max_bytes;
  int wait_ms;
  int reopen;
  int high_fd;
  int backoff;
} opts;

typedef struct counters {
  long bytes;
  long timeouts;
  long reads;
  long reopens;
  long line_errors;
} counters;

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static void sleep_ms(double ms) {
  if (ms <= 0)
    return;
  long long ns = (long long)(ms * 1e6);
  struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000),
                        .tv_nsec = (long)(ns % 1000000000)};
  while (!stopping && nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static int usage(void) {
  fprintf(stderr, "usage: port-cat [-b baud] [-p parity] [-d bits] "
                  "[-s stop] [-t seconds] [-n bytes] [-w ms] [-R] [-F fd] "
                  "DEVICE\n       port-cat -B\n");
  return 64;
}

static int parse(int argc, char **argv, opts *o) {
  int c;
  o->cfg.parity = SM_PARITY_EVEN;
  o->seconds = 10;
  o->wait_ms = 200;
  while ((c = getopt(argc, argv, "b:p:d:s:t:n:w:RF:B")) != -1) {
    switch (c) {
    case 'b':
      o->cfg.baud = atoi(optarg);
      break;
    case 'p':
      if (sm_parity_parse(optarg, &o->cfg.parity) != 0)
        return -1;
      break;
    case 'd':
      o->cfg.data_bits = atoi(optarg);
      break;
    case 's':
      o->cfg.stop_bits = atoi(optarg);
      break;
    case 't':
      o->seconds = atof(optarg);
      break;
    case 'n':
      o->max_bytes = atol(optarg);
      break;
    case 'w':
      o->wait_ms = atoi(optarg);
      break;
    case 'R':
      o->reopen = 1;
      break;
    case 'F':
      o->high_fd = atoi(optarg);
      break;
    case 'B':
      o->backoff = 1;
      return 0;
    default:
      return -1;
    }
  }
  if (optind != argc - 1)
    return -1;
  o->cfg.device = argv[optind];
  return 0;
}

/* Fill the descriptor table up to fd (raising the soft limit first). */
static int occupy_fds(int fd) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return -1;
  if (rl.rlim_cur < (rlim_t)fd + 64) {
    rl.rlim_cur = (rlim_t)fd + 64;
    if (rl.rlim_max < rl.rlim_cur || setrlimit(RLIMIT_NOFILE, &rl) != 0)
      return -1;
  }
  int last;
  do {
    last = open("/dev/null", O_RDONLY | O_CLOEXEC);
  } while (last >= 0 && last < fd);
  return last < 0 ? -1 : 0;
}

static void print_backoff(void) {
  sm_backoff b = {0}; /* zeroed, as a calloc'ed struct would be */
  for (int i = 0; i < 7; i++)
    printf("%s%u", i ? " " : "", sm_backoff_next(&b));
  sm_backoff_reset(&b);
  printf(" reset %u\n", sm_backoff_next(&b));
}

static sm_port *open_port(const opts *o, const char *event) {
  char err[512] = "";
  sm_port_status st;
  sm_port *p = sm_port_open(&o->cfg, &st, err, sizeof err);
  if (!p) {
    fprintf(stderr, "%s-error t=%.6f status=%d (%s) msg=%s\n", event, mono(),
            (int)st, sm_port_strerror(st), err);
    return NULL;
  }
  fprintf(stderr,
          "%s t=%.6f backend=%s parity_ignored=%s parity_checked=%s "
          "path=%s\n",
          event, mono(), sm_port_backend_name(sm_port_backend_of(p)),
          sm_port_parity_ignored(p) ? "yes" : "no",
          sm_port_parity_checked(p) ? "yes" : "no", sm_port_path(p));
  return p;
}

static int write_all(const uint8_t *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, buf, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

/* After SM_PORT_GONE: back off and reopen until the deadline. */
static sm_port *reopen(const opts *o, double deadline, counters *c) {
  sm_backoff b;
  sm_backoff_reset(&b);
  while (!stopping && mono() < deadline) {
    double left_ms = (deadline - mono()) * 1000;
    double d = sm_backoff_next(&b);
    sleep_ms(d < left_ms ? d : left_ms);
    if (stopping || mono() >= deadline)
      break;
    sm_port *p = open_port(o, "reopen");
    if (p) {
      c->reopens++;
      return p;
    }
  }
  return NULL;
}

static int copy(const opts *o, sm_port *p, counters *c) {
  double deadline = mono() + o->seconds;
  uint8_t buf[4096];
  char err[512];
  int rc = 0;
  while (p && !stopping && mono() < deadline) {
    if (o->max_bytes > 0 && c->bytes >= o->max_bytes)
      break;
    size_t want = sizeof buf, got = 0;
    if (o->max_bytes > 0 && (size_t)(o->max_bytes - c->bytes) < want)
      want = (size_t)(o->max_bytes - c->bytes);
    double left_ms = (deadline - mono()) * 1000;
    int wait = left_ms < o->wait_ms ? (int)left_ms + 1 : o->wait_ms;
    err[0] = '\0';
    sm_port_status st = sm_port_read(p, buf, want, wait, &got, err, sizeof err);
    c->reads++;
    if (st == SM_PORT_OK) {
      c->bytes += (long)got;
      if (write_all(buf, got) != 0)
        rc = 3;
    } else if (st == SM_PORT_TIMEOUT) {
      c->timeouts++;
    } else if (st == SM_PORT_LINE_ERROR) {
      c->line_errors++;
      fprintf(stderr, "line-error t=%.6f at=%ld\n", mono(), c->bytes);
    } else {
      fprintf(stderr, "%s t=%.6f status=%d bytes=%ld msg=%s\n",
              st == SM_PORT_GONE ? "gone" : "read-error", mono(), (int)st,
              c->bytes, err);
      sm_port_close(p);
      p = NULL;
      rc = st == SM_PORT_GONE ? 2 : 3;
      if (st == SM_PORT_GONE && o->reopen) {
        p = reopen(o, deadline, c);
        rc = p || stopping ? 0 : 2; /* 2: never came back in time */
      }
    }
    if (rc == 3)
      break;
  }
  sm_port_close(p);
  return rc;
}

int main(int argc, char **argv) {
  opts o = {0};
  if (parse(argc, argv, &o) != 0)
    return usage();
  if (o.backoff) {
    print_backoff();
    return 0;
  }
  if (o.high_fd > 0 && occupy_fds(o.high_fd) != 0) {
    fprintf(stderr, "cannot occupy fds up to %d\n", o.high_fd);
    return 3;
  }
  sm_port *p = open_port(&o, "open");
  if (!p)
    return 1;
  install_stop_handler();
  counters c = {0};
  int rc = copy(&o, p, &c);
  fprintf(stderr,
          "end t=%.6f bytes=%ld reads=%ld timeouts=%ld reopens=%ld "
          "line_errors=%ld cpu_ms=%ld\n",
          mono(), c.bytes, c.reads, c.timeouts, c.reopens, c.line_errors,
          cpu_ms());
  return rc;
}
