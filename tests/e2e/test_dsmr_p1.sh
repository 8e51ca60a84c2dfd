#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_dsmr_p1.sh - two simulated P1 meters at 115200 8N1 in one collectd,
# both with Framing left at its default (auto):
#   "stmk": an Energienetze Steiermark Sagemcom T210-D-R - a bare DB APDU,
#           SC 0x30, a DSMR text inside; Key only (the portal gives no
#           auth key to most users: the tag is left unchecked);
#   "p1":   the same telegram as a plain DSMR P1 telegram ("/EST5...!EEE5",
#           its own CRC-16), as the Netherlands, Belgium and Luxembourg
#           send it; no key;
#   "rddl": the other Steiermark capture, as published, with its published
#           AuthKey, which does not fit its tag (DECODED.md): nothing is
#           dispatched and the error names the auth key.
# Asserts all 16 values of extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm
# (tests/vectors/DECODED.md) under the documented identifiers on both
# meters, clean health counters, "framing apdu" / "framing dsmr" found by
# Framing auto, and a quiet log.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 120

cap=$SM_SRCDIR/tests/vectors/extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex
# The capture has no auth key; the forged tags use any one, which the
# plugin (without AuthKey) does not check.
mkdir -p "$E2E_TMP/stmk" "$E2E_TMP/p1"
"$E2E_FORGE" -a 00112233445566778899AABBCCDDEEFF -n 30 -o "$E2E_TMP/stmk" \
  "$cap" || bail "sm-forge stmk"
"$E2E_FORGE" -u -F apdu -n 30 -o "$E2E_TMP/p1" "$cap" || bail "sm-forge p1"
ok "p1 telegrams are plain text" \
  grep -q '^2F455354355C' "$E2E_TMP/p1/t00001.hex" # "/EST5\"
# 511 bytes take 44 ms at 115200; one telegram a second (5 or 10 s in the
# field: shorter only to keep the test short).
e2e_sim_start stmk 1 --pace "$E2E_PACE_115200_8N1" --delay 3
e2e_sim_start p1 1 --pace "$E2E_PACE_115200_8N1" --delay 3
rddl=$SM_SRCDIR/tests/vectors/extra_dsmr_in_gcm_steiermark_sagemcom_rddl.hex
mkdir -p "$E2E_TMP/rddl"
cp "$rddl" "$E2E_TMP/rddl/t00001.hex"
e2e_sim_start rddl 1 --pace "$E2E_PACE_115200_8N1" --delay 3 --count 1 \
  --linger 60
e2e_conf dsmr 1 <<EOF
  <Meter "stmk">
    Device "$E2E_TMP/stmk.tty"
    Baudrate 115200
    Parity "none"
    Key "$(e2e_key_of "$cap")"
    MaxAge 10
  </Meter>
  <Meter "p1">
    Device "$E2E_TMP/p1.tty"
    Baudrate 115200
    Parity "none"
    MaxAge 10
  </Meter>
  <Meter "rddl">
    Device "$E2E_TMP/rddl.tty"
    Baudrate 115200
    Parity "none"
    Key "$(e2e_key_of "$rddl")"
    AuthKey "$(sed -n 's/^# ak: *//p' "$rddl")"
  </Meter>
EOF
e2e_collectd_start dsmr

for meter in stmk p1; do
  ok "$meter: readings arrive in csv" \
    wait_until 40 e2e_rows_at_least dsmr "$meter" energy_wh-import 3
  # DECODED.md, the plaintext's lines (integer Wh, W, varh, var).
  e2e_expect_values dsmr "$meter" <<'EOF'
energy_wh-import 14159934
energy_wh-import_t1 8520922
energy_wh-import_t2 5639012
power-import 544
energy_wh-export 7086646
energy_wh-export_t1 7084926
energy_wh-export_t2 1720
power-export 1803
energy_wh-reactive_import 3866
energy_wh-reactive_import_t1 241
energy_wh-reactive_import_t2 3625
power-reactive_import 0
energy_wh-reactive_export 19308370
energy_wh-reactive_export_t1 12529385
energy_wh-reactive_export_t2 6778985
power-reactive_export 1659
EOF
  readings=$(e2e_readings dsmr "$meter" | grep -c .)
  is "$meter: 16 readings, nothing else" "$readings" 16
  e2e_expect_clean_health dsmr "$meter"
  telegrams=$(e2e_csv_last dsmr "$meter" total_operations-telegrams)
  ok "$meter: telegrams counted ($telegrams)" test "${telegrams:-0}" -ge 3
  e2e_expect_port_line dsmr "$meter" "115200 8N1"
done
e2e_expect_framing_found dsmr stmk apdu
e2e_expect_framing_found dsmr p1 dsmr
is "log: no errors or warnings for stmk and p1" \
  "$(e2e_log_problems dsmr | grep -v 'meter "rddl"')" ""

one_tag_error() {
  [ "$(e2e_num "$(e2e_csv_last dsmr rddl errors-tag)")" = 1 ]
}
ok "rddl: one tag error" wait_until 10 one_tag_error
is_num "rddl: no telegram decoded" \
  "$(e2e_csv_last dsmr rddl total_operations-telegrams)" 0
is "rddl: no readings dispatched" "$(e2e_listval dsmr |
  grep -c -e 'smartmeter-rddl/\(power\|energy_wh\)-')" 0
is "rddl: one error, naming the auth key" \
  "$(e2e_log_problems dsmr | grep -c 'meter "rddl": authentication tag mismatch.*(check AuthKey / AuthKeyFile)')" 1
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
