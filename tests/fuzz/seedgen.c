/* seedgen.c - writes the fuzzers' seed corpora from the real captures.
 *
 *   seedgen VECTORS_DIR OUT_DIR
 *
 * VECTORS_DIR is tests/vectors (the *.hex captures and DECODED.md); seeds
 * go to OUT_DIR/<target>/ (fuzz_stream, fuzz_telegram, fuzz_axdr,
 * fuzz_names), one binary file each, in the input layouts documented at
 * the top of fuzz_stream.c, fuzz_telegram.c, fuzz_axdr.c and fuzz_names.c.
 * Each capture is decrypted with its key (so
 * fuzz_axdr gets real plaintexts), and re-sealed with SC 0x30 and the
 * fuzzers' auth key and with later frame counters (so fuzz_stream gets
 * telegrams with a valid tag and multi-telegram streams). DECODED.md adds
 * the plaintexts of captures that are not M-Bus (HDLC meters).
 * Exit status 0, or 1 with a message when a capture cannot be read or its
 * key is not in fz_keys.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "sm_names.h"

#define MAX_BYTES 8192

typedef struct capture {
  char name[128]; /* file name without .hex */
  uint8_t bytes[MAX_BYTES];
  size_t len;
  uint8_t key[SM_KEY_LEN];
  int key_index;
  bool is_apdu;
  char text[MAX_BYTES * 3]; /* the file itself, for fuzz_names */
  size_t text_len;
  /* decrypted */
  uint8_t plain[MAX_BYTES];
  size_t plain_len;
  fz_seal hdr;
  size_t seg; /* data bytes of its first frame (M-Bus) */
} capture;

static const char *out_dir;
static unsigned n_written;

static void die(const char *what, const char *name) {
  fprintf(stderr, "seedgen: %s: %s\n", name, what);
  exit(1);
}

static void write_seed(const char *corpus, const char *name, const void *p,
                       size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s/%s", out_dir, corpus, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
    die(strerror(errno), path);
  n_written++;
}

static void make_dir(const char *sub) {
  char path[1024];
  snprintf(path, sizeof path, "%s%s%s", out_dir, sub ? "/" : "",
           sub ? sub : "");
  if (mkdir(path, 0777) != 0 && errno != EEXIST)
    die(strerror(errno), path);
}

/* ---- reading captures ---------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

static void load(const char *dir, const char *file, capture *c) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "r");
  if (!f)
    die(strerror(errno), path);
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%.*s", (int)(strlen(file) - 4), file);
  c->is_apdu = ends_with(file, "_apdu.hex");
  c->key_index = -1;
  while (fgets(line, sizeof line, f)) {
    size_t l = strlen(line);
    if (c->text_len + l < sizeof c->text) {
      memcpy(c->text + c->text_len, line, l);
      c->text_len += l;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#') {
      const char *k = strstr(line, "key:");
      if (k && !strncmp(line, "# key:", 6)) {
        if (sm_key_parse(k + 4, c->key) != 0)
          die("bad # key: line", file);
        c->key_index = fz_key_index(c->key);
      }
      continue;
    }
    long n = sm_hex_decode(line, strlen(line), c->bytes + c->len,
                           sizeof c->bytes - c->len);
    if (n < 0)
      die("bad hex line", file);
    c->len += (size_t)n;
  }
  fclose(f);
  if (c->key_index < 0)
    die("key missing or not in fz_keys (tests/fuzz/fuzz_common.c)", file);

  static uint8_t apdu[MAX_BYTES];
  const uint8_t *a = c->bytes;
  size_t an = c->len;
  if (!c->is_apdu) {
    an = fz_mbus_unwrap(c->bytes, c->len, apdu, sizeof apdu);
    if (an == 0)
      die("not intact M-Bus long frames", file);
    a = apdu;
    c->seg = (c->bytes[1] < 3 ? c->bytes[1] + 256u : c->bytes[1]) - 5;
    if (c->seg > 250)
      c->seg = 250; /* the T210-D quirk cannot be re-made with valid L */
  }
  c->plain_len = fz_open_apdu(a, an, c->key, c->plain, sizeof c->plain,
                              &c->hdr);
  if (c->plain_len == 0 || c->plain[0] != 0x0F)
    die("does not decrypt to a data-notification", file);
}

/* ---- stream seeds: cfg, plan[4], bytes ----------------------------------- */

static uint8_t buf[4 * MAX_BYTES + 1024];

static size_t with_header(uint8_t cfg, const uint8_t plan[4],
                          const uint8_t *p, size_t n) {
  buf[0] = cfg;
  memcpy(buf + 1, plan, 4);
  memcpy(buf + 5, p, n);
  return n + 5;
}

/* Seal c's plaintext again (other SC / counter) and frame it like c. */
static size_t reseal(const capture *c, uint8_t sc, uint32_t fc, bool mbus,
                     uint8_t *out, size_t cap) {
  static uint8_t apdu[MAX_BYTES];
  fz_seal s = c->hdr;
  s.sc = sc;
  s.fc = fc;
  s.key = c->key;
  s.auth_key = fz_auth_key;
  size_t n = fz_seal_apdu(&s, c->plain, c->plain_len, apdu, sizeof apdu);
  if (n == 0)
    die("seal failed", c->name);
  if (!mbus) {
    if (n > cap)
      die("no room", c->name);
    memcpy(out, apdu, n);
    return n;
  }
  size_t frames;
  n = fz_mbus_wrap(apdu, n, c->seg ? c->seg : 250, 16, out, cap, &frames);
  if (n == 0)
    die("no room", c->name);
  return n;
}

static void stream_seeds(const capture *c) {
  static const uint8_t whole[4] = {0, 0, 0, 0};
  static const uint8_t chunks[4] = {1, 0x7F, 13, 64};
  static const uint8_t idle_plan[4] = {127, 127, 127, 127};
  static uint8_t tmp[4 * MAX_BYTES];
  char name[256];
  uint8_t k = (uint8_t)c->key_index;
  uint8_t mode = c->is_apdu ? 0x20 : 0x10;
  const char *fr = c->is_apdu ? "apdu" : "mbus";
  size_t n;

  snprintf(name, sizeof name, "%s-%s", c->name, fr);
  write_seed("fuzz_stream", name, buf, with_header(k | mode, whole, c->bytes, c->len));
  snprintf(name, sizeof name, "%s-auto-chunks", c->name);
  write_seed("fuzz_stream", name, buf, with_header(k, chunks, c->bytes, c->len));
  snprintf(name, sizeof name, "%s-%s-authkey", c->name, fr);
  write_seed("fuzz_stream", name, buf,
             with_header(k | mode | 0x40, whole, c->bytes, c->len));
  snprintf(name, sizeof name, "%s-%s-nokey", c->name, fr);
  write_seed("fuzz_stream", name, buf,
             with_header(0x0F | mode, whole, c->bytes, c->len));

  /* noise, the capture, noise with fake headers, the capture again (a
   * replay), then two later telegrams; idle enabled, no chunk marked */
  static const uint8_t noise[] = {0xE5, 0x68, 0x16, 0x10, 0x68, 0xFA, 0xFA,
                                  0x68, 0x53, 0xFF, 0x00, 0x16, 0xDB, 0x08,
                                  0x0F, 0x68, 0x14, 0x14, 0x68, 0x00};
  n = 0;
  memcpy(tmp + n, noise, 7);
  n += 7;
  memcpy(tmp + n, c->bytes, c->len);
  n += c->len;
  memcpy(tmp + n, noise, sizeof noise);
  n += sizeof noise;
  memcpy(tmp + n, c->bytes, c->len);
  n += c->len;
  for (uint32_t i = 1; i <= 2; i++)
    n += reseal(c, c->hdr.sc, c->hdr.fc + i, !c->is_apdu, tmp + n,
                sizeof tmp - n);
  snprintf(name, sizeof name, "%s-%s-noise-replay-next", c->name, fr);
  write_seed("fuzz_stream", name, buf, with_header(k | mode | 0x80, idle_plan, tmp, n));

  /* SC 0x30 with a valid tag: with the auth key, and without one */
  n = reseal(c, 0x30 | (c->hdr.sc & 1), c->hdr.fc + 1, !c->is_apdu, tmp,
             sizeof tmp);
  snprintf(name, sizeof name, "%s-%s-sc30-authkey", c->name, fr);
  write_seed("fuzz_stream", name, buf, with_header(k | mode | 0x40, whole, tmp, n));
  snprintf(name, sizeof name, "%s-%s-sc30-noauthkey", c->name, fr);
  write_seed("fuzz_stream", name, buf, with_header(k | mode, chunks, tmp, n));

  /* the plaintext unencrypted: a bare 0F APDU and M-Bus framed */
  snprintf(name, sizeof name, "%s-plain-apdu", c->name);
  write_seed("fuzz_stream", name, buf,
             with_header(0x2F, whole, c->plain, c->plain_len));
  size_t frames;
  n = fz_mbus_wrap(c->plain, c->plain_len, 250, 16, tmp, sizeof tmp, &frames);
  snprintf(name, sizeof name, "%s-plain-mbus", c->name);
  write_seed("fuzz_stream", name, buf, with_header(0x1F, whole, tmp, n));
}

/* ---- telegram seeds: cfg, plan[4], records --------------------------------
 * record: ctrl, fcd, seg, len(2), plaintext */

static size_t add_record(uint8_t *out, uint8_t ctrl, uint8_t fcd, uint8_t seg,
                         const uint8_t *p, size_t n) {
  out[0] = ctrl;
  out[1] = fcd;
  out[2] = seg;
  out[3] = (uint8_t)(n >> 8);
  out[4] = (uint8_t)n;
  memcpy(out + 5, p, n);
  return n + 5;
}

static void telegram_seeds(const capture *c, unsigned idx) {
  static const uint8_t whole[4] = {0, 0, 0, 0};
  static const uint8_t chunks[4] = {7, 100, 1, 0};
  static uint8_t tmp[4 * MAX_BYTES];
  char name[256];
  uint8_t title = (uint8_t)((idx & 15) << 3);
  uint8_t sc = (c->hdr.sc & 1) ? 2 : 1; /* index of 0x21 / 0x20 */
  uint8_t seg = (uint8_t)(c->seg ? c->seg : 250);
  size_t n;

  n = add_record(tmp, title | sc, 1, seg, c->plain, c->plain_len);
  snprintf(name, sizeof name, "%s-mbus", c->name);
  write_seed("fuzz_telegram", name, buf, with_header(0x00, whole, tmp, n));
  snprintf(name, sizeof name, "%s-apdu", c->name);
  write_seed("fuzz_telegram", name, buf, with_header(0x04, chunks, tmp, n));

  /* tagged, then a replay, then the next counter; right auth key */
  n = add_record(tmp, title | 3, 1, seg, c->plain, c->plain_len);
  n += add_record(tmp + n, title | 3, 0, seg, c->plain, c->plain_len);
  n += add_record(tmp + n, title | 4, 5, 100, c->plain, c->plain_len);
  snprintf(name, sizeof name, "%s-sc30-replay", c->name);
  write_seed("fuzz_telegram", name, buf, with_header(0x01, chunks, tmp, n));

  /* unencrypted, then encrypted, small segments; bare APDUs variant */
  n = add_record(tmp, title | 0, 0, 40, c->plain, c->plain_len);
  n += add_record(tmp + n, (uint8_t)(((idx + 1) & 15) << 3) | sc, 3, 60,
                  c->plain, c->plain_len);
  snprintf(name, sizeof name, "%s-plain-then-glo", c->name);
  write_seed("fuzz_telegram", name, buf, with_header(0x00, whole, tmp, n));
  snprintf(name, sizeof name, "%s-plain-then-glo-apdu", c->name);
  write_seed("fuzz_telegram", name, buf, with_header(0x05, whole, tmp, n));
}

/* ---- axdr seeds: plaintexts ---------------------------------------------- */

static void decoded_md(const char *dir) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/DECODED.md", dir);
  FILE *f = fopen(path, "r");
  if (!f)
    die(strerror(errno), path);
  static uint8_t plain[MAX_BYTES];
  size_t n = 0, count = 0;
  int state = 0; /* 0 outside, 1 after "Plaintext (N bytes)", 2 in block */
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (state == 0 && !strncmp(line, "Plaintext (", 11) &&
        strstr(line, " bytes):")) {
      state = 1;
      n = 0;
    } else if (state == 1 && !strncmp(line, "```", 3)) {
      state = 2;
    } else if (state == 2 && !strncmp(line, "```", 3)) {
      char name[64];
      snprintf(name, sizeof name, "decoded-md-%zu", ++count);
      if (n > 0)
        write_seed("fuzz_axdr", name, plain, n);
      state = 0;
    } else if (state == 2) {
      long k = sm_hex_decode(line, strlen(line), plain + n, sizeof plain - n);
      if (k < 0)
        die("bad hex in a Plaintext block", "DECODED.md");
      n += (size_t)k;
    }
  }
  fclose(f);
  if (count == 0)
    die("no Plaintext blocks found", "DECODED.md");
}

static void axdr_seeds(const capture *c) {
  char name[256];
  snprintf(name, sizeof name, "%s-plain", c->name);
  write_seed("fuzz_axdr", name, c->plain, c->plain_len);
}

/* ---- names seeds: 0, out size, text | 1, reading | 2, date-time ---------- */

static void hex_seeds(const capture *c) {
  char name[256];
  static char tmp[MAX_BYTES * 3 + 2];
  tmp[0] = 0;
  tmp[1] = (char)255;
  memcpy(tmp + 2, c->text, c->text_len);
  snprintf(name, sizeof name, "%s-file", c->name);
  write_seed("fuzz_names", name, tmp, c->text_len + 2);
  /* the key, plain and with separators */
  size_t o = 2;
  tmp[1] = 16;
  for (size_t i = 0; i < SM_KEY_LEN; i++)
    o += (size_t)snprintf(tmp + o, 8, "%02x%s", c->key[i],
                          i + 1 < SM_KEY_LEN ? (i % 2 ? " " : ":") : "");
  snprintf(name, sizeof name, "%s-key", c->name);
  write_seed("fuzz_names", name, tmp, o);
}

/* Readings and date-times as the captures have them. */
static void names_value_seeds(void) {
  static const struct {
    const char *name;
    uint8_t b[19];
  } seeds[] = {
      /* mode, obis, scaler, unit, raw (8), flags */
      {"voltage", {1, 1, 0, 32, 7, 0, 255, 0xFF, 35, 0, 0, 0, 0, 0, 0, 0x09,
                   0x21, 0}},
      {"energy", {1, 1, 0, 1, 8, 0, 255, 0, 30, 0, 0, 0, 0, 0, 0x51, 0, 0x15,
                  0}},
      {"current", {1, 1, 0, 31, 7, 0, 255, 0xFE, 33, 0xFF, 0xFF, 0xFF, 0xFF,
                   0xFF, 0xFF, 0xFF, 0x9C, 0}},
      {"pf-float", {1, 1, 0, 13, 7, 0, 255, 0xFD, 255, 0x3F, 0xEF, 0xAE, 0x14,
                    0x7A, 0xE1, 0x47, 0xAE, 1}},
      {"text", {1, 0, 0, 96, 1, 0, 255, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 2,
                '1'}},
      /* mode, present, year (2), month, day, weekday, h, m, s, 1/100,
       * deviation (2) */
      {"datetime", {2, 1, 0x07, 0xE7, 7, 26, 3, 20, 5, 20, 0, 0xFF, 0x88}},
      {"datetime-wild", {2, 1, 0x07, 0xE5, 9, 27, 1, 0xFF, 0xFF, 0xFF, 0xFF,
                         0x80, 0}},
  };
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
    write_seed("fuzz_names", seeds[i].name, seeds[i].b, sizeof seeds[i].b);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: seedgen VECTORS_DIR OUT_DIR\n");
    return 2;
  }
  if (sm_crypto_init() != SM_NEED_MORE)
    die("libgcrypt", "init");
  out_dir = argv[2];
  make_dir(NULL);
  make_dir("fuzz_stream");
  make_dir("fuzz_telegram");
  make_dir("fuzz_axdr");
  make_dir("fuzz_names");

  DIR *dir = opendir(argv[1]);
  if (!dir)
    die(strerror(errno), argv[1]);
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < 256)
    if (ends_with(e->d_name, ".hex"))
      names[n++] = strdup(e->d_name);
  closedir(dir);
  if (n == 0)
    die("no *.hex captures", argv[1]);
  qsort(names, n, sizeof names[0], by_name);

  static capture c;
  for (size_t i = 0; i < n; i++) {
    load(argv[1], names[i], &c);
    stream_seeds(&c);
    telegram_seeds(&c, (unsigned)i);
    axdr_seeds(&c);
    hex_seeds(&c);
    free(names[i]);
  }
  decoded_md(argv[1]);
  names_value_seeds();
  printf("seedgen: %zu captures, %u seeds in %s\n", n, n_written, out_dir);
  return 0;
}
