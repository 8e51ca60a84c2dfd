/* SPDX-License-Identifier: MIT */
/* sm_version.h - the plugin's version string.
 *
 * Kept in its own translation unit: our sm_config.h and collectd's
 * config.h both define PACKAGE_* macros and must never meet.
 */
#ifndef SMP_VERSION_H
#define SMP_VERSION_H

const char *smp_version(void);

#endif
