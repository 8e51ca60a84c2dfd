#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_quiet.sh - a quiet line costs no wake-ups (issue 12 item 3): a
# meter's reader thread sleeps until bytes come, one of its deadlines is
# due (the idle gap, a held-back log line, the end of a line watch window)
# or collectd stops it; before, it woke every 200 ms to look for a stop.
# Two meters: "silent" never sends, "spoke" sends a telegram, is quiet for
# 15 s, then sends the next one. The context switches of both reader
# threads (/proc/PID/task/TID/status) over 5 s of quiet after the idle gap
# must stay at a few (before: about 50); the second telegram still wakes
# "spoke" at once; collectd still stops within 2 s.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 180

quiet_s=5
key=$(e2e_key_of "$E2E_VKW")
faults_forge spoke "$E2E_VKW" -v -c 1-2
faults_forge silent "$E2E_VKW" -v -c 1
# The first telegram after collectd has opened both devices.
e2e_sim_start spoke 15 --pace 1 --delay 8 --count 2 --linger 120
e2e_sim_start silent 1 --delay 3600
e2e_conf quiet 1 <<EOF2
  <Meter "spoke">
    Device "$E2E_TMP/spoke.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
  <Meter "silent">
    Device "$E2E_TMP/silent.tty"
    Key "$key"
    MaxAge 3600
  </Meter>
EOF2
e2e_collectd_start quiet
pid=$E2E_COLLECTD_PID
opened() { [ "$(e2e_log_count quiet 'libserialport refused /dev/pts/')" -ge 2 ]; }
ok "collectd opened both devices" wait_until 30 opened

# The reader threads: collectd names them after the plugin.
readers() {
  local t
  for t in /proc/"$pid"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = smartmeter ] && echo "${t##*/}"
  done
}
mapfile -t tids < <(readers)
is "two reader threads" "${#tids[@]}" 2
switches() { # all context switches of the reader threads
  local t sum=0 v
  for t in "${tids[@]}"; do
    v=$(awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s }' \
      "/proc/$pid/task/$t/status")
    sum=$((sum + v))
  done
  echo "$sum"
}

ok "spoke: simulator sent telegram 1" wait_until 40 faults_sims_done 1 spoke
ok "spoke: telegram 1 decoded" \
  wait_until 10 faults_counter_is quiet spoke total_operations-telegrams 1
sleep 2 # the idle gap (1.5 s after the last byte) has passed
s0=$(switches)
sleep "$quiet_s"
s1=$(switches)
n=$((s1 - s0))
diag "reader threads: $n context switches in $quiet_s s of quiet (2 threads)"
ok "reader threads sleep on a quiet line ($n switches in $quiet_s s, at most 3)" \
  test "$n" -le 3
is "spoke: still quiet (telegram 2 not sent yet)" \
  "$(faults_sim_sent spoke)" 1

ok "spoke: simulator sent telegram 2" wait_until 20 faults_sims_done 2 spoke
ok "spoke: telegram 2 decoded after the quiet" \
  wait_until 10 faults_counter_is quiet spoke total_operations-telegrams 2
is "spoke: no segment error" "$(faults_counter quiet spoke errors-segment)" 0
is "log: no errors or warnings" "$(e2e_log_problems quiet)" ""

ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
ok "collectd stops within 2 s (${ms:-?} ms)" test "${ms:-99999}" -lt 2000
diag "test time $(faults_elapsed) s"

done_testing
