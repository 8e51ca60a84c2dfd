/* SPDX-License-Identifier: MIT */
/* bench_floor.c - see bench_floor.h. */
#include "bench_floor.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GCM_IV_LEN 12
#define GCM_TAG_LEN 12
#define CBC_IV_LEN 16

/* ---- the real libgcrypt ------------------------------------------------ */

typedef gcry_error_t (*setiv_fn)(gcry_cipher_hd_t, const void *, size_t);
typedef gcry_error_t (*crypt_fn)(gcry_cipher_hd_t, void *, size_t, const void *,
                                 size_t);

static struct {
  setiv_fn setiv, setctr, authenticate, checktag;
  crypt_fn decrypt;
} real;

/* dlsym returns void *; POSIX guarantees it converts to a function
 * pointer, ISO C does not, hence the memcpy. */
static void lookup(void *dst, size_t size, const char *name) {
  void *sym = dlsym(RTLD_NEXT, name);
  if (!sym) {
    fprintf(stderr, "sm-bench: libgcrypt has no %s\n", name);
    abort();
  }
  memcpy(dst, &sym, size);
}

/* Before the first call of any of them (the test encoder calls them too,
 * before the benchmark proper). */
static void resolve(void) {
  if (real.decrypt)
    return;
  lookup(&real.setiv, sizeof real.setiv, "gcry_cipher_setiv");
  lookup(&real.setctr, sizeof real.setctr, "gcry_cipher_setctr");
  lookup(&real.authenticate, sizeof real.authenticate,
         "gcry_cipher_authenticate");
  lookup(&real.checktag, sizeof real.checktag, "gcry_cipher_checktag");
  lookup(&real.decrypt, sizeof real.decrypt, "gcry_cipher_decrypt");
}

/* ---- recording --------------------------------------------------------- */

static floor_set *rec_set;
static floor_rec *rec_now;

void floor_record(floor_set *s, size_t k) {
  rec_set = s;
  rec_now = s ? &s->rec[k] : NULL;
}

gcry_error_t gcry_cipher_setiv(gcry_cipher_hd_t h, const void *iv, size_t len) {
  if (rec_now && len <= sizeof rec_now->iv) {
    memcpy(rec_now->iv, iv, len);
    rec_now->cbc = len == CBC_IV_LEN;
  }
  resolve();
  return real.setiv(h, iv, len);
}

gcry_error_t gcry_cipher_setctr(gcry_cipher_hd_t h, const void *ctr,
                                size_t len) {
  if (rec_now && len <= sizeof rec_now->iv)
    memcpy(rec_now->iv, ctr, len);
  resolve();
  return real.setctr(h, ctr, len);
}

gcry_error_t gcry_cipher_authenticate(gcry_cipher_hd_t h, const void *aad,
                                      size_t len) {
  if (rec_now && len <= sizeof rec_now->aad) {
    memcpy(rec_now->aad, aad, len);
    rec_now->aad_len = len;
  }
  resolve();
  return real.authenticate(h, aad, len);
}

gcry_error_t gcry_cipher_decrypt(gcry_cipher_hd_t h, void *out, size_t outsize,
                                 const void *in, size_t inlen) {
  const void *src = in ? in : out;
  size_t n = in ? inlen : outsize;
  floor_set *s = rec_set;
  bool keep = rec_now && s->ct_used + n <= s->ct_cap;
  if (keep) {
    rec_now->decrypts++;
    rec_now->ct_off = s->ct_used;
    rec_now->len = n;
    memcpy(s->ct + s->ct_used, src, n);
  }
  resolve();
  gcry_error_t e = real.decrypt(h, out, outsize, in, inlen);
  if (keep) {
    memcpy(s->pt + s->ct_used, out, n);
    s->ct_used += n;
  }
  return e;
}

gcry_error_t gcry_cipher_checktag(gcry_cipher_hd_t h, const void *tag,
                                  size_t len) {
  if (rec_now && len <= sizeof rec_now->tag) {
    memcpy(rec_now->tag, tag, len);
    rec_now->gcm = true;
  }
  resolve();
  return real.checktag(h, tag, len);
}

/* ---- the floor --------------------------------------------------------- */

int floor_open(floor_set *s, size_t n, size_t max_len, const uint8_t key[16]) {
  memset(s, 0, sizeof *s);
  s->n = n;
  s->ct_cap = n * max_len;
  s->rec = calloc(n, sizeof *s->rec);
  s->ct = malloc(s->ct_cap);
  s->pt = malloc(s->ct_cap);
  s->scratch = malloc(max_len);
  if (!s->rec || !s->ct || !s->pt || !s->scratch)
    return -1;
  if (gcry_cipher_open(&s->gcm, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0) ||
      gcry_cipher_open(&s->ctr, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0) ||
      gcry_cipher_open(&s->cbc, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) ||
      gcry_cipher_setkey(s->gcm, key, 16) ||
      gcry_cipher_setkey(s->ctr, key, 16) ||
      gcry_cipher_setkey(s->cbc, key, 16))
    return -1;
  return 0;
}

void floor_close(floor_set *s) {
  if (s->gcm)
    gcry_cipher_close(s->gcm);
  if (s->ctr)
    gcry_cipher_close(s->ctr);
  if (s->cbc)
    gcry_cipher_close(s->cbc);
  free(s->rec);
  free(s->ct);
  free(s->pt);
  free(s->scratch);
  memset(s, 0, sizeof *s);
}

/* One telegram: what a decoder that did nothing but decrypt would do. */
static gcry_error_t floor_one(floor_set *s, const floor_rec *r) {
  gcry_cipher_hd_t h = r->gcm ? s->gcm : r->cbc ? s->cbc : s->ctr;
  const uint8_t *ct = s->ct + r->ct_off;
  gcry_error_t e = gcry_cipher_reset(h);
  if (r->cbc) {
    e = e ? e : real.setiv(h, r->iv, CBC_IV_LEN);
    return e ? e : real.decrypt(h, s->scratch, r->len, ct, r->len);
  }
  if (r->gcm) {
    e = e ? e : real.setiv(h, r->iv, GCM_IV_LEN);
    e = e ? e : real.authenticate(h, r->aad, r->aad_len);
    e = e ? e : real.decrypt(h, s->scratch, r->len, ct, r->len);
    return e ? e : real.checktag(h, r->tag, GCM_TAG_LEN);
  }
  e = e ? e : real.setctr(h, r->iv, sizeof r->iv);
  return e ? e : real.decrypt(h, s->scratch, r->len, ct, r->len);
}

int floor_run(floor_set *s) {
  for (size_t k = 0; k < s->n; k++)
    if (floor_one(s, &s->rec[k]))
      return -1;
  return 0;
}

int floor_verify(floor_set *s, const char *name) {
  for (size_t k = 0; k < s->n; k++) {
    const floor_rec *r = &s->rec[k];
    if (r->decrypts != 1) {
      fprintf(stderr, "sm-bench: %s copy %zu: %d decryptions, not 1\n", name, k,
              r->decrypts);
      return -1;
    }
    if (floor_one(s, r) || memcmp(s->scratch, s->pt + r->ct_off, r->len) != 0) {
      fprintf(stderr, "sm-bench: %s copy %zu: the floor decrypts otherwise\n",
              name, k);
      return -1;
    }
  }
  return 0;
}
