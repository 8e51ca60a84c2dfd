/* SPDX-License-Identifier: MIT */
/* sm_error.c - texts for sm_status values. They are shown to users as-is
 * (collectd log, CLI stderr), so each says what to check. */
#include "sm_decoder.h"

const char *sm_strerror(sm_status st) {
  switch (st) {
  case SM_TELEGRAM:
    return "telegram decoded";
  case SM_NEED_MORE:
    return "need more data";
  case SM_ERR_CHECKSUM:
    return "frame checksum mismatch (line noise or wrong serial settings)";
  case SM_ERR_STOP_BYTE:
    return "frame without its stop byte or end flag (line noise or wrong "
           "serial settings)";
  case SM_ERR_SEGMENT:
    return "telegram segment or block missing, repeated or out of order";
  case SM_ERR_TOO_LONG:
    return "telegram too long";
  case SM_ERR_UNSUPPORTED:
    return "unsupported APDU, security suite or frame layout";
  case SM_ERR_APDU_LENGTH:
    return "APDU shorter than its length field";
  case SM_ERR_NO_KEY:
    return "telegram is encrypted but no key is configured";
  case SM_ERR_KEY_WRONG:
    return "decryption produced no valid APDU — is the key right?";
  case SM_ERR_TAG:
    return "authentication tag mismatch — is the authentication key right? "
           "(or the frame is corrupt)";
  case SM_ERR_CRYPTO:
    return "libgcrypt failure";
  case SM_ERR_AXDR:
    return "A-XDR data truncated or invalid";
  case SM_ERR_REPLAY:
    return "frame counter not newer than the last one, or meter time older "
           "(replayed, duplicate or stale telegram)";
  case SM_ERR_ARG:
    return "invalid argument";
  case SM_ERR_NOMEM:
    return "out of memory";
  case SM_ERR_LAYOUT:
    return "unsupported layout: the telegram's structure matches no known "
           "layout, nothing was paired by guess";
  case SM_ERR_DSMR:
    return "DSMR telegram malformed";
  }
  return "unknown status";
}
