/* SPDX-License-Identifier: MIT */
/* sm_solarview.h - the Solarview export file (kaifareader's format).
 *
 * Self-contained: depends only on the decoder API, no collectd headers, so
 * the plugin, the CLI and the tests can all use it.
 *
 * Format (LF line ends, no trailing spaces):
 *
 *   /?!
 *   /KAIFA
 *   32.7.0(000233.000*V)
 *   ...
 *   13.7.0(000000.968*)
 *   !
 *
 * One line per numeric reading of the telegram, in telegram order: the OBIS
 * code as C.D.E, "(", the scaled value printed as "%010.3f" (always with a
 * '.' whatever the locale), "*", the unit symbol of sm_unit_symbol() (empty
 * for "no unit", e.g. the power factor), ")". Text readings and readings
 * whose value is not finite (a NaN float) are left out. Reactive energy
 * (3.8.0 / 4.8.0) is written with its real unit "varh"; kaifareader wrote
 * "W" there.
 */
#ifndef SM_SOLARVIEW_H
#define SM_SOLARVIEW_H

#include <stddef.h>

#include "sm_decoder.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Enough for SM_MAX_VALUES lines of any value. */
#define SM_SOLARVIEW_MAX (16 + SM_MAX_VALUES * 96)

/* Render the file's text into buf (NUL-terminated when size > 0). Returns
 * the length that would have been written (snprintf convention). */
size_t sm_solarview_format(const sm_telegram *t, char *buf, size_t size);

/* Replace the file at `path` atomically with the telegram's text: write a
 * temporary file ".<name>.XXXXXX" in the same directory, fsync it, give it
 * mode 0644 and rename it over `path`, so a reader never sees half a file.
 * Returns 0, or -1 with a message naming the path in err (when errlen > 0);
 * on error no temporary file is left behind and `path` is untouched.
 * Thread-safe for distinct paths. */
int sm_solarview_write(const char *path, const sm_telegram *t, char *err,
                       size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
