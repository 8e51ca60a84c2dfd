/* SPDX-License-Identifier: MIT */
/* cli_scan.c - --scan: run sm_scan on --device, say what was heard per
 * setting (stderr while it runs, then the report on stdout) and print the
 * <Meter> block to paste into collectd.conf. The report never contains a
 * key: a key given with --key is named by a placeholder KeyFile. */
#include "cli_scan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli_output.h"
#include "cli_stop.h"
#include "sm_names.h"
#include "sm_scan.h"

static char parity_letter(sm_parity p) {
  return p == SM_PARITY_EVEN ? 'E' : p == SM_PARITY_ODD ? 'O' : 'N';
}

static bool stop_asked(void *ctx) {
  (void)ctx;
  return cli_stop_requested();
}

static void heard_line(FILE *f, const sm_scan_heard *h) {
  fprintf(f, "  %6d 8%c1: ", h->baud, parity_letter(h->parity));
  if (!h->tried) {
    fprintf(f, "not opened: %s\n", h->error);
    return;
  }
  fprintf(f,
          "%llu bytes, %llu intact frames, %llu broken, %llu line errors "
          "in %.1f s%s%s\n",
          (unsigned long long)h->bytes, (unsigned long long)h->frames,
          (unsigned long long)h->broken, (unsigned long long)h->line_errors,
          h->ms / 1000.0, *h->error ? "; " : "", h->error);
}

static void progress(void *ctx, const sm_scan_heard *h, bool done) {
  const cli_options *o = ctx;
  if (o->quiet)
    return;
  if (done)
    heard_line(stderr, h);
  else
    fprintf(stderr, "smartmeter-decode: listening at %d 8%c1 ...\n", h->baud,
            parity_letter(h->parity));
}

/* The system title: its first three bytes are the maker's letters. */
static void print_title(const uint8_t title[8]) {
  char hex[17];
  cli_hex_title(title, hex);
  bool letters = true;
  for (int i = 0; i < 3; i++)
    letters = letters && isupper(title[i]);
  if (letters)
    printf("system title %s (maker \"%c%c%c\")", hex, title[0], title[1],
           title[2]);
  else
    printf("system title %s", hex);
}

static void print_security(const sm_scan_report *r) {
  const sm_header *h = &r->header;
  if (!h->valid) {
    printf("encrypted:  unknown (no telegram header in time)\n");
    return;
  }
  if (!h->encrypted) {
    printf("encrypted:  no (no key needed)\n");
    return;
  }
  printf("encrypted:  yes, security 0x%02X, ", h->security);
  print_title(h->system_title);
  printf("\n");
}

/* What the first decode result says about the keys; true when collectd
 * will show values with the block below. */
static bool print_keys(const cli_options *o, const sm_scan_report *r) {
  const sm_telegram *t = &r->telegram;
  const char *d = r->detail;
  switch (r->result) {
  case SM_TELEGRAM:
    if (t->encrypted)
      printf("key:        works%s\n",
             t->authenticated ? "; authentication key works too"
             : t->tag_unchecked
                 ? " (its tag is not checked: no --auth-key-file)"
                 : "");
    printf("meter:      %s\n", *t->layout ? t->layout : "?");
    printf("telegram:   %zu readings%s%s%s\n", t->n_values,
           *t->meter_number ? ", meter number \"" : "", t->meter_number,
           *t->meter_number ? "\"" : "");
    return true;
  case SM_ERR_NO_KEY:
    printf("key:        none given: run again with --key-file FILE to check "
           "one\n");
    return !o->dec.has_key;
  case SM_NEED_MORE:
    printf("telegram:   none complete in time%s\n",
           r->framing == SM_INPUT_AMIS
               ? " (the meter sends only link starts: can the IR head "
                 "transmit its E5 answers?)"
               : "");
    return true;
  default:
    printf("key:        does not work: %s%s%s\n", sm_strerror(r->result),
           *d ? ": " : "", d);
    return false;
  }
}

static void print_block(const cli_options *o, const sm_scan_report *r) {
  const sm_scan_setting *s = &sm_scan_order[r->found];
  bool keyed = r->header.valid && r->header.encrypted;
  printf("\nPaste into collectd.conf:\n"
         "<Plugin smartmeter>\n"
         "  <Meter \"home\">\n"
         "    Device \"%s\"\n"
         "    Baudrate %d\n"
         "    Parity \"%s\"\n"
         "    Framing \"%s\"\n",
         o->port.device, s->baud, sm_parity_name(s->parity),
         sm_input_name(r->framing));
  if (o->key_file)
    printf("    KeyFile \"%s\"\n", o->key_file);
  else if (keyed || o->dec.has_key)
    printf("    KeyFile \"/etc/collectd/smartmeter-home.key\"  # the key "
           "(32 hex digits), mode 0600\n");
  if (o->auth_key_file)
    printf("    AuthKeyFile \"%s\"\n", o->auth_key_file);
  else if (o->dec.has_auth_key)
    printf("    AuthKeyFile \"/etc/collectd/smartmeter-home.auth\"  # mode "
           "0600\n");
  printf("  </Meter>\n</Plugin>\n");
}

static int report_found(const cli_options *o, const sm_scan_report *r) {
  const sm_scan_setting *s = &sm_scan_order[r->found];
  printf("found:      %d 8%c1, %s\n", s->baud, parity_letter(s->parity),
         s->who);
  printf("framing:    %s\n", sm_input_name(r->framing));
  print_security(r);
  bool ok = print_keys(o, r);
  print_block(o, r);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int report_nothing(const sm_scan_report *r) {
  printf("nothing found on any setting; heard:\n");
  for (size_t i = 0; i < r->n_heard; i++)
    heard_line(stdout, &r->heard[i]);
  printf("(no bytes at all: check the adapter, its cable and that the "
         "meter's interface is switched on; bytes without frames: a "
         "setting or adapter not listed, or an inverted P1 line)\n");
  return CLI_EXIT_FAIL;
}

int cli_scan_run(const cli_options *o) {
  static sm_scan_report r; /* holds a telegram: not on the stack */
  char err[256];
  sm_scan_params p = {.port = &o->port,
                      .dec = &o->dec,
                      .listen_ms = o->scan_ms,
                      .stopping = stop_asked,
                      .wake_fd = -1,
                      .progress = progress,
                      .ctx = (void *)o};
  cli_stop_init();
  if (!o->quiet)
    fprintf(stderr,
            "smartmeter-decode: scanning %s: each setting until a frame "
            "comes, at most %u s in all\n",
            o->port.device, sm_scan_max_ms(&p) / 1000);
  sm_scan_status st = sm_scan_run(&p, &r, err, sizeof err);
  int rc;
  switch (st) {
  case SM_SCAN_FOUND:
    rc = report_found(o, &r);
    break;
  case SM_SCAN_NOTHING:
    rc = report_nothing(&r);
    break;
  case SM_SCAN_STOPPED:
    fprintf(stderr, "smartmeter-decode: scan stopped\n");
    rc = CLI_EXIT_FAIL;
    break;
  default:
    fprintf(stderr, "smartmeter-decode: %s\n", err);
    rc = CLI_EXIT_FAIL;
    break;
  }
  sm_wipe(&r, sizeof r);
  return rc;
}
