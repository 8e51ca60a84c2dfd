#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_two_meters.sh - two <Meter> blocks, two simulated meters (a VKW Kaifa
# and an EVN Kaifa) at once: one thread and one read callback each (the
# second with its own Interval). Asserts each meter's values under its own
# plugin instance and that nothing leaks from one meter to the other.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

evn_kaifa=$SM_SRCDIR/tests/vectors/evn_netznoe_kaifa_fkw9_real.hex
e2e_telegrams vkw "$E2E_VKW" 300
e2e_telegrams kaifa "$evn_kaifa" 300
e2e_sim_start vkw 0.5 --pace 0.5 --delay 3
e2e_sim_start kaifa 1 --pace 0.5 --delay 3
keyfile=$E2E_TMP/garage.key
(umask 077 && e2e_key_of "$evn_kaifa" >"$keyfile")
e2e_conf two 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
  </Meter>
  <Meter "garage">
    Device "$E2E_TMP/kaifa.tty"
    KeyFile "$keyfile"
    Interval 2
    MaxAge 20
  </Meter>
EOF
e2e_collectd_start two

ok "home: readings arrive" wait_until 60 e2e_rows_at_least two home voltage-l1 3
ok "garage: readings arrive" \
  wait_until 60 e2e_rows_at_least two garage voltage-l1 3

while read -r meter id want; do
  is_num "$meter: csv $id" "$(e2e_csv_last two "$meter" "$id")" "$want"
  is_num "$meter: getval $id" "$(e2e_getval two "$meter" "$id")" "$want"
done <<'EOF'
home energy_wh-import 3744082
home power-import 53
home voltage-l2 232.8
home current-l1 0.31
garage energy_wh-import 1340436
garage power-import 1055
garage voltage-l1 234.5
garage voltage-l3 233.7
garage current-l1 3.83
garage gauge-power_factor 0.968
EOF

ids=$(e2e_listval two)
is "home (VKW) has no power factor" \
  "$(grep -c "smartmeter-home/gauge-power_factor" <<<"$ids")" 0
is "garage (EVN) has no reactive energy" \
  "$(grep -c "smartmeter-garage/energy_wh-reactive" <<<"$ids")" 0
is "both instances present, nothing else from the plugin" \
  "$(sed -n 's|^[^/]*/\(smartmeter[^/]*\)/.*|\1|p' <<<"$ids" | sort -u | tr '\n' ' ')" \
  "smartmeter-garage smartmeter-home "
is "log: one first telegram per meter" \
  "$(e2e_log_count two 'first telegram decoded')" 2
is "log: termios fallback announced once per meter" \
  "$(e2e_log_count two 'termios fallback')" 2
is "log: version line names 2 meters" \
  "$(e2e_log_count two 'smartmeter plugin: version .*, 2 meter\(s\)')" 1

sleep 3
is "no duplicate timestamps (home)" "$(e2e_csv_dups two home)" ""
is "no duplicate timestamps (garage)" "$(e2e_csv_dups two garage)" ""
# garage reads every 2 s but its meter sends every 1 s: about one row per
# read, never more rows than reads (the newest telegram wins).
g_rows=$(e2e_csv_rows two garage power-import)
g_reads=$(e2e_csv_rows two garage total_operations-telegrams)
ok "garage: at most one row per read ($g_rows rows, $g_reads reads)" \
  test "$g_rows" -le "$g_reads"
is "log: no errors or warnings" "$(e2e_log_problems two)" ""

ms=$(e2e_collectd_stop)
ok "collectd with two reader threads stops on SIGTERM" test -n "$ms"
diag "shutdown with two meters took ${ms} ms"

done_testing
