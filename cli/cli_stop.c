/* SPDX-License-Identifier: MIT */
/* cli_stop.c - stop signals and stdin EOF for live mode. */
#include "cli_stop.h"
#include "sm_clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static bool watch_stdin;
static bool stdin_eof;

static void on_signal(int sig) {
  stop_signal = sig;
}

void cli_stop_init(void) {
  struct sigaction sa;
  struct stat st;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  watch_stdin = fstat(STDIN_FILENO, &st) == 0 &&
                (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Read what stdin has; EOF (or an error) ends the watch with a stop. */
static void drain_stdin(void) {
  char buf[256];
  ssize_t n = read(STDIN_FILENO, buf, sizeof buf);

  if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
    stdin_eof = true;
}

bool cli_stop_requested(void) {
  if (stop_signal == 0 && watch_stdin && !stdin_eof)
    cli_stop_wait(0);
  return stop_signal != 0 || stdin_eof;
}

/* One poll of at most ms; a signal that arrives just before it is seen
 * at the latest after SLICE_MS. */
#define SLICE_MS 250u

static void wait_once(unsigned ms) {
  struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
  bool watching = watch_stdin && !stdin_eof;
  int n = poll(&pfd, watching ? 1 : 0, (int)ms);

  if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
    drain_stdin();
}

void cli_stop_wait(unsigned ms) {
  long long end = sm_mono_ms() + ms;
  long long left = ms;

  do {
    if (stop_signal != 0 || stdin_eof)
      return;
    wait_once(left < SLICE_MS ? (unsigned)left : SLICE_MS);
    left = end - sm_mono_ms();
  } while (left > 0);
}
