#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/e2e/measure.sh - figures for the release notes, not a test (not in
# TESTS; it takes about six minutes):
#   1. CPU time of collectd (utime + stime from /proc/PID/stat) over
#      MEASURE_SECONDS (default 60) with the plugin reading one telegram a
#      second, its VmRSS and the reader thread's wake-ups (context
#      switches) a second and CPU time; the same for collectd without the
#      plugin (same writers) as the baseline, and with a meter that sends
#      nothing;
#   2. the same with MEASURE_MANY_METERS (default 16; 0 skips it) meters,
#      each sending MEASURE_MANY_RATE (default 10) telegrams a second, and
#      how many telegrams were decoded in the time;
#   3. time from the meter's return to the first decoded telegram after
#      MEASURE_CYCLES (default 7) absences of 2 s; median, min, max.
#
#   SM_SRCDIR=$PWD SM_BUILDDIR=$PWD/_build tests/e2e/measure.sh
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
seconds=${MEASURE_SECONDS:-60}
cycles=${MEASURE_CYCLES:-7}
many=${MEASURE_MANY_METERS:-16}
rate=${MEASURE_MANY_RATE:-10}
e2e_setup $((4 * seconds + 30 * cycles + 300))

cpu_ms() { # pid -> utime + stime in ms
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' \
    "/proc/$1/stat"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# The reader threads (collectd names them after the plugin): context
# switches (each one wake-up of a thread that sleeps in poll()) and CPU
# time in ns (/proc/.../schedstat, not rounded to clock ticks), summed.
reader_stats() { # pid -> "switches ns"
  local t sw=0 ns=0
  for t in /proc/"$1"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = smartmeter ] || continue
    sw=$((sw + $(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' \
      "$t/status")))
    ns=$((ns + $(cut -d' ' -f1 "$t/schedstat")))
  done
  echo "$sw $ns"
}

# run_cpu NAME [READY-COMMAND...]: CPU over $seconds after a 5 s warm-up
# (after READY-COMMAND succeeded, polled for up to 120 s).
run_cpu() {
  local name=$1
  shift
  e2e_collectd_start "$name"
  [ $# -eq 0 ] || wait_until 120 "$@" || diag "$name: not ready: $*"
  sleep 5
  local c0 c1 r0 r1
  c0=$(cpu_ms "$E2E_COLLECTD_PID")
  r0=$(reader_stats "$E2E_COLLECTD_PID")
  [ -z "${on_start:-}" ] || "$on_start"
  sleep "$seconds"
  c1=$(cpu_ms "$E2E_COLLECTD_PID")
  r1=$(reader_stats "$E2E_COLLECTD_PID")
  [ -z "${on_end:-}" ] || "$on_end"
  cpu=$(awk -v a="$c0" -v b="$c1" -v s="$seconds" \
    'BEGIN { printf "%.0f ms in %d s = %.3f %% of one core", b - a, s, (b - a) / s / 10 }')
  readers=$(awk -v a="$r0" -v b="$r1" -v s="$seconds" 'BEGIN {
    split(a, x, " "); split(b, y, " "); ms = (y[2] - x[2]) / 1e6
    printf "%.1f wake-ups/s, %.1f ms CPU = %.4f %% of one core",
      (y[1] - x[1]) / s, ms, ms / s / 10 }')
  rss=$(rss_kb "$E2E_COLLECTD_PID")
  e2e_collectd_stop >/dev/null
}

# One telegram a second. At 2400 baud a 376-byte VKW telegram needs 1.7 s,
# so the bytes come at 1 ms each (in 16 ms chunks like an FTDI adapter).
e2e_telegrams vkw "$E2E_VKW" $((seconds + 30 * cycles + 60))
e2e_sim_start vkw 1 --pace 1
vkw_sim=$E2E_SIM_PID

e2e_conf base 1 </dev/null
run_cpu base
diag "collectd baseline (csv, unixsock, logfile; plugin loaded, no <Meter>): $cpu, VmRSS $rss kB"

e2e_conf plugin 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
  </Meter>
EOF
run_cpu plugin
rows=$(e2e_csv_rows plugin home power-import)
diag "collectd with the plugin, 1 telegram/s: $cpu, VmRSS $rss kB, reader thread $readers ($rows telegrams dispatched)"
ok "telegrams were dispatched during the CPU run" test "$rows" -ge "$seconds"

# A meter that sends nothing (switched off, wrong cable): the reader's
# cost on a quiet line.
e2e_telegrams silent "$E2E_VKW" 1
e2e_sim_start silent 1 --delay 86400
e2e_conf silent 1 <<EOF
  <Meter "silent">
    Device "$E2E_TMP/silent.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 86400
  </Meter>
EOF
run_cpu silent
diag "collectd with the plugin, a silent meter: $cpu, reader thread $readers"
kill -TERM "$E2E_SIM_PID"

# Recovery: absences of 2 s.
e2e_collectd_start plugin
sim=$vkw_sim
last_epoch() { e2e_csv plugin home power-import | tail -1 | cut -d, -f1; }
newer() { [ "$(last_epoch)" != "$before" ]; }
wait_until 20 newer
recoveries=()
for ((i = 1; i <= cycles; i++)); do
  sleep 2
  kill -USR1 "$sim"
  sleep 2
  before=$(last_epoch)
  t_back=$(date +%s.%N)
  kill -USR2 "$sim"
  wait_until 40 newer || continue
  first=$(e2e_csv plugin home power-import |
    awk -F, -v b="$before" '$1 > b { print $1; exit }')
  recoveries+=("$(awk -v a="$first" -v b="$t_back" 'BEGIN { printf "%.2f", a - b }')")
done
ok "every absence recovered" test "${#recoveries[@]}" -eq "$cycles"
diag "recovery (meter back -> first telegram decoded), $cycles absences of 2 s: $(printf '%s\n' "${recoveries[@]}" | sort -n | awk '
  { v[NR] = $1 }
  END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "median %.2f s, min %.2f s, max %.2f s", m, v[1], v[NR] }')"
e2e_collectd_stop >/dev/null

# Many meters, fast: half replay the VKW capture (376 bytes), half the EVN
# one (282 bytes), at 0.1 ms a byte (a telegram within 38 ms), all starting
# after collectd has opened every device.
telegrams_total() { # sum of the meters' telegram counters
  local i sum=0 v
  for ((i = 1; i <= many; i++)); do
    v=$(e2e_csv_last many "m$i" total_operations-telegrams)
    v=${v%.*}
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
all_sending() {
  local i
  for ((i = 1; i <= many; i++)); do
    grep -q ' sent telegram ' "$E2E_TMP/m$i.sim.log" || return 1
  done
}
if [ "$many" -gt 0 ]; then
  kill -TERM "$vkw_sim" # one simulator less on the machine
  e2e_reap "$vkw_sim" 5
  count=$((rate * (seconds + 90)))
  lead=$((many * 2 + 15)) # s until the first telegram: the simulators start
  blocks=
  t_first=$SECONDS
  for ((i = 1; i <= many; i++)); do
    cap=$E2E_VKW
    [ $((i % 2)) -eq 0 ] && cap=$E2E_EVN
    e2e_telegrams "m$i" "$cap" "$count"
    delay=$((lead - (SECONDS - t_first)))
    [ "$delay" -lt 1 ] && delay=1
    e2e_sim_start "m$i" "$(awk -v r="$rate" 'BEGIN { print 1 / r }')" \
      --pace 0.1 --delay "$delay" --count "$count" --linger 60
    blocks+="  <Meter \"m$i\">
    Device \"$E2E_TMP/m$i.tty\"
    Key \"$(e2e_key_of "$cap")\"
    MaxAge 3600
  </Meter>
"
  done
  e2e_conf many 1 <<<"$blocks"
  mark_start() { n0=$(telegrams_total); }
  mark_end() { n1=$(telegrams_total); }
  on_start=mark_start on_end=mark_end run_cpu many all_sending
  diag "collectd with $many meters at $rate telegrams/s each: $cpu, VmRSS $rss kB, reader threads together $readers; $((n1 - n0)) telegrams decoded in $seconds s ($(awk -v n=$((n1 - n0)) -v s="$seconds" -v m="$many" 'BEGIN { printf "%.1f/s per meter", n / s / m }'))"
  ok "$many meters: telegrams were decoded during the CPU run" \
    test $((n1 - n0)) -ge $((many * seconds))
fi

done_testing
