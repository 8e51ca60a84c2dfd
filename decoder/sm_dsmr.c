/* sm_dsmr.c - placeholder until the DSMR parser lands: refuses all. */
#include "sm_private.h"

sm_status sm_dsmr_size(const uint8_t *p, size_t n, bool at_end, size_t *size) {
  (void)p; (void)n; (void)at_end; (void)size;
  return SM_ERR_DSMR;
}
bool sm_dsmr_is_telegram(const uint8_t *p, size_t n) {
  (void)p; (void)n;
  return false;
}
sm_status sm_dsmr_parse(const uint8_t *p, size_t n, sm_telegram *t,
                        char *detail, size_t detail_size) {
  (void)p; (void)n; (void)t; (void)detail; (void)detail_size;
  return SM_ERR_DSMR;
}
