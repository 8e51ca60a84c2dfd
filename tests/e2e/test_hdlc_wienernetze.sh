#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_hdlc_wienernetze.sh - Wiener Netze meters on their optical port (IR
# head, 9600 8N1) through the real collectd, Framing auto, one telegram a
# second: the three real captures extra_hdlc_wienernetze_ir_*_rddl resealed
# under rising frame counters. The IM350 sends structure(10) (its serial is
# the meter number), the AM550 and the E450 structure(9) (no meter number
# in the telegram). Asserts every value (the
# captures' headers; tests/unit/test_layouts.c), exactly the eight
# readings, clean health counters, "framing hdlc" found by Framing auto and
# a quiet log.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 150

vec=$SM_SRCDIR/tests/vectors
conf=""
for m in im350 am550 e450; do
  f=$vec/extra_hdlc_wienernetze_ir_${m}_rddl.hex
  e2e_telegrams "$m" "$f" 30
  # 105-125 bytes take 110-130 ms at 9600 baud.
  e2e_sim_start "$m" 1 --pace "$E2E_PACE_9600_8N1" --delay 3
  conf="$conf
  <Meter \"$m\">
    Device \"$E2E_TMP/$m.tty\"
    Baudrate 9600
    Parity \"none\"
    Key \"$(e2e_key_of "$f")\"
    MaxAge 10
  </Meter>"
done
e2e_conf wn 1 <<<"$conf"
e2e_collectd_start wn

all_arrived() {
  local m
  for m in im350 am550 e450; do
    e2e_rows_at_least wn "$m" energy_wh-import 3 || return 1
  done
}
ok "readings arrive in csv for all three meters" wait_until 30 all_arrived

e2e_expect_values wn im350 <<'EOF2'
energy_wh-import 1465
energy_wh-export 0
energy_wh-reactive_import 0
energy_wh-reactive_export 5521
power-import 4
power-export 0
power-reactive_import 0
power-reactive_export 18
EOF2
e2e_expect_values wn am550 <<'EOF2'
energy_wh-import 855
energy_wh-export 246
energy_wh-reactive_import 103
energy_wh-reactive_export 169
power-import 0
power-export 0
power-reactive_import 0
power-reactive_export 0
EOF2
e2e_expect_values wn e450 <<'EOF2'
energy_wh-import 9099
energy_wh-export 7601
energy_wh-reactive_import 8090
energy_wh-reactive_export 7397
power-import 0
power-export 0
power-reactive_import 0
power-reactive_export 0
EOF2

want_ids="energy_wh-export energy_wh-import energy_wh-reactive_export
energy_wh-reactive_import power-export power-import power-reactive_export
power-reactive_import"
for m in im350 am550 e450; do
  got=$(e2e_readings wn "$m")
  is "$m: exactly the eight readings" \
    "$(tr '\n' ' ' <<<"$got")" "$(tr '\n' ' ' <<<"$want_ids")"
  e2e_expect_clean_health wn "$m"
  e2e_expect_framing_found wn "$m" hdlc
done
e2e_expect_port_line wn im350 "9600 8N1"
is "log: the IM350's first telegram names its serial" \
  "$(e2e_log_count wn 'meter "im350": first telegram decoded \(meter number "SMS1030788000020", 8 readings\)')" 1
is "log: the AM550 sends no meter number" \
  "$(e2e_log_count wn 'meter "am550": first telegram decoded \(meter number "", 8 readings\)')" 1
is "log: no errors or warnings" "$(e2e_log_problems wn)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
