/* SPDX-License-Identifier: MIT */
/* cli_run.h - one decoding session: bytes in, telegrams out, problems
 * reported on stderr with the telegram's position, and the exit code.
 * Shared by file/stdin input and live --device input.
 */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_options.h"
#include "sm_decoder.h"

typedef struct cli_run {
  const cli_options *o;
  sm_decoder *dec;
  bool live;               /* show a repeated error only once */
  bool started;            /* bytes were fed */
  unsigned long gap_drops; /* attempts that were cut frames at a gap */
  bool stop;               /* --check-key in live mode has its answer */
  bool output_failed;      /* stdout could not be written */
  bool input_failed;       /* reading stopped early (already reported) */
  unsigned long attempts;  /* telegram positions used so far */
  unsigned long decoded;   /* telegrams decoded */
  unsigned long encrypted; /* of those, encrypted ones */
  unsigned long authenticated, tag_unchecked;
  unsigned long key_errors, tag_errors, no_key_errors;
  sm_status last_error;      /* most recent problem, 0 when none */
  int repeating;             /* live: problem whose repeats are not shown,
                                0 = none */
  bool bounds_reported;      /* live: implausible readings were reported */
  uint64_t resets_seen;      /* counter restarts already reported */
  unsigned long line_errors; /* parity/framing errors from the port */
  sm_telegram checked;       /* one with implausible readings, without them */
  /* live: writes n E5 to an AMIS meter (set after cli_run_open; NULL for
   * files and stdin, where nobody waits for an answer) */
  void (*ack)(void *ctx, unsigned n);
  void *ack_ctx;
} cli_run;

/* Create the decoder from o->dec. Returns CLI_EXIT_OK, or CLI_EXIT_FAIL
 * after a message on stderr. */
int cli_run_open(cli_run *r, const cli_options *o, bool live);

/* Decode len bytes; writes telegrams to stdout, problems to stderr. */
void cli_run_feed(cli_run *r, const uint8_t *buf, size_t len);

/* The port saw a parity or framing error where the next byte would be. */
void cli_run_line_error(cli_run *r);

/* Intact frames found so far (for live mode's serial-settings hint). */
uint64_t cli_run_frames(const cli_run *r);

/* A pause on the line (live) or the end of the input: drop and report a
 * half-received telegram. why: "after a pause" / "at the end of input". */
void cli_run_gap(cli_run *r, const char *why);

/* Final report (--check-key answer, "no telegram found"), free the
 * decoder. Returns the exit code for the decoding outcome. */
int cli_run_close(cli_run *r);

#endif
