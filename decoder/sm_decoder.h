/* SPDX-License-Identifier: MIT */
/* sm_decoder.h - incremental decoder for the customer interface of Austrian
 * smart meters (M-Bus long frames carrying DLMS/COSEM data-notifications,
 * optionally AES-128-GCM general-glo-ciphered).
 *
 * Framings (rows of one link-layer table, see sm_private.h): wired M-Bus
 * long frames, HDLC (IEC 62056-46 frame type 3), bare APDUs and DSMR P1 text
 * telegrams; inside them general-glo-ciphering (AES-128-GCM), General Block
 * Transfer, A-XDR data-notifications of the known layouts, or DSMR text.
 *
 * Promises:
 *  - pure computation: no I/O, no clocks, no globals, never prints;
 *  - all memory is taken in sm_decoder_new(); feeding never allocates;
 *  - any input (1 byte ... any size, arbitrary garbage) is safe: bad bytes
 *    are skipped, the next intact frame is found at the next byte;
 *  - every problem is a distinct sm_status value with a sm_strerror() text;
 *  - keys are copied in and wiped by sm_decoder_free().
 *
 * Usage (picohttpparser style):
 *
 *   size_t used;
 *   const sm_telegram *t;
 *   sm_status st;
 *   do {
 *     st = sm_decoder_feed(d, buf, len, &used, &t);
 *     buf += used; len -= used;
 *     if (st == SM_TELEGRAM) ...use *t...;
 *     else if (st < 0) ...report sm_strerror(st)...;
 *   } while (st != SM_NEED_MORE);
 *
 * SM_NEED_MORE means: all input was taken and nothing more can be produced
 * until more bytes arrive. The telegram pointer stays valid until the next
 * call on the same decoder.
 *
 * A decoder is not thread-safe; use one per byte stream (per meter).
 * libgcrypt must be initialised by the program before sm_decoder_new()
 * (sm_crypto_init() does that once, guarded, for programs that own it).
 */
#ifndef SM_DECODER_H
#define SM_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SM_KEY_LEN 16
#define SM_MAX_VALUES 64  /* readings kept per telegram */
#define SM_MAX_TEXT 48    /* bytes kept of a string value, incl. NUL */
#define SM_MAX_APDU 4096  /* bound on a reassembled telegram */
#define SM_MAX_TITLES 64  /* system titles remembered for replay checks */
#define SM_DETAIL_MAX 128 /* bytes of sm_decoder_detail(), incl. NUL */

typedef enum sm_status {
  SM_TELEGRAM = 1,  /* a telegram was decoded: see the out pointer */
  SM_NEED_MORE = 0, /* all input taken; feed more bytes */
  SM_OK = 0,        /* no error: what calls that take no input return on
                       success (the same value as SM_NEED_MORE) */
  /* Link layer */
  SM_ERR_CHECKSUM = -1,  /* frame checksum, HCS/FCS or DSMR CRC mismatch */
  SM_ERR_STOP_BYTE = -2, /* frame without its stop byte or end flag */
  /* Segments */
  SM_ERR_SEGMENT = -3,  /* segment or block missing, repeated or out
                           of order */
  SM_ERR_TOO_LONG = -4, /* telegram larger than SM_MAX_APDU */
  /* Security / APDU */
  SM_ERR_UNSUPPORTED = -5, /* unknown APDU, security suite or layout */
  SM_ERR_APDU_LENGTH = -6, /* APDU shorter than its own length field */
  SM_ERR_NO_KEY = -7,      /* telegram is encrypted, no key configured */
  SM_ERR_KEY_WRONG = -8,   /* decryption gave no valid APDU (with a tag:
                              the tag failed and so did the plaintext):
                              the key is probably wrong */
  SM_ERR_TAG = -9,         /* GCM tag mismatch over a plausible plaintext:
                              auth key wrong, or the frame is corrupt */
  SM_ERR_CRYPTO = -10,     /* libgcrypt failed (not a data problem) */
  /* Application */
  SM_ERR_AXDR = -11,   /* A-XDR data truncated or invalid */
  SM_ERR_REPLAY = -12, /* an old telegram: see "Frame counters" below */
  /* API misuse */
  SM_ERR_ARG = -13,   /* invalid argument */
  SM_ERR_NOMEM = -14, /* out of memory (sm_decoder_new only) */
  /* Application, continued */
  SM_ERR_LAYOUT = -15, /* a structure that matches no known layout:
                          nothing paired by guess (sm_decoder_detail()
                          gives its shape) */
  SM_ERR_DSMR = -16,   /* DSMR text telegram malformed */
} sm_status;

/* Static English text for any status value; never NULL. */
const char *sm_strerror(sm_status st);

/* How the byte stream is framed. */
typedef enum sm_input {
  SM_INPUT_AUTO = 0, /* the first intact frame of any kind decides; a later
                        intact frame of another kind switches over
                        (stats.framing_changes). Bare APDUs are found when
                        encrypted (0xDB); an unencrypted bare 0x0F has no
                        length or check, so only SM_INPUT_APDU takes it. */
  SM_INPUT_MBUS,     /* M-Bus long frames (the RJ12 customer interface) */
  SM_INPUT_APDU,     /* back-to-back bare APDUs (captures, T210-D-R P1) */
  SM_INPUT_HDLC,     /* HDLC frames, 7E A0.. (IR head, P1, E450 M-Bus CII) */
  SM_INPUT_DSMR,     /* DSMR P1 text telegrams, "/...!CRC" */
  SM_INPUT_AMIS,     /* Netz OÖ AMIS (Siemens TD-3511/3512) on the IR head:
                        M-Bus SND_NKE and SND_UD with CI 0x5B, OMS mode 5
                        AES-CBC, EN 13757-3 records; the reader must answer
                        E5 (see sm_decoder_acks_due) */
} sm_input;

/* "auto", "mbus", "apdu", "hdlc", "dsmr", "amis"; "?" for anything else. */
const char *sm_input_name(sm_input in);
/* The inverse (case-insensitive). Returns 0, or -1 for an unknown name. */
int sm_input_parse(const char *name, sm_input *out);
/* The accepted names for messages: "\"auto\", \"mbus\", ..." */
#define SM_INPUT_NAMES                                                         \
  "\"auto\", \"mbus\", \"hdlc\", \"dsmr\", \"amis\" or \"apdu\""

typedef struct sm_options {
  sm_input input;
  bool has_key;
  uint8_t key[SM_KEY_LEN]; /* global unicast encryption key (GUEK) */
  bool has_auth_key;
  uint8_t auth_key[SM_KEY_LEN]; /* authentication key (GAK), SC 0x30 */
  /* Accepted for kaifareader configs ("KSMWest", "EVN", "auto");
   * decoding never depends on it. May be NULL. */
  const char *supplier;
} sm_options;

/* A DLMS date-time as the meter sent it. */
typedef struct sm_datetime {
  bool present;
  uint16_t year; /* 0xFFFF: not specified */
  uint8_t month, day, weekday, hour, minute, second, hundredths;
  int16_t deviation; /* minutes; INT16_MIN (0x8000): not specified */
  uint8_t status;    /* clock status; 0x80 = summer time */
} sm_datetime;

typedef enum sm_value_kind {
  SM_VALUE_NUMBER = 0, /* raw/scaler (integers) or fvalue (floats) */
  SM_VALUE_TEXT,       /* printable string or hex of an octet-string */
} sm_value_kind;

/* One reading: an OBIS code and its value. */
typedef struct sm_value {
  uint8_t obis[6]; /* A.B.C.D.E.F */
  sm_value_kind kind;
  bool is_float;          /* value came as float32/float64 */
  int8_t scaler;          /* value = raw * 10^scaler */
  uint8_t unit;           /* DLMS unit enum; 255 = none */
  int64_t raw;            /* integer as sent (u64 above INT64_MAX clamps) */
  double value;           /* scaled value */
  char text[SM_MAX_TEXT]; /* for SM_VALUE_TEXT */
} sm_value;

typedef struct sm_telegram {
  sm_input framing;               /* the link layer it came in */
  bool dsmr;                      /* the payload was a DSMR text telegram */
  bool encrypted;                 /* came inside general-glo-ciphering */
  bool authenticated;             /* GCM tag verified with the auth key */
  bool tag_unchecked;             /* tag present, but no auth key configured */
  uint8_t security;               /* SC byte; 0 if not encrypted (AMIS:
                                     the OMS security mode, 5) */
  uint8_t system_title[8];        /* zero if not encrypted (AMIS: the
                                     address M ID version medium) */
  uint32_t frame_counter;         /* 0 if not encrypted (AMIS: the 8-bit
                                     access number) */
  uint32_t invoke_id;             /* long-invoke-id-and-priority */
  sm_datetime meter_time;         /* header date-time, else clock object */
  char meter_number[SM_MAX_TEXT]; /* 0.0.96.1.0.255 or EVN's trailing
                                     string; "" when absent */
  char device_name[SM_MAX_TEXT];  /* 0.0.42.0.0.255; "" when absent */
  const char *layout;             /* the layout that paired the values, a
                                     static text naming its operators
                                     ("Kaernten structure(12) ..."); ""
                                     when none has yet */
  size_t n_values;
  bool values_truncated;          /* more than SM_MAX_VALUES were sent */
  sm_value values[SM_MAX_VALUES]; /* in telegram order */
} sm_telegram;

/* Counters since sm_decoder_new(); monotonic. */
typedef struct sm_stats {
  uint64_t bytes;           /* bytes fed */
  uint64_t bytes_discarded; /* skipped while searching for a frame */
  uint64_t frames;          /* intact M-Bus frames (or bare APDUs) */
  uint64_t telegrams;       /* telegrams decoded (SM_TELEGRAM results) */
  uint64_t checksum_errors; /* SM_ERR_CHECKSUM + SM_ERR_STOP_BYTE + frames
                               broken by a line error */
  uint64_t segment_errors;  /* SM_ERR_SEGMENT + SM_ERR_TOO_LONG */
  uint64_t decrypt_errors;  /* SM_ERR_KEY_WRONG + SM_ERR_NO_KEY */
  uint64_t tag_errors;      /* SM_ERR_TAG */
  uint64_t format_errors;   /* SM_ERR_AXDR, _UNSUPPORTED, _APDU_LENGTH */
  uint64_t replays;         /* SM_ERR_REPLAY */
  uint64_t counter_resets;  /* meter restarted its frame counter */
  uint64_t partial_drops;   /* half telegrams dropped by sm_decoder_idle */
  uint64_t framing_changes; /* Framing auto followed a different framing */
  uint64_t line_errors;     /* sm_decoder_line_error() calls */
} sm_stats;

typedef struct sm_decoder sm_decoder;

/* Initialise libgcrypt once per process if nobody has (safe to call from
 * several places; not from several threads at once). Returns SM_OK
 * on success or SM_ERR_CRYPTO. */
sm_status sm_crypto_init(void);

/* Create a decoder. opts may be NULL (no key, auto input). Sets *err (if
 * err is not NULL): SM_OK, or on failure the reason, returning NULL. */
sm_decoder *sm_decoder_new(const sm_options *opts, sm_status *err);

/* Wipe keys, free everything. NULL is fine. */
void sm_decoder_free(sm_decoder *d);

/* Take bytes; see the usage above. *consumed (<= len) is how many bytes
 * of buf were taken; *out is set for SM_TELEGRAM and NULL otherwise.
 * buf may be NULL when len is 0 (to drain). */
sm_status sm_decoder_feed(sm_decoder *d, const uint8_t *buf, size_t len,
                          size_t *consumed, const sm_telegram **out);

/* The owner saw an idle gap on the line (a meter pauses between
 * telegrams) or the input ended: every intact frame still buffered - even
 * one behind a header of noise that claims more bytes than came - is
 * decoded now, one result per call exactly like sm_decoder_feed() with no
 * input (call until SM_NEED_MORE). When nothing is left, a half-received
 * frame or telegram is dropped (stats.partial_drops). */
sm_status sm_decoder_idle(sm_decoder *d, const sm_telegram **out);

/* The feed loop every program needs, once (sm_drive.c): where the results
 * of sm_decoder_feed() / sm_decoder_idle() go. For each result, first the
 * E5 acknowledgements that became due (an AMIS meter wants them before
 * anything else happens), then the result itself (a telegram, or an error
 * status < 0; SM_NEED_MORE is never passed). Either callback may be NULL. */
typedef struct sm_sink {
  void (*acks)(void *ctx, unsigned n);
  void (*result)(void *ctx, sm_status st, const sm_telegram *t);
  void *ctx;
} sm_sink;

/* Feed all of buf[0..len) and hand every result to s. Returns false only
 * if the decoder stopped consuming input (a bug guard: the bytes left are
 * dropped; never an endless loop). */
bool sm_decoder_feed_all(sm_decoder *d, const uint8_t *buf, size_t len,
                         const sm_sink *s);
/* An idle gap: sm_decoder_idle() until SM_NEED_MORE, results to s. */
void sm_decoder_idle_all(sm_decoder *d, const sm_sink *s);

/* Silence on the line after which the owner calls sm_decoder_idle(): the
 * one value for the plugin and the CLI. Real meters pause up to 1 s
 * between the frames of one telegram and several seconds between
 * telegrams; 1.5 s lies between, with room for USB latency and a reader
 * that notices silence late (the CLI polls its stop signal at 200 ms). */
#define SM_IDLE_GAP_MS 1500

/* The owner's serial port received the next byte with a parity or framing
 * error (UART error marking, see sm_port.h). Call it where that byte
 * would be fed, and do not feed the byte: the frame it falls in is
 * dropped (every frame still buffered contains it), counted once in
 * stats.checksum_errors however many bad bytes follow before the next
 * intact frame, and in stats.line_errors per call. A telegram whose
 * other frames are complete then misses a segment (SM_ERR_SEGMENT).
 * Without parity (8N1) two bit errors can cancel in an 8-bit additive
 * checksum; with parity every odd number of flipped bits in a byte is
 * caught here and every even number by the checksum. NULL is fine. */
void sm_decoder_line_error(sm_decoder *d);

/* Netz OÖ's AMIS meters push only to a reader that answers: the meter is
 * the M-Bus master and waits for one E5 byte (SM_ACK_BYTE) after every
 * intact frame addressed to the reader (the SND_NKE 10 40 F0 30 16 and each
 * SND_UD to address 0xF0); after 10 missing answers it falls back to one
 * SND_NKE a minute. Returns how many E5 bytes are owed for the frames taken
 * since the last call (0, or 1 for a meter that waits for each answer) and
 * clears the count. A program reading a meter calls it after every
 * sm_decoder_feed() / sm_decoder_idle() and writes that many E5 bytes at
 * once, before it handles the result: the meter wants the answer within
 * 84 ms of its stop byte (EN 13757-2 at 9600 baud), 0.5 s at the most; by
 * then the decoder has only decrypted and parsed that frame (microseconds).
 * An E5 is owed whether the telegram then decodes or not (wrong key,
 * repeated frame): it acknowledges the link, not the content. Nothing is
 * owed for a frame with a bad checksum or of any other framing, so a
 * program that writes only what this returns never writes to the port of
 * another kind of meter. */
#define SM_ACK_BYTE 0xE5
unsigned sm_decoder_acks_due(sm_decoder *d);

/* More about the last error result, for a log line: e.g. the shape of a
 * structure that matched no layout ("structure(14): u16 u16 ..."). "" when
 * there is nothing to add. Valid until the next call on the decoder. */
const char *sm_decoder_detail(const sm_decoder *d);

/* What the security header of the last APDU (or AMIS SND_UD) said, read
 * before any decryption: a scan or a log line can tell "encrypted, system
 * title ..." even when no key, or a wrong one, is configured. valid is
 * false until a frame carried a header; for a plaintext APDU encrypted is
 * false and the rest zero. Never key material. */
typedef struct sm_header {
  bool valid;
  bool encrypted;
  uint8_t security;        /* SC byte (AMIS: the OMS security mode) */
  uint8_t system_title[8]; /* AMIS: the address M ID version medium */
  uint32_t frame_counter;  /* AMIS: the access number */
  sm_input framing;        /* the link layer it came in */
} sm_header;
void sm_decoder_header(const sm_decoder *d, sm_header *out);

/* The framing in use: the configured one, or for SM_INPUT_AUTO the one the
 * last intact frame had (SM_INPUT_AUTO until the first). */
sm_input sm_decoder_framing(const sm_decoder *d);

/* Frame counters (encrypted telegrams), per system title:
 *  - a counter above the last accepted one is taken, unless the meter time
 *    is older than that of the telegram that restarted the counter (stale
 *    bytes from before the restart);
 *  - a counter at or below it is an old telegram (replayed, duplicate,
 *    stale: SM_ERR_REPLAY, stats.replays), however many arrive, unless the
 *    meter time is newer than the last accepted telegram's: the meter
 *    restarted its counter, the telegram is taken at once
 *    (stats.counter_resets);
 *  - with no meter time on either side only the counter decides;
 *  - up to SM_MAX_TITLES titles are remembered for the decoder's life; a
 *    telegram of one more title is refused (SM_ERR_REPLAY with a detail).
 * Meter times compare as UTC when the deviation is given, else as local
 * time less an hour in summer time (clock status 0x80).
 * Unencrypted telegrams carry no counter and are not checked.
 *
 * Forget frame counters (e.g. after the user replaced the meter). */
void sm_decoder_forget_counters(sm_decoder *d);

/* Copy of the counters. */
void sm_decoder_stats(const sm_decoder *d, sm_stats *out);

#ifdef __cplusplus
}
#endif
#endif
