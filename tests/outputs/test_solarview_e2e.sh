#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_solarview_e2e.sh - the plugin's SolarviewFile option in the real
# collectd: the file's directory is missing at first (one error in the log,
# the meter is still read and dispatched), then it is created: the file
# appears, equals kaifareader's format for the VKW capture byte for byte
# (with "varh" for reactive energy) and is replaced on every telegram.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 150
expected=$E2E_TMP/expected.txt
printf '%s\n' '/?!' '/KAIFA' \
  '32.7.0(000233.000*V)' '52.7.0(000232.800*V)' '72.7.0(000232.700*V)' \
  '31.7.0(000000.310*A)' '51.7.0(000000.520*A)' '71.7.0(000000.210*A)' \
  '1.7.0(000053.000*W)' '2.7.0(000000.000*W)' \
  '1.8.0(3744082.000*Wh)' '2.8.0(3929988.000*Wh)' \
  '3.8.0(013445.000*varh)' '4.8.0(1313360.000*varh)' '!' >"$expected"

sv_dir=$E2E_TMP/solarview
sv=$sv_dir/export.txt
out_sim_start 120 1
e2e_conf sv 1 <<EOF
  <Meter "$OUT_METER">
    Device "$E2E_TMP/vkw.tty"
    Key "$OUT_KEY"
    SolarviewFile "$sv"
  </Meter>
EOF
e2e_collectd_start sv
log=$(e2e_log sv)

# 1. Directory missing: one error naming the path; values still flow.
ok "error logged for the missing directory" \
  wait_until 20 grep -q "Solarview file $sv: .*No such file or directory" "$log"
ok "values dispatched all the same" \
  wait_until 20 e2e_rows_at_least sv "$OUT_METER" energy_wh-import 4
is_num "getval energy_wh-import" "$(e2e_getval sv "$OUT_METER" energy_wh-import)" 3744082
is "exactly one error line for it after several telegrams" \
  "$(grep -c "Solarview file $sv" "$log")" 1
ok "collectd still running" kill -0 "$E2E_COLLECTD_PID"

# 2. The directory appears: the file follows with the next telegram.
mkdir "$sv_dir"
ok "Solarview file appears within 10 s" wait_until 10 test -s "$sv"
ok "file equals the kaifareader format byte for byte" cmp "$sv" "$expected"
cmp "$sv" "$expected" >/dev/null || diff "$expected" "$sv" | sed 's/^/# /'
ok "recovery logged" wait_until 5 grep -q "Solarview file $sv written" "$log"
is "file mode 0644" "$(stat -c %a "$sv")" 644

# 3. Replaced (new inode by rename) on every telegram, never half written.
i1=$(stat -c %i "$sv")
changed() { [ "$(stat -c %i "$sv")" != "$i1" ]; }
ok "file replaced by the next telegram" wait_until 10 changed
torn=0
for ((k = 0; k < 40; k++)); do
  cmp -s "$sv" "$expected" || torn=$((torn + 1))
  sleep 0.05
done
is "40 reads while telegrams arrive: all complete" "$torn" 0

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
is "no temporary file left behind" "$(ls -A "$sv_dir")" "export.txt"
problems=$(e2e_log_problems sv | grep -v "Solarview file $sv: ")
is "no other errors or warnings" "$problems" ""
done_testing
