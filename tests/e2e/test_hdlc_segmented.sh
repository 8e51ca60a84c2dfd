#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_hdlc_segmented.sh - a real telegram whose APDU spans three HDLC
# frames (S bit; tests/vectors/unencrypted/hdlc_iskra_am550_tasmota_8790:
# an Iskraemeco AM550 of a Swiss DSO, unencrypted) through the real
# collectd, Framing auto, no key: the meter replays it once a second at
# 115200 8N1 (the AM550's P1 speed). Asserts the values the bytes give (the
# capture's header; tests/unit/test_links.c), readings with channel B = 1
# kept under their OBIS code (never given a B = 0 name), clean health
# counters, "framing hdlc" found by Framing auto and a quiet log.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 120

capture=$SM_SRCDIR/tests/vectors/unencrypted/hdlc_iskra_am550_tasmota_8790.hex
# No frame counter to renew: the copies are the capture itself.
mkdir -p "$E2E_TMP/am550"
for i in $(seq -w 1 30); do
  cp "$capture" "$E2E_TMP/am550/t000$i.hex"
done
e2e_sim_start am550 1 --pace "$E2E_PACE_115200_8N1" --delay 3
e2e_conf am550 1 <<EOF2
  <Meter "am550">
    Device "$E2E_TMP/am550.tty"
    Baudrate 115200
    Parity "none"
    MaxAge 10
  </Meter>
EOF2
e2e_collectd_start am550

ok "readings arrive in csv" \
  wait_until 30 e2e_rows_at_least am550 am550 voltage-l1 3
e2e_expect_values am550 am550 <<'EOF2'
voltage-l1 233.6
voltage-l2 0
current-l1 0
gauge-obis_1_1_1_8_0_255 58276
gauge-obis_1_1_2_8_0_255 3038
gauge-obis_1_1_1_8_1_255 33921
gauge-obis_1_1_1_8_2_255 24355
gauge-obis_1_1_2_8_2_255 3038
EOF2
is "no B = 0 energy name for a B = 1 reading" \
  "$(e2e_listval am550 | grep -c '/smartmeter-am550/energy_wh-import$')" 0
e2e_expect_clean_health am550 am550
e2e_expect_framing_found am550 am550 hdlc
is "log: the first telegram names the meter number" \
  "$(e2e_log_count am550 'meter "am550": first telegram decoded \(meter number "78344537", ')" 1
is "log: no errors or warnings" "$(e2e_log_problems am550)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
