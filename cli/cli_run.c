/* SPDX-License-Identifier: MIT */
/* cli_run.c - drives the decoder over a byte stream and reports. */
#include "cli_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_output.h"
#include "sm_names.h"

/* report_error() key for dropped partial telegrams (errors use their
 * negative sm_status). */
#define PROBLEM_GAP 1

static int new_decoder(cli_run *r, sm_input input) {
  sm_status err = SM_OK;
  sm_options opts = r->o->dec;

  opts.input = input;
  r->dec = sm_decoder_new(&opts, &err);
  sm_wipe(&opts, sizeof opts);
  if (r->dec == NULL) {
    fprintf(stderr, "smartmeter-decode: %s\n", sm_strerror(err));
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

int cli_run_open(cli_run *r, const cli_options *o, bool live) {
  memset(r, 0, sizeof *r);
  r->o = o;
  r->live = live;
  if (sm_crypto_init() != SM_OK) {
    fprintf(stderr, "smartmeter-decode: %s\n", sm_strerror(SM_ERR_CRYPTO));
    return CLI_EXIT_FAIL;
  }
  return new_decoder(r, o->dec.input);
}

/* A capture file of unencrypted bare APDUs starts with 0F: only an
 * explicit apdu framing takes those (Framing auto never believes a bare
 * 0F on a live line). */
static void first_bytes(cli_run *r, const uint8_t *buf, size_t len) {
  if (r->started || len == 0)
    return;
  r->started = true;
  if (r->live || r->o->dec.input != SM_INPUT_AUTO || buf[0] != 0x0F)
    return;
  sm_decoder_free(r->dec);
  if (new_decoder(r, SM_INPUT_APDU) != CLI_EXIT_OK)
    exit(CLI_EXIT_FAIL);
}

static void count_error(cli_run *r, sm_status st) {
  if (st == SM_ERR_KEY_WRONG)
    r->key_errors++;
  else if (st == SM_ERR_TAG)
    r->tag_errors++;
  else if (st == SM_ERR_NO_KEY)
    r->no_key_errors++;
  r->last_error = st;
}

/* In live mode an error that repeats is shown once, until a telegram
 * decodes again. */
static void report_error(cli_run *r, int problem, const char *text) {
  if (r->o->quiet || r->o->check_key)
    return;
  if (r->live && problem == r->repeating)
    return;
  fprintf(stderr, "telegram %lu: %s%s\n", r->attempts, text,
          r->live ? " (repeats are not shown until a telegram decodes)" : "");
  r->repeating = problem;
}

static void on_error(cli_run *r, sm_status st) {
  char text[160 + SM_DETAIL_MAX];
  const char *detail = sm_decoder_detail(r->dec);

  r->attempts++;
  count_error(r, st);
  snprintf(text, sizeof text, "%s%s%s", sm_strerror(st), *detail ? ": " : "",
           detail);
  report_error(r, st, text);
  if (r->live && r->o->check_key &&
      (st == SM_ERR_KEY_WRONG || st == SM_ERR_TAG || st == SM_ERR_NO_KEY))
    r->stop = true;
}

/* A number no meter can measure (NaN, 1e+127 Wh) is never printed: the
 * telegram goes out without it, with a note on stderr (once in live
 * mode). */
static const sm_telegram *plausible(cli_run *r, const sm_telegram *t) {
  char what[SM_BOUND_TEXT_MAX], others[SM_BOUND_OTHERS_MAX];
  sm_value first;
  size_t n;

  const sm_telegram *kept = sm_telegram_plausible(t, &r->checked, &first, &n);
  if (n == 0 || r->o->quiet || r->o->check_key ||
      (r->live && r->bounds_reported))
    return kept;
  r->bounds_reported = true;
  sm_bound_describe(&first, what, sizeof what);
  sm_bound_others(n, others, sizeof others);
  fprintf(stderr, "telegram %lu: %s; dropped%s%s\n", r->attempts, what, others,
          r->live ? " (not shown again)" : "");
  return kept;
}

/* A lower frame counter with a newer meter time was taken: say so. */
static void note_restart(cli_run *r, const sm_telegram *t) {
  sm_stats s;

  sm_decoder_stats(r->dec, &s);
  if (s.counter_resets == r->resets_seen)
    return;
  r->resets_seen = s.counter_resets;
  if (!r->o->quiet && !r->o->check_key)
    fprintf(stderr,
            "telegram %lu: frame counter restarted at %lu with a newer meter "
            "time: taken as a meter restart\n",
            r->attempts, (unsigned long)t->frame_counter);
}

static void on_telegram(cli_run *r, const sm_telegram *raw) {
  cli_out_ctx c = {.o = r->o, .index = ++r->attempts};
  note_restart(r, raw);
  const sm_telegram *t = plausible(r, raw);

  r->decoded++;
  r->encrypted += t->encrypted;
  r->authenticated += t->authenticated;
  r->tag_unchecked += t->tag_unchecked;
  r->repeating = 0;
  if (r->o->check_key) {
    r->stop = r->live;
    return;
  }
  if (cli_output_telegram(&c, t) != 0)
    r->output_failed = true;
}

/* An AMIS meter waits for its E5: it goes out before the telegram is
 * printed (sm_sink calls this first). */
static void acknowledge(void *ctx, unsigned n) {
  cli_run *r = ctx;
  if (r->ack != NULL)
    r->ack(r->ack_ctx, n);
}

static void on_result(void *ctx, sm_status st, const sm_telegram *t) {
  cli_run *r = ctx;
  if (st == SM_TELEGRAM)
    on_telegram(r, t);
  else
    on_error(r, st);
}

static sm_sink sink_of(cli_run *r) {
  return (sm_sink){.acks = acknowledge, .result = on_result, .ctx = r};
}

void cli_run_feed(cli_run *r, const uint8_t *buf, size_t len) {
  sm_sink s = sink_of(r);

  first_bytes(r, buf, len);
  if (!sm_decoder_feed_all(r->dec, buf, len, &s))
    fprintf(stderr, "smartmeter-decode: the decoder did not take its "
                    "input; bytes dropped\n");
}

void cli_run_line_error(cli_run *r) {
  sm_decoder_line_error(r->dec);
  r->line_errors++;
}

uint64_t cli_run_frames(const cli_run *r) {
  sm_stats s;

  sm_decoder_stats(r->dec, &s);
  return s.frames;
}

void cli_run_gap(cli_run *r, const char *why) {
  char text[160];
  sm_stats before, after;
  sm_sink s = sink_of(r);

  sm_decoder_stats(r->dec, &before);
  /* Every intact frame still buffered is decoded first. */
  sm_decoder_idle_all(r->dec, &s);
  sm_decoder_stats(r->dec, &after);
  if (after.partial_drops == before.partial_drops)
    return;
  r->attempts++;
  r->gap_drops++;
  r->last_error = SM_ERR_SEGMENT;
  snprintf(text, sizeof text, "incomplete frame or telegram dropped %s", why);
  report_error(r, PROBLEM_GAP, text);
}

static void report_nothing_found(const cli_run *r) {
  sm_stats s;

  /* A cut frame at the end alone still leaves the question why nothing
   * decoded (hex text read as raw bytes looks like a DSMR start). */
  if (r->attempts > r->gap_drops || r->live || r->input_failed)
    return;
  sm_decoder_stats(r->dec, &s);
  if (s.bytes == 0) {
    fputs("smartmeter-decode: the input is empty\n", stderr);
    return;
  }
  fprintf(stderr,
          "smartmeter-decode: no telegram found in the input (%llu bytes "
          "read, %llu skipped)%s\n",
          (unsigned long long)s.bytes, (unsigned long long)s.bytes_discarded,
          r->o->hex ? "" : "; if it is hex text, use --hex");
}

/* ---- --check-key: one clear sentence about the key ---------------- */

static int report_success(const cli_run *r) {
  if (r->encrypted == 0) {
    printf("key not needed: %lu telegram(s) decoded, none encrypted\n",
           r->decoded);
    return CLI_EXIT_OK;
  }
  printf("key OK: %lu telegram(s) decrypted", r->encrypted);
  if (r->authenticated > 0)
    printf(", GCM tag verified with the authentication key");
  else if (r->tag_unchecked > 0)
    printf(", GCM tag not checked (no --auth-key given)");
  putchar('\n');
  return CLI_EXIT_OK;
}

static const char *failure_text(const cli_run *r) {
  if (r->no_key_errors > 0)
    return "the telegrams are encrypted: give --key or --key-file";
  if (r->key_errors > 0)
    return "key wrong: decryption produced no valid data-notification";
  if (r->tag_errors > 0)
    return "authentication failed: GCM tag mismatch (check --auth-key)";
  if (r->last_error < 0)
    return sm_strerror(r->last_error);
  return "no telegram found in the input";
}

static int check_report(const cli_run *r) {
  if (r->decoded > 0)
    return report_success(r);
  fprintf(stderr, "smartmeter-decode: %s\n", failure_text(r));
  return CLI_EXIT_FAIL;
}

int cli_run_close(cli_run *r) {
  int rc = r->decoded > 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;

  if (r->o->check_key)
    rc = check_report(r);
  else
    report_nothing_found(r);
  sm_decoder_free(r->dec);
  r->dec = NULL;
  if (r->output_failed)
    rc = CLI_EXIT_FAIL;
  return rc;
}
