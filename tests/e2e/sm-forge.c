/* SPDX-License-Identifier: MIT */
/* sm-forge.c - TEST ONLY: telegrams for the simulator, made from a real
 * capture with the test encoder and framer (tests/unit/encoder.c,
 * framer.c).
 *
 *   sm-forge [-k KEYHEX] [-s SC] [-a AUTHKEYHEX] [-v] [-u] [-p]
 *            [-P PLAINTEXT] [-F same|mbus|hdlc|apdu] [-S SEG] [-i FIRST]
 *            (-n N | -c COUNTERS) -o OUTDIR CAPTURE.hex
 *
 * Why: the decoder rejects a frame counter it has seen (replay guard), so a
 * capture replayed as is yields one telegram and then only replays. The
 * capture (tests/vectors format: "# key:" and "# ak:" headers, then hex) is
 * M-Bus long frames, HDLC frames (one or more, S-bit segments or one
 * General-Block-Transfer block per frame) or a bare DB APDU. It is
 * unwrapped and decrypted (SC 0x20/0x21/0x30 alike; a tag is not checked),
 * then sealed again once per frame counter and written as
 * OUTDIR/t00001.hex, t00002.hex ... in the same format. With -F same (the
 * default) the framing is the capture's: M-Bus frames of the capture's
 * first segment size, or the capture's own HDLC frames and GBT blocks with
 * only the APDU bytes and the FCS replaced (so the counter the capture
 * has gives back the capture's bytes: a check of this tool).
 *
 *   -n N         the N frame counters after the capture's own: minutes of
 *                replay for the e2e tests and scripts/demo.sh.
 *   -c COUNTERS  comma-separated frame counters or ranges, in the order
 *                they are to be sent: "5-11,5,11,12-14" gives a replay of
 *                5 and a duplicate of 11. A counter may repeat (a replay).
 *   -s SC        security control byte of the output (default: the
 *                capture's); 0x30 (any SC with 0x10) appends a GCM tag
 *                computed with AAD = SC || auth key, and needs an auth key.
 *   -a AUTHKEY   the authentication key (32 hex digits; default: the
 *                capture's "# ak:" line).
 *   -F FRAMING   same (default), mbus (long frames of -S bytes, default
 *                the capture's or 245), hdlc (the test encoder's frames,
 *                one frame unless -S splits it with the S bit) or apdu
 *                (the bare APDU, as the T210-D-R sends it on P1).
 *   -u           unsealed: frame the plaintext itself, not encrypted (with
 *                -F apdu a DSMR plaintext becomes a plain P1 telegram;
 *                all copies are equal, as there is no counter).
 *   -S SEG       data bytes per frame for -F mbus and -F hdlc.
 *   -i FIRST     number of the first file (default 1), to append to a
 *                directory that another run filled.
 *   -v           vary the values: the active power import (OBIS
 *                1.0.1.7.0.255, a u32 in both capture layouts) is set to
 *                the frame counter, so every dispatched row tells which
 *                telegram it came from (with scaler 0: value = counter W).
 *   -p           print the plaintext of the capture as hex and exit.
 *   -P FILE      seal the plaintext in FILE (hex, as -p prints it) instead
 *                of the capture's: the same length, so that the capture's
 *                frames fit it (tests/cli/test_reference.sh gives the
 *                capture's plaintext with other numbers in it); a DSMR
 *                text's CRC is computed again.
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
#include "framer.h"
#include "sm_names.h"

#define MAX_BYTES 8192
#define MAX_COUNTERS 100000
#define MAX_FRAMES 64
#define MBUS_DEFAULT_SEG 245 /* KSM West / VKW: 68 FA FA 68 */
#define HDLC_MAX_DATA 2000   /* an 11-bit frame length, less the overhead */

typedef enum { LINK_MBUS, LINK_HDLC, LINK_APDU } link_kind;
typedef enum { OUT_SAME, OUT_MBUS, OUT_HDLC, OUT_APDU } out_kind;

typedef struct forge_opts {
  char key_hex[64];
  const char *auth_hex, *dir, *clist, *plain_path;
  long sc, after, first, seg;
  out_kind out;
  bool vary, print, unsealed;
} forge_opts;

/* A capture as read, and where its APDU's bytes are on the wire. */
typedef struct capture {
  uint8_t wire[MAX_BYTES];
  size_t wire_len;
  char key_hex[64], ak_hex[64];
  link_kind link;
  size_t mbus_seg;             /* data bytes of the first frame */
  size_t n_frames;             /* HDLC frames */
  size_t frame_at[MAX_FRAMES]; /* where each frame starts (7E) */
  uint8_t apdu[MAX_BYTES];
  size_t apdu_len;
  size_t apdu_at[MAX_BYTES]; /* HDLC: wire offset of each APDU byte */
} capture;

static int fail(const char *msg, const char *arg) {
  fprintf(stderr, "sm-forge: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return -1;
}

/* "# key: HEX" / "# ak: HEX" are remembered (the first of each). */
static void header_line(const char *line, capture *c) {
  char k[64];
  if (c->key_hex[0] == '\0' && sscanf(line, "# key: %63s", k) == 1)
    memcpy(c->key_hex, k, sizeof(k));
  if (c->ak_hex[0] == '\0' && sscanf(line, "# ak: %63s", k) == 1)
    memcpy(c->ak_hex, k, sizeof(k));
}

static int load(const char *path, capture *c) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return fail(strerror(errno), path);
  static char text[4 * MAX_BYTES];
  size_t used = 0;
  char line[1024];
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[0] == '#') {
      header_line(line, c);
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
  long got = sm_hex_decode(text, used, c->wire, MAX_BYTES);
  if (got < 0)
    return fail("not hex", path);
  c->wire_len = (size_t)got;
  return 0;
}

/* ---- HDLC input --------------------------------------------------------- */

/* The frames' information fields joined (the LLC E6 E7 00 of the first
 * left out), each byte with its wire offset: -F same writes the new APDU
 * into the capture's own frames, so frm_hdlc_unwrap() (which forgets
 * where a byte was) does not do here. */
static int hdlc_join(capture *c, uint8_t *info, size_t *pos, size_t *n) {
  size_t at = 0;
  *n = 0;
  while (at < c->wire_len) {
    size_t len, info_len;
    size_t info_at =
        frm_hdlc_info(c->wire + at, c->wire_len - at, &len, &info_len);
    if (info_at == 0 || c->n_frames == MAX_FRAMES)
      return fail("not a clean sequence of HDLC frames", NULL);
    info_at += at;
    size_t end = info_at + info_len;
    if (c->n_frames == 0 && end - info_at >= 3 &&
        memcmp(c->wire + info_at, "\xE6\xE7\x00", 3) == 0)
      info_at += 3;
    c->frame_at[c->n_frames++] = at;
    for (size_t i = info_at; i < end; i++) {
      info[*n] = c->wire[i];
      pos[(*n)++] = i;
    }
    at += len;
  }
  return 0;
}

/* BER length at p[*at]; -1 when malformed. */
static long ber_len(const uint8_t *p, size_t n, size_t *at) {
  if (*at >= n)
    return -1;
  uint8_t b = p[(*at)++];
  if (b < 0x80)
    return b;
  size_t k = b & 0x7F;
  if (k == 0 || k > 2 || *at + k > n)
    return -1;
  long v = 0;
  while (k-- > 0)
    v = v << 8 | p[(*at)++];
  return v;
}

/* General-Block-Transfer (E0 ctrl block(2) ack(2) len data)...: the
 * blocks' data joined into the APDU. */
static int gbt_join(capture *c, const uint8_t *info, const size_t *pos,
                    size_t n) {
  size_t at = 0;
  c->apdu_len = 0;
  while (at < n) {
    if (info[at] != 0xE0 || at + 6 > n)
      return fail("General-Block-Transfer block malformed", NULL);
    at += 6;
    long len = ber_len(info, n, &at);
    if (len < 0 || at + (size_t)len > n)
      return fail("General-Block-Transfer length malformed", NULL);
    for (size_t i = 0; i < (size_t)len; i++) {
      c->apdu[c->apdu_len] = info[at + i];
      c->apdu_at[c->apdu_len++] = pos[at + i];
    }
    at += (size_t)len;
  }
  return 0;
}

static int hdlc_unwrap(capture *c) {
  static uint8_t info[MAX_BYTES];
  static size_t pos[MAX_BYTES];
  size_t n;
  if (hdlc_join(c, info, pos, &n) != 0)
    return -1;
  if (n > 0 && info[0] == 0xE0)
    return gbt_join(c, info, pos, n);
  memcpy(c->apdu, info, n);
  memcpy(c->apdu_at, pos, n * sizeof pos[0]);
  c->apdu_len = n;
  return 0;
}

/* The capture's framing, told by its first byte; its APDU. */
static int unwrap(capture *c) {
  switch (c->wire_len ? c->wire[0] : 0) {
  case 0x68:
    c->link = LINK_MBUS;
    c->apdu_len = frm_mbus_unwrap(c->wire, c->wire_len, c->apdu,
                                  sizeof(c->apdu), &c->mbus_seg);
    return c->apdu_len ? 0 : fail("not a clean sequence of M-Bus frames", NULL);
  case 0x7E:
    c->link = LINK_HDLC;
    return hdlc_unwrap(c);
  case 0xDB:
    c->link = LINK_APDU;
    memcpy(c->apdu, c->wire, c->wire_len);
    c->apdu_len = c->wire_len;
    return 0;
  default:
    return fail("neither M-Bus, HDLC nor a DB APDU", NULL);
  }
}

/* ---- output ------------------------------------------------------------- */

/* The capture's own HDLC frames with the APDU bytes replaced and each FCS
 * computed again (the headers, and so the HCS, stay). */
static size_t hdlc_in_place(const capture *c, const uint8_t *a, size_t n,
                            uint8_t *out) {
  if (n != c->apdu_len)
    return fail("-F same: the APDU changed its length (use -F hdlc)", NULL), 0;
  memcpy(out, c->wire, c->wire_len);
  for (size_t i = 0; i < n; i++)
    out[c->apdu_at[i]] = a[i];
  for (size_t f = 0; f < c->n_frames; f++)
    frm_hdlc_fix_fcs(out + c->frame_at[f]);
  return c->wire_len;
}

static size_t frame_as(const forge_opts *o, const capture *c, out_kind k,
                       const uint8_t *a, size_t n, uint8_t *out, size_t cap) {
  size_t seg = o->seg;
  switch (k) {
  case OUT_MBUS:
    if (seg == 0)
      seg = c->link == LINK_MBUS ? c->mbus_seg : MBUS_DEFAULT_SEG;
    return frm_mbus_wrap(out, cap, a, n, seg);
  case OUT_HDLC:
    return frm_hdlc_wrap(out, cap, a, n, seg ? seg : HDLC_MAX_DATA, 0, NULL);
  case OUT_APDU:
    if (n > cap)
      return 0;
    memcpy(out, a, n);
    return n;
  case OUT_SAME:
    break;
  }
  if (c->link == LINK_HDLC)
    return hdlc_in_place(c, a, n, out);
  return frame_as(o, c, c->link == LINK_MBUS ? OUT_MBUS : OUT_APDU, a, n, out,
                  cap);
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

static void put_u32(uint8_t *v, uint32_t x) {
  v[0] = (uint8_t)(x >> 24);
  v[1] = (uint8_t)(x >> 16);
  v[2] = (uint8_t)(x >> 8);
  v[3] = (uint8_t)x;
}

static int write_capture(const char *dir, long i, const uint8_t *w, size_t n,
                         const enc_params *p, bool sealed,
                         const char *key_hex) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/t%05ld.hex", dir, i);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return fail(strerror(errno), path);
  if (sealed)
    fprintf(f,
            "# made by sm-forge: frame counter %u, security control 0x%02X\n",
            (unsigned)p->fc, p->sc);
  else
    fprintf(f, "# made by sm-forge: not encrypted\n");
  fprintf(f, "# key: %s\n", key_hex);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%02X%s", w[k], k % 32 == 31 ? "\n" : "");
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : fail(strerror(errno), path);
}

static int usage(void) {
  fprintf(stderr,
          "usage: sm-forge [-k KEYHEX] [-s SC] [-a AUTHKEYHEX] [-v] [-u] "
          "[-p] [-P PLAINTEXT] [-F same|mbus|hdlc|apdu] [-S SEG] [-i FIRST] "
          "(-n N | -c COUNTERS) -o OUTDIR CAPTURE.hex\n");
  return 2;
}

static int parse_framing(const char *s, out_kind *k) {
  static const char *const names[] = {"same", "mbus", "hdlc", "apdu"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *k = (out_kind)i;
      return 0;
    }
  return -1;
}

/* A number option within [lo, hi]; -1 when it is not. */
static long num_arg(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 0);
  return end == s || *end || errno || v < lo || v > hi ? -1 : v;
}

static int parse_opts(int argc, char **argv, forge_opts *o) {
  int opt;
  memset(o, 0, sizeof(*o));
  o->sc = -1;
  o->first = 1;
  while ((opt = getopt(argc, argv, "k:s:a:c:n:o:F:S:i:vupP:")) != -1) {
    switch (opt) {
    case 'k':
      snprintf(o->key_hex, sizeof(o->key_hex), "%s", optarg);
      break;
    case 's':
      if ((o->sc = num_arg(optarg, 0, 255)) < 0)
        return -1;
      break;
    case 'a':
      o->auth_hex = optarg;
      break;
    case 'c':
      o->clist = optarg;
      break;
    case 'n':
      if ((o->after = num_arg(optarg, 1, MAX_COUNTERS)) < 0)
        return -1;
      break;
    case 'o':
      o->dir = optarg;
      break;
    case 'F':
      if (parse_framing(optarg, &o->out) != 0)
        return -1;
      break;
    case 'S':
      if ((o->seg = num_arg(optarg, 1, HDLC_MAX_DATA)) < 0)
        return -1;
      break;
    case 'i':
      if ((o->first = num_arg(optarg, 1, 99999)) < 0)
        return -1;
      break;
    case 'v':
      o->vary = true;
      break;
    case 'u':
      o->unsealed = true;
      break;
    case 'p':
      o->print = true;
      break;
    case 'P':
      o->plain_path = optarg;
      break;
    default:
      return -1;
    }
  }
  if (optind + 1 != argc || (o->clist != NULL && o->after > 0) ||
      (!o->print && (o->dir == NULL || (o->clist == NULL && o->after == 0))))
    return -1;
  return 0;
}

/* Keys from the options, else from the capture's header lines; *has_ak
 * says whether there is an auth key. */
static int set_keys(const forge_opts *o, capture *c, enc_params *p,
                    bool *has_ak) {
  if (o->key_hex[0])
    memcpy(c->key_hex, o->key_hex, sizeof(c->key_hex));
  if (sm_key_parse(c->key_hex, p->key) != 0)
    return fail("no 32-hex-digit key (-k or '# key:' header)", NULL);
  const char *ak = o->auth_hex ? o->auth_hex : c->ak_hex[0] ? c->ak_hex : NULL;
  *has_ak = ak != NULL;
  if (ak != NULL && sm_key_parse(ak, p->auth_key) != 0)
    return fail("the auth key needs 32 hex digits", NULL);
  return 0;
}

static void print_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    printf("%02X%s", p[i], i % 32 == 31 || i + 1 == n ? "\n" : "");
}

/* The counters to seal with: -n after the capture's, or the -c list. */
static long counters_of(const forge_opts *o, uint32_t fc, uint32_t *out) {
  for (long i = 0; i < o->after; i++)
    out[i] = fc + 1 + (uint32_t)i;
  if (o->clist == NULL)
    return o->after;
  long n = parse_counters(o->clist, out, MAX_COUNTERS);
  if (n <= 0)
    fail("bad -c list", o->clist);
  return n;
}

/* A DSMR text telegram whose numbers were changed: its CRC written again
 * (the '!' that opens the last line stays where it is). 0 or -1. */
static int dsmr_crc_again(uint8_t *text, size_t n) {
  static uint8_t out[MAX_BYTES];
  size_t bang = n;
  while (bang > 2 && !(text[bang - 1] == '\n' && text[bang] == '!'))
    bang--;
  if (bang <= 2 || frm_dsmr_seal(text, bang, false, out, sizeof(out)) != n)
    return fail("-P: a DSMR text without its \"!\" line", NULL);
  memcpy(text, out, n);
  return 0;
}

/* -P: the plaintext in path replaces plain[0..n), which it must match in
 * length; a DSMR text gets its CRC anew. 0 or -1. */
static int replace_plain(const char *path, uint8_t *plain, size_t n) {
  static char text[4 * MAX_BYTES];
  static uint8_t got[MAX_BYTES];
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return fail(strerror(errno), path);
  size_t used = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  long k = sm_hex_decode(text, used, got, sizeof(got));
  if (k < 0)
    return fail("-P: not hex", path);
  if ((size_t)k != n)
    return fail("-P: not as long as the capture's plaintext", path);
  memcpy(plain, got, n);
  return plain[0] == '/' ? dsmr_crc_again(plain, n) : 0;
}

/* Seal (or not) and frame one telegram, then write it. */
static int forge_one(const forge_opts *o, const capture *c, enc_params *p,
                     uint8_t *plain, size_t n, long power, long index) {
  static uint8_t sealed[MAX_BYTES], frames[MAX_BYTES];
  if (o->vary)
    put_u32(plain + power, p->fc);
  size_t a = n;
  const uint8_t *payload = plain;
  if (!o->unsealed) {
    a = enc_seal(p, plain, n, sealed, sizeof(sealed));
    payload = sealed;
  }
  out_kind k = o->out;
  /* Nothing to put in place of a ciphertext: framed anew. */
  if (o->unsealed && k == OUT_SAME)
    k = c->link == LINK_MBUS   ? OUT_MBUS
        : c->link == LINK_HDLC ? OUT_HDLC
                               : OUT_APDU;
  size_t w = a ? frame_as(o, c, k, payload, a, frames, sizeof(frames)) : 0;
  if (w == 0)
    return fail("cannot seal or frame", NULL);
  return write_capture(o->dir, index, frames, w, p, !o->unsealed, c->key_hex);
}

static int forge(const forge_opts *o, capture *c) {
  static uint8_t plain[MAX_BYTES];
  static uint32_t counters[MAX_COUNTERS];
  enc_params p;
  enc_header h;
  bool has_ak;
  memset(&p, 0, sizeof(p));
  if (unwrap(c) != 0 || set_keys(o, c, &p, &has_ak) != 0)
    return 1;
  size_t n = enc_open(c->apdu, c->apdu_len, p.key, plain, sizeof(plain), &h);
  /* A DLMS data-notification, or a DSMR text telegram (T210-D-R). */
  if (n == 0 || (plain[0] != 0x0F && plain[0] != '/'))
    return fail("cannot decrypt the capture (key?)", NULL), 1;
  if (o->print)
    return print_hex(plain, n), 0;
  if (o->plain_path && replace_plain(o->plain_path, plain, n) != 0)
    return 1;
  memcpy(p.system_title, h.system_title, 8);
  p.sc = o->sc >= 0 ? (uint8_t)o->sc : h.sc;
  if ((p.sc & 0x10) && !has_ak && !o->unsealed)
    return fail("a tagged security control needs -a AUTHKEY", NULL), 1;
  long power = o->vary ? power_import_at(plain, n) : 0;
  if (power < 0)
    return fail("-v: no u32 OBIS 1.0.1.7.0.255 in the plaintext", NULL), 1;
  long count = counters_of(o, h.fc, counters);
  if (count <= 0)
    return 2;
  for (long i = 0; i < count; i++) {
    p.fc = counters[i];
    if (forge_one(o, c, &p, plain, n, power, o->first + i) != 0)
      return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  static capture c;
  forge_opts o;
  if (parse_opts(argc, argv, &o) != 0)
    return usage();
  if (!gcry_check_version(GCRYPT_VERSION))
    return fail("libgcrypt version mismatch", NULL), 1;
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  if (load(argv[optind], &c) != 0)
    return 1;
  return forge(&o, &c);
}
