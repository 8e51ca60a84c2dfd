/* SPDX-License-Identifier: MIT */
/* sm_ident.h - the collectd identifier of a reading (type and type
 * instance), per the table in doc/CONTRACTS.md. Only types from collectd's
 * standard types.db are used, so receiving servers need nothing extra.
 */
#ifndef SMP_IDENT_H
#define SMP_IDENT_H

#include <stddef.h>

#include "sm_decoder.h"

#define SMP_TYPE_MAX 16
#define SMP_TYPE_INSTANCE_MAX 48

typedef struct smp_ident {
  char type[SMP_TYPE_MAX];
  char type_instance[SMP_TYPE_INSTANCE_MAX];
} smp_ident;

/* Fills *id for a numeric reading. Returns 0, or -1 for readings that are
 * not dispatched (text values such as the meter number). */
int smp_ident_of(const sm_value *v, smp_ident *id);

#endif
