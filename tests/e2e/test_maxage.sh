#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_maxage.sh - the meter (simulator) vanishes and comes back under the
# same path, as when a USB adapter is unplugged and plugged in again.
# Asserts: after MaxAge one warning and no new rows; the loss logged once;
# on return one "back" notice and one "arriving again" notice, correct
# values again, the reconnect counter. Measures (diagnostics, not
# assertions) the time from the meter's return to the first decoded
# telegram over several cycles.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 400

e2e_telegrams vkw "$E2E_VKW" 500
e2e_sim_start vkw 0.5 --pace 0.5 --delay 3
e2e_conf age 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3
  </Meter>
EOF
e2e_collectd_start age
sim=$E2E_SIM_PID

ok "readings arrive" wait_until 60 e2e_rows_at_least age home power-import 3

now_s() { date +%s.%N; }
rows() { e2e_csv_rows age home power-import; }
last_epoch() { e2e_csv age home power-import | tail -1 | cut -d, -f1; }
stale_warnings() { e2e_log_count age 'meter "home": newest telegram is older than MaxAge' "$mark"; }

# --- 1: vanish for longer than MaxAge -----------------------------------
warned() { [ "$(stale_warnings)" -ge 1 ]; }
# Count log lines from here on (the start may already have warned about a
# meter that had not sent yet).
mark=$(($(e2e_log_lines age) + 1))
kill -USR1 "$sim"
ok "MaxAge expiry is warned" wait_until 40 warned
stale_rows=$(rows)
sleep 4 # several more reads while stale
is "exactly one MaxAge warning" "$(stale_warnings)" 1
is "no new rows while stale" "$(rows)" "$stale_rows"
is "loss logged once" "$(e2e_log_count age 'meter "home": .*; reconnecting\.' "$mark")" 1

before=$(last_epoch)
t_back=$(now_s)
kill -USR2 "$sim"
newer() { [ "$(last_epoch)" != "$before" ]; }
ok "readings again after the meter returns" wait_until 60 newer
first_new=$(e2e_csv age home power-import | awk -F, -v b="$before" '$1 > b { print $1; exit }')
diag "cycle 1 (away $(awk -v a="$t_back" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s): first telegram $(awk -v a="$first_new" -v b="$t_back" 'BEGIN { printf "%.2f", a - b }') s after the meter returned"
arriving() { [ "$(e2e_log_count age 'meter "home": telegrams are arriving again' "$mark")" -ge 1 ]; }
ok "recovery notice: arriving again" wait_until 20 arriving
is "recovery notice: arriving again, once" \
  "$(e2e_log_count age 'meter "home": telegrams are arriving again' "$mark")" 1
is "recovery notice: device back, once" \
  "$(e2e_log_count age 'meter "home": /dev/pts/[0-9]+ is back \(termios\)' "$mark")" 1
is_num "value after recovery" "$(e2e_csv_last age home power-import)" 53

# --- 2..6: short absences, recovery time -----------------------------------
recoveries=()
for cycle in 2 3 4 5 6; do
  sleep 1.5 # let the back-off reset on fresh bytes
  kill -USR1 "$sim"
  sleep 2
  before=$(last_epoch)
  t_back=$(now_s)
  kill -USR2 "$sim"
  if wait_until 60 newer; then
    first_new=$(e2e_csv age home power-import | awk -F, -v b="$before" '$1 > b { print $1; exit }')
    r=$(awk -v a="$first_new" -v b="$t_back" 'BEGIN { printf "%.2f", a - b }')
    recoveries+=("$r")
    diag "cycle $cycle (away 2 s): first telegram $r s after the meter returned"
  else
    recoveries+=(none)
  fi
done
is "every short absence recovered" "$(printf '%s\n' "${recoveries[@]}" | grep -c none)" 0
median=$(printf '%s\n' "${recoveries[@]}" | sort -n |
  awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
diag "recovery after the meter returns: median ${median} s over ${#recoveries[@]} cycles (back-off 1 s doubling)"

sleep 2
is_num "reconnect counter" "$(e2e_csv_last age home total_operations-reconnects)" 6
# Link lines are bounded per meter (2 a minute, the newest held back one
# logged when the minute allows): six absences in ~30 s are not 12 lines.
back=$(e2e_log_count age 'meter "home": /dev/pts/[0-9]+ is back')
link=$(e2e_log_count age 'meter "home": .*(is back|reconnecting)')
ok "device back notices: at least one ($back), link lines bounded ($link)" \
  test "$back" -ge 1 -a "$link" -le 4
is "no duplicate timestamps" "$(e2e_csv_dups age home)" ""
is "no errors" "$(grep '\[error\]' "$(e2e_log age)" | grep -v -e 'cannot open' -e 'set_thread_name')" ""

ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "shutdown took ${ms} ms"

done_testing
