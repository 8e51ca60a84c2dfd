#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_split.sh - telegrams cut across arbitrary read boundaries and
# delivered slowly: three meters in one collectd, each telegram carrying
# its frame counter as its power-import value (sm-forge -v):
#   byte    VKW, one byte per write at the wire's pace (2400 baud 8E1,
#           4.583 ms per byte: 1.7 s per telegram)
#   random  VKW, random chunks of 1..64 bytes at 1 ms per byte
#   slow    EVN, one byte per write at 20 ms per byte (5.6 s per
#           telegram; every byte a separate read, far slower than a wire)
# Asserts, per meter: every telegram decoded (counter = sent) and
# dispatched exactly once, in order; no checksum, segment or other errors;
# no bytes discarded.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 400

faults_forge byte "$E2E_VKW" -v -c 1-14
faults_forge random "$E2E_VKW" -v -c 1-30
faults_forge slow "$E2E_EVN" -v -c 1-5
declare -A sent=([byte]=14 [random]=30 [slow]=5)
e2e_sim_start byte 2.5 --split byte --delay 5 --count 14 --linger 120
e2e_sim_start random 1.2 --split random --pace 1 --seed 3 --delay 5 \
  --count 30 --linger 120
e2e_sim_start slow 6.5 --split byte --pace 20 --delay 5 --count 5 --linger 120
e2e_conf split 0.25 <<EOF2
  <Meter "byte">
    Device "$E2E_TMP/byte.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "random">
    Device "$E2E_TMP/random.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "slow">
    Device "$E2E_TMP/slow.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
    MaxAge 3600
  </Meter>
EOF2
e2e_collectd_start split

for m in byte random slow; do
  n=${sent[$m]}
  ok "$m: simulator sent $n telegrams" wait_until 180 faults_sims_done "$n" "$m"
  wait_until 30 faults_counter_is split "$m" total_operations-telegrams "$n"
  is "$m: every telegram decoded" \
    "$(faults_counter split "$m" total_operations-telegrams)" "$n"
  d=$(awk '/ sent telegram 1 / { sub("start=", "", $7); s = $7; t = $1 }
    END { printf "%.2f", t - s }' "$E2E_TMP/$m.sim.log")
  diag "$m: one telegram took $d s on the wire"
done
sleep 1
for m in byte random slow; do
  is "$m: each telegram dispatched exactly once, in order" \
    "$(e2e_csv split "$m" power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')" \
    "$(seq 1 "${sent[$m]}" | tr '\n' ' ')"
  for id in errors-checksum errors-segment errors-decrypt errors-format \
    derive-bytes_discarded; do
    is "$m: no $id" "$(faults_counter split "$m" "$id")" 0
  done
done
is "no duplicate timestamps" \
  "$(e2e_csv_dups split byte)$(e2e_csv_dups split random)$(e2e_csv_dups split slow)" ""
is "no errors or warnings in the log" "$(e2e_log_problems split)" ""
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
