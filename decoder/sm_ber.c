/* sm_ber.c - the bottom of the decoder: BER lengths and the size of an
 * A-XDR element, used by the link layers (to frame bare APDUs) and by the
 * application layer (to walk data). Calls nothing above it. */
#include "sm_private.h"

long sm_ber_length(const uint8_t *p, size_t n, size_t *pos) {
  if (*pos >= n)
    return -1;
  uint8_t b = p[(*pos)++];
  if (b < 0x80)
    return b;
  size_t k = b & 0x7F;
  if (k == 0 || k > 2 || *pos + k > n)
    return -1;
  long v = 0;
  for (size_t i = 0; i < k; i++)
    v = (v << 8) | p[(*pos)++];
  return v;
}
