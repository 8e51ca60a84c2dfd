/* SPDX-License-Identifier: MIT */
/* cli_help.c - the --help text. It never shows key material. */
#include <stdio.h>

#include "cli_options.h"

static const char usage_text[] =
    "Usage: smartmeter-decode [OPTIONS] [FILE|-]\n"
    "       smartmeter-decode --device PATH|tcp://HOST:PORT [OPTIONS]\n"
    "       smartmeter-decode --convert-kaifareader meter.json\n"
    "\n"
    "Decode the customer interface of Austrian smart meters: M-Bus, HDLC or\n"
    "DSMR frames carrying DLMS/COSEM data-notifications or DSMR text, usually\n"
    "AES-128-GCM encrypted, and Netz OOe's AMIS meters (answered with E5 in\n"
    "--device mode).\n"
    "\n"
    "Input (raw bytes from FILE, or stdin when FILE is '-' or missing):\n"
    "      --hex               input is hex text; whitespace and '#'\n"
    "                          comments are ignored\n"
    "      --input MODE        auto (default), mbus, hdlc, dsmr, amis or apdu\n"
    "  -d, --device PATH       read a serial port live, or tcp://host:port\n"
    "                          (ser2net); runs until SIGTERM/SIGINT or until\n"
    "                          a stdin pipe is closed\n"
    "      --baud N            default 2400\n"
    "      --parity P          none, even (default) or odd\n"
    "      --data-bits N       5..8, default 8\n"
    "      --stop-bits N       1 (default) or 2\n"
    "\n"
    "Keys (32 hex digits; whitespace ignored):\n"
    "      --key HEX           encryption key (visible to other users for a\n"
    "                          moment: prefer --key-file)\n"
    "      --key-file FILE     read the encryption key from FILE\n"
    "      --auth-key HEX      authentication key (security control 0x30)\n"
    "      --auth-key-file FILE\n"
    "      --supplier NAME     KSMWest, EVN or auto (accepted for kaifareader\n"
    "                          users; decoding does not depend on it)\n"
    "\n"
    "Output:\n"
    "  -f, --format FMT        text (default), json (one object per line) or\n"
    "                          influx (line protocol for Telegraf execd)\n"
    "      --meter NAME        influx tag 'meter' (default: meter number,\n"
    "                          else system title)\n"
    "      --timestamp WHEN    influx time: receive (default) or meter\n"
    "                          (the meter's clock read as local time)\n"
    "  -q, --quiet             no per-telegram error messages\n"
    "      --check-key         only say whether the key decrypts the input\n"
    "      --convert-kaifareader FILE\n"
    "                          print the collectd configuration equivalent\n"
    "                          to a kaifareader meter.json\n"
    "  -h, --help              this text\n"
    "  -V, --version           program version\n"
    "\n"
    "Exit status: 0 at least one telegram decoded (live mode: clean stop),\n"
    "1 none decoded or an input error, 2 usage error.\n";

void cli_usage(void) {
  fputs(usage_text, stdout);
}
