/* SPDX-License-Identifier: MIT */
/* seedgen.c - writes the fuzzers' seed corpora from the real captures.
 *
 *   seedgen VECTORS_DIR OUT_DIR
 *
 * VECTORS_DIR is tests/vectors (the *.hex captures and DECODED.md); seeds
 * go to OUT_DIR/<target>/ (fuzz_stream, fuzz_telegram, fuzz_axdr,
 * fuzz_dsmr, fuzz_names), one binary file each, in the input layouts
 * documented at the top of each fuzz_*.c.
 *
 * A capture is M-Bus long frames (68 ..), HDLC frames (7E .., with or
 * without General Block Transfer) or a bare APDU (DB ..). Each is
 * decrypted with its key: its plaintext (a data-notification or DSMR text)
 * seeds fuzz_axdr or fuzz_dsmr and is sealed again - SC 0x30 with the
 * fuzzers' auth key, later frame counters, unencrypted, in the other
 * framings - so fuzz_stream gets valid tags, multi-telegram streams,
 * framing changes and plain DSMR P1 text. An AMIS capture (amis_*: M-Bus
 * frames, but not DLMS) gives raw stream seeds only. DECODED.md adds the
 * plaintexts its hex blocks hold.
 * Exit status 0, or 1 with a message when a capture cannot be read or its
 * key or auth key is not in fuzz_common.c.
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

typedef enum cap_kind { CAP_MBUS, CAP_APDU, CAP_HDLC, CAP_RAW } cap_kind;

/* fuzz_stream's input modes (byte 0, bits 5-7). */
enum { M_AUTO = 0, M_MBUS = 1, M_APDU = 2, M_HDLC = 3, M_DSMR = 4 };

typedef struct capture {
  char name[128]; /* file name without .hex */
  cap_kind kind;
  uint8_t bytes[MAX_BYTES];
  size_t len;
  uint8_t key[SM_KEY_LEN];
  int key_index;
  int auth_index;           /* in fz_auth_keys, -1: no `# ak:` */
  char text[MAX_BYTES * 3]; /* the file itself, for fuzz_names */
  size_t text_len;
  /* decrypted */
  uint8_t plain[MAX_BYTES];
  size_t plain_len;
  bool dsmr; /* the plaintext is DSMR text */
  enc_header hdr;
  size_t seg;   /* data bytes of its first frame (M-Bus, HDLC) */
  size_t block; /* General Block Transfer: data bytes of its first block */
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

/* A `# key:` or `# ak:` header line. */
static void header_line(capture *c, const char *line, const char *file) {
  uint8_t key[SM_KEY_LEN];
  if (!strncmp(line, "# key:", 6)) {
    if (sm_key_parse(line + 6, c->key) != 0)
      die("bad # key: line", file);
    c->key_index = fz_key_index(c->key);
  } else if (!strncmp(line, "# ak:", 5)) {
    if (sm_key_parse(line + 5, key) != 0)
      die("bad # ak: line", file);
    c->auth_index = fz_auth_key_index(key);
    if (c->auth_index < 0)
      die("auth key not in fz_auth_keys (tests/fuzz/fuzz_common.c)", file);
  }
}

static void read_file(const char *dir, const char *file, capture *c) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "r");
  if (!f)
    die(strerror(errno), path);
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%.*s", (int)(strlen(file) - 4), file);
  c->key_index = c->auth_index = -1;
  while (fgets(line, sizeof line, f)) {
    size_t l = strlen(line);
    if (c->text_len + l < sizeof c->text) {
      memcpy(c->text + c->text_len, line, l);
      c->text_len += l;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#') {
      header_line(c, line, file);
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
  if (c->len == 0)
    die("no bytes", file);
}

/* The capture's APDU without its framing, and how it was framed. */
static size_t unframe(capture *c, uint8_t *apdu, size_t cap) {
  size_t n;
  switch (c->bytes[0]) {
  case 0x68:
    c->kind = CAP_MBUS;
    n = frm_mbus_unwrap(c->bytes, c->len, apdu, cap, NULL);
    c->seg = (c->bytes[1] < 3 ? c->bytes[1] + 256u : c->bytes[1]) - 5;
    if (c->seg > 250)
      c->seg = 250; /* the T210-D quirk cannot be re-made with valid L */
    return n;
  case 0x7E: {
    c->kind = CAP_HDLC;
    bool blocks;
    n = frm_hdlc_unwrap(c->bytes, c->len, apdu, cap, &c->seg, &blocks);
    if (blocks) {
      c->block = c->seg; /* the E450: one block per frame */
      c->seg = 0;
    }
    return n;
  }
  case 0xDB:
    c->kind = CAP_APDU;
    if (c->len > cap)
      return 0;
    memcpy(apdu, c->bytes, c->len);
    return c->len;
  default:
    return 0;
  }
}

static void load(const char *dir, const char *file, capture *c) {
  read_file(dir, file, c);
  static uint8_t apdu[MAX_BYTES];
  size_t an = unframe(c, apdu, sizeof apdu);
  if (an > 0)
    c->plain_len =
        enc_open(apdu, an, c->key, c->plain, sizeof c->plain, &c->hdr);
  c->dsmr = c->plain_len > 0 && c->plain[0] == '/';
  if (c->plain_len > 0 && (c->plain[0] == 0x0F || c->dsmr))
    return;
  /* AMIS frames are M-Bus, but not DLMS (AES-CBC, EN 13757-3 records):
   * raw stream seeds only. */
  if (!strncmp(file, "amis_", 5) && c->bytes[0] == 0x68) {
    c->kind = CAP_RAW;
    c->plain_len = 0;
    return;
  }
  die("does not unwrap and decrypt to a data-notification or DSMR text", file);
}

/* ---- framing an APDU again ----------------------------------------------- */

static size_t frame_mbus(const uint8_t *apdu, size_t n, size_t seg,
                         uint8_t *out, size_t cap) {
  size_t frames;
  size_t k = frm_mbus_wrap_max(out, cap, apdu, n, seg, 16, &frames);
  if (k == 0)
    die("no room", "M-Bus frames");
  return k;
}

/* General Block Transfer, one block per HDLC frame, the LLC in the first. */
static size_t frame_gbt(const uint8_t *apdu, size_t n, size_t block,
                        uint8_t *out, size_t cap) {
  static uint8_t b[MAX_BYTES];
  size_t o = 0;
  uint16_t number = 1;
  for (size_t off = 0; off < n; off += block, number++) {
    size_t k = n - off < block ? n - off : block;
    size_t bn = frm_gbt_block(b, sizeof b, off + k == n, number, apdu + off, k);
    size_t w = frm_hdlc_frame(out + o, cap - o, 1, false, off == 0, b, bn);
    if (bn == 0 || w == 0)
      die("no room", "GBT frames");
    o += w;
  }
  return o;
}

static size_t frame_hdlc(const uint8_t *apdu, size_t n, size_t seg,
                         uint8_t *out, size_t cap) {
  size_t frames;
  size_t k = frm_hdlc_wrap(out, cap, apdu, n, seg, 0, &frames);
  if (k == 0)
    die("no room", "HDLC frames");
  return k;
}

/* The APDU framed the way c was. */
static size_t frame_like(const capture *c, const uint8_t *apdu, size_t n,
                         uint8_t *out, size_t cap) {
  if (c->kind == CAP_MBUS)
    return frame_mbus(apdu, n, c->seg, out, cap);
  if (c->kind == CAP_HDLC && c->block)
    return frame_gbt(apdu, n, c->block, out, cap);
  if (c->kind == CAP_HDLC)
    return frame_hdlc(apdu, n, c->seg, out, cap);
  if (n > cap)
    die("no room", c->name);
  memcpy(out, apdu, n);
  return n;
}

/* Seal c's plaintext again (other SC / counter). */
static size_t reseal(const capture *c, uint8_t sc, uint32_t fc, uint8_t *out,
                     size_t cap) {
  enc_params s;
  memcpy(s.system_title, c->hdr.system_title, 8);
  s.sc = sc;
  s.fc = fc;
  memcpy(s.key, c->key, SM_KEY_LEN);
  memcpy(s.auth_key, fz_auth_key, SM_KEY_LEN);
  size_t n = enc_seal(&s, c->plain, c->plain_len, out, cap);
  if (n == 0)
    die("seal failed", c->name);
  return n;
}

static size_t reseal_framed(const capture *c, uint8_t sc, uint32_t fc,
                            uint8_t *out, size_t cap) {
  static uint8_t apdu[MAX_BYTES];
  size_t n = reseal(c, sc, fc, apdu, sizeof apdu);
  return frame_like(c, apdu, n, out, cap);
}

/* ---- stream seeds: cfg, auth/flags, plan[4], bytes ----------------------- */

static uint8_t buf[8 * MAX_BYTES + 1024];

static void put_stream(const char *name, unsigned key, unsigned mode,
                       unsigned flags, const uint8_t plan[4], const uint8_t *p,
                       size_t n) {
  buf[0] = (uint8_t)(key | mode << 5);
  buf[1] = (uint8_t)flags;
  memcpy(buf + 2, plan, 4);
  memcpy(buf + 6, p, n);
  write_seed("fuzz_stream", name, buf, n + 6);
}

#define NO_KEY 0x1F

/* flags: auth key number (fuzz_stream byte 1) | IDLE_ON */
static void stream_seed(const capture *c, const char *what, unsigned mode,
                        unsigned flags, const uint8_t plan[4], const uint8_t *p,
                        size_t n) {
  char name[256];
  snprintf(name, sizeof name, "%s-%s", c->name, what);
  put_stream(name, (unsigned)c->key_index, mode, flags, plan, p, n);
}

static const uint8_t WHOLE[4] = {0, 0, 0, 0};
static const uint8_t CHUNKS[4] = {1, 0x7F, 13, 64};
static const uint8_t IDLE_PLAN[4] = {127, 127, 127, 127};
#define IDLE_ON 0x80

static unsigned own_mode(const capture *c) {
  return c->kind == CAP_HDLC ? M_HDLC : c->kind == CAP_APDU ? M_APDU : M_MBUS;
}

/* The capture as it is: in its framing, in auto, with and without keys. */
static void stream_as_captured(const capture *c) {
  char name[256];
  unsigned mode = own_mode(c);
  unsigned ak = c->auth_index >= 0 ? (unsigned)c->auth_index + 1 : 1;
  stream_seed(c, "own", mode, 0, WHOLE, c->bytes, c->len);
  stream_seed(c, "auto-chunks", M_AUTO, 0, CHUNKS, c->bytes, c->len);
  stream_seed(c, "own-authkey", mode, ak, WHOLE, c->bytes, c->len);
  stream_seed(c, "auto-authkey", M_AUTO, ak, CHUNKS, c->bytes, c->len);
  snprintf(name, sizeof name, "%s-own-nokey", c->name);
  put_stream(name, NO_KEY, mode, 0, WHOLE, c->bytes, c->len);
}

/* noise, the capture, noise with fake headers, the capture again (a
 * replay), then two later telegrams; idle enabled, no chunk marked */
static void stream_noise_replay(const capture *c, unsigned mode) {
  static const uint8_t noise[] = {
      0xE5, 0x68, 0x16, 0x10, 0x68, 0xFA, 0xFA, 0x7E, 0xA8, 0x8B, 0x68,
      0x53, 0xFF, 0x00, 0x16, 0xDB, 0x08, 0x0F, 0x7E, 0x7E, 0x2F, 0x21,
      0x68, 0x14, 0x14, 0x68, 0x00, 0x7E, 0xA0, 0x30, 0xCE, 0xFF, 0x03};
  static uint8_t tmp[4 * MAX_BYTES];
  size_t n = 0;
  memcpy(tmp + n, noise, 7);
  n += 7;
  memcpy(tmp + n, c->bytes, c->len);
  n += c->len;
  memcpy(tmp + n, noise, sizeof noise);
  n += sizeof noise;
  memcpy(tmp + n, c->bytes, c->len);
  n += c->len;
  for (uint32_t i = 1; i <= 2 && c->plain_len; i++)
    n += reseal_framed(c, c->hdr.sc, c->hdr.fc + i, tmp + n, sizeof tmp - n);
  stream_seed(c, "noise-replay-next", mode, IDLE_ON, IDLE_PLAN, tmp, n);
}

/* SC 0x30 with a valid tag: with the auth key, and without one */
static void stream_sc30(const capture *c) {
  static uint8_t tmp[4 * MAX_BYTES];
  size_t n =
      reseal_framed(c, 0x30 | (c->hdr.sc & 1), c->hdr.fc + 1, tmp, sizeof tmp);
  stream_seed(c, "sc30-authkey", own_mode(c), 1, WHOLE, tmp, n);
  stream_seed(c, "sc30-noauthkey", own_mode(c), 0, CHUNKS, tmp, n);
}

/* The sealed APDU in the other framings; in auto one framing after the
 * other (a change of adapter). */
static void stream_reframed(const capture *c) {
  static uint8_t apdu[MAX_BYTES], tmp[4 * MAX_BYTES];
  size_t an = reseal(c, c->hdr.sc, c->hdr.fc + 1, apdu, sizeof apdu);
  size_t n = frame_hdlc(apdu, an, 128, tmp, sizeof tmp);
  stream_seed(c, "as-hdlc", M_HDLC, 0, CHUNKS, tmp, n);
  n = frame_gbt(apdu, an, 100, tmp, sizeof tmp);
  stream_seed(c, "as-gbt", M_HDLC, 0, WHOLE, tmp, n);
  n = frame_mbus(apdu, an, 200, tmp, sizeof tmp);
  stream_seed(c, "as-mbus", M_MBUS, 0, WHOLE, tmp, n);
  /* M-Bus, then a bare APDU, then HDLC: three telegrams, two changes */
  an = reseal(c, c->hdr.sc, c->hdr.fc + 2, apdu, sizeof apdu);
  memcpy(tmp + n, apdu, an);
  n += an;
  an = reseal(c, c->hdr.sc, c->hdr.fc + 3, apdu, sizeof apdu);
  n += frame_hdlc(apdu, an, 0, tmp + n, sizeof tmp - n);
  stream_seed(c, "auto-switch", M_AUTO, IDLE_ON, IDLE_PLAN, tmp, n);
}

/* The plaintext unencrypted: a bare 0F APDU, in M-Bus and HDLC frames;
 * DSMR text as a P1 port sends it. */
static void stream_plain(const capture *c) {
  static uint8_t tmp[4 * MAX_BYTES];
  size_t n;
  if (c->dsmr) {
    stream_seed(c, "plain-dsmr", M_DSMR, 0, WHOLE, c->plain, c->plain_len);
    stream_seed(c, "plain-dsmr-auto", M_AUTO, IDLE_ON, CHUNKS, c->plain,
                c->plain_len);
  } else {
    stream_seed(c, "plain-apdu", M_APDU, 0, WHOLE, c->plain, c->plain_len);
  }
  n = frame_mbus(c->plain, c->plain_len, 250, tmp, sizeof tmp);
  stream_seed(c, "plain-mbus", M_MBUS, 0, WHOLE, tmp, n);
  n = frame_hdlc(c->plain, c->plain_len, 0, tmp, sizeof tmp);
  stream_seed(c, "plain-hdlc", M_HDLC, 0, CHUNKS, tmp, n);
}

static void stream_seeds(const capture *c) {
  stream_as_captured(c);
  stream_noise_replay(c, c->kind == CAP_RAW ? M_MBUS : own_mode(c));
  if (c->kind == CAP_RAW)
    return;
  stream_sc30(c);
  stream_reframed(c);
  stream_plain(c);
}

/* ---- telegram seeds: cfg, plan[4], records --------------------------------
 * record: ctrl, opts, fcd, seg, len(2), data */

enum { T_MBUS = 0x00, T_APDU = 0x04, T_HDLC = 0x08, T_DSMR = 0x0C };
enum { T_AUTO = 0x10, O_DSMR = 0x01, O_GBT = 0x02, O_SEG8 = 0x04 };

static size_t add_record(uint8_t *out, uint8_t ctrl, uint8_t opts, uint8_t fcd,
                         uint8_t seg, const uint8_t *p, size_t n) {
  out[0] = ctrl;
  out[1] = opts;
  out[2] = fcd;
  out[3] = seg;
  out[4] = (uint8_t)(n >> 8);
  out[5] = (uint8_t)n;
  memcpy(out + 6, p, n);
  return n + 6;
}

static void telegram_seed(const capture *c, const char *what, uint8_t cfg,
                          const uint8_t plan[4], const uint8_t *p, size_t n) {
  char name[256];
  buf[0] = cfg;
  memcpy(buf + 1, plan, 4);
  memcpy(buf + 5, p, n);
  snprintf(name, sizeof name, "%s-%s", c->name, what);
  write_seed("fuzz_telegram", name, buf, n + 5);
}

/* The record data for c's plaintext: DSMR text without its "!CRC CR LF",
 * which the harness adds again. */
static size_t record_data(const capture *c, uint8_t *opts) {
  if (!c->dsmr)
    return c->plain_len;
  *opts |= O_DSMR;
  const uint8_t *bang = NULL;
  for (size_t i = 1; i < c->plain_len && !bang; i++)
    if (c->plain[i] == '!' && c->plain[i - 1] == '\n')
      bang = c->plain + i;
  if (!bang)
    die("DSMR plaintext without '!'", c->name);
  return (size_t)(bang - c->plain);
}

static void telegram_seeds(const capture *c, unsigned idx) {
  static const uint8_t chunks[4] = {7, 100, 1, 0};
  static const uint8_t gaps[4] = {0x7F, 0x7F, 0x7F, 0x7F};
  static uint8_t tmp[4 * MAX_BYTES];
  uint8_t title = (uint8_t)((idx & 15) << 3), other = (uint8_t)((idx + 1) << 3);
  uint8_t sc = (c->hdr.sc & 0x10) ? 3 : (c->hdr.sc & 1) ? 2 : 1;
  uint8_t opts = 0, seg = (uint8_t)(c->kind == CAP_MBUS ? c->seg : 128);
  size_t pn = record_data(c, &opts);
  uint8_t auth = (c->hdr.sc & 0x10) ? 1 : 0;
  size_t n;

  n = add_record(tmp, title | sc, opts, 1, seg, c->plain, pn);
  telegram_seed(c, "mbus", T_MBUS | auth, WHOLE, tmp, n);
  telegram_seed(c, "apdu", T_APDU | auth, chunks, tmp, n);
  telegram_seed(c, "hdlc", T_HDLC | auth, chunks, tmp, n);
  telegram_seed(c, "auto-hdlc", T_HDLC | T_AUTO | auth, gaps, tmp, n);
  n = add_record(tmp, title | sc, opts | O_GBT | O_SEG8, 1,
                 (uint8_t)(c->block ? c->block / 8 : 12), c->plain, pn);
  telegram_seed(c, "gbt", T_HDLC | auth, WHOLE, tmp, n);

  /* tagged, then a replay, then the next counter; right auth key */
  n = add_record(tmp, title | 3, opts, 1, seg, c->plain, pn);
  n += add_record(tmp + n, title | 3, opts, 0, seg, c->plain, pn);
  n += add_record(tmp + n, title | 4, opts, 5, 100, c->plain, pn);
  telegram_seed(c, "sc30-replay", T_MBUS | 1, chunks, tmp, n);

  /* unencrypted, then encrypted, small segments */
  n = add_record(tmp, title | 0, opts, 0, 40, c->plain, pn);
  n += add_record(tmp + n, (uint8_t)(other & 0x78) | sc, opts, 3, 60, c->plain,
                  pn);
  telegram_seed(c, "plain-then-glo", T_MBUS, WHOLE, tmp, n);
  telegram_seed(c, "plain-then-glo-apdu", T_APDU | 1, WHOLE, tmp, n);
  telegram_seed(c, "plain-then-glo-hdlc", T_HDLC, chunks, tmp, n);
  if (c->dsmr) {
    n = add_record(tmp, 0, opts, 0, 0, c->plain, pn);
    n += add_record(tmp + n, 0, opts | 0x20, 0, 0, c->plain, pn);
    telegram_seed(c, "dsmr-text", T_DSMR, chunks, tmp, n);
    telegram_seed(c, "dsmr-text-auto", T_DSMR | T_AUTO, gaps, tmp, n);
  }
}

/* ---- axdr and dsmr seeds: plaintexts ------------------------------------- */

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

static void plain_seeds(const capture *c) {
  char name[256];
  snprintf(name, sizeof name, "%s-plain", c->name);
  write_seed(c->dsmr ? "fuzz_dsmr" : "fuzz_axdr", name, c->plain, c->plain_len);
}

/* DSMR 5 as the Netherlands and Luxembourg send it: kWh with decimals,
 * a hex-encoded meter id, gas with its time stamp, a counter. */
static void dsmr5_seed(void) {
  static const char text[] =
      "/ISK5\\2M550E-1012\r\n"
      "\r\n"
      "1-3:0.2.8(50)\r\n"
      "0-0:1.0.0(230101120000W)\r\n"
      "0-0:96.1.1(4530303434303037313331363530363138)\r\n"
      "1-0:1.8.1(001234.567*kWh)\r\n"
      "1-0:1.8.2(000765.432*kWh)\r\n"
      "1-0:2.8.1(000000.000*kWh)\r\n"
      "0-0:96.14.0(0002)\r\n"
      "1-0:1.7.0(00.123*kW)\r\n"
      "1-0:32.7.0(230.1*V)\r\n"
      "1-0:31.7.0(001*A)\r\n"
      "0-0:96.7.21(00004)\r\n"
      "0-1:24.2.1(230101115500W)(01234.567*m3)\r\n";
  static uint8_t out[1024];
  size_t n = frm_dsmr_seal((const uint8_t *)text, sizeof text - 1, false, out,
                           sizeof out);
  write_seed("fuzz_dsmr", "dsmr5-nl", out, n);
  put_stream("dsmr5-nl-dsmr", NO_KEY, M_DSMR, 0, WHOLE, out, n);
  put_stream("dsmr5-nl-auto", NO_KEY, M_AUTO, IDLE_ON, CHUNKS, out, n);
}

/* ---- layouts no capture shows (tests/unit/test_layouts.c has them) ------- */

typedef struct axdr {
  uint8_t b[1024];
  size_t n;
} axdr;

static void put(axdr *a, const void *p, size_t n) {
  memcpy(a->b + a->n, p, n);
  a->n += n;
}

static void put1(axdr *a, uint8_t v) {
  a->b[a->n++] = v;
}

static void put_be(axdr *a, uint8_t tag, unsigned bytes, uint32_t v) {
  put1(a, tag);
  while (bytes-- > 0)
    put1(a, (uint8_t)(v >> (8 * bytes)));
}

static const uint8_t CLOCK12[12] = {0x07, 0xE7, 7,    26,   3,    20,
                                    5,    20,   0x00, 0xFF, 0x88, 0x80};

/* 0F, invoke id, a date-time or none, and the body's structure. */
static void put_header(axdr *a, bool clock, uint8_t elements) {
  a->n = 0;
  put_be(a, 0x0F, 4, 1);
  if (clock) {
    put1(a, 0x0C);
    put(a, CLOCK12, 12);
  } else {
    put1(a, 0x00);
  }
  put1(a, 0x02);
  put1(a, elements);
}

static void put_os(axdr *a, const void *p, uint8_t n) {
  put1(a, 0x09);
  put1(a, n);
  put(a, p, n);
}

static void put_def(axdr *a, uint16_t class_id, uint8_t c, uint8_t d,
                    int8_t attribute) {
  const uint8_t obis[6] = {
      class_id == 3 || class_id == 4 ? 1 : 0, 0, c, d, 0, 255};
  put1(a, 0x02);
  put1(a, 4);
  put_be(a, 0x12, 2, class_id);
  put_os(a, obis, 6);
  put_be(a, 0x0F, 1, (uint8_t)attribute);
  put_be(a, 0x12, 2, 0);
}

static void layout_seed(const char *name, const axdr *a) {
  static uint8_t tmp[4096];
  write_seed("fuzz_axdr", name, a->b, a->n);
  /* fuzz_telegram: unencrypted in HDLC, then SC 0x30 in block transfer */
  size_t n = add_record(tmp, 0, 0, 0, 100, a->b, a->n);
  n += add_record(tmp + n, 3 | 1 << 3, O_GBT, 1, 60, a->b, a->n);
  buf[0] = T_HDLC | 1;
  memcpy(buf + 1, (const uint8_t[4]){0, 0, 0, 0}, 4);
  memcpy(buf + 5, tmp, n);
  write_seed("fuzz_telegram", name, buf, n + 5);
}

static void layout_seeds(void) {
  static axdr a;
  put_header(&a, false, 9); /* Wiener Netze, older firmware */
  put_os(&a, CLOCK12, 12);
  for (uint32_t i = 0; i < 8; i++)
    put_be(&a, 0x06, 4, 1000 * i + 7);
  layout_seed("layout-wiener-netze-9", &a);

  put_header(&a, true, 11); /* Burgenland */
  for (uint32_t i = 0; i < 6; i++)
    put_be(&a, 0x12, 2, 230 + i);
  for (uint32_t i = 0; i < 4; i++)
    put_be(&a, 0x06, 4, 7654321 + i);
  put_os(&a, "12345678", 8);
  layout_seed("layout-burgenland-11", &a);

  /* A self-listed capture-object list: definitions, then their values. */
  put_header(&a, false, 5); /* the list, then 4 values */
  put1(&a, 0x01);
  put1(&a, 5);
  put_def(&a, 40, 25, 9, 2);
  put_def(&a, 8, 1, 0, 2);
  put_def(&a, 3, 1, 8, 2);
  put_def(&a, 3, 32, 7, 2);
  put_def(&a, 3, 32, 7, 3);
  put_os(&a, CLOCK12, 12);
  put_be(&a, 0x06, 4, 9876543);
  put_be(&a, 0x12, 2, 2301);
  put(&a, (const uint8_t[6]){0x02, 0x02, 0x0F, 0xFF, 0x16, 35}, 6);
  layout_seed("layout-capture-list", &a);
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
      {"voltage",
       {1, 1, 0, 32, 7, 0, 255, 0xFF, 35, 0, 0, 0, 0, 0, 0, 0x09, 0x21, 0}},
      {"energy",
       {1, 1, 0, 1, 8, 0, 255, 0, 30, 0, 0, 0, 0, 0, 0x51, 0, 0x15, 0}},
      {"current",
       {1, 1, 0, 31, 7, 0, 255, 0xFE, 33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0x9C, 0}},
      {"pf-float",
       {1, 1, 0, 13, 7, 0, 255, 0xFD, 255, 0x3F, 0xEF, 0xAE, 0x14, 0x7A, 0xE1,
        0x47, 0xAE, 1}},
      {"text",
       {1, 0, 0, 96, 1, 0, 255, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 2, '1'}},
      /* mode, present, year (2), month, day, weekday, h, m, s, 1/100,
       * deviation (2) */
      {"datetime", {2, 1, 0x07, 0xE7, 7, 26, 3, 20, 5, 20, 0, 0xFF, 0x88}},
      {"datetime-wild",
       {2, 1, 0x07, 0xE5, 9, 27, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0}},
  };
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
    write_seed("fuzz_names", seeds[i].name, seeds[i].b, sizeof seeds[i].b);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_captures(const char *dir_name, char **names, size_t max) {
  DIR *dir = opendir(dir_name);
  if (!dir)
    die(strerror(errno), dir_name);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < max)
    if (ends_with(e->d_name, ".hex"))
      names[n++] = strdup(e->d_name);
  closedir(dir);
  if (n == 0)
    die("no *.hex captures", dir_name);
  qsort(names, n, sizeof names[0], by_name);
  return n;
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
  static const char *const targets[] = {"fuzz_stream", "fuzz_telegram",
                                        "fuzz_axdr", "fuzz_dsmr", "fuzz_names"};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
    make_dir(targets[i]);

  char *names[256];
  size_t n = list_captures(argv[1], names, 256);
  static capture c;
  for (size_t i = 0; i < n; i++) {
    load(argv[1], names[i], &c);
    stream_seeds(&c);
    if (c.kind != CAP_RAW) {
      telegram_seeds(&c, (unsigned)i);
      plain_seeds(&c);
    }
    hex_seeds(&c);
    free(names[i]);
  }
  decoded_md(argv[1]);
  dsmr5_seed();
  layout_seeds();
  names_value_seeds();
  printf("seedgen: %zu captures, %u seeds in %s\n", n, n_written, out_dir);
  return 0;
}
