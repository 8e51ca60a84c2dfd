/* SPDX-License-Identifier: MIT */
/* sm_scan.h - find a meter's serial settings by listening to it. Shared by
 * `smartmeter-decode --scan` and the plugin's `Baudrate auto`.
 *
 * The settings real meters use are tried in a fixed order (sm_scan_order:
 * wired M-Bus 2400 8E1, the E450's M-Bus CII 2400 8N1, AMIS IR 9600 8E1,
 * IR heads 9600 8N1, P1 115200 8N1). On each the port is opened afresh
 * (which flushes its input) and a new decoder with Framing auto listens
 * until the first intact frame of a checked framing (M-Bus, HDLC, DSMR,
 * AMIS), or a bare APDU that decodes (or shows the same system title
 * twice), or the setting's listening time ends. It moves on early when the
 * bytes frame as nothing: two bursts of bytes without a frame, or
 * SM_SCAN_GARBAGE_BYTES of them.
 * Once a setting frames, listening goes on (at most one more listening
 * time) for the first decode result, so the report can say whether the
 * key works; frames an AMIS meter addresses to the reader are answered
 * with E5 (it sends nothing else until acknowledged).
 *
 * Promises: never blocks longer than SM_SCAN_POLL_MS past a stop request
 * (the stopping callback; with a wake_fd not at all); closes every port it
 * opens; the report holds no key material (the decoded telegram's values and
 * the header only); prints and logs nothing (progress goes to the callback). */
#ifndef SM_SCAN_H
#define SM_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm_decoder.h"
#include "sm_port.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sm_scan_setting {
  int baud;
  sm_parity parity;
  unsigned listen_ms; /* how long one push may take to come */
  const char *who;    /* the meters that use it, for the report */
} sm_scan_setting;

#define SM_SCAN_SETTINGS 5
extern const sm_scan_setting sm_scan_order[SM_SCAN_SETTINGS];

/* Bytes without a frame (those with line errors included) after which a
 * setting is given up at once. */
#define SM_SCAN_GARBAGE_BYTES 2048
/* Quiet that ends a burst of bytes. */
#define SM_SCAN_BURST_GAP_MS 400
/* The longest a read waits before the stop callback is asked again. */
#define SM_SCAN_POLL_MS 100

/* What one setting gave. */
typedef struct sm_scan_heard {
  int baud;
  sm_parity parity;
  bool tried;           /* the port opened with this setting */
  unsigned ms;          /* listened this long */
  uint64_t bytes;       /* bytes received */
  uint64_t line_errors; /* bytes with parity or framing errors */
  uint64_t frames;      /* intact frames */
  uint64_t broken;      /* frames with a bad checksum */
  char error[160];      /* why the port did not open; "" otherwise */
} sm_scan_heard;

typedef enum sm_scan_status {
  SM_SCAN_FOUND = 0,    /* a setting framed; see the report */
  SM_SCAN_NOTHING = 1,  /* no setting gave an intact frame */
  SM_SCAN_STOPPED = 2,  /* the stopping callback said so */
  SM_SCAN_ERR_ARG = -1, /* no device, or one without serial settings
                           (tcp://) */
  SM_SCAN_ERR_OPEN = -2 /* the device cannot be opened at all */
} sm_scan_status;

const char *sm_scan_strerror(sm_scan_status st);

typedef struct sm_scan_report {
  size_t n_heard; /* settings tried, in order */
  sm_scan_heard heard[SM_SCAN_SETTINGS];
  /* SM_SCAN_FOUND only: */
  size_t found;         /* index into heard[] and sm_scan_order */
  sm_input framing;     /* of the first intact frame */
  sm_header header;     /* the last security header seen (valid: any) */
  sm_status result;     /* the first decode result on the setting found:
                           SM_TELEGRAM, SM_ERR_NO_KEY, SM_ERR_KEY_WRONG,
                           SM_ERR_TAG, ...; SM_NEED_MORE when frames
                           came but no telegram was complete in time */
  char detail[128];     /* sm_decoder_detail() of that result */
  sm_telegram telegram; /* the first telegram when result == SM_TELEGRAM */
} sm_scan_report;

typedef struct sm_scan_params {
  const sm_port_config *port; /* device; baud and parity are the scan's */
  const sm_options *dec;      /* keys; Framing (auto unless forced) */
  unsigned listen_ms;         /* 0: each setting's own time */
  /* Only the settings with this baud (0: any) and, when parity_fixed,
   * this parity (a plugin with Baudrate auto but Parity "even"). */
  int only_baud;
  bool parity_fixed;
  sm_parity only_parity;
  /* Optional: true once the caller wants the scan to end. */
  bool (*stopping)(void *ctx);
  /* Optional (-1: none): readable once the caller wants the scan to end;
   * then the scan waits for bytes or its deadlines only, never polls (the
   * plugin's stop eventfd). Without it the scan looks at stopping every
   * SM_SCAN_POLL_MS. */
  int wake_fd;
  /* Optional: called when a setting starts (h->tried false) and when it
   * ends. */
  void (*progress)(void *ctx, const sm_scan_heard *h, bool done);
  void *ctx;
} sm_scan_params;

/* Run the scan; fills *r (also on SM_SCAN_NOTHING: what each setting
 * heard). err gets a message for the error statuses. */
sm_scan_status sm_scan_run(const sm_scan_params *p, sm_scan_report *r,
                           char *err, size_t errlen);

/* The longest sm_scan_run(p) listens when nothing ever frames. */
unsigned sm_scan_max_ms(const sm_scan_params *p);

#ifdef __cplusplus
}
#endif
#endif
