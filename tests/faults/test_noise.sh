#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_noise.sh - a noisy line: random bytes between the telegrams, half of
# the stream (meter-sim --noise 0.5: random bytes with many 68/16/E5 and
# fake headers 68 FA FA 68 / 68 72 72 68), sent so that the noise ends
# shortly before the next telegram (no idle gap to resynchronise on: the
# decoder must find the real header after a fake one by itself).
# Two meters in one collectd, a VKW (Kaifa, 2 frames of 250 + 126 bytes)
# and an EVN capture (Sagemcom, one frame), each telegram carrying its
# frame counter as its power-import value (sm-forge -v), so rows show
# which telegram they came from.
# Asserts, per meter: every intact telegram decoded (telegrams counter =
# sent) and dispatched exactly once, in order (power-import rows = the
# counters sent, each once); no duplicate timestamps; the noise counted
# (errors-checksum and/or bytes_discarded rise), no decrypt/format errors.
# Telegrams lost under noise are printed (must be 0).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 400

sent=40
# VKW: 376 bytes at 1 ms/byte = 0.38 s, as much noise, sent from the
# middle of the gap: with a period of 1.2 s the noise ends ~40 ms before
# the next telegram. EVN: 282 bytes at 2 ms/byte in random chunks with a
# period of 0.9 s: its noise runs into the next slot, so each telegram
# follows its noise at once.
faults_forge vkw "$E2E_VKW" -v -c "1-$sent"
faults_forge evn "$E2E_EVN" -v -c "1-$sent"
e2e_sim_start vkw 1.2 --pace 1 --noise 0.5 --seed 11 --delay 5 \
  --count "$sent" --linger 120
e2e_sim_start evn 0.9 --pace 2 --noise 0.5 --seed 23 --split random \
  --delay 5 --count "$sent" --linger 120
e2e_conf noise 0.25 <<EOF
  <Meter "vkw">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "evn">
    Device "$E2E_TMP/evn.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
    MaxAge 3600
  </Meter>
EOF
e2e_collectd_start noise

want=$(seq 1 "$sent" | tr '\n' ' ')
for m in vkw evn; do
  ok "$m: simulator sent $sent telegrams" wait_until 180 faults_sims_done "$sent" "$m"
  noise=$(awk '/ noise / { n += $3 } END { print n + 0 }' "$E2E_TMP/$m.sim.log")
  bytes=$(awk '/ sent telegram / { sub("bytes=", "", $6); n += $6 } END { print n + 0 }' "$E2E_TMP/$m.sim.log")
  fakes=$(grep -c ' noise ' "$E2E_TMP/$m.sim.log")
  diag "$m: $bytes telegram bytes, $noise noise bytes in $fakes bursts ($(awk -v a="$noise" -v b="$bytes" 'BEGIN { printf "%.0f", 100 * a / (a + b) }') % noise)"
  wait_until 30 faults_counter_is noise "$m" total_operations-telegrams "$sent"
  got=$(faults_counter noise "$m" total_operations-telegrams)
  is "$m: every intact telegram decoded" "$got" "$sent"
  diag "$m: telegrams lost under noise: $((sent - ${got:-0}))"
done
sleep 1 # more reads: a duplicate dispatch would show now
for m in vkw evn; do
  rows=$(e2e_csv noise "$m" power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')
  is "$m: each telegram dispatched exactly once, in order" "$rows" "$want"
  is "$m: no duplicate timestamps" "$(e2e_csv_dups noise "$m")" ""
  cs=$(faults_counter noise "$m" errors-checksum)
  disc=$(faults_counter noise "$m" derive-bytes_discarded)
  seg=$(faults_counter noise "$m" errors-segment)
  diag "$m: errors-checksum $cs, errors-segment $seg, bytes_discarded $disc"
  ok "$m: noise counted (bytes discarded: $disc)" test "${disc:-0}" -gt 0
  is "$m: bytes discarded = noise bytes sent (no telegram byte lost)" \
    "$disc" "$(awk '/ noise / { n += $3 } END { print n + 0 }' "$E2E_TMP/$m.sim.log")"
  for id in errors-decrypt errors-format errors-tag errors-replay; do
    is "$m: no $id" "$(faults_counter noise "$m" "$id")" 0
  done
done
is "no errors or warnings in the log" "$(e2e_log_problems noise)" ""
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
