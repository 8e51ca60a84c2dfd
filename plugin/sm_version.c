/* SPDX-License-Identifier: MIT */
/* sm_version.c - SM_VERSION from our config header (no collectd headers
 * here, see sm_version.h). */
#include "sm_config.h"

#include "sm_version.h"

const char *smp_version(void) {
  return SM_VERSION;
}
