/* sm-forge.c - TEST ONLY: telegrams for the simulator, made from a real
 * capture with the test encoder (tests/unit/encoder.c).
 *
 *   sm-forge [-k KEYHEX] [-s SC] [-a AUTHKEYHEX] [-v] [-p]
 *            (-n N | -c COUNTERS) -o OUTDIR CAPTURE.hex
 *
 * Why: the decoder rejects a frame counter it has seen (replay guard), so a
 * capture replayed as is yields one telegram and then only replays. The
 * capture (tests/vectors format: "# key:" header, then hex M-Bus long
 * frames) is unwrapped and decrypted (SC 0x20/0x21/0x30 alike; a tag is
 * not checked), then sealed again once per frame counter and written as
 * OUTDIR/t00001.hex, t00002.hex ... in the same format, wrapped into M-Bus
 * frames of the capture's first segment size (for the real captures the
 * bytes equal the meter's, except counter, ciphertext and checksums).
 *
 *   -n N         the N frame counters after the capture's own: minutes of
 *                replay for the e2e tests and scripts/demo.sh.
 *   -c COUNTERS  comma-separated frame counters or ranges, in the order
 *                they are to be sent: "5-11,5,11,12-14" gives a replay of
 *                5 and a duplicate of 11. A counter may repeat (a replay).
 *   -s SC        security control byte of the output (default: the
 *                capture's); 0x30 (any SC with 0x10) appends a GCM tag
 *                computed with AAD = SC || auth key, and needs -a.
 *   -a AUTHKEY   the authentication key (32 hex digits).
 *   -v           vary the values: the active power import (OBIS
 *                1.0.1.7.0.255, a u32 in both capture layouts) is set to
 *                the frame counter, so every dispatched row tells which
 *                telegram it came from (with scaler 0: value = counter W).
 *   -p           print the plaintext of the capture as hex and exit.
 *
 * Keys come from -k or the capture's "# key:" line. Exit 0 on success, 1
 * on errors, 2 on usage errors.
 */
#include <errno.h>
#include <gcrypt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encoder.h"
#include "sm_names.h"

#define MAX_BYTES 8192
#define MAX_COUNTERS 100000

static int fail(const char *msg, const char *arg) {
  fprintf(stderr, "sm-forge: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return -1;
}

/* Comment lines start with '#'; "# key: HEX" is remembered. */
static int load(const char *path, uint8_t *wire, size_t *wire_len,
                char key_hex[64]) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return fail(strerror(errno), path);
  static char text[4 * MAX_BYTES];
  size_t used = 0;
  char line[1024];
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#') {
      char k[64];
      if (key_hex[0] == '\0' && sscanf(line, "# key: %63s", k) == 1)
        memcpy(key_hex, k, sizeof(k));
      continue;
    }
    size_t n = strlen(line);
    if (used + n >= sizeof(text)) {
      fclose(f);
      return fail("capture too large", path);
    }
    memcpy(text + used, line, n + 1);
    used += n;
  }
  fclose(f);
  long got = sm_hex_decode(text, used, wire, MAX_BYTES);
  if (got < 0)
    return fail("not hex", path);
  *wire_len = (size_t)got;
  return 0;
}

/* "5-11,5,11" -> counters; returns how many, or -1. */
static long parse_counters(const char *s, uint32_t *out, long max) {
  long n = 0;
  while (*s) {
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 0), b = a;
    if (end == s || errno != 0 || a > 0xFFFFFFFFul)
      return -1;
    s = end;
    if (*s == '-') {
      b = strtoul(s + 1, &end, 0);
      if (end == s + 1 || errno != 0 || b > 0xFFFFFFFFul || b < a)
        return -1;
      s = end;
    }
    for (unsigned long v = a; v <= b; v++) {
      if (n == max)
        return -1;
      out[n++] = (uint32_t)v;
    }
    if (*s == ',')
      s++;
    else if (*s != '\0')
      return -1;
  }
  return n;
}

/* Position of the u32 value of OBIS 1.0.1.7.0.255 in the plaintext. */
static long power_import_at(const uint8_t *p, size_t n) {
  static const uint8_t obis[] = {0x09, 0x06, 0x01, 0x00, 0x01,
                                 0x07, 0x00, 0xFF, 0x06};
  for (size_t i = 0; i + sizeof(obis) + 4 <= n; i++)
    if (memcmp(p + i, obis, sizeof(obis)) == 0)
      return (long)(i + sizeof(obis));
  return -1;
}

static int write_capture(const char *dir, long i, const uint8_t *w, size_t n,
                         uint32_t fc, uint8_t sc, const char *key_hex) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/t%05ld.hex", dir, i);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return fail(strerror(errno), path);
  fprintf(f, "# made by sm-forge: frame counter %u, security control 0x%02X\n",
          (unsigned)fc, sc);
  fprintf(f, "# key: %s\n", key_hex);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%02X%s", w[k], k % 32 == 31 ? "\n" : "");
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : fail(strerror(errno), path);
}

static int usage(void) {
  fprintf(stderr, "usage: sm-forge [-k KEYHEX] [-s SC] [-a AUTHKEYHEX] [-v] "
                  "[-p] (-n N | -c COUNTERS) -o OUTDIR CAPTURE.hex\n");
  return 2;
}

int main(int argc, char **argv) {
  static uint8_t wire[MAX_BYTES], apdu[MAX_BYTES], plain[MAX_BYTES],
      out[MAX_BYTES], frames[MAX_BYTES];
  static uint32_t counters[MAX_COUNTERS];
  char key_hex[64] = "";
  const char *dir = NULL, *clist = NULL, *auth_hex = NULL;
  long sc = -1, after = 0;
  bool vary = false, print = false;
  int opt;
  while ((opt = getopt(argc, argv, "k:s:a:c:n:o:vp")) != -1) {
    switch (opt) {
    case 'k':
      snprintf(key_hex, sizeof(key_hex), "%s", optarg);
      break;
    case 's':
      sc = strtol(optarg, NULL, 0);
      if (sc < 0 || sc > 255)
        return usage();
      break;
    case 'a':
      auth_hex = optarg;
      break;
    case 'c':
      clist = optarg;
      break;
    case 'n':
      after = strtol(optarg, NULL, 10);
      if (after < 1 || after > MAX_COUNTERS)
        return usage();
      break;
    case 'o':
      dir = optarg;
      break;
    case 'v':
      vary = true;
      break;
    case 'p':
      print = true;
      break;
    default:
      return usage();
    }
  }
  if (optind + 1 != argc || (clist != NULL && after > 0) ||
      (!print && (dir == NULL || (clist == NULL && after == 0))))
    return usage();
  if (!gcry_check_version(GCRYPT_VERSION))
    return fail("libgcrypt version mismatch", NULL), 1;
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

  size_t wire_len = 0, first_seg = 0;
  if (load(argv[optind], wire, &wire_len, key_hex) != 0)
    return 1;
  enc_params p;
  memset(&p, 0, sizeof(p));
  if (sm_key_parse(key_hex, p.key) != 0)
    return fail("no 32-hex-digit key (-k or '# key:' header)", NULL), 1;
  if (auth_hex != NULL && sm_key_parse(auth_hex, p.auth_key) != 0)
    return fail("-a needs 32 hex digits", NULL), 1;
  size_t apdu_len =
      enc_mbus_unwrap(wire, wire_len, apdu, sizeof(apdu), &first_seg);
  if (apdu_len == 0)
    return fail("not a clean sequence of M-Bus long frames", NULL), 1;
  enc_header h;
  size_t n = enc_open(apdu, apdu_len, p.key, plain, sizeof(plain), &h);
  if (n == 0 || plain[0] != 0x0F)
    return fail("cannot decrypt the capture (key?)", NULL), 1;
  if (print) {
    for (size_t i = 0; i < n; i++)
      printf("%02X%s", plain[i], i % 32 == 31 || i + 1 == n ? "\n" : "");
    return 0;
  }
  memcpy(p.system_title, h.system_title, 8);
  p.sc = sc >= 0 ? (uint8_t)sc : h.sc;
  if ((p.sc & 0x10) && auth_hex == NULL)
    return fail("a tagged security control needs -a AUTHKEY", NULL), 1;
  long power = vary ? power_import_at(plain, n) : 0;
  if (power < 0)
    return fail("-v: no u32 OBIS 1.0.1.7.0.255 in the plaintext", NULL), 1;

  long count = after;
  for (long i = 0; i < after; i++)
    counters[i] = h.fc + 1 + (uint32_t)i;
  if (clist != NULL) {
    count = parse_counters(clist, counters, MAX_COUNTERS);
    if (count <= 0)
      return fail("bad -c list", clist), 2;
  }
  for (long i = 0; i < count; i++) {
    p.fc = counters[i];
    if (vary) {
      uint8_t *v = plain + power;
      v[0] = (uint8_t)(p.fc >> 24);
      v[1] = (uint8_t)(p.fc >> 16);
      v[2] = (uint8_t)(p.fc >> 8);
      v[3] = (uint8_t)p.fc;
    }
    size_t a = enc_seal(&p, plain, n, out, sizeof(out));
    size_t w = a ? enc_mbus_wrap(frames, sizeof(frames), out, a, first_seg) : 0;
    if (w == 0)
      return fail("cannot seal or wrap", NULL), 1;
    if (write_capture(dir, i + 1, frames, w, p.fc, p.sc, key_hex) != 0)
      return 1;
  }
  return 0;
}
