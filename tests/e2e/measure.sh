#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/e2e/measure.sh - figures for the release notes, not a test (not in
# TESTS; it takes about three minutes):
#   1. CPU time of collectd (utime + stime from /proc/PID/stat) over
#      MEASURE_SECONDS (default 60) with the plugin reading one telegram a
#      second, and its VmRSS; the same for collectd without the plugin
#      (same writers) as the baseline;
#   2. time from the meter's return to the first decoded telegram after
#      MEASURE_CYCLES (default 7) absences of 2 s; median, min, max.
#
#   SM_SRCDIR=$PWD SM_BUILDDIR=$PWD/_build tests/e2e/measure.sh
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
seconds=${MEASURE_SECONDS:-60}
cycles=${MEASURE_CYCLES:-7}
e2e_setup $((2 * seconds + 30 * cycles + 120))

cpu_ms() { # pid -> utime + stime in ms
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' \
    "/proc/$1/stat"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# run_cpu NAME: CPU over $seconds after a 5 s warm-up.
run_cpu() {
  e2e_collectd_start "$1"
  sleep 5
  local c0 c1
  c0=$(cpu_ms "$E2E_COLLECTD_PID")
  sleep "$seconds"
  c1=$(cpu_ms "$E2E_COLLECTD_PID")
  cpu=$(awk -v a="$c0" -v b="$c1" -v s="$seconds" \
    'BEGIN { printf "%.0f ms in %d s = %.3f %% of one core", b - a, s, (b - a) / s / 10 }')
  rss=$(rss_kb "$E2E_COLLECTD_PID")
  e2e_collectd_stop >/dev/null
}

# One telegram a second. At 2400 baud a 376-byte VKW telegram needs 1.7 s,
# so the bytes come at 1 ms each (in 16 ms chunks like an FTDI adapter).
e2e_telegrams vkw "$E2E_VKW" $((seconds + 30 * cycles + 60))
e2e_sim_start vkw 1 --pace 1

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
diag "collectd with the plugin, 1 telegram/s: $cpu, VmRSS $rss kB ($rows telegrams dispatched)"
ok "telegrams were dispatched during the CPU run" test "$rows" -ge "$seconds"

# Recovery: absences of 2 s.
e2e_collectd_start plugin
sim=$E2E_SIM_PID
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

done_testing
