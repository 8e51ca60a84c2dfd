#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_replay.sh - replayed telegrams through the real collectd: the meter
# sends frame counters 5..11, then 5 again (an old telegram replayed byte
# for byte), then 11 again (a duplicate of the newest), then 12..14. Every
# telegram carries its frame counter as its power-import value (sm-forge
# -v), so each csv row names the telegram it came from.
# Asserts: the two replays are rejected and counted (errors-replay = 2),
# the ten fresh telegrams are decoded and each dispatched exactly once, in
# order, and nothing is dispatched for a replay (no second row of 5 or
# 11); no other error counter moves.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 240

faults_forge vkw "$E2E_VKW" -v -c 5-11,5,11,12-14
sent=12
# One telegram a second and four reads a second: one row per telegram.
e2e_sim_start vkw 1 --pace 0.5 --delay 4 --count "$sent" --linger 120
e2e_conf replay 0.25 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
EOF
e2e_collectd_start replay

ok "simulator sent all $sent telegrams" \
  wait_until 120 faults_sims_done "$sent" vkw
ok "replays counted: errors-replay = 2" \
  wait_until 30 faults_counter_is replay home errors-replay 2
ok "fresh telegrams decoded: telegrams = 10" \
  wait_until 30 faults_counter_is replay home total_operations-telegrams 10
sleep 1 # two more reads: a late dispatch of a replay would show now
is "power-import rows: each fresh telegram once, in order, none for a replay" \
  "$(e2e_csv replay home power-import | cut -d, -f2 | awk '{ printf "%d ", $1 }')" \
  "5 6 7 8 9 10 11 12 13 14 "
is "no duplicate timestamps in any csv file" "$(e2e_csv_dups replay home)" ""
is "every reading has one row per fresh telegram (voltage-l1 rows)" \
  "$(e2e_csv_rows replay home voltage-l1)" 10
for id in errors-checksum errors-segment errors-decrypt errors-tag \
  errors-format total_operations-reconnects; do
  is "no $id" "$(faults_counter replay home "$id")" 0
done
like "replay logged (info, rate-limited)" "$(cat "$(e2e_log replay)")" \
  'meter "home": frame counter not newer than the last one'
is "no errors or warnings in the log" "$(e2e_log_problems replay)" ""
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
