#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_partial.sh - a telegram cut off, then silence, then intact ones
# (meter-sim --cut-after / --cut-every): every third telegram is cut.
# Each telegram carries its frame counter as its power-import value.
#   long    VKW cut inside its first frame (100 of 376 bytes), then ~1.9 s
#           of silence: longer than the reader's idle gap (SM_IDLE_GAP_MS,
#           1.5 s)
#   frame2  VKW cut inside its second frame (300 bytes: the first frame
#           complete), then ~1.8 s of silence
#   short   VKW cut after 60 bytes and only ~0.4 s of silence, shorter
#           than the idle gap: the next telegram's header arrives while
#           the decoder still waits for the cut frame's bytes
# Asserts, per meter: every intact telegram decoded and dispatched once,
# in order, none of the cut ones; errors bounded by the cuts (at most two
# counted errors per cut telegram: no error storm); the log stays quiet
# (no error or warning lines; info lines rate-limited); every cut telegram
# shows in a health counter (a cut followed by silence counts in
# errors-segment via the decoder's partial_drops).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 400

n=30
for m in long frame2 short; do
  faults_forge "$m" "$E2E_VKW" -v -c "1-$n"
done
common=(--pace 0.5 --cut-every 3 --delay 5 --count "$n" --linger 120)
e2e_sim_start long 2 --cut-after 100 "${common[@]}"
e2e_sim_start frame2 2 --cut-after 300 "${common[@]}"
e2e_sim_start short 0.5 --cut-after 60 "${common[@]}"
e2e_conf partial 0.25 <<EOF2
  <Meter "long">
    Device "$E2E_TMP/long.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "frame2">
    Device "$E2E_TMP/frame2.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "short">
    Device "$E2E_TMP/short.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
EOF2
e2e_collectd_start partial

for m in long frame2 short; do
  ok "$m: simulator sent $n telegrams" wait_until 180 faults_sims_done "$n" "$m"
  whole=$(faults_sim_sent "$m")
  cuts=$(grep -c ' cut=' "$E2E_TMP/$m.sim.log")
  is "$m: $cuts of $n telegrams were cut" "$cuts" $((n / 3))
  wait_until 30 faults_counter_is partial "$m" total_operations-telegrams "$whole"
  is "$m: every intact telegram decoded ($whole)" \
    "$(faults_counter partial "$m" total_operations-telegrams)" "$whole"
done
sleep 2.5 # the idle gap (1.5 s) after the last, cut telegram, then a read
for m in long frame2 short; do
  cuts=$(grep -c ' cut=' "$E2E_TMP/$m.sim.log")
  want=$(sed -n 's/.* sent telegram \([0-9]*\) .*/\1/p' "$E2E_TMP/$m.sim.log" |
    while read -r k; do
      grep -q " sent telegram $k .* cut=" "$E2E_TMP/$m.sim.log" || printf '%d ' "$k"
    done)
  is "$m: intact telegrams dispatched once each, in order, no cut one" \
    "$(e2e_csv partial "$m" power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')" \
    "$want"
  errs=0
  for id in errors-checksum errors-segment errors-format errors-decrypt; do
    v=$(faults_counter partial "$m" "$id")
    errs=$((errs + ${v:-0}))
  done
  diag "$m: $cuts cut telegrams -> checksum $(faults_counter partial "$m" errors-checksum), segment $(faults_counter partial "$m" errors-segment), format $(faults_counter partial "$m" errors-format), bytes_discarded $(faults_counter partial "$m" derive-bytes_discarded)"
  ok "$m: at most two counted errors per cut telegram ($errs for $cuts)" \
    test "$errs" -le $((2 * cuts))
  is "$m: no decrypt errors" "$(faults_counter partial "$m" errors-decrypt)" 0
  ok "$m: every cut telegram shows in a health counter ($errs errors for $cuts cuts)" \
    test "$errs" -ge "$cuts"
  info=$(e2e_log_count partial "meter \"$m\": .*counted in the errors-\\* values")
  diag "$m: $info rate-limited info lines"
  ok "$m: info lines rate-limited ($info for $cuts cuts)" test "$info" -le 6
done
is "no errors or warnings in the log" "$(e2e_log_problems partial)" ""
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
