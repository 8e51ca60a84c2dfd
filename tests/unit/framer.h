/* SPDX-License-Identifier: MIT */
/* framer.h - test-only link layers: the one writer (and reader) of M-Bus
 * long frames, HDLC frames, General-Block-Transfer blocks and DSMR P1
 * telegrams that the unit tests, the fuzzers and their seed generator,
 * sm-forge, sm-variant and the benchmark share.
 *
 * Written from the specifications, CRCs included, and never from decoder/:
 * a test that framed with the decoder's own code could not catch it.
 * encoder.h seals what goes inside. No libgcrypt, no cmocka here.
 */
#ifndef SM_TEST_FRAMER_H
#define SM_TEST_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRM_MBUS_OVERHEAD 11 /* 68 L L 68 C A CI STSAP DTSAP ... CS 16 */
#define FRM_MBUS_SEG 250     /* data bytes a meter puts in a full frame */

/* Address sets of real meters (DA, SA, control of the segments before the
 * last), picked by index modulo FRM_HDLC_ADDRS: 0 the IM350 (CF / 00 02
 * 00 23, control 13 on all frames), 1 the E450, 2 the AM550, 3 the IM350's
 * reversed. */
#define FRM_HDLC_ADDRS 4
/* Data bytes one HDLC frame carries after the LLC with any address set:
 * the 11-bit length counts format .. FCS. */
#define FRM_HDLC_DATA_MAX 2030

/* CRC-16/X.25 as HDLC sends it (HCS, FCS; store it low byte first) and
 * CRC-16/ARC (DSMR). Table-driven: the fuzzers check every '/' of long
 * texts. */
uint16_t frm_crc16_x25(const uint8_t *p, size_t n);
uint16_t frm_crc16_arc(const uint8_t *p, size_t n);

/* ---- M-Bus ----------------------------------------------------------------
 */

/* One M-Bus long frame 68 L L 68 53 FF <ci> 01 67 <data> CS 16. L is
 * (n + 5) & 0xFF, so n = 252 makes the Sagemcom "L = 0x01" frame.
 * Returns n + FRM_MBUS_OVERHEAD, or 0 when it does not fit cap. */
size_t frm_mbus_frame(uint8_t *out, size_t cap, uint8_t ci, const uint8_t *data,
                      size_t n);

/* Split data into frames of at most seg data bytes (0: FRM_MBUS_SEG; more
 * than 250 gives 8-bit-L frames as above): CI = sequence number mod 16,
 * the FIN bit 0x10 on the last (a single frame has it). Writes at most
 * max_frames frames (a meter cannot number more than 16: the decoder must
 * refuse a 16th without FIN). Returns the bytes written, or 0 when out is
 * too small; *frames (may be NULL) gets the number of frames all of data
 * needs. */
size_t frm_mbus_wrap_max(uint8_t *out, size_t cap, const uint8_t *data,
                         size_t n, size_t seg, size_t max_frames,
                         size_t *frames);

/* frm_mbus_wrap_max() with no limit on the frames. */
size_t frm_mbus_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg);

/* The checksum of the long frame f[0..n) computed again, for a test that
 * edits a frame in place (n counts 68 .. 16). */
void frm_mbus_fix_checksum(uint8_t *f, size_t n);

/* Undo M-Bus framing: the data of consecutive intact long frames joined
 * (the 8-bit L quirk is resolved by the stop byte and checksum). *first_seg
 * (may be NULL) gets the data bytes of the first frame. Returns the data
 * length, or 0 when in is not a clean sequence of frames. */
size_t frm_mbus_unwrap(const uint8_t *in, size_t n, uint8_t *out, size_t cap,
                       size_t *first_seg);

/* ---- HDLC -----------------------------------------------------------------
 */

/* One HDLC frame type 3: 7E, format (S bit when segmented), DA, SA,
 * control, HCS, [LLC E6 E7 00], data, FCS, 7E, with address set addr.
 * Returns its length, or 0 when it does not fit cap or the 11-bit length. */
size_t frm_hdlc_frame(uint8_t *out, size_t cap, unsigned addr, bool segmented,
                      bool llc, const uint8_t *data, size_t n);

/* Split data into HDLC frames of at most seg (0 or more than
 * FRM_HDLC_DATA_MAX: FRM_HDLC_DATA_MAX) data bytes: the LLC in the first
 * frame only, the S bit on all but the last. A continuation frame never
 * starts with E6 E7 00 (a receiver takes that for a first frame): such a
 * split point moves by one byte. Returns the bytes written (0: no room);
 * *frames (may be NULL) gets the frame count. */
size_t frm_hdlc_wrap(uint8_t *out, size_t cap, const uint8_t *data, size_t n,
                     size_t seg, unsigned addr, size_t *frames);

/* The intact frame (flags, HCS and FCS right) at buf[0..n): returns the
 * offset of its INFO field (LLC included) and sets *size (its bytes, 7E
 * to 7E) and *info_len; 0 when there is none. */
size_t frm_hdlc_info(const uint8_t *buf, size_t n, size_t *size,
                     size_t *info_len);

/* The FCS of the frame at f (7E first) computed again from its length
 * field, for a tool that edits the INFO of a frame in place. */
void frm_hdlc_fix_fcs(uint8_t *f);

/* The INFO fields of the intact HDLC frames in buf joined, each frame's
 * LLC dropped; then, when they hold General-Block-Transfer blocks, the
 * blocks' data joined. Returns the APDU length, 0 when buf is not intact
 * frames; *first gets the data bytes of the first frame (of the first
 * block, when *blocks). */
size_t frm_hdlc_unwrap(const uint8_t *buf, size_t n, uint8_t *apdu, size_t cap,
                       size_t *first, bool *blocks);

/* ---- General Block Transfer, DSMR -----------------------------------------
 */

/* One General-Block-Transfer block: E0, ctrl (0x40 streaming | 0x80 on the
 * last), block number (2), acknowledged block 0 (2), BER length, data.
 * Returns its length, or 0 when it does not fit cap. */
size_t frm_gbt_block(uint8_t *out, size_t cap, bool last, uint16_t number,
                     const uint8_t *data, size_t n);

/* text[0..n) as a DSMR telegram: '/' first (the first byte is replaced),
 * CR LF added when the last line is open, then "!", the CRC-16/ARC over
 * "/" .. "!" as 4 hex digits (upper case unless lower) and CR LF. Returns
 * the length, or 0 when it does not fit cap. */
size_t frm_dsmr_seal(const uint8_t *text, size_t n, bool lower, uint8_t *out,
                     size_t cap);

#endif
