/* SPDX-License-Identifier: MIT */
/* replay_main.c - a main() for the fuzz targets without libFuzzer, so that
 * a corpus can be replayed by a build made with another compiler (gcc
 * -fsanitize=address,undefined: `make fuzz-replay`) or under valgrind.
 *
 *   replay_<target> [-t SECONDS] FILE_OR_DIR...
 *
 * Runs LLVMFuzzerTestOneInput once per file (directories: every regular
 * file in them, not recursive, in name order). Prints the number of inputs,
 * the slowest one and its time. Exit status 0; 1 when an input took longer
 * than SECONDS (default 5: a decoder that spins), or a file cannot be read.
 * Sanitizer reports and failed invariants abort, as under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Targets without an initialiser get this one (a weak definition). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static double limit = 5.0, slowest;
static char slowest_name[1024];
static unsigned long inputs;
static int status;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    status = 1;
    return;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fprintf(stderr, "replay: out of memory\n");
      exit(1);
    }
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    cap *= 2;
    buf = realloc(buf, cap);
  }
  fclose(f);
  /* An exact-size copy: reads past the input are ASan reports. */
  uint8_t *in = malloc(n ? n : 1);
  if (!in) {
    fprintf(stderr, "replay: out of memory\n");
    exit(1);
  }
  memcpy(in, buf, n);
  free(buf);
  double t0 = now();
  LLVMFuzzerTestOneInput(in, n);
  double dt = now() - t0;
  free(in);
  inputs++;
  if (dt > slowest) {
    slowest = dt;
    snprintf(slowest_name, sizeof slowest_name, "%s", path);
  }
  if (dt > limit) {
    fprintf(stderr, "replay: %s took %.3f s (limit %.0f s)\n", path, dt, limit);
    status = 1;
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    status = 1;
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    run_file(path);
    return;
  }
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    status = 1;
    return;
  }
  size_t n = 0, cap = 256;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap *= 2;
      char **more = realloc(names, cap * sizeof *names);
      if (!more)
        break;
      names = more;
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    names[n] = malloc(len);
    if (!names[n])
      break;
    snprintf(names[n], len, "%s/%s", path, e->d_name);
    n++;
  }
  closedir(d);
  if (!names) {
    fprintf(stderr, "replay: out of memory\n");
    exit(1);
  }
  qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    struct stat fs;
    if (stat(names[i], &fs) == 0 && S_ISREG(fs.st_mode))
      run_file(names[i]);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  LLVMFuzzerInitialize(&argc, &argv);
  int i = 1;
  if (i + 1 < argc && !strcmp(argv[i], "-t")) {
    limit = atof(argv[i + 1]);
    i += 2;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: %s [-t SECONDS] FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  double t0 = now();
  for (; i < argc; i++)
    run_path(argv[i]);
  printf("replay: %lu inputs in %.1f s, slowest %.4f s (%s)\n", inputs,
         now() - t0, slowest, slowest_name[0] ? slowest_name : "-");
  return status;
}
