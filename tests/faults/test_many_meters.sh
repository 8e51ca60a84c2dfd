#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_many_meters.sh - 16 meters in one collectd, each at ten times a
# real meter's rate: a telegram every 0.5 s (real meters: every 5 s) at
# 0.5 ms per byte (the bytes of a 376-byte telegram within 0.19 s), for
# about a minute. Half the meters replay the VKW capture, half the EVN one;
# all simulators start sending at about the same moment, after collectd
# has opened every device.
# Asserts, per meter: no telegram lost (the telegrams counter equals the
# telegrams its simulator sent, one less if collectd opened that device
# only after its first telegram had started), no errors, values present;
# collectd's CPU and RSS are printed.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 600

meters=16
count=${FAULTS_MANY_COUNT:-120} # 60 s at 0.5 s
lead=35 # s from the first simulator's start to the first telegram
t_first=$SECONDS
blocks=
for ((i = 1; i <= meters; i++)); do
  m=m$i
  cap=$E2E_VKW
  [ $((i % 2)) -eq 0 ] && cap=$E2E_EVN
  faults_forge "$m" "$cap" -v -c "1-$count"
  delay=$((lead - (SECONDS - t_first)))
  [ "$delay" -lt 1 ] && delay=1
  e2e_sim_start "$m" 0.5 --pace 0.5 --delay "$delay" --count "$count" \
    --linger 300
  blocks+="  <Meter \"$m\">
    Device \"$E2E_TMP/$m.tty\"
    Key \"$(e2e_key_of "$cap")\"
    MaxAge 3600
  </Meter>
"
done
diag "16 simulators started in $((SECONDS - t_first)) s"
e2e_conf many 1 <<<"$blocks"
e2e_collectd_start many
pid=$E2E_COLLECTD_PID
opened() { [ "$(e2e_log_count many 'libserialport refused /dev/pts/')" -ge "$meters" ]; }
ok "collectd opened all $meters devices" wait_until 60 opened
# Which simulators had started a telegram before every device was open?
early=()
for ((i = 1; i <= meters; i++)); do
  grep -q ' sent telegram ' "$E2E_TMP/m$i.sim.log" && early+=("m$i")
done
diag "devices opened $((SECONDS - t_first)) s after the first simulator; simulators already sending then: ${early[*]:-none}"

wait_until 120 faults_sims_done 1 m1
cpu0=$(faults_cpu_ms "$pid")
rss0=$(faults_rss_kb "$pid")
t0=$(date +%s.%N)
names=()
for ((i = 1; i <= meters; i++)); do names+=("m$i"); done
ok "all simulators sent $count telegrams" \
  wait_until $((count + 240)) faults_sims_done "$count" "${names[@]}"
cpu1=$(faults_cpu_ms "$pid")
rss1=$(faults_rss_kb "$pid")
t1=$(date +%s.%N)
sleep 3 # the last telegrams decoded and their counters dispatched

lost_total=0
for ((i = 1; i <= meters; i++)); do
  m=m$i
  sent=$(faults_sim_sent "$m")
  allow=0
  [[ " ${early[*]} " == *" $m "* ]] && allow=1
  wait_until 30 faults_counter_is many "$m" total_operations-telegrams "$sent"
  got=$(faults_counter many "$m" total_operations-telegrams)
  lost=$((sent - ${got:-0}))
  lost_total=$((lost_total + lost))
  ok "$m: no telegram lost (sent $sent, decoded $got)" \
    test "$lost" -ge 0 -a "$lost" -le "$allow"
  errs=0
  for id in errors-checksum errors-segment errors-decrypt errors-format \
    errors-replay; do
    v=$(faults_counter many "$m" "$id")
    errs=$((errs + ${v:-0}))
  done
  ok "$m: no errors ($errs)" test "$errs" -le "$allow"
  is_num "$m: power-import is the last telegram's" \
    "$(e2e_csv_last many "$m" power-import)" "$count"
done
diag "telegrams lost over all $meters meters: $lost_total"
cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" \
  'BEGIN { printf "%d ms CPU in %.1f s = %.1f %% of one core", b - a, e - s, (b - a) / (e - s) / 10 }')
diag "collectd with $meters meters at 2 telegrams/s each: $cpu; VmRSS ${rss0} kB -> ${rss1} kB; $(faults_threads "$pid") tasks, $(faults_fds "$pid") fds"
is "no errors or warnings in the log" "$(e2e_log_problems many)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "shutdown of $meters meter threads took ${ms} ms; test time $(faults_elapsed) s"

done_testing
