/* sm-bench.c - throughput and heap use of the whole decoding pipeline.
 *
 * Run it from a build directory:
 *
 *   make bench                  # builds bench/sm-bench and runs it
 *   SM_SRCDIR=/path/to/src ./bench/sm-bench [runs] [telegrams]
 *
 * For every M-Bus and bare-APDU capture in tests/vectors/ it pre-encrypts
 * `telegrams` copies (default 2000) with increasing frame counters (test
 * encoder), framed as the capture was, so the replay check runs as it does
 * on a live meter; an HDLC capture, the E450's three GBT frames (tag
 * checked) and a DSMR-in-GCM capture are replayed byte for byte instead. A run
 * feeds all copies, one telegram's bytes per sm_decoder_feed() loop until
 * SM_TELEGRAM: M-Bus framing, reassembly, AES-GCM, A-XDR and readings.
 * It prints the median over `runs` (default 21) runs of ns per telegram,
 * per capture and overall (the median of all those runs, and a run that
 * feeds every capture's copies in turn, each meter with its own decoder:
 * its median also carries the noise of ten captures), and heap allocations per
 * telegram in steady state (after a warm-up run), counted by replacing
 * malloc/calloc/realloc/free/aligned allocation in this binary (so calls
 * from libgcrypt count too). Targets (issue): <= 1 us and 0 allocations
 * per telegram; the ratio measured/target is printed as found.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>

#include "sm_decoder.h"
#include "vec.h"

#define TARGET_NS 1000.0
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
  sm_decoder *dec;
  bool replayed; /* the capture's own bytes again: counters forgotten */
  double run_ns[MAX_RUNS]; /* elapsed per timed run */
  double median_ns, min_ns, max_ns;
} workload;

static size_t n_tel = 2000;
static size_t n_runs = 21;
static volatile int64_t sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The HDLC and DSMR captures, replayed as they are (the test encoder
 * frames M-Bus and bare APDUs only): the decoder forgets the frame
 * counters before each copy, a memset of its title table. */
static const char *const raw_files[] = {
    "extra_hdlc_wienernetze_im350_shrdzm_1.hex",
    "extra_hdlc_lg_e450_dlmsparser_2.hex",
    "extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex",
};
#define N_RAW (sizeof raw_files / sizeof raw_files[0])
#define N_WORK (VEC_N_FILES + N_RAW)

static int build_raw(workload *w, const char *file) {
  static vec v;
  sm_options o;
  sm_status err;
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
  w->one_len = v.len;
  w->replayed = true;
  vec_options(&v, SM_INPUT_AUTO, &o);
  counting = 1;
  w->dec = sm_decoder_new(&o, &err);
  counting = 0;
  return w->dec ? 0 : -1;
}

static int build(workload *w, const char *file) {
  static vec v;
  static vec_model m;
  size_t k, cap, pos = 0;
  sm_options o;
  sm_status err;
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
  }
  w->offset[n_tel] = pos;
  w->one_len = w->offset[1];
  vec_options(&v, v.is_apdu ? SM_INPUT_APDU : SM_INPUT_MBUS, &o);
  counting = 1;
  w->dec = sm_decoder_new(&o, &err);
  counting = 0;
  return w->dec ? 0 : -1;
}

/* Feed one telegram's bytes; returns the number of telegrams decoded or
 * -1 on any error status. */
static int feed_one(sm_decoder *d, const uint8_t *p, size_t n) {
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

/* One pass over all copies; returns elapsed ns or -1. */
static double run_once(workload *w) {
  double t0, t1;
  size_t k;
  sm_decoder_forget_counters(w->dec);
  t0 = now_ns();
  for (k = 0; k < n_tel; k++) {
    if (w->replayed)
      sm_decoder_forget_counters(w->dec);
    if (feed_one(w->dec, w->bytes + w->offset[k],
                 w->offset[k + 1] - w->offset[k]) != 1)
      return -1;
  }
  t1 = now_ns();
  return t1 - t0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void summarize(const double *ns, size_t n, double per, double *med,
                      double *lo, double *hi) {
  double s[MAX_RUNS];
  memcpy(s, ns, n * sizeof *ns);
  qsort(s, n, sizeof *s, cmp_double);
  *med = s[n / 2] / per;
  *lo = s[0] / per;
  *hi = s[n - 1] / per;
}

static int bench_one(workload *w) {
  size_t r;
  for (r = 0; r < n_runs; r++)
    if ((w->run_ns[r] = run_once(w)) < 0)
      return -1;
  summarize(w->run_ns, n_runs, (double)n_tel, &w->median_ns, &w->min_ns,
            &w->max_ns);
  return 0;
}

/* Median over every timed run of every capture (each run weighs the
 * same): the typical telegram, whatever the meter. */
static void pooled(const workload *w, size_t nw, double *med, double *lo,
                   double *hi) {
  static double all[N_WORK * MAX_RUNS];
  size_t i, n = 0;
  for (i = 0; i < nw; i++) {
    memcpy(all + n, w[i].run_ns, n_runs * sizeof *all);
    n += n_runs;
  }
  qsort(all, n, sizeof *all, cmp_double);
  *med = all[n / 2] / (double)n_tel;
  *lo = all[0] / (double)n_tel;
  *hi = all[n - 1] / (double)n_tel;
}

/* All captures in turn per run (each meter its own decoder). */
static int bench_all(workload *w, size_t nw, double *med, double *lo,
                     double *hi) {
  double ns[MAX_RUNS];
  size_t r, i;
  for (r = 0; r < n_runs; r++) {
    ns[r] = 0;
    for (i = 0; i < nw; i++) {
      double t = run_once(&w[i]);
      if (t < 0)
        return -1;
      ns[r] += t;
    }
  }
  summarize(ns, n_runs, (double)(n_tel * nw), med, lo, hi);
  return 0;
}

static void print_row(const char *name, size_t bytes, double med, double lo,
                      double hi) {
  printf("%-46s %5zu %9.0f %9.0f %9.0f %8.2fx\n", name, bytes, med, lo, hi,
         med / TARGET_NS);
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

/* ---- AMIS (Netz OÖ): the spec example's frame, re-encrypted ---------- */

#define AMIS_FRAME 101
#define AMIS_DATA 19

/* Copy k of the spec example: access number k mod 256 (so no frame
 * repeats the one before), AES-128-CBC under the example's key. */
static int amis_frame(const vec *v, gcry_cipher_hd_t h, const uint8_t *plain,
                      size_t k, uint8_t *f) {
  uint8_t iv[16] = {0x2D, 0x4C, 0, 0, 0, 0, 0x01, 0x0E};
  unsigned sum = 0;
  memcpy(f, v->bytes, AMIS_FRAME);
  f[15] = (uint8_t)k;
  memset(iv + 8, f[15], 8);
  if (gcry_cipher_setiv(h, iv, 16) ||
      gcry_cipher_encrypt(h, f + AMIS_DATA, 80, plain, 80))
    return -1;
  for (size_t i = 4; i < AMIS_FRAME - 2; i++)
    sum += f[i];
  f[AMIS_FRAME - 2] = (uint8_t)sum;
  return 0;
}

static int build_amis(workload *w) {
  static vec v;
  uint8_t plain[80], iv[16] = {0x2D, 0x4C, 0, 0, 0, 0, 0x01, 0x0E};
  gcry_cipher_hd_t h;
  sm_options o;
  if (vec_load("amis_netzooe_spec_example.hex", &v) != 0 ||
      v.len != AMIS_FRAME ||
      gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0))
    return -1;
  memset(iv + 8, v.bytes[15], 8);
  gcry_cipher_setkey(h, v.key, SM_KEY_LEN);
  gcry_cipher_setiv(h, iv, 16);
  gcry_cipher_decrypt(h, plain, 80, v.bytes + AMIS_DATA, 80);
  w->name = "amis_netzooe_spec_example.hex (AES-CBC)";
  w->bytes = malloc(n_tel * AMIS_FRAME);
  w->offset = malloc((n_tel + 1) * sizeof *w->offset);
  for (size_t k = 0; w->bytes && w->offset && k <= n_tel; k++) {
    w->offset[k] = k * AMIS_FRAME;
    if (k < n_tel && amis_frame(&v, h, plain, k, w->bytes + k * AMIS_FRAME))
      w->offset = NULL;
  }
  gcry_cipher_close(h);
  w->one_len = AMIS_FRAME;
  vec_options(&v, SM_INPUT_AMIS, &o);
  w->dec = w->bytes && w->offset ? sm_decoder_new(&o, NULL) : NULL;
  return w->dec ? 0 : -1;
}

/* One row for AMIS, outside the overall figures of the DLMS captures;
 * each frame also owes its E5 (counted, not written). */
static int bench_amis(void) {
  static workload w;
  unsigned long long a0 = n_alloc, f0 = n_free;
  if (build_amis(&w) != 0 || run_once(&w) < 0) {
    fprintf(stderr, "sm-bench: cannot prepare the AMIS frames\n");
    return -1;
  }
  a0 = n_alloc;
  f0 = n_free;
  counting = 1;
  int rc = bench_one(&w);
  counting = 0;
  if (rc != 0 || sm_decoder_acks_due(w.dec) != n_tel * (n_runs + 1))
    return -1;
  print_row(w.name, w.one_len, w.median_ns, w.min_ns, w.max_ns);
  report_allocs(n_alloc - a0, n_free - f0, n_tel * n_runs);
  sm_decoder_free(w.dec);
  free(w.bytes);
  free(w.offset);
  return 0;
}

int main(int argc, char **argv) {
  static workload w[N_WORK];
  double med, lo, hi;
  unsigned long long a0, f0;
  size_t i;
  if (parse_args(argc, argv) != 0 || sm_crypto_init() != SM_NEED_MORE)
    return 2;
  for (i = 0; i < N_WORK; i++) {
    const char *f = i < VEC_N_FILES ? vec_files[i] : raw_files[i - VEC_N_FILES];
    if ((i < VEC_N_FILES ? build(&w[i], f) : build_raw(&w[i], f)) != 0) {
      fprintf(stderr, "sm-bench: cannot prepare %s\n", f);
      return 1;
    }
  }
  printf("sm_decoder_new: %.1f heap allocations per decoder (once)\n",
         (double)n_alloc / N_WORK);
  printf("sm-bench: %zu runs x %zu telegrams per capture; frame counters "
         "increase, replay check active; target %.0f ns/telegram\n",
         n_runs, n_tel, TARGET_NS);
  printf("%-46s %5s %9s %9s %9s %9s\n", "capture (ns per telegram)", "bytes",
         "median", "min", "max", "/target");
  for (i = 0; i < N_WORK; i++) /* warm-up, not counted */
    if (run_once(&w[i]) < 0)
      return 1;
  a0 = n_alloc;
  f0 = n_free;
  counting = 1;
  for (i = 0; i < N_WORK; i++)
    if (bench_one(&w[i]) != 0)
      return 1;
  counting = 0;
  for (i = 0; i < N_WORK; i++)
    print_row(w[i].name, w[i].one_len, w[i].median_ns, w[i].min_ns,
              w[i].max_ns);
  pooled(w, N_WORK, &med, &lo, &hi);
  print_row("overall: median of all runs above", 0, med, lo, hi);
  if (bench_all(w, N_WORK, &med, &lo, &hi) != 0)
    return 1;
  print_row("overall: all captures in turn, per run", 0, med, lo, hi);
  report_allocs(n_alloc - a0, n_free - f0, N_WORK * n_tel * n_runs);
  if (bench_amis() != 0)
    return 1;
  for (i = 0; i < N_WORK; i++) {
    sm_decoder_free(w[i].dec);
    free(w[i].bytes);
    free(w[i].offset);
  }
  return 0;
}
