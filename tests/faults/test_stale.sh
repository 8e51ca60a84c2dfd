#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_stale.sh - stale and replayed telegrams, and a real counter restart
# (issue 10 items 4 and 5). Telegrams made by sm-variant carry their frame
# counter as power import (-v) and a meter time 5 s apart in sending order
# (-t); the stale ones are older (90..94, 100 s before).
#
# One simulated meter sends frame counters 100..119, then 1..5 (a restart:
# lower counters, newer meter times). In collectd:
#  1. after 100..109 the device vanishes for 5 s; as it comes back, the
#     stale telegrams 90..94 are written into it before the plugin reopens
#     it (its back-off is at 4 s): the flush on open drops them (and what
#     the meter sent meanwhile), so the decoder never sees them;
#  2. two telegrams after the reopen the same stale bytes arrive while the
#     port is open: old telegrams, never taken however many (errors-replay
#     = 5, all of them), where the old rule took the third as a restart;
#  3. the restart 1..5 is taken at once (counter_resets = 1, one log line).
# Asserts the power-import rows are exactly 100..109 and the telegrams
# sent after the reopen, in order.
# And the CLI on a file with the same telegrams in that order: the same.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 400

variant=$SM_BUILDDIR/tests/faults/sm-variant
decode=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$variant" ] || bail "missing $variant"
cap=$(basename "$E2E_VKW")
key=$(e2e_key_of "$E2E_VKW")
mkdir -p "$E2E_TMP/dev" "$E2E_TMP/stale"
"$variant" -c 100-119,1-5 -t 5,0 -v -o "$E2E_TMP/dev" "$cap" ||
  bail "sm-variant"
"$variant" -c 90-94 -t 5,-100 -v -o "$E2E_TMP/stale" "$cap" ||
  bail "sm-variant stale"
hexbin() { grep -hv '^#' "$@" | xxd -r -p; }
hexbin "$E2E_TMP"/stale/t*.hex >"$E2E_TMP/stale.bin"

e2e_sim_start dev 0.5 --pace 0 --delay 3 --count 25 --linger 60
sim=$E2E_SIM_PID
e2e_conf stale 0.1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/dev.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
EOF
e2e_collectd_start stale
python3 "$SM_SRCDIR/tests/faults/fdwatch" "$E2E_COLLECTD_PID" \
  "$E2E_TMP/fdwatch.log" &
E2E_PIDS+=($!)

sent() { grep -q " sent telegram $1 " "$E2E_TMP/dev.sim.log"; }
ok "telegrams 100..109 sent" wait_until 60 sent 10
kill -USR1 "$sim"
ok "device vanished" wait_until 10 grep -q ' vanished' "$E2E_TMP/dev.sim.log"
sleep 5
kill -USR2 "$sim"
wait_until 10 grep -q '^back ' "$E2E_TMP/dev.sim.out" || bail "no return"
cat "$E2E_TMP/stale.bin" >"$E2E_TMP/dev.tty.feed"
wrote=$(python3 -c 'import time; print("%.6f" % time.monotonic())')
ok "collectd reopens the device" \
  wait_until 20 awk -v w="$wrote" '$2 == "open" && $1 > w { f = 1 } END { exit !f }' \
  "$E2E_TMP/fdwatch.log"
opened=$(awk -v w="$wrote" '$2 == "open" && $1 > w { print $1; exit }' \
  "$E2E_TMP/fdwatch.log")
# Telegrams the simulator sent after the reopen (the others went nowhere:
# sent while the device was away, or flushed by the open).
after() {
  awk -v t="$opened" '/ sent telegram / { for (i = 1; i <= NF; i++)
    if ($i ~ /^start=/) { s = substr($i, 7); if (s > t) print $4 } }' \
    "$E2E_TMP/dev.sim.log"
}
two_after() { [ "$(after | wc -l)" -ge 2 ]; }
ok "two telegrams sent after the reopen" wait_until 30 two_after
cat "$E2E_TMP/stale.bin" >"$E2E_TMP/dev.tty.feed"
ok "simulator sent all 25" wait_until 60 sent 25
# sm-variant's order: telegram k carries 100 + k - 1, from 21 on k - 20.
fc_of() { awk '{ print ($1 <= 20) ? 99 + $1 : $1 - 20 }'; }
want=$( (seq 1 10; after) | fc_of | tr '\n' ' ')
n_want=$(wc -w <<<"$want")
wait_until 20 faults_counter_is stale home total_operations-telegrams "$n_want"
sleep 1
diag "telegrams after the reopen: $(after | xargs)"

is "power-import rows: 100..109, those sent after the reopen, nothing stale" \
  "$(e2e_csv stale home power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')" \
  "$want"
ok "the restart 1..5 among them" grep -q ' 1 2 3 4 5 $' <<<"$want"
is "telegrams decoded: $n_want" \
  "$(faults_counter stale home total_operations-telegrams)" "$n_want"
is "stale bytes written before the reopen never reached the decoder; the 5 \
arriving later are replays" "$(faults_counter stale home errors-replay)" 5
is "one counter restart counted (total_operations-counter_resets)" \
  "$(faults_counter stale home total_operations-counter_resets)" 1
is "restart logged once" \
  "$(e2e_log_count stale 'meter "home": frame counter restarted at 1 with a newer meter time')" 1
is "no errors or warnings but the loss" \
  "$(e2e_log_problems stale | grep -vc 'reconnecting\.\|retrying')" 0
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"

# --- the CLI on a file: the same telegrams with the stale ones inside -----
{
  grep -hv '^#' "$E2E_TMP"/dev/t000{01..10}.hex
  grep -hv '^#' "$E2E_TMP"/stale/t*.hex "$E2E_TMP"/stale/t*.hex
  grep -hv '^#' "$E2E_TMP"/dev/t000{11..25}.hex
} >"$E2E_TMP/file.hex"
"$decode" --hex --key "$key" --format json "$E2E_TMP/file.hex" \
  >"$E2E_TMP/file.json" 2>"$E2E_TMP/file.err"
is "CLI: frame counters out: 100..119 1..5" \
  "$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["frame_counter"]) for l in open(sys.argv[1])))' "$E2E_TMP/file.json")" \
  "$(seq 100 119 | tr '\n' ' ')1 2 3 4 5"
is "CLI: the 10 stale telegrams reported as replays" \
  "$(grep -c 'or meter time older (replayed, duplicate or stale telegram)' "$E2E_TMP/file.err")" 10
is "CLI: the restart said once" \
  "$(grep -c 'frame counter restarted at 1 with a newer meter time' "$E2E_TMP/file.err")" 1
diag "test time $(faults_elapsed) s"

done_testing
