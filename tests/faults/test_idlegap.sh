#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_idlegap.sh - one idle gap for the plugin and the CLI, long enough
# that the pauses real meters make between the frames of one telegram
# (up to 1 s) never split it (issue 10 item 8). Before, the plugin dropped
# a half telegram after 500 ms: a 0.7 s pause between the two M-Bus frames
# of a VKW telegram lost every telegram.
# Three simulators (meter-sim --frame-pause): 0.7 s and 1.0 s pauses to
# collectd, 1.0 s to smartmeter-decode --device. Asserts every telegram
# decoded and dispatched once, in order, and no segment error.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 300

decode=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$decode" ] || bail "missing $decode"
key=$(e2e_key_of "$E2E_VKW")
sent=12
for m in p07 p10 cli; do
  faults_forge "$m" "$E2E_VKW" -v -c "1-$sent"
done
# 376 bytes at 2 ms plus the pause, 3 s apart: the gap between telegrams
# (>= 1.2 s) stays shorter than the idle gap too.
common=(--pace 2 --delay 3 --count "$sent" --linger 60)
e2e_sim_start p07 3 --frame-pause 0.7 "${common[@]}"
e2e_sim_start p10 3 --frame-pause 1.0 "${common[@]}"
e2e_sim_start cli 3 --frame-pause 1.0 "${common[@]}"
e2e_conf gap 0.25 <<EOF2
  <Meter "p07">
    Device "$E2E_TMP/p07.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
  <Meter "p10">
    Device "$E2E_TMP/p10.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
EOF2
e2e_collectd_start gap
"$decode" --device "$E2E_TMP/cli.tty" --key "$key" --format json \
  >"$E2E_TMP/cli.json" 2>"$E2E_TMP/cli.err" </dev/null &
cli=$!
E2E_PIDS+=("$cli")

want=$(seq 1 "$sent" | tr '\n' ' ')
for m in p07 p10; do
  ok "$m: simulator sent $sent telegrams" wait_until 120 faults_sims_done "$sent" "$m"
  wait_until 20 faults_counter_is gap "$m" total_operations-telegrams "$sent"
  is "$m: every telegram decoded" \
    "$(faults_counter gap "$m" total_operations-telegrams)" "$sent"
  is "$m: dispatched once each, in order" \
    "$(e2e_csv gap "$m" power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')" \
    "$want"
  is "$m: no segment error (no telegram split)" \
    "$(faults_counter gap "$m" errors-segment)" 0
done
ok "cli: simulator sent $sent telegrams" wait_until 60 faults_sims_done "$sent" cli
sleep 1
is "cli: every telegram printed, in order" \
  "$(python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["values"]["1.0.1.7.0.255"]["value"]) for l in open(sys.argv[1])))' "$E2E_TMP/cli.json") " \
  "$want"
is "cli: no telegram dropped after a pause" \
  "$(grep -c 'dropped after a pause' "$E2E_TMP/cli.err")" 0
kill -TERM "$cli"
e2e_reap "$cli" 5
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
