/* SPDX-License-Identifier: MIT */
/* cli_hex.h - streaming hex text -> bytes, for --hex input.
 *
 * Whitespace is ignored, '#' starts a comment that runs to the end of the
 * line (so the header lines of the tests/vectors files are skipped), and two
 * hex digits make one byte (a byte may be split across chunks).
 */
#ifndef CLI_HEX_H
#define CLI_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cli_hex {
  bool in_comment;
  int nibble;         /* pending high nibble, or -1 */
  unsigned long line; /* 1-based, for messages */
  char bad;           /* the offending character after an error */
} cli_hex;

void cli_hex_init(cli_hex *h);

/* Convert len characters; out must have room for len / 2 + 1 bytes.
 * Returns the number of bytes written, or -1 at a character that is not
 * hex, whitespace or comment (h->line and h->bad say where). */
long cli_hex_convert(cli_hex *h, const char *in, size_t len, uint8_t *out);

/* True when the text ended in the middle of a byte (odd digit count). */
bool cli_hex_pending(const cli_hex *h);

#endif
