/* SPDX-License-Identifier: MIT */
/* sm-bench.c - the decoding pipeline against its floor, and its heap use.
 *
 * Run it from a build directory:
 *
 *   make bench                  # builds bench/sm-bench and runs it
 *   SM_SRCDIR=/path/to/src ./bench/sm-bench [runs] [telegrams]
 *   ./bench/sm-bench --stream CAPTURE COUNT > stream.bin   (CLI bench input)
 *
 * For every M-Bus and bare-APDU capture in tests/vectors/ it pre-encrypts
 * `telegrams` copies (default 2000) with increasing frame counters (test
 * encoder), framed as the capture was, so the replay check runs as it does
 * on a live meter; an HDLC capture, the E450's three GBT frames (tag
 * checked), a DSMR-in-GCM capture and the AMIS spec frame (AES-CBC; its
 * floor is libgcrypt's CBC decryption) are replayed byte for byte. A
 * run feeds all copies, one telegram's bytes per sm_decoder_feed() loop
 * until SM_TELEGRAM: framing, reassembly, AES-GCM, A-XDR and readings.
 *
 * The floor (bench_floor.h) is libgcrypt alone decrypting the same
 * ciphertexts, timed in the same process right next to each of our runs
 * (capture by capture, run by run, in alternating order), so both see the
 * same machine load. Printed per capture: the median over `runs` (default
 * 21) of ns per telegram, ours and the floor, and their ratio; then the
 * worst ratio against the target (2x), and heap allocations per
 * telegram in steady state (after a warm-up run), counted by replacing
 * malloc/calloc/realloc/free/aligned allocation in this binary (so calls
 * from libgcrypt count too; target 0).
 *
 * Profiling: SM_BENCH_ONLY=<part of a file name> keeps only those
 * captures; the timed passes run through feed_timed() and the floor
 * through floor_run(), the functions to give valgrind --tool=callgrind
 * --toggle-collect=. bench/compare.py runs two builds against each other.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_floor.h"
#include "sm_decoder.h"
#include "vec.h"

#define TARGET_RATIO 2.0
#define MAX_RUNS 101

/* ---- heap accounting ------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCS 0
#else
#define COUNT_ALLOCS 1
#endif

static int counting;
static unsigned long long n_alloc, n_free;

#if COUNT_ALLOCS
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t k, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n) {
  n_alloc += counting;
  return __libc_malloc(n);
}

void *calloc(size_t k, size_t n) {
  n_alloc += counting;
  return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n) {
  n_alloc += counting;
  return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n) {
  n_alloc += counting;
  return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n) {
  n_alloc += counting;
  return __libc_memalign(align, n);
}

int posix_memalign(void **p, size_t align, size_t n) {
  n_alloc += counting;
  *p = __libc_memalign(align, n);
  return *p ? 0 : 12; /* ENOMEM */
}

void free(void *p) {
  n_free += counting && p;
  __libc_free(p);
}
#endif

/* ---- workload ------------------------------------------------------- */

typedef struct workload {
  const char *name;
  uint8_t *bytes; /* all copies back to back */
  size_t *offset; /* copy k is bytes[offset[k] .. offset[k + 1]) */
  size_t one_len; /* bytes of one telegram */
  size_t max_len; /* of the longest copy */
  sm_decoder *dec;
  bool replayed; /* the capture's own bytes again: counters forgotten */
  uint8_t key[SM_KEY_LEN];
  floor_set floor;
  double ours_ns[MAX_RUNS], floor_ns[MAX_RUNS]; /* elapsed per timed run */
} workload;

static size_t n_tel = 2000;
static size_t n_runs = 21;
static size_t n_work; /* captures taken (SM_BENCH_ONLY may leave some out) */
static volatile int64_t sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The HDLC, DSMR and AMIS captures, replayed as they are (the test
 * encoder frames M-Bus and bare APDUs only): the decoder forgets the frame
 * counters before each copy, a memset of its title table (for AMIS: the
 * last SND_UD too, so the copy is no repeat of the one before). */
static const char *const raw_files[] = {
    "extra_hdlc_wienernetze_im350_shrdzm_1.hex",
    "extra_hdlc_lg_e450_dlmsparser_2.hex",
    "extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex",
    "amis_netzooe_spec_example.hex",
};
#define N_RAW (sizeof raw_files / sizeof raw_files[0])
#define N_WORK (VEC_N_FILES + N_RAW)

static int new_decoder(workload *w, const vec *v, sm_input input) {
  sm_options o;
  sm_status err;
  vec_options(v, input, &o);
  memcpy(w->key, o.key, SM_KEY_LEN);
  counting = 1;
  w->dec = sm_decoder_new(&o, &err);
  counting = 0;
  return w->dec ? 0 : -1;
}

static int build_raw(workload *w, const char *file) {
  static vec v;
  if (vec_load(file, &v) != 0)
    return -1;
  w->name = file;
  w->bytes = malloc(n_tel * v.len);
  w->offset = malloc((n_tel + 1) * sizeof *w->offset);
  if (!w->bytes || !w->offset)
    return -1;
  for (size_t k = 0; k <= n_tel; k++) {
    w->offset[k] = k * v.len;
    if (k < n_tel)
      memcpy(w->bytes + k * v.len, v.bytes, v.len);
  }
  w->one_len = w->max_len = v.len;
  w->replayed = true;
  return new_decoder(w, &v, SM_INPUT_AUTO);
}

static int build(workload *w, const char *file) {
  static vec v;
  static vec_model m;
  size_t k, cap, pos = 0;
  if (vec_load(file, &v) != 0 || vec_model_init(&v, &m) != 0)
    return -1;
  w->name = file;
  cap = n_tel * (v.len + 64);
  w->bytes = malloc(cap);
  w->offset = malloc((n_tel + 1) * sizeof *w->offset);
  if (!w->bytes || !w->offset)
    return -1;
  for (k = 0; k < n_tel; k++) {
    size_t n = vec_model_make(&m, m.enc.fc + 1 + (uint32_t)k, false,
                              w->bytes + pos, cap - pos);
    if (n == 0)
      return -1;
    w->offset[k] = pos;
    pos += n;
    if (n > w->max_len)
      w->max_len = n;
  }
  w->offset[n_tel] = pos;
  w->one_len = w->offset[1];
  return new_decoder(w, &v, v.is_apdu ? SM_INPUT_APDU : SM_INPUT_MBUS);
}

/* Feed one telegram's bytes; returns the number of telegrams decoded or
 * -1 on any error status. */
static inline int feed_one(sm_decoder *d, const uint8_t *p, size_t n) {
  int got = 0;
  sm_status st;
  do {
    size_t used = 0;
    const sm_telegram *t = NULL;
    st = sm_decoder_feed(d, p, n, &used, &t);
    p += used;
    n -= used;
    if (st == SM_TELEGRAM) {
      sink += t->values[0].raw;
      got++;
    } else if (st < 0) {
      fprintf(stderr, "sm-bench: %s\n", sm_strerror(st));
      return -1;
    }
  } while (st != SM_NEED_MORE);
  return got;
}

/* The timed passes call the loop through a function of their own, so that
 * a profiler can count them alone: valgrind --tool=callgrind
 * --toggle-collect=feed_timed. (The recording pass must not share it; it
 * differs so that the compiler cannot fold the two into one.) */
__attribute__((noinline)) static int feed_timed(sm_decoder *d, const uint8_t *p,
                                                size_t n) {
  return feed_one(d, p, n);
}

__attribute__((noinline)) static int feed_recorded(workload *w, size_t k) {
  floor_record(&w->floor, k);
  return feed_one(w->dec, w->bytes + w->offset[k],
                  w->offset[k + 1] - w->offset[k]);
}

/* One pass over all copies; returns elapsed ns or -1. record: note what
 * the decoder hands libgcrypt for each copy (the floor's input). */
static double run_once(workload *w, bool record) {
  double t0, t1;
  size_t k;
  sm_decoder_forget_counters(w->dec);
  t0 = now_ns();
  for (k = 0; k < n_tel; k++) {
    if (w->replayed)
      sm_decoder_forget_counters(w->dec);
    const uint8_t *p = w->bytes + w->offset[k];
    size_t n = w->offset[k + 1] - w->offset[k];
    if ((record ? feed_recorded(w, k) : feed_timed(w->dec, p, n)) != 1)
      return -1;
  }
  t1 = now_ns();
  floor_record(NULL, 0);
  return t1 - t0;
}

/* The floor over the same copies; elapsed ns or -1. */
static double floor_once(workload *w) {
  double t0 = now_ns();
  if (floor_run(&w->floor) != 0)
    return -1;
  return now_ns() - t0;
}

static int prepare(workload *w, const char *f, bool raw) {
  if ((raw ? build_raw(w, f) : build(w, f)) != 0 ||
      floor_open(&w->floor, n_tel, w->max_len, w->key) != 0) {
    fprintf(stderr, "sm-bench: cannot prepare %s\n", f);
    return -1;
  }
  if (run_once(w, true) < 0 || floor_verify(&w->floor, f) != 0)
    return -1;
  return 0;
}

/* ---- statistics and the report ----------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *ns, size_t n, double *lo) {
  double s[N_WORK * MAX_RUNS];
  memcpy(s, ns, n * sizeof *ns);
  qsort(s, n, sizeof *s, cmp_double);
  if (lo)
    *lo = s[0];
  return s[n / 2];
}

/* Ours and the floor, capture after capture, run after run, so that both
 * see the same machine; every other run the floor goes first. */
static int bench(workload *w, double *all_ns) {
  for (size_t r = 0; r < n_runs; r++) {
    all_ns[r] = 0;
    for (size_t i = 0; i < n_work; i++) {
      if (r % 2 && (w[i].floor_ns[r] = floor_once(&w[i])) < 0)
        return -1;
      counting = 1;
      w[i].ours_ns[r] = run_once(&w[i], false);
      counting = 0;
      if (w[i].ours_ns[r] < 0)
        return -1;
      if (r % 2 == 0 && (w[i].floor_ns[r] = floor_once(&w[i])) < 0)
        return -1;
      all_ns[r] += w[i].ours_ns[r];
    }
  }
  return 0;
}

#define ROW_FMT "%-48s %5s %8s %8s %7s %8s %8s\n"

static void print_row(const workload *w, double *ratio) {
  double ours_lo, floor_lo, per = (double)n_tel;
  double ours = median(w->ours_ns, n_runs, &ours_lo) / per;
  double fl = median(w->floor_ns, n_runs, &floor_lo) / per;
  *ratio = ours / fl;
  printf("%-48s %5zu %8.0f %8.0f %6.2fx %8.0f %8.0f\n", w->name, w->one_len,
         ours, fl, *ratio, ours_lo / per, floor_lo / per);
}

static void report(const workload *w, const double *all_ns) {
  double ratio[N_WORK], pooled[N_WORK * MAX_RUNS], worst = 0;
  size_t i, n = 0, worst_i = 0;
  printf(ROW_FMT, "capture (ns per telegram, medians)", "bytes", "ours",
         "floor", "ratio", "ours min", "flr min");
  for (i = 0; i < n_work; i++) {
    print_row(&w[i], &ratio[i]);
    if (ratio[i] > worst) {
      worst = ratio[i];
      worst_i = i;
    }
    memcpy(pooled + n, w[i].ours_ns, n_runs * sizeof *pooled);
    n += n_runs;
  }
  printf("ours, median of all runs above: %.0f ns; all captures in turn, per "
         "run: %.0f ns per telegram\n",
         median(pooled, n, NULL) / (double)n_tel,
         median(all_ns, n_runs, NULL) / (double)(n_tel * n_work));
  printf("ratio ours/floor: median %.2fx, worst %.2fx (%s); target <= "
         "%.2fx on every capture: %s\n",
         median(ratio, n_work, NULL), worst, w[worst_i].name, TARGET_RATIO,
         worst <= TARGET_RATIO ? "met" : "NOT met");
}

static int parse_args(int argc, char **argv) {
  if (argc > 1)
    n_runs = strtoul(argv[1], NULL, 10);
  if (argc > 2)
    n_tel = strtoul(argv[2], NULL, 10);
  if (n_runs < 1 || n_runs > MAX_RUNS || n_tel < 2) {
    fprintf(stderr, "usage: sm-bench [runs 1..%d] [telegrams >= 2]\n",
            MAX_RUNS);
    return -1;
  }
  return 0;
}

static void report_allocs(unsigned long long a, unsigned long long f,
                          size_t telegrams) {
  if (!COUNT_ALLOCS) {
    printf("heap allocations: not counted (AddressSanitizer build)\n");
    return;
  }
  printf("heap allocations per telegram (steady state, %zu telegrams): "
         "%.4f (malloc/calloc/realloc/aligned: %llu, free: %llu; target 0)\n",
         telegrams, (double)a / (double)telegrams, a, f);
}

/* SM_BENCH_ONLY=text: only the captures whose file name contains it (for
 * a profiler). */
static bool wanted(const char *file) {
  const char *only = getenv("SM_BENCH_ONLY");
  return !only || strstr(file, only);
}

static int prepare_all(workload *w) {
  for (size_t i = 0; i < N_WORK; i++) {
    const char *f = i < VEC_N_FILES ? vec_files[i] : raw_files[i - VEC_N_FILES];
    if (wanted(f) && prepare(&w[n_work++], f, i >= VEC_N_FILES) != 0)
      return -1;
  }
  return n_work ? 0 : -1;
}

/* sm-bench --stream CAPTURE COUNT: COUNT copies of an M-Bus or APDU
 * capture, counters increasing, to stdout (the CLI benchmark's input). */
static int stream(const char *file, const char *count) {
  static workload w;
  n_tel = strtoul(count, NULL, 10);
  if (n_tel < 2 || sm_crypto_init() != SM_NEED_MORE || build(&w, file) != 0)
    return 2;
  size_t n = w.offset[n_tel];
  int rc = fwrite(w.bytes, 1, n, stdout) == n && fflush(stdout) == 0 ? 0 : 1;
  sm_decoder_free(w.dec);
  free(w.bytes);
  free(w.offset);
  return rc;
}

int main(int argc, char **argv) {
  static workload w[N_WORK];
  double all_ns[MAX_RUNS];
  unsigned long long a0, f0;
  size_t i;
  if (argc == 4 && strcmp(argv[1], "--stream") == 0)
    return stream(argv[2], argv[3]);
  if (parse_args(argc, argv) != 0 || sm_crypto_init() != SM_NEED_MORE)
    return 2;
  if (prepare_all(w) != 0)
    return 1;
  printf("sm_decoder_new: %.1f heap allocations per decoder (once)\n",
         (double)n_alloc / (double)n_work);
  printf("sm-bench: %zu runs x %zu telegrams per capture; frame counters "
         "increase, replay check active; floor = libgcrypt decrypting the "
         "same ciphertext, interleaved\n",
         n_runs, n_tel);
  for (i = 0; i < n_work; i++) /* warm-up, not counted */
    if (run_once(&w[i], false) < 0 || floor_once(&w[i]) < 0)
      return 1;
  a0 = n_alloc;
  f0 = n_free;
  if (bench(w, all_ns) != 0)
    return 1;
  report(w, all_ns);
  report_allocs(n_alloc - a0, n_free - f0, n_work * n_tel * n_runs);
  for (i = 0; i < n_work; i++) {
    sm_decoder_free(w[i].dec);
    floor_close(&w[i].floor);
    free(w[i].bytes);
    free(w[i].offset);
  }
  return 0;
}
