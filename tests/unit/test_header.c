/* SPDX-License-Identifier: MIT */
/* test_header.c - what a scan reports about a meter, from real captures:
 * sm_decoder_header() gives the security header with no key or a wrong
 * one (system title, SC, frame counter), and sm_telegram.layout names the
 * layout that paired the values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vec.h"

typedef struct row {
  const char *file;
  const char *title; /* hex */
  unsigned sc;
  const char *layout; /* prefix of sm_telegram.layout */
} row;

static const row ROWS[] = {
    {"ksmwest_vkw_philippsev_2023-07-26.hex", "4B464D102002ACA5", 0x21,
     "OBIS list"},
    {"evn_netznoe_kaifa_fkw9_real.hex", "4B464D6750000881", 0x20, "OBIS list"},
    {"extra_hdlc_wels_im350_shrdzm_1.hex", "534D53677002FD62", 0x20,
     "push-setup structure(10)"},
    {"extra_hdlc_wienernetze_im350_shrdzm_1.hex", "534D53677004C446", 0x20,
     "push-setup structure(12)"},
    {"extra_hdlc_lg_e450_dlmsparser_1.hex", "4C475A677370B177", 0x30,
     "clock and (OBIS, value) pairs"},
    {"extra_dsmr_in_gcm_steiermark_sagemcom_rddl.hex", "5341473500033FE2", 0x30,
     "DSMR P1 text"},
    /* AMIS: the address M ID version medium stands in for the title. */
    {"amis_netzooe_spec_example.hex", "2D4C00000000010E", 5,
     "AMIS M-Bus records"},
};
#define N_ROWS (sizeof ROWS / sizeof ROWS[0])

static void hex(const uint8_t *p, size_t n, char *out) {
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02X", p[i]);
}

/* Feed the whole capture and the idle gap after it. */
static void decode(const vec *v, const sm_options *o, sm_decoder **d,
                   vec_record *rec, vec_tally *t) {
  sm_status err;
  *d = sm_decoder_new(o, &err);
  assert_non_null(*d);
  memset(t, 0, sizeof *t);
  t->cb = vec_record_cb;
  t->ctx = rec;
  vec_feed(*d, v->bytes, v->len, t);
  vec_idle(*d, t);
}

static const char *last_layout;
static void keep_layout(const sm_telegram *tel, void *ctx) {
  vec_record_cb(tel, ctx);
  last_layout = tel->layout;
}

static void check_row(const row *r) {
  static vec v;
  static vec_record rec;
  assert_int_equal(vec_load(r->file, &v), 0);
  sm_options o;
  vec_options(&v, SM_INPUT_AUTO, &o);
  o.has_key = o.has_auth_key = false;
  sm_decoder *d;
  vec_tally t;
  memset(&rec, 0, sizeof rec);
  decode(&v, &o, &d, &rec, &t);
  /* No key: nothing decoded, yet the header is known. */
  assert_int_equal(t.telegrams, 0);
  sm_header h;
  sm_decoder_header(d, &h);
  char title[17];
  hex(h.system_title, 8, title);
  fprintf(stderr, "#   sc 0x%02X title %s\n", h.security, title);
  assert_true(h.valid);
  assert_true(h.encrypted);
  assert_int_equal(h.security, r->sc);
  assert_string_equal(title, r->title);
  sm_decoder_free(d);
  /* With the key: the layout is named. (Without the auth key: the one
   * published with the Steiermark capture does not match its tag.) */
  vec_options(&v, SM_INPUT_AUTO, &o);
  o.has_auth_key = false;
  memset(&rec, 0, sizeof rec);
  sm_status err;
  d = sm_decoder_new(&o, &err);
  assert_non_null(d);
  memset(&t, 0, sizeof t);
  t.cb = keep_layout;
  t.ctx = &rec;
  last_layout = NULL;
  vec_feed(d, v.bytes, v.len, &t);
  vec_idle(d, &t);
  assert_true(t.telegrams >= 1);
  assert_non_null(last_layout);
  fprintf(stderr, "#   layout %s\n", last_layout);
  assert_true(strncmp(last_layout, r->layout, strlen(r->layout)) == 0);
  sm_decoder_header(d, &h);
  assert_true(h.valid && h.encrypted);
  sm_decoder_free(d);
}

static void test_rows(void **state) {
  (void)state;
  for (size_t i = 0; i < N_ROWS; i++) {
    fprintf(stderr, "# %s\n", ROWS[i].file);
    check_row(&ROWS[i]);
  }
}

/* A wrong key: the header still names the meter, nothing is decoded. */
static void test_wrong_key(void **state) {
  (void)state;
  static vec v;
  static vec_record rec;
  assert_int_equal(vec_load(ROWS[0].file, &v), 0);
  sm_options o;
  vec_options(&v, SM_INPUT_AUTO, &o);
  o.key[0] ^= 1;
  sm_decoder *d;
  vec_tally t;
  decode(&v, &o, &d, &rec, &t);
  assert_int_equal(t.telegrams, 0);
  assert_true(t.errors[-SM_ERR_KEY_WRONG] > 0);
  sm_header h;
  sm_decoder_header(d, &h);
  char got[17];
  hex(h.system_title, 8, got);
  assert_string_equal(got, ROWS[0].title);
  sm_decoder_free(d);
}

/* Before any frame: nothing is claimed. */
static void test_nothing_yet(void **state) {
  (void)state;
  sm_status err;
  sm_decoder *d = sm_decoder_new(NULL, &err);
  assert_non_null(d);
  sm_header h;
  sm_decoder_header(d, &h);
  assert_false(h.valid);
  sm_decoder_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_wrong_key),
      cmocka_unit_test(test_nothing_yet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
