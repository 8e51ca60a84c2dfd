#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_bounds.sh - numbers no meter can measure are never dispatched or
# printed (issue 10 item 3, the plugin and CLI part): telegrams made by
# sm-variant with the energy import's scaler set to +120 (3.7e+126 Wh,
# beyond the 10^15 Wh bound) or voltage L1 as a float32 NaN.
# collectd: the other readings of these telegrams are dispatched, the
# implausible one never; each is counted in errors-format; one warning line
# names the OBIS code (rate-limited: a minute, then doubling).
# CLI: the text, JSON and influx outputs never carry them; stderr names
# them.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 300

variant=$SM_BUILDDIR/tests/faults/sm-variant
decode=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$variant" ] || bail "missing $variant"
cap=$(basename "$E2E_VKW")
key=$(e2e_key_of "$E2E_VKW")
sent=20
mkdir -p "$E2E_TMP/big" "$E2E_TMP/nan"
"$variant" -c "1-$sent" -v -X scaler -o "$E2E_TMP/big" "$cap" || bail "sm-variant"
"$variant" -c "1-$sent" -v -X nan -o "$E2E_TMP/nan" "$cap" || bail "sm-variant"

e2e_sim_start big 0.5 --pace 0.5 --delay 3 --count "$sent" --linger 60
e2e_sim_start nan 0.5 --pace 0.5 --delay 3 --count "$sent" --linger 60
e2e_conf bounds 0.25 <<EOF2
  <Meter "big">
    Device "$E2E_TMP/big.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
  <Meter "nan">
    Device "$E2E_TMP/nan.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
EOF2
e2e_collectd_start bounds
for m in big nan; do
  ok "$m: simulator sent $sent" wait_until 60 faults_sims_done "$sent" "$m"
  wait_until 20 faults_counter_is bounds "$m" total_operations-telegrams "$sent"
done
sleep 1
is "big: the energy import is never dispatched" \
  "$(e2e_csv_rows bounds big energy_wh-import)" 0
ok "big: the other readings are (power-import rows)" \
  e2e_rows_at_least bounds big power-import $((sent / 2))
is "big: every dropped reading counted in errors-format" \
  "$(faults_counter bounds big errors-format)" "$sent"
is "nan: voltage L1 is never dispatched" "$(e2e_csv_rows bounds nan voltage-l1)" 0
ok "nan: voltage L2 is" e2e_rows_at_least bounds nan voltage-l2 $((sent / 2))
is "nan: counted in errors-format" "$(faults_counter bounds nan errors-format)" "$sent"
is "no nan or inf in any csv file" \
  "$(cat "$E2E_TMP"/bounds.d/csv/*/*/* | grep -ciE 'nan|inf')" 0
is "big: one line names the OBIS and the bound" \
  "$(e2e_log_count bounds 'meter "big": 1\.0\.1\.8\.0\.255 = 3\.74408e\+126 Wh is beyond the bound of 1e\+15 Wh; dropped \(counted in errors-format\)')" 1
is "nan: one line names the OBIS" \
  "$(e2e_log_count bounds 'meter "nan": 1\.0\.32\.7\.0\.255 is not a finite number \(nan\); dropped')" 1
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"

# --- the CLI, every format -------------------------------------------------
grep -hv '^#' "$E2E_TMP"/big/t0000[1-3].hex "$E2E_TMP"/nan/t0000[4-6].hex \
  >"$E2E_TMP/file.hex"
for f in text json influx; do
  "$decode" --hex --key "$key" --format "$f" "$E2E_TMP/file.hex" \
    >"$E2E_TMP/$f.out" 2>"$E2E_TMP/$f.err"
  is "cli $f: exit 0" "$?" 0
  is "cli $f: six telegrams" \
    "$(grep -cE '^telegram [0-9]|^\{|^smartmeter,' "$E2E_TMP/$f.out")" 6
  is "cli $f: no nan, inf or e+126 printed" \
    "$(grep -ciE 'nan|inf|e\+126' "$E2E_TMP/$f.out")" 0
  is "cli $f: stderr names each drop" \
    "$(grep -cE '1\.0\.(1\.8|32\.7)\.0\.255 .*; dropped' "$E2E_TMP/$f.err")" 6
done
is "cli json: the energy import is absent where it was absurd" \
  "$(grep -c '"1.0.1.8.0.255"' "$E2E_TMP/json.out")" 3
is "cli json: voltage L1 absent where it was NaN" \
  "$(grep -c '"1.0.32.7.0.255"' "$E2E_TMP/json.out")" 3
diag "test time $(faults_elapsed) s"

done_testing
