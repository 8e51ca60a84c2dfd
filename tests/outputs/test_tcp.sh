#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_tcp.sh - the ser2net route: a meter's raw bytes served over TCP.
# socat listens on 127.0.0.1 (as ser2net would in raw mode) and hands every
# connection the next telegrams of the VKW capture, one per second. The
# plugin reads Device "tcp://127.0.0.1:PORT"; the server is killed and
# restarted: the plugin reconnects with back-off and values resume. Then
# smartmeter-decode --device tcp://... reads the same server.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 180
out_need socat setsid python3
CLI=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$CLI" ] || bail "missing $CLI"

# Telegrams as binary files, served in order across connections (a shared
# counter), so a reconnecting reader never sees a replayed frame counter.
e2e_telegrams vkw "$E2E_VKW" 200
mkdir -p "$E2E_TMP/srv/bin"
python3 - "$E2E_TMP/vkw" "$E2E_TMP/srv/bin" <<'EOF' || bail "hex to binary"
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    if name.endswith(".hex"):
        with open(os.path.join(src, name)) as f:
            hexdigits = "".join(l.strip() for l in f if not l.startswith("#"))
        with open(os.path.join(dst, name[:-4] + ".bin"), "wb") as f:
            f.write(bytes.fromhex(hexdigits))
EOF
cat >"$E2E_TMP/srv/serve.sh" <<'EOF'
#!/bin/sh
# One TCP connection (socat runs this per client, stdout = the socket).
while :; do
  n=$(cat counter 2>/dev/null || echo 0)
  n=$((n + 1))
  echo "$n" >counter
  f=$(printf 'bin/t%05d.bin' "$n")
  [ -f "$f" ] || exit 0
  cat "$f" || exit 0
  sleep 1
done
EOF

TCP_PORT=$(out_port)
SRV_PGID=
# socat in a process group of its own: killing the group ends the listener
# and the connection it forked, like a ser2net restart.
srv_start() {
  (cd "$E2E_TMP/srv" && exec setsid socat \
    "TCP-LISTEN:$TCP_PORT,bind=127.0.0.1,reuseaddr,fork" \
    SYSTEM:"sh ./serve.sh") >>"$E2E_TMP/socat.log" 2>&1 &
  SRV_PGID=$!
  E2E_PIDS+=("$SRV_PGID")
  wait_until 10 out_listening "$TCP_PORT" || bail "socat did not start"
  # Field 5 of /proc/PID/stat is the process group.
  [ "$(awk '{ print $5 }' "/proc/$SRV_PGID/stat")" = "$SRV_PGID" ] ||
    bail "socat is not its own process group"
}
srv_stop() {
  kill -TERM -- "-$SRV_PGID" 2>/dev/null
  e2e_reap "$SRV_PGID" 5 || kill -KILL -- "-$SRV_PGID" 2>/dev/null
  SRV_PGID=
}
out_cleanup() {
  [ -n "$SRV_PGID" ] && kill -KILL -- "-$SRV_PGID" 2>/dev/null
  e2e_cleanup
}
trap out_cleanup EXIT

srv_start
diag "socat on 127.0.0.1:$TCP_PORT"
OUT_DEVICE="tcp://127.0.0.1:$TCP_PORT" out_collectd_conf tcp 1 </dev/null
e2e_collectd_start tcp
rows() { e2e_csv_rows tcp "$OUT_METER" energy_wh-import; }

ok "values arrive over TCP within 20 s" wait_until 20 e2e_rows_at_least tcp "$OUT_METER" energy_wh-import 2
for id in energy_wh-import voltage-l1 current-l1 power-import; do
  want=$(printf '%s\n' $OUT_VKW_VALUES | sed -n "s/^$id=//p")
  is_num "getval $id" "$(e2e_getval tcp "$OUT_METER" "$id")" "$want"
done
like "log names the TCP backend" "$(cat "$(e2e_log tcp)")" \
  "reading tcp://127.0.0.1:$TCP_PORT over TCP"

# The server goes away: values stop, the plugin notices.
srv_stop
ok "plugin logs the loss" wait_until 15 grep -q "lost tcp://127.0.0.1:$TCP_PORT" "$(e2e_log tcp)"
sleep 3
stopped=$(rows)
sleep 3
is "no new values while the server is down" "$(rows)" "$stopped"

# The server comes back on the same port: the plugin reconnects by itself.
t0=$SECONDS
srv_start
ok "values resume after the restart (within 40 s)" \
  wait_until 40 e2e_rows_at_least tcp "$OUT_METER" energy_wh-import $((stopped + 2))
diag "values resumed $((SECONDS - t0)) s after the restart"
ok "plugin logs the recovery" grep -q "tcp://127.0.0.1:$TCP_PORT is back" "$(e2e_log tcp)"
is_num "getval energy_wh-import after the restart" \
  "$(e2e_getval tcp "$OUT_METER" energy_wh-import)" 3744082
reconnects_counted() {
  [ "$(e2e_csv_last tcp "$OUT_METER" total_operations-reconnects | cut -d. -f1)" -ge 1 ]
}
ok "total_operations-reconnects counts it" wait_until 10 reconnects_counted
ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
# The loss is expected here: only lines about it may be warnings.
problems=$(e2e_log_problems tcp | grep -v "lost tcp://\|tcp://127.0.0.1:$TCP_PORT")
is "no other errors or warnings" "$problems" ""

# The CLI reads the same server: one line of line protocol, clean stop.
"$CLI" --device "tcp://127.0.0.1:$TCP_PORT" --key "$OUT_KEY" --format influx \
  --meter "$OUT_METER" </dev/null >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" &
cli=$!
E2E_PIDS+=("$cli")
ok "smartmeter-decode --device tcp:// prints a line" \
  wait_until 20 grep -q "^smartmeter,meter=$OUT_METER .*energy_import=3744082" "$E2E_TMP/cli.out"
kill -TERM "$cli"
status=running
if wait_until 5 gone "$cli"; then
  wait "$cli"
  status=$?
fi
is "smartmeter-decode exits 0 on SIGTERM" "$status" 0
srv_stop
done_testing
