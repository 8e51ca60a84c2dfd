#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_amis_ser2net.sh - test_amis.sh's checks through the real ser2net
# (Debian ser2net 4, raw TCP on 127.0.0.1, 9600 8E1 on the pty): the
# plugin reads Device "tcp://127.0.0.1:PORT" and its E5 go back over the
# socket. Every frame answered within the window, one value set per second,
# the wrap without a complaint, 12 s of SIGSTOP survived, a wrong key still
# answered.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
. "$SM_SRCDIR/tests/e2e/amis-lib.sh"
e2e_setup 300
command -v ser2net >/dev/null || bail "missing tool: ser2net"
command -v join >/dev/null || bail "missing tool: join"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
listening() {
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"
}

# s2n_start NAME: ser2net serving $E2E_TMP/NAME.tty; sets S2N_PORT.
s2n_start() {
  local pty
  S2N_PORT=$(free_port) || bail "no free port"
  pty=$(readlink -f "$E2E_TMP/$1.tty")
  # kickolduser: the listening probe below must not keep the line.
  cat >"$E2E_TMP/$1.s2n.yaml" <<EOF
connection: &$1
  accepter: tcp,127.0.0.1,$S2N_PORT
  connector: serialdev,$pty,9600e81,local
  options:
    kickolduser: true
EOF
  ser2net -n -d -c "$E2E_TMP/$1.s2n.yaml" -P "$E2E_TMP/$1.s2n.pid" \
    >"$E2E_TMP/$1.s2n.log" 2>&1 &
  E2E_PIDS+=("$!")
  wait_until 10 listening "$S2N_PORT" ||
    bail "ser2net did not start: $(tail -5 "$E2E_TMP/$1.s2n.log")"
  diag "ser2net on 127.0.0.1:$S2N_PORT serving $pty"
}

# amis_tcp_meter METER NAME [KEY]: a <Meter> block reading NAME's ser2net.
amis_tcp_meter() {
  cat <<EOF
  <Meter "$1">
    Device "tcp://127.0.0.1:$S2N_PORT"
    Key "${3:-$AMIS_KEY}"
  </Meter>
EOF
}

# ---- values, acknowledgements, the wrap ------------------------------------
amis_sim_start amis --search-period 1 --start-access 242
s2n_start amis
e2e_conf s2n 1 < <(amis_tcp_meter home amis)
e2e_collectd_start s2n
ok "values arrive through ser2net" \
  wait_until 60 e2e_rows_at_least s2n home energy_wh-import 2
row0=$(e2e_csv_rows s2n home energy_wh-import)
tel0=$(amis_count amis ' ack acc=[0-9]+ after ')
ok "the access number runs across 255 -> 0" \
  wait_until 60 amis_has amis ' ack acc=5 after '
sleep 2
sent=$(amis_count amis 'sent telegram ')
is "every SND_UD answered ($sent sent)" \
  "$(amis_count amis ' ack acc=[0-9]+ after ')" "$sent"
is "no answer missing" "$(amis_count amis 'no ack acc=')" 0
is "the reader sends nothing but E5" "$(amis_count amis 'unexpected')" 0
stats=$(amis_latency_stats amis)
diag "ACK latency through ser2net (ms): $stats"
ok "every E5 within 0.5 s" \
  awk -v m="$(amis_stat max "$stats")" 'BEGIN { exit !(m != "" && m < 500) }'
ok "median within 84 ms" \
  awk -v m="$(amis_stat median "$stats")" 'BEGIN { exit !(m != "" && m < 84) }'
rows=$(($(e2e_csv_rows s2n home energy_wh-import) - row0))
tel=$(($(amis_count amis ' ack acc=[0-9]+ after ') - tel0))
ok "one value set per second ($rows rows for $tel telegrams)" \
  test "$((rows * 10))" -ge "$((tel * 7))" -a "$rows" -le "$((tel + 2))"
ok "energy_wh-import rises with every row" amis_rising s2n home energy_wh-import
is_num "csv energy_wh-export" "$(e2e_csv_last s2n home energy_wh-export)" 129412
is "import and inkasso come from the same telegram" \
  "$(amis_pairing_errors s2n home)" ""
is_num "no replay counted" "$(e2e_csv_last s2n home errors-replay)" 0

# ---- collectd stopped for 12 s ---------------------------------------------
mark=$(amis_mark amis)
rows_before=$(e2e_csv_rows s2n home energy_wh-import)
kill -STOP "$E2E_COLLECTD_PID"
sleep 12
ok "10 missing answers in a row" \
  amis_has amis 'no ack acc=[0-9]+ \(10 in a row\)' "$mark"
ok "the meter falls back to search mode" amis_has amis 'search mode' "$mark"
kill -CONT "$E2E_COLLECTD_PID"
ok "after SIGCONT the link start is answered" \
  wait_until 30 amis_has amis 'ack nke after' "$mark"
ok "data resumes with access number 0" \
  wait_until 30 amis_has amis ' ack acc=0 after ' "$mark"
ok "values resume in csv" \
  wait_until 30 e2e_rows_at_least s2n home energy_wh-import $((rows_before + 3))
is_num "still no replay counted" "$(e2e_csv_last s2n home errors-replay)" 0
is "no replay complaint" "$(e2e_log_count s2n 'smartmeter plugin: .*(replay|frame counter)')" 0
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
is "no errors or warnings" "$(e2e_log_problems s2n |
  grep -v 'Not sleeping because the next interval')" ""
diag "whole run through ser2net: $(amis_latency_stats amis)"

# ---- a wrong key -----------------------------------------------------------
amis_sim_start wk --search-period 1
s2n_start wk
wrong=$(e2e_key_of "$E2E_EVN")
e2e_conf wrong 1 < <(amis_tcp_meter home wk "$wrong")
e2e_collectd_start wrong
complained() {
  [ "$(e2e_log_count wrong 'meter "home": .*is the key right\?')" -ge 1 ]
}
ok "wrong key reported" wait_until 60 complained
ok "frames keep coming" wait_until 30 amis_acked_at_least wk 6
is "the meter stays in data mode: every SND_UD answered" \
  "$(amis_count wk 'no ack acc=')" 0
is "no readings dispatched" \
  "$(e2e_listval wrong | grep -c -e power- -e energy_wh-)" 0
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"

done_testing
