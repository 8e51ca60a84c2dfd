#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_execd.sh - the Telegraf inputs.execd route without Telegraf:
# `smartmeter-decode --device <pty> --format influx` runs continuously
# against the simulated meter; each line it prints is POSTed as it arrives
# to a real InfluxDB 1.x /write endpoint (a real line-protocol parser) and
# queried back. Also: one line per telegram, flushed per line (lines reach
# the server while the program runs), it survives the device vanishing and
# coming back, and it exits 0 on SIGTERM and when its stdin pipe closes.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 180
out_need curl mkfifo
CLI=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$CLI" ] || bail "missing $CLI"
out_influxd_start
curl -sS --max-time 10 -XPOST "http://127.0.0.1:$INFLUX_HTTP/query" \
  --data-urlencode 'q=CREATE DATABASE sm_execd' >/dev/null ||
  bail "cannot create database"
out_sim_start 200 1

# run_cli N: smartmeter-decode with stdin a FIFO held open by this shell on
# fd 7 (so stdin is an open pipe, as under Telegraf), stdout a FIFO read by a
# loop that POSTs every line to /write at once. Sets CLI_PID, POSTER_PID.
run_cli() {
  local n=$1
  mkfifo "$E2E_TMP/in$n" "$E2E_TMP/out$n"
  exec 7<>"$E2E_TMP/in$n"
  (
    while IFS= read -r line; do
      printf '%s\n' "$line" >>"$E2E_TMP/lines$n"
      curl -sS --max-time 5 -o /dev/null -w '%{http_code}\n' -XPOST \
        "http://127.0.0.1:$INFLUX_HTTP/write?db=sm_execd&precision=ns" \
        --data-binary "$line" >>"$E2E_TMP/codes$n" 2>&1
    done <"$E2E_TMP/out$n"
  ) 7>&- &
  POSTER_PID=$!
  E2E_PIDS+=("$POSTER_PID")
  "$CLI" --device "$E2E_TMP/vkw.tty" --key "$OUT_KEY" --format influx \
    --meter "$OUT_METER" <"$E2E_TMP/in$n" >"$E2E_TMP/out$n" \
    2>"$E2E_TMP/err$n" 7>&- &
  CLI_PID=$!
  E2E_PIDS+=("$CLI_PID")
}
posted() { # N COUNT: at least COUNT lines posted with HTTP 204
  [ "$(grep -c '^204$' "$E2E_TMP/codes$1" 2>/dev/null)" -ge "$2" ]
}
# exit_status PID SECONDS: sets STATUS to the exit status, or "running".
# (Not in $(...): only this shell can wait for its child.)
exit_status() {
  STATUS=running
  if wait_until "$2" gone "$1"; then
    wait "$1" 2>/dev/null
    STATUS=$?
  fi
}

# --- run 1: values, per-line flush, device loss, SIGTERM --------------------
run_cli 1
ok "3 lines posted (HTTP 204) within 30 s" wait_until 30 posted 1 3
ok "... while smartmeter-decode is still running (flushed per line)" \
  kill -0 "$CLI_PID"
like "a line is Influx line protocol" "$(head -1 "$E2E_TMP/lines1")" \
  "^smartmeter,meter=$OUT_METER [a-z_0-9]+=[-0-9.e+]+(,[a-z_0-9]+=[-0-9.e+]+)* [0-9]{19}$"

where="meter='$OUT_METER'"
for kv in voltage_l1=233 voltage_l2=232.8 voltage_l3=232.7 current_l1=0.31 \
  current_l2=0.52 current_l3=0.21 power_import=53 power_export=0 \
  energy_import=3744082 energy_export=3929988 reactive_energy_import=13445 \
  reactive_energy_export=1313360; do
  is_num "InfluxDB smartmeter.${kv%%=*}" \
    "$(out_influx_value sm_execd "SELECT last(${kv%%=*}) FROM smartmeter WHERE $where")" \
    "${kv#*=}"
done
is "tag keys" "$(out_influx_rows sm_execd 'SHOW TAG KEYS FROM smartmeter' | cut -d'|' -f2 | tr '\n' ' ')" "meter "
# Points first: the poster appends a line to lines1 before POSTing it, so
# counting lines afterwards can only see more, never fewer, than posted.
n_points=$(out_influx_value sm_execd "SELECT count(energy_import) FROM smartmeter WHERE $where")
n_lines=$(wc -l <"$E2E_TMP/lines1")
ok "one point per line ($n_lines lines, ${n_points:-0} points)" \
  test "${n_points:-0}" -ge 3 -a "${n_points:-0}" -le "$n_lines"
t=$(out_influx_rows sm_execd "SELECT last(energy_import) FROM smartmeter WHERE $where" | cut -d'|' -f2)
now=$(date +%s)
ok "timestamp is the receive time" test -n "$t" -a $((now - ${t:-0})) -lt 60 -a $((${t:-0} - now)) -lt 5

# The device vanishes for 3 s (like an unplugged adapter) and comes back:
# lines resume without a restart.
before=$(wc -l <"$E2E_TMP/lines1")
kill -USR1 "$OUT_SIM_PID"
sleep 3
kill -USR2 "$OUT_SIM_PID"
ok "lines resume after the device came back (within 40 s)" \
  wait_until 40 posted 1 $((before + 2))
ok "smartmeter-decode kept running through the loss" kill -0 "$CLI_PID"

kill -TERM "$CLI_PID"
exit_status "$CLI_PID" 5
is "exit status 0 on SIGTERM" "$STATUS" "0"
e2e_reap "$POSTER_PID" 5 >/dev/null
exec 7>&-
diag "stderr of run 1: $(head -c 600 "$E2E_TMP/err1" | tr '\n' '|')"

# --- a meter tag with every character line protocol treats specially -------
# (space, comma, equals, a backslash inside and one at the end, which line
# protocol cannot escape and the CLI writes as '_'): the real parser takes
# the line and the tag reads back as written.
"$CLI" --hex --key "$OUT_KEY" --format influx --meter 'a b,c=d\e\' \
  "$SM_SRCDIR/tests/vectors/ksmwest_vkw_philippsev_2023-07-26.hex" \
  >"$E2E_TMP/odd.line" 2>"$E2E_TMP/odd.err"
code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -XPOST \
  "http://127.0.0.1:$INFLUX_HTTP/write?db=sm_execd&precision=ns" \
  --data-binary @"$E2E_TMP/odd.line")
is "a line with an awkward --meter is accepted (HTTP 204)" "$code" 204
is "... and its tag reads back" \
  "$(out_influx_rows sm_execd 'SHOW TAG VALUES FROM smartmeter WITH KEY = "meter"' |
    cut -d'|' -f3 | grep -v "^$OUT_METER\$")" 'a b,c=d\e_'
is_num "... with its values" \
  "$(out_influx_value sm_execd "SELECT last(energy_import) FROM smartmeter WHERE meter =~ /^a b,c=d.e_\$/")" \
  3744082

# --- run 2: stdin closes -----------------------------------------------------
run_cli 2
ok "run 2 posts a line" wait_until 30 posted 2 1
exec 7>&- # the last writer of its stdin is gone: EOF
exit_status "$CLI_PID" 5
is "exit status 0 when stdin closes" "$STATUS" "0"
e2e_reap "$POSTER_PID" 5 >/dev/null
diag "stderr of run 2: $(head -c 600 "$E2E_TMP/err2" | tr '\n' '|')"
done_testing
