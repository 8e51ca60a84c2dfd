/* SPDX-License-Identifier: MIT */
/* conv_alloc.c - jansson's allocator, wiping: each block carries its size
 * in front so that its bytes (maybe a key) are overwritten when freed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conv_input.h"
#include "sm_names.h"

typedef union conv_block {
  size_t size;
  max_align_t align; /* keeps the block after it aligned for anything */
} conv_block;

static void *wiping_malloc(size_t size) {
  conv_block *b;

  if (size > SIZE_MAX - sizeof *b)
    return NULL;
  b = malloc(sizeof *b + size);
  if (b == NULL)
    return NULL;
  b->size = size;
  return b + 1;
}

static void wiping_free(void *p) {
  conv_block *b;

  if (p == NULL)
    return;
  b = (conv_block *)p - 1;
  sm_wipe(p, b->size);
  free(b);
}

void conv_alloc_init(void) {
  json_set_alloc_funcs(wiping_malloc, wiping_free);
}
