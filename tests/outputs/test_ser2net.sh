#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_ser2net.sh - the remote-adapter route with the real ser2net (Debian
# ser2net 4): ser2net serves the simulated meter's pty raw on 127.0.0.1,
# the plugin reads Device "tcp://127.0.0.1:PORT". ser2net is stopped and
# started again: the plugin reconnects by itself and values resume.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 150
out_need ser2net
out_sim_start 200 1
S2N_PORT=$(out_port)
pty=$(readlink -f "$E2E_TMP/vkw.tty")
# ser2net 4 YAML: raw TCP (no telnet) on 127.0.0.1, the serial side
# 2400 baud 8E1 (on a pty the settings are accepted and have no effect).
cat >"$E2E_TMP/ser2net.yaml" <<EOF
connection: &meter
  accepter: tcp,127.0.0.1,$S2N_PORT
  connector: serialdev,$pty,2400e81,local
  options:
    kickolduser: true
EOF
s2n_start() {
  # -n: stay in the foreground, -d: log to stderr.
  out_start ser2net ser2net -n -d -c "$E2E_TMP/ser2net.yaml" \
    -P "$E2E_TMP/ser2net.pid"
  S2N_PID=$OUT_PID
  wait_until 10 out_listening "$S2N_PORT" ||
    bail "ser2net did not start: $(tail -5 "$E2E_TMP/ser2net.log")"
}
s2n_start
diag "ser2net on 127.0.0.1:$S2N_PORT serving $pty"

OUT_DEVICE="tcp://127.0.0.1:$S2N_PORT" out_collectd_conf s2n 1 </dev/null
e2e_collectd_start s2n
ok "values arrive through ser2net within 20 s" \
  wait_until 20 e2e_rows_at_least s2n "$OUT_METER" energy_wh-import 2
for kv in $OUT_VKW_VALUES; do
  is_num "getval ${kv%%=*}" "$(e2e_getval s2n "$OUT_METER" "${kv%%=*}")" "${kv#*=}"
done

kill -TERM "$S2N_PID"
e2e_reap "$S2N_PID" 5 || kill -KILL "$S2N_PID"
ok "plugin logs the loss" \
  wait_until 15 grep -q "lost tcp://127.0.0.1:$S2N_PORT" "$(e2e_log s2n)"
before=$(e2e_csv_rows s2n "$OUT_METER" energy_wh-import)
s2n_start
ok "values resume after ser2net restarts (within 40 s)" \
  wait_until 40 e2e_rows_at_least s2n "$OUT_METER" energy_wh-import $((before + 2))
ok "plugin logs the recovery" \
  grep -q "tcp://127.0.0.1:$S2N_PORT is back" "$(e2e_log s2n)"

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
problems=$(e2e_log_problems s2n | grep -v "tcp://127.0.0.1:$S2N_PORT")
is "no other errors or warnings" "$problems" ""
done_testing
