#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_values_termios.sh - a real VKW capture (Kaifa MA309M) on a plain pty,
# which libserialport 0.1.1 refuses, so the plugin's termios fallback reads
# it. Asserts the exact decoded values under the documented identifiers in
# the csv files and through the unixsock plugin, the identifier set, the
# health counters, one dispatch per telegram (no duplicate rows, one value
# time per telegram), the backend named in the log, and a clean shutdown.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

e2e_telegrams vkw "$E2E_VKW" 300
# The first telegram only after collectd has opened the pty: a telegram
# cut by the open would count as a (correct) segment error.
e2e_sim_start vkw 0.5 --pace 0.5 --delay 3
e2e_conf vkw 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 10
  </Meter>
EOF
e2e_collectd_start vkw
started=$(date +%s)

ok "readings arrive in csv" \
  wait_until 60 e2e_rows_at_least vkw home energy_wh-import 4
# Results/CONTRACTS.md identifiers; values from the capture's reference
# decode (tests/vectors/DECODED.md, cross-checked against the source).
while read -r id want; do
  is_num "csv $id" "$(e2e_csv_last vkw home "$id")" "$want"
  is_num "getval $id" "$(e2e_getval vkw home "$id")" "$want"
done <<'EOF'
energy_wh-import 3744082
energy_wh-export 3929988
energy_wh-reactive_import 13445
energy_wh-reactive_export 1313360
power-import 53
power-export 0
voltage-l1 233
voltage-l2 232.8
voltage-l3 232.7
current-l1 0.31
current-l2 0.52
current-l3 0.21
EOF

want_ids="current-l1 current-l2 current-l3 derive-bytes_discarded
energy_wh-export energy_wh-import energy_wh-reactive_export
energy_wh-reactive_import errors-checksum errors-decrypt errors-format
errors-replay errors-segment errors-tag power-export power-import
total_operations-counter_resets total_operations-reconnects
total_operations-telegrams voltage-l1
voltage-l2 voltage-l3"
got_ids=$(e2e_listval vkw | sed -n "s|^$E2E_HOST/smartmeter-home/||p" | sort)
is "listval: exactly the documented identifiers" \
  "$(tr '\n' ' ' <<<"$got_ids")" "$(tr '\n' ' ' <<<"$want_ids")"

# Counters from csv (StoreRates false: raw DERIVE values).
telegrams=$(e2e_csv_last vkw home total_operations-telegrams)
ok "health: telegrams counted ($telegrams)" \
  awk -v t="$telegrams" 'BEGIN { exit !(t >= 4) }'
for id in errors-decrypt errors-tag errors-format errors-checksum \
  errors-replay total_operations-reconnects; do
  is_num "health: $id" "$(e2e_csv_last vkw home "$id")" 0
done
# Only if a slow start made the plugin join the line mid-telegram: then
# exactly that telegram is dropped as a segment error.
segment=$(e2e_csv_last vkw home errors-segment)
ok "health: errors-segment 0 (1 if joined mid-telegram): $segment" \
  test "$segment" -le 1
ok "health: counters are DERIVE (getval answers a rate)" \
  test -n "$(e2e_getval vkw home total_operations-telegrams)"

sleep 2 # a few more telegrams and reads
is "no duplicate timestamps in any csv file" "$(e2e_csv_dups vkw home)" ""
# Compare up to the older of the two last rows: a file may be caught
# between two writes of the same telegram.
epochs() { e2e_csv vkw home "$1" | cut -d, -f1; }
a=$(epochs voltage-l1)
b=$(epochs energy_wh-import)
cut=$(printf '%s\n%s\n' "$(tail -1 <<<"$a")" "$(tail -1 <<<"$b")" | sort -n | head -1)
older() { awk -v c="$cut" '$1 <= c'; }
is "all readings of a telegram share its reception time" \
  "$(older <<<"$a")" "$(older <<<"$b")"
rows=$(e2e_csv_rows vkw home power-import)
telegrams=$(e2e_csv_last vkw home total_operations-telegrams)
ok "at most one row per decoded telegram ($rows rows, $telegrams telegrams)" \
  awk -v r="$rows" -v t="$telegrams" 'BEGIN { exit !(r >= 4 && r <= t) }'

log=$(e2e_log vkw)
is "log: termios fallback announced once" \
  "$(e2e_log_count vkw 'meter "home": libserialport refused /dev/pts/[0-9]+, using the termios fallback')" 1
is "log: libserialport not used" "$(e2e_log_count vkw 'with libserialport')" 0
is "log: first telegram" \
  "$(e2e_log_count vkw 'meter "home": first telegram decoded \(meter number "1KFM0200175269"')" 1
is "log: no errors or warnings" \
  "$(e2e_log_problems vkw)" ""

# CPU of collectd so far (diagnostic only).
read -r ut st < <(awk '{ print $14, $15 }' "/proc/$E2E_COLLECTD_PID/stat")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$E2E_COLLECTD_PID/status")
elapsed=$(($(date +%s) - started))
diag "collectd: $(((ut + st) * 1000 / $(getconf CLK_TCK))) ms CPU in ${elapsed} s at 2 telegrams/s, VmRSS ${rss} kB"

ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "shutdown took ${ms} ms"
is "log: shutdown without errors" \
  "$(e2e_log_problems vkw)" ""
like "log: collectd exited normally" "$(cat "$log")" 'Exiting normally'

done_testing
