#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/faults/soak.sh - figures for the release notes, not a test (not in
# TESTS; it takes SOAK_SECONDS, default 600, plus about a minute):
# one collectd, two meters at 25 times a real meter's rate (a telegram
# every 0.2 s, bytes as fast as possible):
#   noisy   VKW capture, 50 % random bytes between the telegrams (with fake
#           headers), and the device vanishes for 1.5 s after every 150
#           telegrams (~30 s), as if unplugged;
#   clean   EVN capture in random chunks of 1..64 bytes.
# Prints collectd's RSS, fd and thread counts at the start, every minute
# and at the end, its CPU over the run (% of one core), and per meter the
# telegrams decoded against those sent whole (a telegram written just
# before a vanish can die with the pty: at most one per vanish), the
# error counters and the reconnects. Ends with checks (TAP) that RSS and
# fds stayed flat, CPU stayed low (a blocked reader, not a spinning one)
# and no more telegrams were lost than vanishes.
#
#   SM_SRCDIR=$PWD SM_BUILDDIR=/tmp/build tests/faults/soak.sh
# (after `make check` or `make tests/e2e/sm-forge` in the build dir).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
seconds=${SOAK_SECONDS:-600}
period=0.2
vanish_every=150
faults_setup $((seconds + 600))

n=$(awk -v s="$seconds" -v p="$period" 'BEGIN { print int(s / p) + 300 }')
faults_forge noisy "$E2E_VKW" -v -c "1-$n"
faults_forge clean "$E2E_EVN" -v -c "1-$n"
e2e_sim_start noisy "$period" --pace 0 --noise 0.5 --seed 1 \
  --vanish-every "$vanish_every" --vanish-for 1.5 --delay 3
e2e_sim_start clean "$period" --pace 0 --split random --seed 2 --delay 3
e2e_conf soak 1 <<EOF
  <Meter "noisy">
    Device "$E2E_TMP/noisy.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
  </Meter>
  <Meter "clean">
    Device "$E2E_TMP/clean.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
  </Meter>
EOF
e2e_collectd_start soak
pid=$E2E_COLLECTD_PID
wait_until 60 faults_counter_ge soak noisy total_operations-telegrams 5 ||
  bail "no telegrams"
sleep 5

sample() { # label
  diag "$(printf '%-6s' "$1") RSS $(faults_rss_kb "$pid") kB, $(faults_fds "$pid") fds, $(faults_threads "$pid") tasks, CPU $(faults_cpu_ms "$pid") ms, telegrams noisy $(faults_counter soak noisy total_operations-telegrams) clean $(faults_counter soak clean total_operations-telegrams), reconnects $(faults_counter soak noisy total_operations-reconnects)"
}
rss0=$(faults_rss_kb "$pid")
fd0=$(faults_fds "$pid")
th0=$(faults_threads "$pid")
cpu0=$(faults_cpu_ms "$pid")
faults_fd_list "$pid" >"$E2E_TMP/fds.start"
t0=$(date +%s.%N)
sample start
for ((s = 60; s <= seconds; s += 60)); do
  sleep 60
  sample "${s}s"
done
sleep $((seconds % 60))
rss1=$(faults_rss_kb "$pid")
fd1=$(faults_fds "$pid")
th1=$(faults_threads "$pid")
cpu1=$(faults_cpu_ms "$pid")
t1=$(date +%s.%N)
faults_fd_list "$pid" >"$E2E_TMP/fds.end"
sample end

# Stop the meters, let the last telegrams drain, read the counters.
kill -TERM "${E2E_PIDS[0]}" "${E2E_PIDS[1]}" 2>/dev/null
e2e_reap "${E2E_PIDS[0]}" 10
e2e_reap "${E2E_PIDS[1]}" 10
sleep 3
cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" \
  'BEGIN { printf "%.2f", (b - a) / (e - s) / 10 }')
wall=$(awk -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", e - s }')
diag "run: ${wall} s; collectd CPU $((cpu1 - cpu0)) ms = ${cpu} % of one core"
diag "RSS ${rss0} kB -> ${rss1} kB; fds ${fd0} -> ${fd1}; tasks ${th0} -> ${th1}"
vanishes=$(grep -c ' vanished' "$E2E_TMP/noisy.sim.log")
declare -A sent_of got_of
for m in noisy clean; do
  sent=$(faults_sim_sent "$m")
  got=$(faults_counter soak "$m" total_operations-telegrams)
  diag "$m: sent $sent whole telegrams, decoded $got (lost $((sent - got))), checksum $(faults_counter soak "$m" errors-checksum), segment $(faults_counter soak "$m" errors-segment), format $(faults_counter soak "$m" errors-format), replay $(faults_counter soak "$m" errors-replay), bytes_discarded $(faults_counter soak "$m" derive-bytes_discarded), reconnects $(faults_counter soak "$m" total_operations-reconnects)"
  sent_of[$m]=$sent
  got_of[$m]=$got
done
diag "noisy: $vanishes vanishes, $(grep -c ' noise ' "$E2E_TMP/noisy.sim.log") noise bursts, $(awk '/ noise / { n += $3 } END { print n + 0 }' "$E2E_TMP/noisy.sim.log") noise bytes"

ok "RSS flat: ${rss0} -> ${rss1} kB (growth < 10 %)" \
  awk -v a="$rss0" -v b="$rss1" 'BEGIN { exit !(b < a * 1.10) }'
ok "fds flat: ${fd0} -> ${fd1} (+-1)" test "$fd1" -ge $((fd0 - 1)) -a "$fd1" -le $((fd0 + 1))
is "tasks flat" "$th1" "$th0"
ok "CPU ${cpu} % of one core < 5 % (blocked, not spinning)" \
  awk -v c="$cpu" 'BEGIN { exit !(c < 5) }'
ok "clean: no telegram lost (${sent_of[clean]} sent, ${got_of[clean]} decoded)" \
  test "${got_of[clean]}" -eq "${sent_of[clean]}"
lost=$((sent_of[noisy] - got_of[noisy]))
ok "noisy: lost at most one telegram per vanish ($lost lost, $vanishes vanishes)" \
  test "$lost" -le "$vanishes" -a "$lost" -ge 0
is "noisy: reconnects = vanishes" \
  "$(faults_counter soak noisy total_operations-reconnects)" "$vanishes"
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
