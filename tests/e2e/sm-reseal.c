/* sm-reseal.c - TEST ONLY: turn one real capture into N captures with
 * fresh frame counters, so a simulator can replay it for minutes.
 *
 *   sm-reseal [-k KEYHEX] -n N -o OUTDIR CAPTURE.hex
 *
 * Why: the decoder rejects a frame counter it has seen (replay guard), so a
 * capture replayed as is yields one telegram and then only replays. This
 * tool re-encrypts the same plaintext under frame counter FC+1 ... FC+N and
 * writes OUTDIR/t00001.hex ... in the tests/vectors format (a "# key:"
 * header, then hex), M-Bus frame sizes and layout unchanged, checksums
 * recomputed. The key comes from -k or the capture's "# key:" line.
 *
 * Only untagged telegrams (security control without 0x10, i.e. 0x20/0x21,
 * the M-Bus meters of EVN, TINETZ, VKW) are supported: for them GCM is CTR
 * mode starting at counter block IV || 00000002, and CTR is its own
 * inverse, so new = old XOR keystream(old IV) XOR keystream(new IV).
 */
#include <errno.h>
#include <gcrypt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BYTES 8192
#define MAX_FRAMES 16

typedef struct capture {
  uint8_t wire[MAX_BYTES]; /* the frames as on the wire */
  size_t wire_len;
  size_t data_off[MAX_FRAMES]; /* where each frame's DLMS data starts */
  size_t data_len[MAX_FRAMES];
  size_t frames;
  uint8_t apdu[MAX_BYTES]; /* concatenated DLMS data */
  size_t apdu_len;
  size_t fc_off; /* frame counter offset in apdu */
  char key_hex[64];
} capture;

static int fail(const char *msg, const char *arg) {
  fprintf(stderr, "sm-reseal: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return -1;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int hex_to_bytes(const char *s, uint8_t *out, size_t max, size_t *len) {
  int hi = -1;
  *len = 0;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
      continue;
    int d = hex_digit((unsigned char)*s);
    if (d < 0 || (hi < 0 && *len >= max))
      return -1;
    if (hi < 0) {
      hi = d;
    } else {
      out[(*len)++] = (uint8_t)(hi << 4 | d);
      hi = -1;
    }
  }
  return hi < 0 ? 0 : -1;
}

/* Comment lines start with '#'; "# key: HEX" is remembered. */
static int load(const char *path, capture *c) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return fail(strerror(errno), path);
  static char text[4 * MAX_BYTES];
  size_t used = 0;
  char line[1024];
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#') {
      char k[64];
      if (c->key_hex[0] == '\0' && sscanf(line, "# key: %63s", k) == 1)
        memcpy(c->key_hex, k, sizeof(k));
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
  if (hex_to_bytes(text, c->wire, sizeof(c->wire), &c->wire_len) != 0)
    return fail("not hex", path);
  return 0;
}

/* 68 L L 68 C A CI STSAP DTSAP <data> CS 16; L counts C .. end of data. */
static int split_frames(capture *c) {
  size_t pos = 0;
  c->frames = 0;
  c->apdu_len = 0;
  while (pos < c->wire_len) {
    const uint8_t *w = c->wire + pos;
    if (c->wire_len - pos < 6 || w[0] != 0x68 || w[3] != 0x68 || w[1] != w[2] ||
        w[1] < 5 || c->frames == MAX_FRAMES)
      return fail("not a sequence of M-Bus long frames", NULL);
    size_t l = w[1];
    if (pos + 4 + l + 2 > c->wire_len || w[4 + l + 1] != 0x16)
      return fail("M-Bus frame truncated", NULL);
    c->data_off[c->frames] = pos + 9;
    c->data_len[c->frames] = l - 5;
    memcpy(c->apdu + c->apdu_len, w + 9, l - 5);
    c->apdu_len += l - 5;
    c->frames++;
    pos += 4 + l + 2;
  }
  return 0;
}

/* DB 08 <title 8> <BER length> <SC> <FC 4> <ciphertext> */
static int find_counter(capture *c) {
  const uint8_t *a = c->apdu;
  if (c->apdu_len < 16 || a[0] != 0xDB || a[1] != 0x08)
    return fail("not a general-glo-ciphering APDU", NULL);
  size_t off = 10;
  off += a[off] == 0x81 ? 2 : a[off] == 0x82 ? 3 : 1;
  if (a[off] & 0x10)
    return fail("tagged telegram (SC 0x30) not supported", NULL);
  c->fc_off = off + 1;
  if (c->fc_off + 4 >= c->apdu_len)
    return fail("APDU too short", NULL);
  return 0;
}

static uint32_t get_fc(const capture *c) {
  const uint8_t *p = c->apdu + c->fc_off;
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void set_fc(capture *c, uint32_t fc) {
  uint8_t *p = c->apdu + c->fc_off;
  p[0] = (uint8_t)(fc >> 24);
  p[1] = (uint8_t)(fc >> 16);
  p[2] = (uint8_t)(fc >> 8);
  p[3] = (uint8_t)fc;
}

/* XOR the keystream for (title, fc) over the ciphertext in place. */
static int apply_keystream(gcry_cipher_hd_t h, capture *c, uint32_t fc) {
  uint8_t ctr[16];
  memcpy(ctr, c->apdu + 2, 8);
  set_fc(c, fc);
  memcpy(ctr + 8, c->apdu + c->fc_off, 4);
  memcpy(ctr + 12, "\x00\x00\x00\x02", 4);
  uint8_t *ct = c->apdu + c->fc_off + 4;
  size_t n = c->apdu_len - (c->fc_off + 4);
  if (gcry_cipher_reset(h) || gcry_cipher_setctr(h, ctr, sizeof(ctr)) ||
      gcry_cipher_encrypt(h, ct, n, NULL, 0))
    return fail("libgcrypt failed", NULL);
  return 0;
}

/* Copy the APDU back into the frames; recompute every checksum. */
static void rebuild_wire(capture *c) {
  size_t used = 0;
  for (size_t i = 0; i < c->frames; i++) {
    uint8_t *d = c->wire + c->data_off[i];
    memcpy(d, c->apdu + used, c->data_len[i]);
    used += c->data_len[i];
    uint8_t sum = 0;
    for (uint8_t *p = d - 5; p < d + c->data_len[i]; p++)
      sum = (uint8_t)(sum + *p);
    d[c->data_len[i]] = sum;
  }
}

static int write_capture(const char *dir, unsigned i, const capture *c) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/t%05u.hex", dir, i);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return fail(strerror(errno), path);
  fprintf(f, "# resealed by sm-reseal: frame counter %u\n# key: %s\n",
          (unsigned)get_fc(c), c->key_hex);
  for (size_t k = 0; k < c->wire_len; k++)
    fprintf(f, "%02X%s", c->wire[k], k % 32 == 31 ? "\n" : "");
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : fail(strerror(errno), path);
}

static int reseal_all(capture *c, const uint8_t key[16], unsigned n,
                      const char *dir) {
  gcry_cipher_hd_t h;
  if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0) ||
      gcry_cipher_setkey(h, key, 16))
    return fail("libgcrypt: cannot set up AES-128-CTR", NULL);
  uint32_t fc = get_fc(c);
  int status = apply_keystream(h, c, fc); /* now plaintext */
  for (unsigned i = 1; status == 0 && i <= n; i++) {
    status = apply_keystream(h, c, fc + i);
    if (status == 0) {
      rebuild_wire(c);
      status = write_capture(dir, i, c);
    }
    if (status == 0)
      status = apply_keystream(h, c, fc + i); /* back to plaintext */
  }
  gcry_cipher_close(h);
  return status;
}

static int usage(void) {
  fprintf(stderr, "usage: sm-reseal [-k KEYHEX] -n N -o OUTDIR CAPTURE.hex\n");
  return 2;
}

int main(int argc, char **argv) {
  static capture c;
  const char *dir = NULL;
  long n = 0;
  int opt;
  while ((opt = getopt(argc, argv, "k:n:o:")) != -1) {
    if (opt == 'k')
      snprintf(c.key_hex, sizeof(c.key_hex), "%s", optarg);
    else if (opt == 'n')
      n = strtol(optarg, NULL, 10);
    else if (opt == 'o')
      dir = optarg;
    else
      return usage();
  }
  if (optind + 1 != argc || dir == NULL || n < 1 || n > 99999)
    return usage();
  if (!gcry_check_version(GCRYPT_VERSION)) {
    fail("libgcrypt version mismatch", NULL);
    return 1;
  }
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  uint8_t key[16];
  size_t klen = 0;
  if (load(argv[optind], &c) != 0 || split_frames(&c) != 0 ||
      find_counter(&c) != 0)
    return 1;
  if (hex_to_bytes(c.key_hex, key, sizeof(key), &klen) != 0 || klen != 16) {
    fail("no 32-hex-digit key (-k or '# key:' header)", NULL);
    return 1;
  }
  return reseal_all(&c, key, (unsigned)n, dir) == 0 ? 0 : 1;
}
