/* SPDX-License-Identifier: MIT */
/* fuzz_axdr.c - libFuzzer target: the data-notification parser, A-XDR
 * walker and layouts by shape alone (sm_axdr_notification from
 * decoder/sm_private.h), on the raw input as a decrypted plaintext.
 *
 * Both more_may_come values are run on the whole input. Checked: the
 * status is one the function may return, *used <= n, the strings and the
 * detail are terminated after any result (SM_ERR_LAYOUT names the shape), every
 * telegram passes fz_check_telegram(), and the two modes agree: a notification
 * complete in p[0..n) parses identically with more_may_come (when n >= 20, the
 * header minimum), and parsing only its own p[0..used) gives the same result.
 * The input is copied to a buffer of exactly its size, so ASan sees any
 * read past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sm_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sm_telegram t_full, t_more, t_prefix;

static void poison(sm_telegram *t) {
  /* Stale readings from the previous input must not leak into a result;
   * the security fields belong to the caller (sm_decoder.c sets them). */
  memset(t, 0xA5, sizeof *t);
  t->encrypted = t->authenticated = t->tag_unchecked = false;
  t->security = 0;
  memset(t->system_title, 0, sizeof t->system_title);
  t->frame_counter = 0;
}

static sm_status parse(const uint8_t *p, size_t n, bool more, sm_telegram *t,
                       size_t *used) {
  uint8_t *copy = malloc(n ? n : 1);
  FZ_CHECK(copy != NULL, "malloc");
  if (n)
    memcpy(copy, p, n);
  poison(t);
  *used = (size_t)-1;
  char detail[SM_DETAIL_MAX + 1];
  memset(detail, 0x55, sizeof detail);
  sm_status st =
      sm_axdr_notification(copy, n, more, t, used, detail, SM_DETAIL_MAX);
  free(copy);
  fz_check_status(st);
  fz_check_strings(t);
  FZ_CHECK(memchr(detail, '\0', SM_DETAIL_MAX) != NULL &&
               detail[SM_DETAIL_MAX] == 0x55,
           "detail not terminated inside its buffer");
  if (st == SM_TELEGRAM) {
    FZ_CHECK(*used <= n && *used > 0, "used out of range");
    fz_check_telegram(t);
  } else {
    FZ_CHECK(st == SM_ERR_AXDR || st == SM_ERR_KEY_WRONG ||
                 st == SM_ERR_LAYOUT || (more && st == SM_NEED_MORE),
             "unexpected status from sm_axdr_notification");
    /* An unknown layout is reported with its shape, for the log line. */
    FZ_CHECK(st != SM_ERR_LAYOUT || detail[0] != '\0',
             "SM_ERR_LAYOUT without the shape in the detail");
  }
  return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t u_full, u_more, u_prefix;
  sm_status full = parse(data, size, false, &t_full, &u_full);
  sm_status more = parse(data, size, true, &t_more, &u_more);
  if (full != SM_TELEGRAM)
    return 0;
  if (size >= 20) {
    FZ_CHECK(more == SM_TELEGRAM && u_more == u_full,
             "more_may_come changes a complete notification");
    FZ_CHECK(fz_same_content(&t_full, &t_more),
             "more_may_come changes the readings");
  }
  sm_status prefix = parse(data, u_full, false, &t_prefix, &u_prefix);
  FZ_CHECK(prefix == SM_TELEGRAM && u_prefix == u_full,
           "notification does not parse from its own bytes");
  FZ_CHECK(fz_same_content(&t_full, &t_prefix),
           "trailing bytes change the readings");
  return 0;
}
