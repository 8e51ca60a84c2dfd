/* SPDX-License-Identifier: MIT */
/* test_solarview.c - plugin/sm_solarview.[ch]: the Solarview export file.
 *
 * The real VKW capture decoded and written must equal, byte for byte, what
 * kaifareader wrote for it (issue 4), with "varh" for reactive energy.
 * Writing is atomic (temp file + fsync + rename) and leaves no temporary
 * file behind on any error.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sm_decoder.h"
#include "sm_names.h"
#include "sm_solarview.h"

#define VKW_KEY "48704F444F326D5050553033784C3333"

/* Issue 4: kaifareader's output for this capture, with varh instead of W
 * for reactive energy. */
static const char vkw_expected[] = "/?!\n"
                                   "/KAIFA\n"
                                   "32.7.0(000233.000*V)\n"
                                   "52.7.0(000232.800*V)\n"
                                   "72.7.0(000232.700*V)\n"
                                   "31.7.0(000000.310*A)\n"
                                   "51.7.0(000000.520*A)\n"
                                   "71.7.0(000000.210*A)\n"
                                   "1.7.0(000053.000*W)\n"
                                   "2.7.0(000000.000*W)\n"
                                   "1.8.0(3744082.000*Wh)\n"
                                   "2.8.0(3929988.000*Wh)\n"
                                   "3.8.0(013445.000*varh)\n"
                                   "4.8.0(1313360.000*varh)\n"
                                   "!\n";

static sm_telegram vkw; /* decoded once in setup */

/* Load tests/vectors/<name>: '#' lines are comments, the rest hex. */
static long load_vector(const char *name, uint8_t *out, size_t size) {
  const char *src = getenv("SM_SRCDIR");
  char path[4096];
  snprintf(path, sizeof(path), "%s/tests/vectors/%s", src ? src : ".", name);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "# cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  static char hex[1 << 16];
  size_t n = 0;
  char line[1024];
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#')
      continue;
    size_t l = strlen(line);
    if (n + l >= sizeof(hex))
      break;
    memcpy(hex + n, line, l);
    n += l;
  }
  fclose(f);
  return sm_hex_decode(hex, n, out, size);
}

/* Every telegram of the capture: kept in vkw, counted. */
static void keep_telegram(void *ctx, sm_status st, const sm_telegram *t) {
  if (st != SM_TELEGRAM)
    return;
  vkw = *t;
  ++*(int *)ctx;
}

static int setup(void **state) {
  (void)state;
  static uint8_t bytes[4096];
  long n = load_vector("ksmwest_vkw_philippsev_2023-07-26.hex", bytes,
                       sizeof(bytes));
  if (n <= 0 || sm_crypto_init() != SM_NEED_MORE)
    return -1;
  sm_options o;
  memset(&o, 0, sizeof(o));
  o.input = SM_INPUT_MBUS;
  o.has_key = true;
  if (sm_key_parse(VKW_KEY, o.key) != 0)
    return -1;
  sm_decoder *d = sm_decoder_new(&o, NULL);
  if (d == NULL)
    return -1;
  int found = 0;
  sm_sink s = {.result = keep_telegram, .ctx = &found};
  bool taken = sm_decoder_feed_all(d, bytes, (size_t)n, &s);
  sm_decoder_free(d);
  return taken && found == 1 ? 0 : -1;
}

/* A fresh temporary directory, removed (with its files) by rmtree. */
static void make_dir(char *dir, size_t size) {
  snprintf(dir, size, "/tmp/sm-solarview-XXXXXX");
  assert_non_null(mkdtemp(dir));
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      n++;
  closedir(d);
  return n;
}

static void rmtree(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *e;
  char p[4096];
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      chmod(p, 0755);
      rmtree(p);
    } else {
      unlink(p);
    }
  }
  closedir(d);
  rmdir(dir);
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  static char buf[1 << 16];
  *len = fread(buf, 1, sizeof(buf) - 1, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static void test_format_vkw(void **state) {
  (void)state;
  char buf[SM_SOLARVIEW_MAX];
  size_t n = sm_solarview_format(&vkw, buf, sizeof(buf));
  assert_int_equal(n, strlen(vkw_expected));
  assert_string_equal(buf, vkw_expected);
}

static void test_format_truncates_like_snprintf(void **state) {
  (void)state;
  char small[20];
  size_t n = sm_solarview_format(&vkw, small, sizeof(small));
  assert_int_equal(n, strlen(vkw_expected));
  assert_int_equal(strlen(small), sizeof(small) - 1);
  assert_memory_equal(small, vkw_expected, sizeof(small) - 1);
  assert_int_equal(sm_solarview_format(&vkw, NULL, 0), n);
}

/* Power factor: empty unit; negative and tiny values; text and NaN
 * readings left out; an empty telegram still gives a valid file. */
static void test_format_edge_values(void **state) {
  (void)state;
  static sm_telegram t;
  memset(&t, 0, sizeof(t));
  sm_value *v = t.values;
  const uint8_t pf[6] = {1, 0, 13, 7, 0, 255};
  memcpy(v[0].obis, pf, 6);
  v[0].kind = SM_VALUE_NUMBER;
  v[0].unit = 255;
  v[0].raw = 968;
  v[0].scaler = -3;
  v[0].value = 0.968;
  const uint8_t p3[6] = {1, 0, 3, 7, 0, 255};
  memcpy(v[1].obis, p3, 6);
  v[1].kind = SM_VALUE_NUMBER;
  v[1].unit = 29;
  v[1].value = -12.5;
  const uint8_t txt[6] = {0, 0, 96, 13, 0, 255};
  memcpy(v[2].obis, txt, 6);
  v[2].kind = SM_VALUE_TEXT;
  strcpy(v[2].text, "hello");
  const uint8_t fr[6] = {1, 0, 14, 7, 0, 255};
  memcpy(v[3].obis, fr, 6);
  v[3].kind = SM_VALUE_NUMBER;
  v[3].is_float = true;
  v[3].unit = 44;
  v[3].value = NAN;
  memcpy(v[4].obis, fr, 6);
  v[4].kind = SM_VALUE_NUMBER;
  v[4].is_float = true;
  v[4].unit = 44;
  v[4].value = 49.9951;
  t.n_values = 5;
  char buf[SM_SOLARVIEW_MAX];
  sm_solarview_format(&t, buf, sizeof(buf));
  assert_string_equal(buf, "/?!\n/KAIFA\n"
                           "13.7.0(000000.968*)\n"
                           "3.7.0(-00012.500*var)\n"
                           "14.7.0(000049.995*Hz)\n"
                           "!\n");
  t.n_values = 0;
  sm_solarview_format(&t, buf, sizeof(buf));
  assert_string_equal(buf, "/?!\n/KAIFA\n!\n");
}

static void test_write_vkw(void **state) {
  (void)state;
  char dir[64], path[128], err[512];
  make_dir(dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/export.txt", dir);

  assert_int_equal(sm_solarview_write(path, &vkw, err, sizeof(err)), 0);
  assert_string_equal(err, "");
  size_t len = 0;
  const char *got = read_file(path, &len);
  assert_non_null(got);
  assert_int_equal(len, strlen(vkw_expected));
  assert_memory_equal(got, vkw_expected, len);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0644);
  assert_int_equal(count_entries(dir), 1); /* no temporary file left */

  /* Replaced, not rewritten in place: a reader holding the old file keeps
   * a complete old copy (a new inode arrives by rename). */
  ino_t before = st.st_ino;
  assert_int_equal(truncate(path, 3), 0);
  assert_int_equal(sm_solarview_write(path, &vkw, err, sizeof(err)), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_not_equal(st.st_ino, before);
  got = read_file(path, &len);
  assert_int_equal(len, strlen(vkw_expected));
  assert_memory_equal(got, vkw_expected, len);
  assert_int_equal(count_entries(dir), 1);
  rmtree(dir);
}

/* A relative path writes into the current directory. */
static void test_write_relative(void **state) {
  (void)state;
  char dir[64], cwd[4096], err[512];
  make_dir(dir, sizeof(dir));
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(dir), 0);
  int rc = sm_solarview_write("export.txt", &vkw, err, sizeof(err));
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(rc, 0);
  assert_int_equal(count_entries(dir), 1);
  rmtree(dir);
}

static void test_write_missing_dir(void **state) {
  (void)state;
  char dir[64], path[192], err[512];
  make_dir(dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/nope/export.txt", dir);
  assert_int_equal(sm_solarview_write(path, &vkw, err, sizeof(err)), -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "No such file or directory"));
  assert_int_equal(count_entries(dir), 0);
  rmtree(dir);
}

/* The target is a directory: the temporary file is written, the rename
 * fails, and the temporary file must be gone again. */
static void test_write_rename_fails(void **state) {
  (void)state;
  char dir[64], path[192], err[512];
  make_dir(dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/export.txt", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  assert_int_equal(sm_solarview_write(path, &vkw, err, sizeof(err)), -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "rename"));
  assert_int_equal(count_entries(dir), 1); /* only the directory itself */
  rmtree(dir);
}

/* A directory that is not writable. Root writes anywhere, so as root the
 * write runs in a child that dropped to "nobody" (65534). */
static void test_write_not_writable(void **state) {
  (void)state;
  char dir[64], path[128], err[512];
  make_dir(dir, sizeof(dir));
  assert_int_equal(chmod(dir, 0555), 0);
  snprintf(path, sizeof(path), "%s/export.txt", dir);
  int rc;
  if (geteuid() != 0) {
    rc = sm_solarview_write(path, &vkw, err, sizeof(err));
  } else {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      char cerr[512] = "";
      int crc = 99;
      if (setgid(65534) == 0 && setuid(65534) == 0)
        crc = sm_solarview_write(path, &vkw, cerr, sizeof(cerr));
      else
        snprintf(cerr, sizeof(cerr), "cannot drop privileges");
      if (write(fds[1], &crc, sizeof(crc)) < 0 ||
          write(fds[1], cerr, sizeof(cerr)) < 0)
        _exit(2);
      _exit(0);
    }
    close(fds[1]);
    int status = 0;
    assert_int_equal(read(fds[0], &rc, sizeof(rc)), (ssize_t)sizeof(rc));
    assert_int_equal(read(fds[0], err, sizeof(err)), (ssize_t)sizeof(err));
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  print_message("# error text: %s\n", err);
  assert_int_equal(rc, -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "Permission denied"));
  assert_int_equal(count_entries(dir), 0);
  rmtree(dir);
}

static void test_write_bad_args(void **state) {
  (void)state;
  char err[256];
  assert_int_equal(sm_solarview_write("", &vkw, err, sizeof(err)), -1);
  assert_true(strlen(err) > 0);
  assert_int_equal(sm_solarview_write("/tmp/", &vkw, err, sizeof(err)), -1);
  assert_int_equal(sm_solarview_write("/tmp/x", NULL, err, sizeof(err)), -1);
  assert_int_equal(sm_solarview_write(NULL, &vkw, NULL, 0), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_vkw),
      cmocka_unit_test(test_format_truncates_like_snprintf),
      cmocka_unit_test(test_format_edge_values),
      cmocka_unit_test(test_write_vkw),
      cmocka_unit_test(test_write_relative),
      cmocka_unit_test(test_write_missing_dir),
      cmocka_unit_test(test_write_rename_fails),
      cmocka_unit_test(test_write_not_writable),
      cmocka_unit_test(test_write_bad_args),
  };
  return cmocka_run_group_tests_name("solarview", tests, setup, NULL);
}
