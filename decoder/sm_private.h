/* SPDX-License-Identifier: MIT */
/* sm_private.h - internals shared by the decoder's layers. Not installed.
 *
 * Data flow, one layer per file; calls only go down this list's arrows:
 *   sm_link.c     the link-layer driver: bytes -> intact frames, through a
 *                 table of framings (one row per file):
 *                   sm_link_mbus.c  M-Bus long frames (68 L L 68 .. CS 16)
 *                   sm_link_hdlc.c  HDLC frame type 3 (7E A.. HCS .. FCS 7E)
 *                   sm_link_apdu.c  bare APDUs (DB .. by length, 0F parsed)
 *                   sm_link_dsmr.c  DSMR P1 text telegrams (/ .. !CRC)
 *                   sm_link_amis.c  AMIS SND_NKE and SND_UD (CI 0x5B)
 *   sm_segment.c  frames -> one APDU (neutral first/last/sequence flags)
 *   sm_gbt.c      General-Block-Transfer blocks -> one APDU
 *   sm_cipher.c   general-glo-ciphering APDU -> plaintext (AES-128-GCM)
 *   sm_axdr.c     plaintext data-notification -> sm_telegram readings
 *                 (sm_layout.c: positional layouts chosen by shape)
 *   sm_dsmr.c     DSMR text -> sm_telegram readings
 *   sm_oms.c      AMIS SND_UD -> its header, OMS mode 5 (AES-128-CBC)
 *   sm_mbus_records.c  EN 13757-3 data records -> sm_telegram readings
 *   sm_ber.c      the bottom: BER lengths, A-XDR element sizes
 *   sm_replay.c   the replay guard (frame counters, meter times, titles)
 *   sm_decoder.c  drives the layers, counters
 */
#ifndef SM_PRIVATE_H
#define SM_PRIVATE_H

#include <gcrypt.h>

#include "sm_decoder.h"

/* Longest frame any framing may deliver: HDLC's 11-bit length plus two
 * flags, a DSMR telegram, a bare APDU; all bounded by SM_MAX_APDU. */
#define SM_FRAME_MAX (SM_MAX_APDU + 8)
/* Link buffer: room for one whole frame behind a partial one. */
#define SM_LINK_BUF (2 * SM_FRAME_MAX)

/* ---- link layer: one interface, one row per framing -------------------- */

/* A frame's payload with neutral segmentation flags, pointers into the
 * link buffer, valid until the next link call. */
typedef struct sm_frame {
  const uint8_t *data; /* APDU bytes (M-Bus: after CI STSAP DTSAP; HDLC:
                          after the LLC of a first frame) */
  size_t len;
  bool first, last; /* first / last segment of an APDU */
  int seq;          /* sequence number, -1 when the framing has none */
  int seq_max;      /* the highest one the framing can number */
} sm_frame;

/* What a framing says about the bytes at the start of a buffer. */
typedef enum sm_link_result {
  SM_LINK_NONE,    /* p[0] does not start a frame of this kind */
  SM_LINK_PARTIAL, /* p[0] may start one; its end is not buffered yet */
  SM_LINK_FRAME,   /* an intact frame of *size bytes starts at p[0] */
  SM_LINK_BROKEN,  /* p[0] starts a complete frame of *size bytes that
                      fails a check; *err says which */
} sm_link_result;

typedef struct sm_link_ops {
  sm_input input;
  const char *name;
  /* true: frames carry a checksum, so one may be believed wherever it is
   * found (inside the claimed length of a noise header, after a broken
   * frame). false (bare APDUs): only where a frame may begin. */
  bool checked;
  /* The bytes a frame may start with (the same twice when there is one):
   * for any other p[0], frame() says SM_LINK_NONE, so auto need not ask. */
  uint8_t starts[2];
  /* A start byte whose frames have neither a length of their own nor a
   * check (a bare 0F, framed by parsing it), 0 when there is none: such a
   * frame may not begin inside the claimed length of a rejected one, where
   * it would be ciphertext read as plaintext. */
  uint8_t unframed;
  /* true: its frames end at a marker, not at a claimed length (DSMR's
   * "!" CRC), so a PARTIAL verdict at p[0] (no end yet, all text) holds
   * for every later start of this row in the same bytes: the search for a
   * frame inside a header asks it once per pass, not at every start. */
  bool partial_covers_rest;
  /* Classify p[0..n). at_end: no more bytes will come before this is
   * decided (idle gap, end of input). Fills *f for SM_LINK_FRAME, *size for
   * FRAME/BROKEN, *err for BROKEN. Pure: no state. */
  sm_link_result (*frame)(const uint8_t *p, size_t n, bool at_end, sm_frame *f,
                          size_t *size, sm_status *err);
} sm_link_ops;

extern const sm_link_ops sm_link_mbus;
extern const sm_link_ops sm_link_hdlc;
extern const sm_link_ops sm_link_apdu; /* DB and 0F (Framing apdu) */
extern const sm_link_ops sm_link_glo;  /* DB only (what auto tries) */
extern const sm_link_ops sm_link_dsmr;

typedef struct sm_link {
  const sm_link_ops *ops; /* forced framing, or the one auto last found */
  bool fixed;             /* configured: no other row is tried */
  uint8_t buf[SM_LINK_BUF];
  size_t start, end;     /* unprocessed bytes are buf[start..end) */
  size_t unchecked_from; /* offset in buf before which unchecked rows may
                            not start (bytes of a broken checked frame) */
  size_t inner_next;     /* offset in buf where the search for a frame
                            inside a partial header resumes */
  size_t held;           /* bytes of an unchecked frame just delivered,
                            still at start until the next call */
  size_t unframed_from;  /* offset in buf before which no unframed start
                            byte is believed (inside a rejected frame) */
} sm_link;

/* forced: the row for a configured framing, or NULL for auto. */
void sm_link_init(sm_link *l, const sm_link_ops *forced);
const sm_link_ops *sm_link_row(sm_input in); /* NULL for AUTO */
/* Copy what fits of in[0..n) into the buffer; returns bytes taken. */
size_t sm_link_take(sm_link *l, const uint8_t *in, size_t n);
/* Find the next intact frame. Returns SM_TELEGRAM when *f is set,
 * SM_NEED_MORE, or a link error (the broken frame's first byte is dropped
 * already, so the caller just calls again). at_end: see sm_link_ops. Adds
 * skipped bytes to *discarded. */
sm_status sm_link_next(sm_link *l, bool at_end, sm_frame *f,
                       uint64_t *discarded);
void sm_link_reset(sm_link *l); /* drop buffered bytes, keep the framing */
/* The unchecked frame (a bare APDU) just delivered did not decode: resync
 * one byte after its start instead of behind it, and believe no unframed
 * start byte (sm_link_ops.unframed) before its end. No effect otherwise. */
void sm_link_reject(sm_link *l, uint64_t *discarded);
size_t sm_link_pending(const sm_link *l);

/* CRC-16/X.25 (HDLC HCS/FCS) and CRC-16/ARC (DSMR), over p[0..n). */
uint16_t sm_crc16_x25(const uint8_t *p, size_t n);
uint16_t sm_crc16_arc(const uint8_t *p, size_t n);

/* ---- segment reassembly ------------------------------------------------ */
typedef struct sm_segments {
  uint8_t buf[SM_MAX_APDU];
  size_t len;
  bool active;     /* a first segment was taken, the last not yet */
  int next_seq;    /* expected sequence number when frames carry one */
  bool overflow;   /* broken telegram: discard quietly until the next
                      first segment */
  bool seen_start; /* a first segment was ever seen (start-up is quiet) */
} sm_segments;

void sm_segments_init(sm_segments *s);  /* fresh, start-up state */
void sm_segments_reset(sm_segments *s); /* drop a telegram being built */
/* Add a frame. Returns SM_TELEGRAM when an APDU is complete (s->buf,
 * s->len), SM_NEED_MORE when more segments are expected, or an error. */
sm_status sm_segments_add(sm_segments *s, const sm_frame *f);
bool sm_segments_partial(const sm_segments *s);

/* ---- General-Block-Transfer (APDU tag 0xE0) ---------------------------- */
typedef struct sm_blocks {
  uint8_t buf[SM_MAX_APDU];
  size_t len;
  uint16_t next;   /* block number expected next; 0 = none in progress */
  bool seen_first; /* a first block was ever seen (start-up is quiet) */
} sm_blocks;

void sm_blocks_reset(sm_blocks *b); /* drop an APDU being joined */
bool sm_blocks_partial(const sm_blocks *b);
/* Add one E0 APDU. SM_TELEGRAM when the last block completed the joined
 * APDU (b->buf, b->len), SM_NEED_MORE, or SM_ERR_SEGMENT / SM_ERR_TOO_LONG
 * / SM_ERR_APDU_LENGTH. */
sm_status sm_blocks_add(sm_blocks *b, const uint8_t *apdu, size_t len);

/* ---- security ---------------------------------------------------------- */
typedef struct sm_cipher {
  gcry_cipher_hd_t hd;  /* GCM: telegrams whose tag we check */
  gcry_cipher_hd_t ctr; /* CTR: the same keystream without GHASH work, for
                           telegrams without a tag (or no auth key) */
  bool has_key, has_auth_key;
  uint8_t auth_key[SM_KEY_LEN];
} sm_cipher;

/* Parsed general-glo-ciphering header. */
typedef struct sm_glo {
  uint8_t system_title[8];
  uint8_t sc;
  uint32_t frame_counter;
  uint8_t *payload; /* ciphertext, decrypted in place */
  size_t payload_len;
  const uint8_t *tag; /* 12 bytes or NULL */
} sm_glo;

sm_status sm_cipher_open(sm_cipher *c, const sm_options *o);
void sm_cipher_close(sm_cipher *c);
/* Parse a 0xDB APDU in apdu[0..len) (len = bytes available). *used is the
 * APDU's own length (trailing bytes after it are the caller's business). */
sm_status sm_glo_parse(uint8_t *apdu, size_t len, sm_glo *g, size_t *used);
/* Decrypt g->payload in place; verify the tag when one is present and an
 * auth key is configured. Sets *authenticated. A failed tag over a
 * plaintext that still looks like one (a data-notification or DSMR text)
 * is SM_ERR_TAG; over noise SM_ERR_KEY_WRONG. */
sm_status sm_cipher_decrypt(sm_cipher *c, const sm_glo *g, bool *authenticated);

/* ---- the bottom: BER and A-XDR sizes (sm_ber.c) ------------------------ */
/* A-XDR type tags (DLMS Blue Book). */
enum sm_axdr_tag {
  T_NULL = 0x00,
  T_ARRAY = 0x01,
  T_STRUCT = 0x02,
  T_BOOL = 0x03,
  T_BITS = 0x04,
  T_I32 = 0x05,
  T_U32 = 0x06,
  T_OCTETS = 0x09,
  T_VISIBLE = 0x0A,
  T_UTF8 = 0x0C,
  T_BCD = 0x0D,
  T_I8 = 0x0F,
  T_I16 = 0x10,
  T_U8 = 0x11,
  T_U16 = 0x12,
  T_I64 = 0x14,
  T_U64 = 0x15,
  T_ENUM = 0x16,
  T_F32 = 0x17,
  T_F64 = 0x18,
  T_DATETIME = 0x19,
  T_DATE = 0x1A,
  T_TIME = 0x1B,
  T_DONT_CARE = 0xFF,
};

/* Read a BER length at p[*pos]; advances *pos. Returns -1 if truncated or
 * longer than 2 length bytes. */
long sm_ber_length(const uint8_t *p, size_t n, size_t *pos);
/* Total length of a general-glo-ciphering APDU (0xDB) from its header:
 * SM_TELEGRAM with *total, SM_NEED_MORE, or SM_ERR_UNSUPPORTED /
 * SM_ERR_APDU_LENGTH. */
sm_status sm_glo_length(const uint8_t *p, size_t n, size_t *total);
/* Data-notification header: 0F, invoke id (4), a date-time (0C + 12, or
 * 09 0C + 12) or 00, then the body, which must open a structure or an
 * array. Sets *clock (offset of the 12 date-time bytes, 0 if none) and
 * *body. SM_TELEGRAM, or SM_ERR_KEY_WRONG when this is not a
 * notification header, SM_ERR_AXDR when it ends before the body. */
sm_status sm_notification_header(const uint8_t *p, size_t n, size_t *clock,
                                 size_t *body);
/* Size of the A-XDR element at p[*pos] (types and lengths only, nothing
 * interpreted); advances *pos past it. SM_TELEGRAM, SM_NEED_MORE when it
 * runs past n, SM_ERR_AXDR for an unknown type or nesting too deep. */
sm_status sm_axdr_skip(const uint8_t *p, size_t n, size_t *pos);

/* ---- replay guard (sm_replay.c) ---------------------------------------- */
typedef struct sm_title {
  uint8_t title[8];
  bool seen;        /* a telegram of this title was accepted */
  uint32_t last;    /* frame counter of the last accepted telegram */
  bool timed;       /* an accepted telegram carried a meter time: */
  int64_t time;     /* the last one's, as sm_replay_time_key() */
  bool time_utc;    /* ... on the UTC scale (the meter gave its offset) */
  bool epoch_timed; /* the counter restarted (with a meter time): */
  int64_t epoch;    /* the meter time of the restarting telegram */
  bool epoch_utc;
} sm_title;

typedef struct sm_replay {
  sm_title titles[SM_MAX_TITLES];
  size_t used;
} sm_replay;

typedef enum sm_replay_verdict {
  SM_REPLAY_NEW,     /* newer counter, not from before a restart */
  SM_REPLAY_RESTART, /* lower counter, newer meter time: meter restarted */
  SM_REPLAY_OLD,     /* replayed, duplicate or stale */
  SM_REPLAY_FULL,    /* a title beyond SM_MAX_TITLES */
} sm_replay_verdict;

/* Decide on a decoded telegram and remember it when it is taken (NEW,
 * RESTART). The rules are at the top of sm_replay.c. */
sm_replay_verdict sm_replay_check(sm_replay *r, const uint8_t title[8],
                                  uint32_t fc, const sm_datetime *meter_time);
void sm_replay_forget(sm_replay *r);
/* A meter time in hundredths of a second on a scale that keeps its order
 * across the summer/winter time change; false when not fully specified. */
bool sm_replay_time_key(const sm_datetime *dt, int64_t *key);

/* ---- application ------------------------------------------------------- */
/* Shared by the A-XDR, layout and DSMR layers (sm_value.c). */
/* A new reading of OBIS obis: a number, scaler 0, no unit; NULL (and
 * t->values_truncated) when SM_MAX_VALUES are taken. */
sm_value *sm_value_add(sm_telegram *t, const uint8_t obis[6]);
/* value = raw (or the unscaled float in value) * 10^scaler, exactly
 * rounded. */
void sm_value_rescale(sm_value *v);
/* A new integer reading: sm_value_add, then raw, scaler and unit set and
 * the value rescaled, in one pass over the slot. NULL as sm_value_add. */
sm_value *sm_value_integer(sm_telegram *t, const uint8_t obis[6], int64_t raw,
                           int8_t scaler, uint8_t unit);
/* Clear what a parse sets: header fields, no values. */
void sm_telegram_clear(sm_telegram *t);

/* Parse a plaintext data-notification p[0..n) into t (values, clock,
 * strings); *used is its length. Returns SM_TELEGRAM, SM_ERR_KEY_WRONG when
 * the header does not look like a data-notification at all (the only
 * wrong-key signal without a tag), SM_ERR_AXDR, SM_ERR_LAYOUT (with the
 * shape written to detail[0..detail_size)), or - only when more_may_come
 * (a stream of bare APDUs whose end is known only by parsing) -
 * SM_NEED_MORE when the bytes end inside the notification. */
sm_status sm_axdr_notification(const uint8_t *p, size_t n, bool more_may_come,
                               sm_telegram *t, size_t *used, char *detail,
                               size_t detail_size);
/* True when p[0..n) starts like a data-notification (the header checks of
 * sm_axdr_notification, nothing parsed): decrypted with the right key. */
bool sm_axdr_is_notification(const uint8_t *p, size_t n);

/* Bodies whose meaning comes from their shape (sm_layout.c, called by
 * sm_axdr.c): positional layouts, the E450's clock + (OBIS, value) pairs,
 * the capture-object list. sm_layout.c only says what each element is;
 * sm_axdr.c reads the values. */
typedef enum sm_role {
  SM_ROLE_SKIP,         /* not delivered (a pair's OBIS, undocumented) */
  SM_ROLE_ID,           /* os(6) that must hold obis; not delivered */
  SM_ROLE_METER_NUMBER, /* string -> meter_number */
  SM_ROLE_TIME,         /* os(4): hh mm ss hundredths */
  SM_ROLE_DATE,         /* os(5): yyyy(2) mm dd weekday */
  SM_ROLE_CLOCK,        /* date-time: os(12) or type 0x19 */
  SM_ROLE_READING,      /* a number: reading obis, scaler, unit */
  SM_ROLE_TEXT,         /* a string: text reading obis, left out when "" */
  SM_ROLE_NAMED,        /* a value of obis, by the walker's OBIS rules */
  SM_ROLE_NO_UNIT,      /* a number of obis whose unit nobody documents:
                           left out */
} sm_role;

typedef struct sm_field {
  uint8_t tag;  /* A-XDR type it must have; 0: checked when read */
  uint8_t len;  /* string length it must have; 0: any */
  uint8_t role; /* sm_role */
  int8_t scaler;
  uint8_t unit;
  uint8_t obis[6];
} sm_field;

/* Element offsets a match keeps (a positional layout has 14 at most, an
 * E450 pairs body 2k + 1); beyond it an element is sized again. */
#define SM_SHAPE_AT 64
_Static_assert(SM_MAX_APDU <= UINT16_MAX, "element offsets fit uint16_t");

/* A matched body and the state of a walk over its elements. */
typedef struct sm_shape {
  const uint8_t *p;
  size_t end;             /* end of the body */
  int kind;               /* which kind of shape (sm_layout.c) */
  const char *name;       /* for sm_telegram.layout */
  const sm_field *fields; /* positional layouts: one per element */
  size_t count;           /* elements of the body's structure */
  size_t first;           /* offset of element 0 */
  size_t k, pos, prev;    /* next element's index and offset; the last */
  size_t defs, n_defs;    /* capture list: offset of the definitions */
  bool self_listed;       /* capture list: definition 0 is the list */
  /* Offsets of elements 0 .. n_at - 1 (and of the end when the last was
   * sized), found while matching: the walk after a match does not size
   * them again. */
  size_t n_at;
  uint16_t at[SM_SHAPE_AT];
} sm_shape;

/* Does the body element at p[body] (p[0..end) not sized yet; s->end is its
 * end after a match) have one of the shapes above? false: no (the walker's
 * turn). true: *s is ready for sm_shape_next() when *st is SM_TELEGRAM;
 * otherwise *st is SM_ERR_LAYOUT (a capture list that contradicts itself) with
 * detail. */
bool sm_shape_match(const uint8_t *p, size_t body, size_t end, sm_shape *s,
                    sm_status *st, char *detail, size_t detail_size);
/* The next element of a matched body: its offset and what it is. false
 * after the last. */
bool sm_shape_next(sm_shape *s, size_t *pos, sm_field *f);
/* The shape of the body element p[body..end) for a message, truncated to
 * detail_size: "structure(14): u16 u16 ... os(8)". */
void sm_shape_describe(const uint8_t *p, size_t body, size_t end, char *detail,
                       size_t detail_size);

/* DSMR P1 text (sm_dsmr.c). A telegram is "/" ident CR LF, lines
 * "A-B:C.D.E(value*unit)...", "!" and 4 hex digits of CRC-16/ARC over
 * "/" .. "!", then CR LF. */
/* Size of the telegram at p[0] == '/': SM_TELEGRAM with *size (through the
 * CRC digits and a CR LF when present), SM_NEED_MORE, or SM_ERR_DSMR when
 * the bytes cannot be one (a non-text byte, no '!' within the bound). */
sm_status sm_dsmr_size(const uint8_t *p, size_t n, bool at_end, size_t *size);
/* A telegram of sm_dsmr_size() bytes: does its CRC match? */
bool sm_dsmr_crc_ok(const uint8_t *p, size_t size);
/* True when p[0..n) starts like a DSMR telegram ("/" and an ident line of
 * printable text): decrypted with the right key. */
bool sm_dsmr_is_telegram(const uint8_t *p, size_t n);
/* Parse a complete telegram p[0..n): CRC (SM_ERR_CHECKSUM), then the lines
 * into t: values by OBIS A.B.C.D.E.255 with exact decimal raw/scaler and
 * DLMS units (kWh -> Wh, kW -> W ...), meter_time from 0-0:1.0.0,
 * meter_number from 0-0:96.1.0/96.1.1, device_name from the ident line.
 * SM_TELEGRAM or SM_ERR_DSMR (detail says which line). */
sm_status sm_dsmr_parse(const uint8_t *p, size_t n, sm_telegram *t,
                        char *detail, size_t detail_size);

/* ---- AMIS (Netz OÖ, Siemens TD-3511/TD-3512) ---------------------------
 * sm_link_amis.c frames, sm_oms.c the SND_UD's header and OMS security
 * mode 5, sm_mbus_records.c the plaintext's EN 13757-3 records; the
 * acknowledgements and the repeat rule are sm_decoder.c's. */
extern const sm_link_ops sm_link_amis;

/* Longest AMIS frame: 68 L L 68 .. CS 16 with a one-byte L. */
#define SM_AMIS_FRAME_MAX (255 + 6)

/* True for the SND_NKE 10 40 F0 30 16: the meter (re)starts the link, its
 * access number starts again at 0. */
bool sm_amis_is_link_start(const uint8_t *frame, size_t n);

typedef struct sm_oms {
  gcry_cipher_hd_t cbc; /* AES-128-CBC with the key, IV set per frame */
  bool has_key;
  uint8_t plain[SM_AMIS_FRAME_MAX]; /* records of the last frame */
} sm_oms;

sm_status sm_oms_open(sm_oms *c, const sm_options *o);
void sm_oms_close(sm_oms *c);

/* A SND_UD frame[0..n) as sm_link_amis delivers it (checksum right) ->
 * t: the 8-byte address M ID version medium as system title, the access
 * number as frame counter, the records (decrypted with IV = address || 8 x
 * access number) as readings and meter time; framing is the caller's.
 * SM_TELEGRAM, SM_ERR_NO_KEY, SM_ERR_UNSUPPORTED (not security mode 5),
 * SM_ERR_APDU_LENGTH (fewer bytes than the configuration word's blocks),
 * SM_ERR_KEY_WRONG (the plaintext is not 2F 2F and records: detail says
 * where it failed), SM_ERR_LAYOUT (a record that is no known reading,
 * detail says which: nothing is delivered then) or SM_ERR_CRYPTO. */
/* The SND_UD's address, mode and access number (frame from the AMIS row). */
void sm_amis_header(const uint8_t *frame, size_t n, sm_header *out);
sm_status sm_amis_decode(sm_oms *c, const uint8_t *frame, size_t n,
                         sm_telegram *t, char *detail, size_t detail_size);

/* One EN 13757-3 data record, as the walker found it. */
#define SM_MBUS_MAX_DIFE 10
#define SM_MBUS_MAX_VIFE 10
typedef struct sm_mbus_record {
  uint8_t dif;      /* data field coding in bits 0-3, function in 4-5 */
  uint64_t storage; /* DIF bit 6, then 4 bits per DIFE */
  uint32_t tariff;  /* 2 bits per DIFE */
  uint32_t subunit; /* 1 bit per DIFE */
  uint8_t vif[1 + SM_MBUS_MAX_VIFE]; /* VIF and VIFEs as sent */
  size_t n_vif;
  const uint8_t *data; /* the data field (after LVAR for DIF x0D) */
  size_t len;
  size_t at; /* offset of the DIF in the records */
} sm_mbus_record;

/* The record at p[*pos], after any 2F fill bytes; advances *pos past it.
 * SM_TELEGRAM with *r, SM_NEED_MORE when only fill is left, SM_ERR_APDU_
 * LENGTH when the record runs past n, SM_ERR_UNSUPPORTED for a coding that
 * cannot be walked (special functions, more than 10 extensions, a plain-
 * text VIF, a reserved LVAR). Never guesses a size. */
sm_status sm_mbus_record_next(const uint8_t *p, size_t n, size_t *pos,
                              sm_mbus_record *r);

/* Records p[0..n) -> t's readings (OBIS, unit, scaler) and meter time
 * (type I date-time). manufacturer: the M field (0x4C2D "SAM" knows the
 * Inkasso register). Every record must be understood: a walk error is
 * passed on (SM_ERR_APDU_LENGTH / SM_ERR_UNSUPPORTED), a record that is no
 * known reading is SM_ERR_LAYOUT; detail says which record, and t then
 * holds no readings. */
sm_status sm_mbus_records(const uint8_t *p, size_t n, uint16_t manufacturer,
                          sm_telegram *t, char *detail, size_t detail_size);

#endif
