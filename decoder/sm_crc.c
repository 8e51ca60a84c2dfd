/* sm_crc.c - the two 16-bit CRCs of the link layers: CRC-16/X.25 (HDLC
 * HCS and FCS) and CRC-16/ARC (DSMR). Bitwise; a table can come when the
 * benchmark says so. */
#include "sm_private.h"

/* Reflected CRC-16 with polynomial poly (reversed form), init and xorout
 * as given. X.25: 0x8408, 0xFFFF, 0xFFFF. ARC: 0xA001, 0, 0. */
static uint16_t crc16_reflected(const uint8_t *p, size_t n, uint16_t poly,
                                uint16_t crc, uint16_t xorout) {
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++)
      crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ poly) : (uint16_t)(crc >> 1);
  }
  return (uint16_t)(crc ^ xorout);
}

uint16_t sm_crc16_x25(const uint8_t *p, size_t n) {
  return crc16_reflected(p, n, 0x8408, 0xFFFF, 0xFFFF);
}

uint16_t sm_crc16_arc(const uint8_t *p, size_t n) {
  return crc16_reflected(p, n, 0xA001, 0x0000, 0x0000);
}
