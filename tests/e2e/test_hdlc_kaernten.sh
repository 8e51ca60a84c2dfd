#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_hdlc_kaernten.sh - simulated Siemens IM350 meters with positional
# payloads (values without OBIS codes) through the real collectd, Framing
# left at its default (auto):
#   "p1": KNG-Kärnten Netz on the RJ12 P1 port at 115200 8N1: the two real
#         telegrams (extra_hdlc_wienernetze_im350_shrdzm_1 and _2: rising
#         frame counters; the files carry Kärnten's structure(12), see
#         INTERFACES.md), then copies of _2 under new counters;
#   "ir": the same meter read by an optical head at 9600 8N1 (copies of _1);
#   "wels": eww Wels, structure(10), P1 at 115200 (copies of _1).
# Values from INTERFACES.md's mapping of the positional elements (Kärnten
# structure(12) and Wels structure(10): 1.8.0, 2.8.0 Wh; 3.8.0, 4.8.0 varh;
# 1.7.0, 2.7.0 W) applied to the u32 elements DECODED.md lists. Asserts
# the values in csv, exactly those six readings, clean health counters,
# "framing hdlc" found by Framing auto, and a quiet log.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 150

vec=$SM_SRCDIR/tests/vectors
im350_1=$vec/extra_hdlc_wienernetze_im350_shrdzm_1.hex
im350_2=$vec/extra_hdlc_wienernetze_im350_shrdzm_2.hex
wels=$vec/extra_hdlc_wels_im350_shrdzm_1.hex

# p1: the captures as published first, then sealed copies of _2.
mkdir -p "$E2E_TMP/p1"
cp "$im350_1" "$E2E_TMP/p1/t00001.hex"
cp "$im350_2" "$E2E_TMP/p1/t00002.hex"
"$E2E_FORGE" -n 30 -i 3 -o "$E2E_TMP/p1" "$im350_2" || bail "sm-forge p1"
e2e_telegrams ir "$im350_1" 30
e2e_telegrams wels "$wels" 30
# One telegram a second, as KNG and eww send them (123 bytes: 11 ms at
# 115200, 128 ms at 9600).
e2e_sim_start p1 1 --pace "$E2E_PACE_115200_8N1" --delay 3
e2e_sim_start ir 1 --pace "$E2E_PACE_9600_8N1" --delay 3
e2e_sim_start wels 1 --pace "$E2E_PACE_115200_8N1" --delay 3
key=$(e2e_key_of "$im350_1")
e2e_conf kng 1 <<EOF
  <Meter "p1">
    Device "$E2E_TMP/p1.tty"
    Baudrate 115200
    Parity "none"
    Key "$key"
    MaxAge 10
  </Meter>
  <Meter "ir">
    Device "$E2E_TMP/ir.tty"
    Baudrate 9600
    Parity "none"
    Key "$key"
    MaxAge 10
  </Meter>
  <Meter "wels">
    Device "$E2E_TMP/wels.tty"
    Baudrate 115200
    Parity "none"
    Key "$(e2e_key_of "$wels")"
    MaxAge 10
  </Meter>
EOF
e2e_collectd_start kng

all_arrived() {
  local m
  for m in p1 ir wels; do
    e2e_rows_at_least kng "$m" energy_wh-import 3 || return 1
  done
}
ok "readings arrive in csv for all three meters" wait_until 30 all_arrived

# Kärnten structure(12), im350_2 (p1's newest): 1.7.0 is 79 W.
e2e_expect_values kng p1 <<'EOF'
energy_wh-import 2946830
energy_wh-export 0
energy_wh-reactive_import 887
energy_wh-reactive_export 2116972
power-import 79
power-export 0
EOF
# p1 sent im350_1 (73 W) before im350_2 (79 W): never another value, and
# never 73 after 79.
is "p1: power-import went 73 (if read in time) then 79" \
  "$(e2e_csv kng p1 power-import | awk -F, '{ printf "%.0f\n", $2 }' |
    uniq | tr '\n' ' ' | sed 's/^73 //')" "79 "
e2e_expect_values kng ir <<'EOF'
energy_wh-import 2946830
energy_wh-export 0
energy_wh-reactive_import 887
energy_wh-reactive_export 2116972
power-import 73
power-export 0
EOF
# Wels structure(10), extra_hdlc_wels_im350_shrdzm_1.
e2e_expect_values kng wels <<'EOF'
energy_wh-import 3531997
energy_wh-export 0
energy_wh-reactive_import 392120
energy_wh-reactive_export 282666
power-import 146
power-export 0
EOF

want_ids="energy_wh-export energy_wh-import energy_wh-reactive_export
energy_wh-reactive_import power-export power-import"
for meter in p1 ir wels; do
  got=$(e2e_readings kng "$meter")
  is "$meter: exactly the six positional readings" \
    "$(tr '\n' ' ' <<<"$got")" "$(tr '\n' ' ' <<<"$want_ids")"
  e2e_expect_clean_health kng "$meter"
  e2e_expect_framing_found kng "$meter" hdlc
done
e2e_expect_port_line kng p1 "115200 8N1"
e2e_expect_port_line kng ir "9600 8N1"
is "log: p1's first telegram names the meter number" \
  "$(e2e_log_count kng 'meter "p1": first telegram decoded \(meter number "2221202033801", 6 readings\)')" 1
is "log: wels's first telegram names the meter number" \
  "$(e2e_log_count kng 'meter "wels": first telegram decoded \(meter number "18037098", 6 readings\)')" 1
is "log: no errors or warnings" "$(e2e_log_problems kng)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
