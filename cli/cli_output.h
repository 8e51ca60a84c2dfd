/* cli_output.h - writing one decoded telegram to stdout in the chosen
 * format. The JSON and Influx shapes are contracts (see the man page).
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdio.h>
#include <time.h>

#include "cli_options.h"
#include "sm_decoder.h"

/* What a writer needs besides the telegram. */
typedef struct cli_out_ctx {
  const cli_options *o;
  unsigned long index;      /* 1-based position in the input */
  struct timespec received; /* CLOCK_REALTIME when it was complete */
} cli_out_ctx;

/* Write t in o->format and flush. Returns 0, or -1 when stdout failed. */
int cli_output_telegram(const cli_out_ctx *c, const sm_telegram *t);

/* The writers (one file each). */
void cli_out_text(FILE *f, const cli_out_ctx *c, const sm_telegram *t);
void cli_out_json(FILE *f, const cli_out_ctx *c, const sm_telegram *t);
void cli_out_influx(FILE *f, const cli_out_ctx *c, const sm_telegram *t);

/* Helpers shared by the writers. */
/* System title as 16 upper-case hex digits into buf[17]. */
void cli_hex_title(const sm_telegram *t, char buf[17]);
/* Unit text: the symbol, "" for none, "unit_NN" for an unknown enum. */
const char *cli_unit_text(const sm_value *v, char *buf, size_t size);

#endif
