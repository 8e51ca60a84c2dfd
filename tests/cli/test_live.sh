#!/bin/bash
# SPDX-License-Identifier: MIT
# smartmeter-decode --device: live reading from a pty (socat, and the
# project's meter simulator) and from tcp://; idle-gap handling, one
# message per outage and one per recovery, exit 0 on SIGTERM/SIGINT and on
# EOF of a stdin pipe, --check-key on a live line, and the key gone from
# /proc/PID/cmdline.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
command -v socat >/dev/null 2>&1 || bail "missing tool: socat"

VKW="$VECTORS/ksmwest_vkw_philippsev_2023-07-26.hex"
EVN="$VECTORS/evn_netznoe_kaifa_fkw9_real.hex"
TINETZ="$VECTORS/tinetz_doc_example_2frames.hex"
SAG="$VECTORS/evn_netznoe_doc_old_sagemcom_apdu.hex"
KEY=$(key_of "$VKW")
DOC_KEY=$(key_of "$TINETZ") # the TINETZ and old EVN doc examples share it
to_binary "$VKW" "$T/vkw.bin"
to_binary "$EVN" "$T/evn.bin"
to_binary "$TINETZ" "$T/tinetz.bin"
to_binary "$SAG" "$T/sag.apdu"
# The bare Sagemcom APDU in M-Bus long frames (68 L L 68 53 FF CI 01 67
# data CS 16; CI 0x00 then 0x11), as a meter would send it.
python3 - "$T/sag.apdu" "$T/sag.bin" <<'PY'
import sys
apdu = open(sys.argv[1], "rb").read()
parts = [apdu[i:i + 250] for i in range(0, len(apdu), 250)]
out = b""
for n, part in enumerate(parts):
    ci = n | (0x10 if n == len(parts) - 1 else 0)
    body = bytes([0x53, 0xFF, ci, 0x01, 0x67]) + part
    out += bytes([0x68, len(body), len(body), 0x68]) + body
    out += bytes([sum(body) & 0xFF, 0x16])
open(sys.argv[2], "wb").write(out)
PY
TINETZ_FIELDS='voltage_l1=230.8,current_l1=0,power_import=0,power_export=0,energy_import=9108,energy_export=0,reactive_energy_import=96,reactive_energy_export=9'
SAG_FIELDS='energy_import=8368,energy_export=3177,power_import=0,power_export=0,voltage_l1=229.7,voltage_l2=230.1,voltage_l3=229.8,current_l1=0,current_l2=0,current_l3=0,power_factor=1'
VKW_FIELDS='voltage_l1=233,voltage_l2=232.8,voltage_l3=232.7,current_l1=0.31,current_l2=0.52,current_l3=0.21,power_import=53,power_export=0,energy_import=3744082,energy_export=3929988,reactive_energy_import=13445,reactive_energy_export=1313360'

lines_at_least() { [ "$(wc -l <"$1")" -ge "$2" ]; }
has_text() { grep -q -- "$2" "$1"; }
# The process has the device open (its fd points at the pty).
has_open() {
  local want fd
  want=$(readlink -f "$2") || return 1
  for fd in /proc/"$1"/fd/*; do
    [ "$(readlink "$fd")" = "$want" ] && return 0
  done
  return 1
}
# stop PID SIGNAL -> STOPPED = the exit status (or "hung")
stop() {
  kill -"$2" "$1" 2>/dev/null
  if wait_until 5 gone "$1"; then
    wait "$1"
    STOPPED=$?
  else
    kill -9 "$1" 2>/dev/null
    STOPPED=hung
  fi
}
# A pty whose input we write through a fifo on fd 3; killing $SOCAT makes
# the pty hang up, like an unplugged adapter.
start_pty() {
  rm -f "$T/feed" "$T/tty"
  mkfifo "$T/feed"
  socat -u "OPEN:$T/feed" "PTY,link=$T/tty,raw,echo=0" 2>>"$T/socat.err" &
  SOCAT=$!
  CLI_PIDS="$CLI_PIDS $SOCAT"
  exec 3>"$T/feed"
  wait_until 5 test -e "$T/tty"
}

# --- A: pty via socat: decode, idle gap, outage, recovery, SIGTERM --------
start_pty
ok "socat pty is there" test -e "$T/tty"
"$DECODE" --device "$T/tty" --key "$DOC_KEY" --format influx \
  >"$T/a.out" 2>"$T/a.err" </dev/null &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
ok "decoder opens the pty" wait_until 5 has_open "$PID" "$T/tty"
unlike "key not in /proc/PID/cmdline" "$(tr '\0' ' ' </proc/$PID/cmdline)" "$DOC_KEY"
like "cmdline shows the key overwritten" "$(tr '\0' ' ' </proc/$PID/cmdline)" '--key x{32}'

head -c 100 "$T/vkw.bin" >&3 # half a telegram, then a pause
sleep 2.2 # longer than SM_IDLE_GAP_MS (1.5 s) and a read timeout
cat "$T/tinetz.bin" >&3
ok "telegram decoded after the pause" wait_until 5 lines_at_least "$T/a.out" 1
like "influx line from the pty" "$(head -1 "$T/a.out")" "^smartmeter,meter=1KFM0100000035 $TINETZ_FIELDS [0-9]{19}\$"
like "the half telegram was dropped after the pause" "$(cat "$T/a.err")" 'incomplete frame or telegram dropped after a pause'

kill "$SOCAT" # the pty hangs up
exec 3>&-
ok "outage reported" wait_until 5 has_text "$T/a.err" 'retrying'
sleep 1.5
start_pty
ok "reconnected after the outage" wait_until 10 has_text "$T/a.err" 'connected again'
ok "decoder opens the new pty" wait_until 5 has_open "$PID" "$T/tty"
cat "$T/sag.bin" >&3
ok "second meter decoded after reconnect" wait_until 5 lines_at_least "$T/a.out" 2
like "second line: the Sagemcom meter" "$(sed -n 2p "$T/a.out")" "^smartmeter,meter=178210001107 $SAG_FIELDS [0-9]{19}\$"
stop "$PID" TERM
is "SIGTERM: exit 0" "$STOPPED" 0
exec 3>&-
is "one outage message" "$(grep -c 'retrying' "$T/a.err")" 1
is "one recovery message" "$(grep -c 'connected again' "$T/a.err")" 1

# --- B: stdin pipe EOF ends live mode; outages reported once -----------
mkfifo "$T/ctl"
"$DECODE" --device "$T/no-such-tty" --key "$KEY" <"$T/ctl" \
  >"$T/b.out" 2>"$T/b.err" &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
exec 4>"$T/ctl"
sleep 3.5 # open attempts at 0, 1 and 3 s
ok "still running while stdin is open" kill -0 "$PID"
exec 4>&-
ok "stdin EOF: exits" wait_until 3 gone "$PID"
wait "$PID"
is "stdin EOF: exit 0" "$?" 0
is "failed opens: one message" "$(grep -c 'retrying' "$T/b.err")" 1
like "failed open: names the device" "$(cat "$T/b.err")" 'no-such-tty'

# /dev/null on stdin is not a pipe: live mode keeps running.
"$DECODE" --device "$T/no-such-tty" --key "$KEY" </dev/null \
  >"$T/n.out" 2>"$T/n.err" &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
sleep 1
ok "stdin /dev/null: keeps running" kill -0 "$PID"
stop "$PID" INT
is "SIGINT: exit 0" "$STOPPED" 0

# --- C: tcp:// (ser2net style) -------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
socat -u "OPEN:$T/vkw.bin" "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" 2>>"$T/socat.err" &
SRV=$!
CLI_PIDS="$CLI_PIDS $SRV"
sleep 0.3
"$DECODE" --device "tcp://127.0.0.1:$port" --key "$KEY" --format json \
  >"$T/c.out" 2>"$T/c.err" </dev/null &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
ok "tcp: telegram decoded" wait_until 5 lines_at_least "$T/c.out" 1
want=$(awk -F'\t' '$1 == "ksmwest_vkw_philippsev_2023-07-26.hex" { print $2 }' \
  "$SM_SRCDIR/tests/cli/expected.tsv")
is "tcp: exact JSON line" "$(head -1 "$T/c.out")" "$want"
ok "tcp: server closing is an outage" wait_until 5 has_text "$T/c.err" 'retrying'
stop "$PID" TERM
is "tcp: SIGTERM exit 0" "$STOPPED" 0

# --- D: --check-key on a live line ends by itself ------------------------
start_pty
"$DECODE" --device "$T/tty" --key "$DOC_KEY" --check-key \
  >"$T/d.out" 2>"$T/d.err" </dev/null &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
wait_until 5 has_open "$PID" "$T/tty"
cat "$T/tinetz.bin" >&3
ok "check-key live: ends after the first telegram" wait_until 5 gone "$PID"
wait "$PID"
is "check-key live: exit 0" "$?" 0
like "check-key live: key OK" "$(cat "$T/d.out")" '^key OK'
"$DECODE" --device "$T/tty" --key "$KEY" --check-key \
  >"$T/d.out" 2>"$T/d.err" </dev/null &
PID=$!
CLI_PIDS="$CLI_PIDS $PID"
wait_until 5 has_open "$PID" "$T/tty"
cat "$T/tinetz.bin" >&3
ok "check-key live, wrong key: ends" wait_until 5 gone "$PID"
wait "$PID"
is "check-key live, wrong key: exit 1" "$?" 1
like "check-key live, wrong key: says so" "$(cat "$T/d.err")" 'key wrong'
exec 3>&-
"$DECODE" --device "$T/no-such-tty" --check-key --key "$KEY" \
  >"$T/d.out" 2>"$T/d.err" </dev/null
is "check-key live, no device: exit 1 at once" "$?" 1

# --- E: the project's meter simulator (wire pace, 16 ms chunks) ----------
SIM="$SM_SRCDIR/tests/sim/meter-sim"
if [ -s "$SIM" ]; then
  xxd -p "$T/sag.bin" >"$T/sag.hex"
  # --delay: the port is flushed on open, so a telegram begun before it
  # would be lost.
  "$SIM" --link "$T/sim" --period 2.5 --count 2 --delay 1 --linger 30 "$TINETZ" \
    "$T/sag.hex" >"$T/sim.out" 2>"$T/sim.err" &
  SIMPID=$!
  CLI_PIDS="$CLI_PIDS $SIMPID"
  ok "meter-sim ready" wait_until 10 has_text "$T/sim.out" ready
  TZ=UTC0 "$DECODE" --device "$T/sim" --key-file <(echo "$DOC_KEY") \
    --format influx --timestamp meter >"$T/e.out" 2>"$T/e.err" </dev/null &
  PID=$!
  CLI_PIDS="$CLI_PIDS $PID"
  ok "meter-sim: two telegrams" wait_until 15 lines_at_least "$T/e.out" 2
  stop "$PID" TERM
  is "meter-sim: SIGTERM exit 0" "$STOPPED" 0
  is "meter-sim: no errors" "$(cat "$T/e.err")" ""
  like "meter-sim: TINETZ line" "$(sed -n 1p "$T/e.out")" "^smartmeter,meter=1KFM0100000035 $TINETZ_FIELDS $(date -u -d 2021-07-19T15:46:35 +%s)000000000\$"
  like "meter-sim: Sagemcom line" "$(sed -n 2p "$T/e.out")" "^smartmeter,meter=178210001107 $SAG_FIELDS $(date -u -d 2016-01-04T23:34:35 +%s)000000000\$"
  kill "$SIMPID" 2>/dev/null
else
  diag "tests/sim/meter-sim not in this tree: covered by socat above"
fi

done_testing
