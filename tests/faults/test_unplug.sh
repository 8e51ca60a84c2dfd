#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_unplug.sh - the device path vanishes and returns 20 times, as when a
# USB adapter is unplugged and plugged in again (meter-sim SIGUSR1: socat
# killed, the link and the pty gone, the reader gets a hangup; SIGUSR2:
# recreated at the same path, usually under another /dev/pts number).
# Each absence lasts ~1.5 s, so the plugin's back-off (1 s, doubling while
# the device is missing) is at 2 s when the device returns.
#
# Timing: the simulator logs "vanished"/"back" with CLOCK_MONOTONIC times;
# tests/faults/fdwatch logs, with the same clock, when collectd closes the
# old pty and opens the new one (polling /proc/PID/fd every 10 ms); csv
# rows give the reception time of the first telegram decoded afterwards.
#
# Asserts: after every return the plugin reopens the device (no later than
# its next back-off attempt + 1 s: the attempts come at 1 s and 3 s after
# the loss it noticed) and decodes telegrams again; the reconnect counter
# is 20; collectd keeps its PID; no fd leak (fd count at start and end
# equal +-1, exactly one pty open) and no thread leak (same task count);
# the log bounded (at most 2 link lines in any minute).
# Prints median and max of the reopen delay and of the time to the first
# decoded telegram, and how many reopened within 2 s of the return.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 600

cycles=20
away=1.5
faults_forge dev "$E2E_VKW" -v -c 1-3000
# Four telegrams a second, each in one write (--pace 0): the first one
# after a return goes out at most 0.25 s after the reopen.
e2e_sim_start dev 0.25 --pace 0 --delay 2
sim=$E2E_SIM_PID
e2e_conf unplug 0.25 <<EOF
  <Meter "home">
    Device "$E2E_TMP/dev.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
  </Meter>
EOF
e2e_collectd_start unplug
pid=$E2E_COLLECTD_PID
python3 "$SM_SRCDIR/tests/faults/fdwatch" "$pid" "$E2E_TMP/fdwatch.log" &
E2E_PIDS+=($!)

ok "readings arrive" wait_until 60 e2e_rows_at_least unplug home power-import 4
sleep 2
fd0=$(faults_fds "$pid")
th0=$(faults_threads "$pid")
rss0=$(faults_rss_kb "$pid")
faults_fd_list "$pid" >"$E2E_TMP/fds.start"
off=$(faults_mono_offset)

events() { grep -c " $1" "$E2E_TMP/dev.sim.log"; }
events_at_least() { [ "$(events "$1")" -ge "$2" ]; }
last_epoch() { e2e_csv unplug home power-import | tail -1 | cut -d, -f1; }
after() { awk -v a="$(last_epoch)" -v b="$1" 'BEGIN { exit !(a > b) }'; }
recovered=0
for ((i = 1; i <= cycles; i++)); do
  kill -USR1 "$sim"
  wait_until 20 events_at_least vanished "$i" || break
  sleep "$away"
  kill -USR2 "$sim"
  wait_until 20 events_at_least back "$i" || break
  back=$(awk '/ back / { t = $1 } END { print t }' "$E2E_TMP/dev.sim.log")
  wait_until 30 after "$(awk -v t="$back" -v o="$off" 'BEGIN { printf "%.6f", t + o }')" ||
    break
  recovered=$i
  sleep 0.5 # telegrams flow again (this resets the back-off)
done
is "decoding resumed after each of the $cycles returns" "$recovered" "$cycles"
ok "reconnect counter = $cycles" \
  wait_until 30 faults_counter_is unplug home total_operations-reconnects "$cycles"
sleep 2
fd1=$(faults_fds "$pid")
th1=$(faults_threads "$pid")
rss1=$(faults_rss_kb "$pid")
faults_fd_list "$pid" >"$E2E_TMP/fds.end"
ok "collectd still running under the same PID" kill -0 "$pid"
is "collectd never restarted: one start in the log" \
  "$(e2e_log_count unplug 'smartmeter plugin: version')" 1
ok "no fd leak: $fd0 fds at start, $fd1 at end" \
  test "$fd1" -ge $((fd0 - 1)) -a "$fd1" -le $((fd0 + 1))
if [ "$fd1" -lt $((fd0 - 1)) ] || [ "$fd1" -gt $((fd0 + 1)) ]; then
  diff "$E2E_TMP/fds.start" "$E2E_TMP/fds.end" | sed 's/^/# /'
fi
is "exactly one pty open at the end" "$(grep -c ' -> /dev/pts/' "$E2E_TMP/fds.end")" 1
is "no thread leak: $th0 tasks at start" "$th1" "$th0"
diag "collectd VmRSS ${rss0} kB at start, ${rss1} kB after $cycles unplugs"

# Per cycle: vanished, back (simulator), close of the old pty and open of
# the new one (fdwatch), first csv row after the return.
e2e_csv unplug home power-import | cut -d, -f1 >"$E2E_TMP/rows"
python3 - "$E2E_TMP/dev.sim.log" "$E2E_TMP/fdwatch.log" "$E2E_TMP/rows" \
  "$off" >"$E2E_TMP/cycles" <<'EOF'
import sys
sim, fdw, rows, off = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
ev = [l.split() for l in open(sim)]
van = [float(e[0]) for e in ev if e[1] == "vanishing"]
back = [float(e[0]) for e in ev if e[1] == "back"]
fw = [l.split() for l in open(fdw)]
closes = [float(e[0]) for e in fw if e[1] == "close"]
opens = [float(e[0]) for e in fw if e[1] == "open"]
rws = [float(r) - off for r in open(rows) if r.strip()]
for i, (v, b) in enumerate(zip(van, back), 1):
    c = next((t for t in closes if t >= v - 0.05), None)
    o = next((t for t in opens if t >= b), None)
    r = next((t for t in rws if t > b), None)
    if c is None or o is None or r is None:
        print(i, "missing")
        continue
    # The reader retries at 1 s, 3 s, 7 s ... after it noticed the loss:
    # the first attempt at or after the return is the back-off in effect.
    k, attempt = 1, c + 1
    while attempt < b:
        k *= 2
        attempt = c + (2 * k - 1)
    print(i, "%.3f %.3f %.3f %.3f %.3f %.3f" % (
        b - v, c - v, o - b, r - b, attempt - b, float(k)))
EOF
diag "cycle: absent s, loss noticed after s, reopened after return s, first telegram after return s, next back-off attempt after return s"
sed 's/^/  /' "$E2E_TMP/cycles" | while read -r l; do diag "$l"; done
is "every cycle measured" "$(grep -c missing "$E2E_TMP/cycles")" 0
late=$(awk 'NF == 7 && $4 > $6 + 1.0 { printf "%d ", $1 }' "$E2E_TMP/cycles")
is "every reopen no later than the back-off attempt then due + 1 s" "$late" ""
backoff_max=$(awk 'NF == 7 && $7 > m { m = $7 } END { print m + 0 }' "$E2E_TMP/cycles")
is "back-off in effect at the returns: at most 2 s" "$backoff_max" 2
within=$(awk 'NF == 7 && $4 <= 2.0' "$E2E_TMP/cycles" | wc -l)
read -r rmed rmax _ <<<"$(awk 'NF == 7 { print $4 }' "$E2E_TMP/cycles" | faults_stats)"
read -r fmed fmax _ <<<"$(awk 'NF == 7 { print $5 }' "$E2E_TMP/cycles" | faults_stats)"
read -r amed _ <<<"$(awk 'NF == 7 { print $2 }' "$E2E_TMP/cycles" | faults_stats)"
read -r dmed dmax _ <<<"$(awk 'NF == 7 { print $3 }' "$E2E_TMP/cycles" | faults_stats)"
diag "absences: median ${amed} s; loss noticed: median ${dmed} s, max ${dmax} s"
diag "reopen after the device returned: median ${rmed} s, max ${rmax} s; within 2 s: $within of $cycles"
diag "first decoded telegram after the return: median ${fmed} s, max ${fmax} s"
# Link lines are bounded per meter (issue 10): at most 2 in any minute,
# the counters carry the detail. Every line is >= 60 s after the one two
# before it.
crowded=$(grep -E 'meter "home": .*(is back|reconnecting|cannot open)' \
  "$(e2e_log unplug)" | sed -n 's/^\[\([^]]*\)\].*/\1/p' |
  while read -r d; do date -d "$d" +%s; done |
  awk '{ t[NR] = $1 } END { for (i = 3; i <= NR; i++)
    if (t[i] - t[i - 2] < 60) printf "%d-%d ", t[i - 2], t[i] }')
is "link lines: at most 2 in any minute over $cycles unplugs" "$crowded" ""
ok "the first loss and return are logged" \
  test "$(e2e_log_count unplug 'meter "home": /dev/pts/[0-9]+ is back')" -ge 1 -a \
  "$(e2e_log_count unplug 'meter "home": .*; reconnecting\.')" -ge 1
is "no decode errors (a cut telegram at most)" \
  "$(e2e_log_count unplug 'meter "home": .*(key|AuthKey|libgcrypt)')" 0
is "no duplicate timestamps" "$(e2e_csv_dups unplug home)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "shutdown took ${ms} ms; test time $(faults_elapsed) s"

done_testing
