/* SPDX-License-Identifier: MIT */
/* sm_link.c - the link-layer driver: finds the next intact frame in the
 * buffered bytes through the table of framings (sm_link_*.c, one row each).
 *
 * Rules that hold for every row:
 *  - a byte that starts no frame is stepped over; so is the first byte of a
 *    broken frame (resync one byte on, never jump to a claimed end);
 *  - a header whose claimed length has not arrived yet does not hide an
 *    intact checked frame that starts inside it: that frame is delivered as
 *    soon as its last byte is here, and at the end of the input (at_end)
 *    the header is given up so everything behind it is still decoded;
 *  - bytes of a broken checked frame are never resurrected by a row without
 *    a check of its own (bare APDUs);
 *  - a frame without a check (a bare APDU) is only as good as its decoding:
 *    rejected (sm_link_reject), the search goes on one byte after its start,
 *    so a cut APDU or a noise header claiming more never swallows the
 *    APDUs behind it; but a bare 0F, which has no length and no check, is
 *    not believed inside the bytes a rejected APDU claimed (its ciphertext
 *    when the key is wrong);
 *  - no byte is scanned again and again: a row whose frames end at a
 *    marker (DSMR) is asked once per pass while its start has no end yet,
 *    so the search inside a header costs one scan per call, not one per
 *    start byte.
 * With Framing auto every row is tried; the last row that delivered is
 * tried first. */
#include <string.h>
#include <strings.h>

#include "sm_private.h"

/* The rows Framing auto tries. Order matters only for rows that share a
 * start byte: M-Bus and AMIS both read 68 L L 68, but never both take the
 * same frame (CI 0x00..0x1F against 0x5B), and an intact frame beats the
 * other row's verdict. */
static const sm_link_ops *const ROWS[] = {
    &sm_link_mbus, &sm_link_hdlc, &sm_link_dsmr, &sm_link_glo, &sm_link_amis};
#define N_ROWS (sizeof ROWS / sizeof ROWS[0])
/* The rows a configured Framing names. */
static const sm_link_ops *const FORCED[] = {
    &sm_link_mbus, &sm_link_hdlc, &sm_link_dsmr, &sm_link_apdu, &sm_link_amis};

static const char *const NAMES[] = {"auto", "mbus", "apdu",
                                    "hdlc", "dsmr", "amis"};

const char *sm_input_name(sm_input in) {
  return (unsigned)in < sizeof NAMES / sizeof NAMES[0] ? NAMES[in] : "?";
}

int sm_input_parse(const char *name, sm_input *out) {
  for (size_t i = 0; name && i < sizeof NAMES / sizeof NAMES[0]; i++)
    if (!strcasecmp(name, NAMES[i])) {
      *out = (sm_input)i;
      return 0;
    }
  return -1;
}

const sm_link_ops *sm_link_row(sm_input in) {
  for (size_t i = 0; i < sizeof FORCED / sizeof FORCED[0]; i++)
    if (FORCED[i]->input == in)
      return FORCED[i];
  return NULL;
}

void sm_link_init(sm_link *l, const sm_link_ops *forced) {
  l->ops = forced;
  l->fixed = forced != NULL;
  sm_link_reset(l);
}

void sm_link_reset(sm_link *l) {
  l->start = l->end = l->unchecked_from = l->inner_next = l->held = 0;
  l->unframed_from = 0;
}

size_t sm_link_pending(const sm_link *l) {
  return l->end - l->start;
}

size_t sm_link_take(sm_link *l, const uint8_t *in, size_t n) {
  size_t room = SM_LINK_BUF - l->end;
  if (room < n && l->start > 0) {
    memmove(l->buf, l->buf + l->start, l->end - l->start);
    l->end -= l->start;
    l->unchecked_from =
        l->unchecked_from > l->start ? l->unchecked_from - l->start : 0;
    l->inner_next = l->inner_next > l->start ? l->inner_next - l->start : 0;
    l->unframed_from =
        l->unframed_from > l->start ? l->unframed_from - l->start : 0;
    l->start = 0;
    room = SM_LINK_BUF - l->end;
  }
  size_t take = n < room ? n : room;
  memcpy(l->buf + l->end, in, take);
  l->end += take;
  return take;
}

/* What the rows make of p[0..n): the best verdict wins (an intact frame
 * over a partial one over a broken one). checked_only: only rows whose
 * frames carry a checksum. */
typedef struct verdict {
  sm_link_result res;
  const sm_link_ops *row;
  sm_frame f;
  size_t size;
  sm_status err;
} verdict;

static int rank(sm_link_result r) {
  return r == SM_LINK_FRAME     ? 3
         : r == SM_LINK_PARTIAL ? 2
         : r == SM_LINK_BROKEN  ? 1
                                : 0;
}

/* covered: bit 1 << input of each row whose PARTIAL verdict already holds
 * for this start (sm_link_ops.partial_covers_rest): not asked again. */
static void try_row(const sm_link *l, const sm_link_ops *row, const uint8_t *p,
                    size_t n, bool at_end, verdict *best, unsigned *covered) {
  unsigned bit = 1u << row->input;
  if (row->unframed && p[0] == row->unframed &&
      (size_t)(p - l->buf) < l->unframed_from)
    return; /* SM_LINK_NONE: inside a rejected frame */
  if (*covered & bit) {
    if (rank(SM_LINK_PARTIAL) > rank(best->res))
      *best = (verdict){.res = SM_LINK_PARTIAL, .row = row};
    return;
  }
  verdict v = {.row = row, .err = SM_NEED_MORE};
  v.res = row->frame(p, n, at_end, &v.f, &v.size, &v.err);
  if (v.res == SM_LINK_PARTIAL && row->partial_covers_rest)
    *covered |= bit;
  if (rank(v.res) > rank(best->res))
    *best = v;
}

static bool may_start(const sm_link_ops *row, uint8_t b) {
  return b == row->starts[0] || b == row->starts[1];
}

/* Framing auto skips the other rows that cannot start at p[0]: each of them
 * would say SM_LINK_NONE, which never beats a verdict. In a partial
 * frame's search for a frame inside it most bytes start none. */
static verdict classify(const sm_link *l, const uint8_t *p, size_t n,
                        bool at_end, bool checked_only, bool unchecked_ok,
                        unsigned *covered) {
  verdict best = {.res = SM_LINK_NONE};
  if (l->fixed) {
    if (!checked_only || l->ops->checked)
      try_row(l, l->ops, p, n, at_end, &best, covered);
    return best;
  }
  /* The row that delivered last is asked as before: it mostly takes the
   * frame, and a first-byte test would only add to that. */
  if (l->ops && (l->ops->checked || unchecked_ok))
    try_row(l, l->ops, p, n, at_end, &best, covered);
  for (size_t i = 0; i < N_ROWS && best.res != SM_LINK_FRAME; i++) {
    const sm_link_ops *row = ROWS[i];
    if (row == l->ops || (!row->checked && (checked_only || !unchecked_ok)) ||
        !may_start(row, p[0]))
      continue;
    try_row(l, row, p, n, at_end, &best, covered);
  }
  return best;
}

static void skip(sm_link *l, size_t k, uint64_t *discarded) {
  l->start += k;
  *discarded += k;
}

static sm_status deliver(sm_link *l, const verdict *v, sm_frame *f) {
  /* An unchecked frame stays until the layers above vouch for it. */
  if (v->row->checked)
    l->start += v->size;
  else
    l->held = v->size;
  if (!l->fixed)
    l->ops = v->row;
  *f = v->f;
  return SM_TELEGRAM;
}

/* The bytes a checked frame may start with, of the rows classify tries
 * for checked_only: bit b of mask[b / 64]. */
static void checked_starts(const sm_link *l, uint64_t mask[4]) {
  memset(mask, 0, 4 * sizeof mask[0]);
  for (size_t i = 0; i < N_ROWS + 1; i++) {
    const sm_link_ops *row = i < N_ROWS ? ROWS[i] : l->ops;
    if (!row || !row->checked || (l->fixed && row != l->ops))
      continue;
    for (int j = 0; j < 2; j++)
      mask[row->starts[j] / 64] |= UINT64_C(1) << (row->starts[j] % 64);
  }
}

/* A header at l->start waits for more bytes: is there an intact checked
 * frame inside what it claims? Then the header was noise, and so the
 * frame is the verdict - or, when a broken frame came first, that one, so
 * it is counted like any other (the intact frame follows on the next
 * call). */
/* The shortest frame that may end a header: an AMIS link start (5 bytes,
 * an 8-bit sum) is too weak to give up a header for - five such bytes
 * inside an HDLC or M-Bus payload would lose that telegram and have the
 * reader answer a meter that asked nothing - and its meter repeats it. */
#define INNER_MIN 6

static bool inner_frame(sm_link *l, verdict *v, uint64_t *discarded) {
  const uint8_t *p = l->buf + l->start;
  size_t n = l->end - l->start;
  /* "No frame here" never changes with more bytes: resume the scan at the
   * first position that was still open (or broken) last time. */
  size_t k = l->inner_next > l->start ? l->inner_next - l->start : 1;
  size_t open = 0, broken = 0;
  unsigned covered = 0; /* one pass: see try_row */
  verdict first_broken = {.res = SM_LINK_NONE};
  uint64_t starts[4];
  checked_starts(l, starts);
  for (; k < n; k++) {
    if (!(starts[p[k] / 64] >> (p[k] % 64) & 1))
      continue; /* classify would say SM_LINK_NONE */
    verdict w = classify(l, p + k, n - k, false, true, false, &covered);
    if (w.res == SM_LINK_FRAME && w.size < INNER_MIN)
      continue;
    if (w.res == SM_LINK_FRAME) {
      size_t at = broken ? broken : k;
      skip(l, at, discarded);
      *v = broken ? first_broken : w;
      return true;
    }
    if (w.res == SM_LINK_BROKEN && !broken) {
      broken = k;
      first_broken = w;
    }
    if ((w.res == SM_LINK_PARTIAL || w.res == SM_LINK_BROKEN) && !open)
      open = k;
  }
  l->inner_next = l->start + (open ? open : n);
  return false;
}

static sm_status broken(sm_link *l, const verdict *v, uint64_t *discarded) {
  if (v->row->checked && l->start + v->size > l->unchecked_from)
    l->unchecked_from = l->start + v->size;
  skip(l, 1, discarded);
  return v->err;
}

void sm_link_reject(sm_link *l, uint64_t *discarded) {
  if (!l->held)
    return;
  if (l->start + l->held > l->unframed_from)
    l->unframed_from = l->start + l->held;
  l->held = 0;
  skip(l, 1, discarded);
}

sm_status sm_link_next(sm_link *l, bool at_end, sm_frame *f,
                       uint64_t *discarded) {
  l->start += l->held; /* not rejected: it was a frame */
  l->held = 0;
  while (l->start < l->end) {
    const uint8_t *p = l->buf + l->start;
    size_t n = l->end - l->start;
    unsigned covered = 0;
    verdict v = classify(l, p, n, at_end, false, l->start >= l->unchecked_from,
                         &covered);
    switch (v.res) {
    case SM_LINK_FRAME:
      return deliver(l, &v, f);
    case SM_LINK_BROKEN:
      return broken(l, &v, discarded);
    case SM_LINK_PARTIAL:
      if (inner_frame(l, &v, discarded))
        return v.res == SM_LINK_FRAME ? deliver(l, &v, f)
                                      : broken(l, &v, discarded);
      if (!at_end)
        return SM_NEED_MORE;
      /* The rest will never come. What it claimed (all that is buffered,
       * when it did not say) is a cut frame: no bare APDU from it. */
      if (v.row->checked) {
        size_t claim = v.size && v.size < n ? v.size : n;
        if (l->start + claim > l->unchecked_from)
          l->unchecked_from = l->start + claim;
      }
      skip(l, 1, discarded);
      break;
    case SM_LINK_NONE:
      skip(l, 1, discarded);
      break;
    }
  }
  return SM_NEED_MORE;
}
