#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/sim/test_port.sh - libsmport against the meter simulator (ptys made
# by socat), the libserialport pty shim, and a socat TCP server.
# Needs: socat, python3, the built tests/sim/port-cat and libsmptyshim.so.
. "${SM_SRCDIR:-$(dirname "$0")/../..}/tests/tap.sh"
export LC_ALL=C # "1.5", not "1,5", in awk and $EPOCHREALTIME

SIM=$SM_SRCDIR/tests/sim/meter-sim
VEC=$SM_SRCDIR/tests/vectors
CAP_A=$VEC/evn_netznoe_kaifa_fkw9_real.hex
CAP_B=$VEC/tinetz_doc_example_2frames.hex

. "$SM_SRCDIR/tests/sim/sim-lib.sh"
sim_setup port

# Never skip: a missing tool is a failure.
[ -x "$CAT" ] || bail "$CAT not built (make check builds it)"

# An ASan build needs libasan ahead of any preloaded library.
PRELOAD=$(sim_preload "$CAT")

hex2bin() { # hexfile... > bin (same parsing as meter-sim)
  python3 - "$@" <<'EOF'
import sys
for p in sys.argv[1:]:
    lines = open(p).read().splitlines()
    t = "".join(l for l in lines if not l.lstrip().startswith("#"))
    sys.stdout.buffer.write(bytes.fromhex("".join(t.split())))
EOF
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Seconds between two CLOCK_MONOTONIC stamps, as "%.3f"; float tests.
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
fok() { awk "BEGIN { exit !($1) }"; }
# CLOCK_MONOTONIC now, cheaply: bash's wall clock minus a fixed offset.
MONO_OFF=$(python3 -c 'import time; print("%.6f" % (time.time() - time.monotonic()))')
mono_now() { awk -v r="$EPOCHREALTIME" -v o="$MONO_OFF" 'BEGIN { printf "%.6f", r - o }'; }
# First t= value of the first stderr line starting with $2.
stamp() { sed -n "s/^$2 t=\([0-9.]*\).*/\1/p" "$1" | head -1; }
logstamp() { awk -v ev="$2" '$2 == ev {print $1; exit}' "$1"; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | tail -1; }
# matches FILE REGEX [COUNT]: at least COUNT lines match (default 1).
matches() {
  local n
  n=$(grep -cE -- "$2" "$1" 2>/dev/null)
  [ "${n:-0}" -ge "${3:-1}" ]
}

# start_sim NAME ARGS...: simulator on $T/NAME, log $T/NAME.log; waits for
# its "ready" line and sets SIM_PID.
start_sim() {
  local name=$1
  shift
  "$SIM" --link "$T/$name" --log "$T/$name.log" "$@" >"$T/$name.out" \
    2>"$T/$name.err" &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_until 5 grep -q "^ready $T/$name\$" "$T/$name.out" && return 0
  diag "simulator did not get ready: $(cat "$T/$name.err")"
  return 1
}
# wait_gone PID SECONDS: wait for a process to end, return its status.
wait_gone() {
  wait_until "$2" gone "$1"
  wait "$1"
}

hex2bin "$CAP_A" >"$T/a.bin"
hex2bin "$CAP_B" >"$T/b.bin"
cat "$T/a.bin" "$T/b.bin" >"$T/ab.bin"
AB=$(stat -c %s "$T/ab.bin")

# --- 1. replay through a plain pty: termios fallback, exact bytes ---------
start_sim dev1 --period 1.5 --count 2 --delay 0.5 "$CAP_A" "$CAP_B"
ok "simulator prints 'ready DEV'" test $? -eq 0
ok "DEV is a symlink" test -L "$T/dev1"
like "DEV points to a pty" "$(readlink "$T/dev1")" '^/dev/pts/[0-9]+$'
"$CAT" -t 6 -n "$AB" "$T/dev1" >"$T/out1" 2>"$T/err1"
is "port-cat exit status (termios)" "$?" 0
like "plain pty uses the termios fallback" "$(cat "$T/err1")" \
  '^open .* backend=termios '
like "parity ignored reported on the pty" "$(cat "$T/err1")" \
  'parity_ignored=yes'
ok "termios path reads the exact bytes of two captures" cmp "$T/out1" "$T/ab.bin"
wait_gone "$SIM_PID" 5
is "simulator exits 0 after --count" "$?" 0
ok "simulator removed DEV" test ! -e "$T/dev1" -a ! -L "$T/dev1"
ok "simulator removed DEV.feed" test ! -L "$T/dev1.feed"
socat_pid=$(sed -n 's/.*socat_pid=\([0-9]*\).*/\1/p' "$T/dev1.log" | head -1)
ok "socat is gone after exit" test -n "$socat_pid" -a ! -d "/proc/$socat_pid"
sent=$(grep -c ' sent telegram ' "$T/dev1.log")
is "log has one line per telegram" "$sent" 2
# 282 bytes at 4.583 ms/byte are 1.29 s on the wire.
t_start=$(sed -n 's/.*sent telegram 1 .* start=\([0-9.]*\).*/\1/p' "$T/dev1.log")
t_end=$(awk '/sent telegram 1 / {print $1}' "$T/dev1.log")
d=$(delta "$t_start" "$t_end")
diag "282-byte telegram took $d s on the simulated wire"
ok "default pace is 2400 baud 8E1 (1.2..1.6 s for 282 bytes)" \
  fok "1.2 < $d && $d < 1.6"

# --- 2. the same through libserialport with the test shim ------------------
start_sim dev2 --period 1 --count 2 --delay 0.5 --split byte "$CAP_A" "$CAP_B"
LD_PRELOAD=$PRELOAD "$CAT" -t 6 -n "$AB" "$T/dev2" >"$T/out2" 2>"$T/err2"
is "port-cat exit status (libserialport)" "$?" 0
like "with the shim libserialport opens the pty" "$(cat "$T/err2")" \
  '^open .* backend=libserialport '
like "libserialport backend reports parity ignored on the pty" \
  "$(cat "$T/err2")" 'parity_ignored=yes'
ok "libserialport path reads the exact bytes (byte-wise writes)" \
  cmp "$T/out2" "$T/ab.bin"
wait_gone "$SIM_PID" 5

start_sim dev3 --period 0.5 --count 1 --delay 0.5 --pace 0 --split random \
  --seed 3 "$CAP_B"
LD_PRELOAD=$PRELOAD "$CAT" -p none -t 4 -n 300 "$T/dev3" >"$T/out3" 2>"$T/err3"
like "parity none on a pty: nothing ignored" "$(cat "$T/err3")" \
  'backend=libserialport parity_ignored=no'
ok "random chunking keeps the bytes exact" cmp "$T/out3" "$T/b.bin"
like "opened path is the resolved pty" "$(cat "$T/err3")" \
  'path=/dev/pts/[0-9]+'
wait_gone "$SIM_PID" 5

# fds >= 1024 (a busy collectd): poll(), never select().
start_sim dev4 --period 0.5 --count 2 --delay 1 --pace 0 "$CAP_A" "$CAP_B"
LD_PRELOAD=$PRELOAD "$CAT" -F 1100 -t 6 -n "$AB" "$T/dev4" >"$T/out4" \
  2>"$T/err4a" &
cat_pid=$!
PIDS+=("$cat_pid")
wait_until 5 matches "$T/err4a" '^open '
pty_fd=$(find "/proc/$cat_pid/fd" -lname '/dev/pts/*' -printf '%f\n' 2>/dev/null | head -1)
wait_gone "$cat_pid" 8
is "port on fd ${pty_fd:-?} (>= 1100): exit status" "$?" 0
ok "the port's fd really is above 1024" test "${pty_fd:-0}" -ge 1100
ok "fd >= 1024: exact bytes through libserialport" cmp "$T/out4" "$T/ab.bin"
wait_gone "$SIM_PID" 5

# --- 3. open and configuration errors --------------------------------------
"$CAT" -t 1 "$T/no-such-device" 2>"$T/err4"
is "missing device: open fails (exit 1)" "$?" 1
like "missing device: SM_PORT_ERR_OPEN with the path" "$(cat "$T/err4")" \
  "status=-2 .*cannot open $T/no-such-device: No such file or directory"
"$CAT" -t 1 /dev/null 2>"$T/err5"
like "not a tty: SM_PORT_ERR_OPEN" "$(cat "$T/err5")" \
  'status=-2 .*cannot open /dev/null: not a serial device'
"$CAT" -d 9 -t 1 /dev/null 2>"$T/err6"
like "9 data bits: SM_PORT_ERR_ARG" "$(cat "$T/err6")" \
  'status=-4 .*invalid data bits 9'
"$CAT" -t 1 tcp://127.0.0.1:0 2>"$T/err7"
like "tcp port 0: SM_PORT_ERR_ARG" "$(cat "$T/err7")" 'status=-4 .*tcp://'
"$CAT" -t 1 tcp://:99 2>"$T/err8"
like "tcp without host: SM_PORT_ERR_ARG" "$(cat "$T/err8")" 'status=-4'
"$CAT" -p serial.PARITY_ODD -t 0.1 /dev/null 2>/dev/null
is "kaifareader parity spelling accepted" "$?" 1
for par in E even O odd N NONE serial.parity_even; do
  "$CAT" -p "$par" -t 0.1 /dev/null 2>/dev/null
  is "parity spelling '$par' accepted" "$?" 1
done
"$CAT" -p bogus -t 0.1 /dev/null 2>/dev/null
is "bogus parity rejected" "$?" 64
is "sm_backoff: 1 s doubling, 30 s cap, reset" "$("$CAT" -B)" \
  "1000 2000 4000 8000 16000 30000 30000 reset 1000"

# --- 4. vanish: SM_PORT_GONE promptly, for both backends --------------------
gone_check() { # label preload
  local n=$1
  start_sim "$n" --period 0.5 --pace 0 "$CAP_B"
  LD_PRELOAD=$2 "$CAT" -t 8 "$T/$n" >/dev/null 2>"$T/$n.cat" &
  local cat_pid=$!
  PIDS+=("$cat_pid")
  wait_until 10 matches "$T/$n.log" ' sent telegram 2 '
  kill -USR1 "$SIM_PID"
  wait_gone "$cat_pid" 5
  is "$n: port-cat ends with SM_PORT_GONE (exit 2)" "$?" 2
  local v g
  v=$(logstamp "$T/$n.log" vanishing)
  g=$(stamp "$T/$n.cat" gone)
  local d
  d=$(delta "$v" "$g")
  diag "$n: SM_PORT_GONE ${d} s after the simulator started vanishing"
  ok "$n: GONE within 1 s of the vanish" fok "-0.1 < $d && $d < 1.0"
  like "$n: GONE after real data" "$(grep '^gone' "$T/$n.cat")" \
    'status=-1 bytes=[1-9]'
  kill "$SIM_PID"
  wait_gone "$SIM_PID" 5
  is "$n: simulator exits 0 on SIGTERM while vanished" "$?" 0
}
gone_check gone-termios ""
gone_check gone-libserialport "$PRELOAD"

# --- 5. device away for 2.5 s: no spin, and a reopen finds it again --------
start_sim dev5 --period 0.5 --pace 0 "$CAP_A"
LD_PRELOAD=$PRELOAD "$CAT" -R -t 60 "$T/dev5" >"$T/out5" 2>"$T/err5b" &
cat_pid=$!
PIDS+=("$cat_pid")
wait_until 10 matches "$T/dev5.log" ' sent telegram 2 '
kill -USR1 "$SIM_PID"
wait_until 5 matches "$T/err5b" '^gone '
ok "SIGUSR1: DEV is gone" test ! -e "$T/dev5"
sleep 2.5
kill -USR2 "$SIM_PID"
wait_until 10 matches "$T/err5b" '^reopen t='
ok "SIGUSR2: simulator came back" grep -q ' back pty=' "$T/dev5.log"
wait_until 10 matches "$T/dev5.log" ' sent telegram ' $(($(grep -c ' sent telegram ' "$T/dev5.log") + 2))
kill -TERM "$cat_pid"
wait_gone "$cat_pid" 5
is "port-cat -R survives the vanish" "$?" 0
cpu=$(field "$T/err5b" cpu_ms)
gone_for=$(delta "$(stamp "$T/err5b" gone)" "$(stamp "$T/err5b" reopen)")
diag "port-cat CPU: ${cpu} ms in total, device away ${gone_for} s of that"
ok "no busy loop while the device is gone (cpu < 300 ms)" \
  test -n "$cpu" -a "${cpu:-9999}" -lt 300
ok "reopened through libserialport after the comeback" \
  grep -q '^reopen t=.* backend=libserialport' "$T/err5b"
before=$(sed -n 's/^gone .* bytes=\([0-9]*\).*/\1/p' "$T/err5b" | head -1)
after=$(field "$T/err5b" bytes)
ok "bytes arrive again after the reopen ($before -> $after)" \
  test "${after:-0}" -gt "${before:-0}"
kill "$SIM_PID"
wait_gone "$SIM_PID" 5

# --- 6. --vanish-every / --vanish-for: automatic comeback ------------------
# Away 0.5 s after every 8 telegrams (0.3 s apart): the reader's first retry,
# 1 s after GONE, lands in the 2.4 s the device is present, even on a loaded
# machine (with short present windows a missed retry doubles the back-off
# and the next ones can miss too).
start_sim dev6 --period 0.3 --pace 0 --vanish-every 8 --vanish-for 0.5 "$CAP_A"
"$CAT" -R -t 60 "$T/dev6" >"$T/out6" 2>"$T/err6b" &
cat_pid=$!
PIDS+=("$cat_pid")
wait_until 40 matches "$T/err6b" '^reopen t=' 2
kill -TERM "$cat_pid"
wait_gone "$cat_pid" 5
is "port-cat -R over periodic vanishes" "$?" 0
kill "$SIM_PID"
wait_gone "$SIM_PID" 5
ok "simulator logged vanished and back" grep -q ' back pty=' "$T/dev6.log"
reopens=$(field "$T/err6b" reopens)
ok "reader reopened twice after --vanish-for (reopens=$reopens)" \
  test "${reopens:-0}" -ge 2
b=$(logstamp "$T/dev6.log" back)
r=$(stamp "$T/err6b" reopen)
diag "first reopen $(delta "$b" "$r") s after the device came back (1 s back-off)"
first_gone=$(sed -n 's/^gone .* bytes=\([0-9]*\).*/\1/p' "$T/err6b" | head -1)
ok "a full telegram is read after a reopen" python3 -c "
import sys
data = open('$T/out6', 'rb').read()[${first_gone:-999999}:]
sys.exit(0 if open('$T/a.bin', 'rb').read() in data else 1)"

# --- 7. simulator features: cut, noise, raw input, no reader ---------------
start_sim dev7 --period 0.5 --count 2 --delay 0.5 --pace 0 --cut-after 40 \
  "$CAP_A" "$CAP_B"
"$CAT" -t 4 -n $((40 + 300)) "$T/dev7" >"$T/out7" 2>/dev/null
head -c 40 "$T/a.bin" >"$T/cut.bin"
cat "$T/b.bin" >>"$T/cut.bin"
ok "--cut-after 40 sends 40 bytes of telegram 1, then telegram 2" \
  cmp "$T/out7" "$T/cut.bin"
ok "cut is logged" grep -q 'sent telegram 1 .* cut=40/282' "$T/dev7.log"
wait_gone "$SIM_PID" 5

start_sim dev8 --period 0.5 --count 2 --delay 0.5 --pace 0 --noise 0.5 \
  --seed 1 --raw "$T/b.bin"
"$CAT" -t 3 "$T/dev8" >"$T/out8" 2>/dev/null
ok "--raw input, --noise 0.5: twice the bytes, telegrams intact" python3 -c "
import sys
data = open('$T/out8', 'rb').read()
cap = open('$T/b.bin', 'rb').read()
ok = data.startswith(cap) and data.endswith(cap) and len(data) == 3 * len(cap)
sys.exit(0 if ok else 1)"
ok "noise contains fake frame headers" python3 -c "
import sys
noise = open('$T/out8', 'rb').read()[300:600]
sys.exit(0 if b'\x68\xfa\xfa\x68' in noise or b'\x68\x72\x72\x68' in noise else 1)"
wait_gone "$SIM_PID" 5

# HDLC noise and a changed copy of the first frame ahead of each telegram.
im350=$VEC/extra_hdlc_wienernetze_im350_shrdzm_1.hex
hex2bin "$im350" >"$T/h.bin"
start_sim dev8h --period 0.5 --count 2 --delay 0.5 --pace 0 --noise 0.5 \
  --noise-kind hdlc --bad-copy --seed 1 "$im350"
"$CAT" -t 3 "$T/dev8h" >"$T/out8h" 2>/dev/null
ok "--noise-kind hdlc --bad-copy: copy, telegram, noise, copy, telegram" \
  python3 - "$T/out8h" "$T/h.bin" <<'EOF2'
import sys
data, cap = (open(p, "rb").read() for p in sys.argv[1:])
bad = bytearray(cap)
bad[len(bad) // 2] ^= 1
n = len(cap)
ok = (data.startswith(bytes(bad) + cap) and data.endswith(bytes(bad) + cap)
      and len(data) == 5 * n)  # noise 0.5: as many bytes as the telegram
sys.exit(0 if ok else 1)
EOF2
ok "HDLC noise: a fake 7E A7 FF header with the meter's addresses, valid HCS" \
  python3 - "$T/out8h" <<'EOF2'
import sys
noise = open(sys.argv[1], "rb").read()[246:369]
h = b"\x7e\xa7\xff\xcf\x00\x02\x00\x23\x13"
i = noise.find(h)
crc = 0xFFFF
for b in h[1:]:
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
crc ^= 0xFFFF
ok = i >= 0 and noise[i + 9:i + 11] == bytes((crc & 0xFF, crc >> 8))
sys.exit(0 if ok and b"\x68\xfa\xfa\x68" not in noise else 1)
EOF2
ok "bad copies are logged" grep -q 'bad copy 123 bytes' "$T/dev8h.log"
wait_gone "$SIM_PID" 5

# Nobody reads DEV: writes must not block; the overflow is dropped, logged.
start_sim dev9 --period 0.002 --count 300 --pace 0 --linger 0 "$CAP_B"
wait_gone "$SIM_PID" 20
is "no reader: simulator still finishes" "$?" 0
ok "no reader: dropped bytes are logged" grep -q 'dropped' "$T/dev9.log"

# --- 8. tcp:// (ser2net style) ---------------------------------------------
port=$(free_port)
socat TCP-LISTEN:"$port",reuseaddr,fork,bind=127.0.0.1 \
  OPEN:"$T/ab.bin",rdonly 2>/dev/null &
srv=$!
PIDS+=("$srv")
sleep 0.3
"$CAT" -t 4 "tcp://127.0.0.1:$port" >"$T/out10" 2>"$T/err10"
is "tcp: server closing after the file gives SM_PORT_GONE (exit 2)" "$?" 2
like "tcp backend" "$(cat "$T/err10")" '^open .* backend=tcp '
ok "tcp: exact bytes" cmp "$T/out10" "$T/ab.bin"
like "tcp: EOF is reported as gone" "$(cat "$T/err10")" \
  '^gone .*connection closed by peer'
"$CAT" -t 4 "tcp://localhost:$port" >"$T/out11" 2>"$T/err11"
ok "tcp by host name: exact bytes" cmp "$T/out11" "$T/ab.bin"
kill "$srv"
wait "$srv" 2>/dev/null

# A server that stays connected, then dies.
socat TCP-LISTEN:"$port",reuseaddr,bind=127.0.0.1 \
  SYSTEM:"cat '$T/b.bin'; exec sleep 5" 2>/dev/null &
srv=$!
PIDS+=("$srv")
sleep 0.3
"$CAT" -t 6 "tcp://127.0.0.1:$port" >"$T/out12" 2>"$T/err12" &
cat_pid=$!
PIDS+=("$cat_pid")
wait_until 5 matches "$T/err12" '^open '
sleep 0.5
child=$(pgrep -P "$srv")
t_kill=$(mono_now)
kill "$srv"
wait_gone "$cat_pid" 5
is "tcp: killed server gives SM_PORT_GONE (exit 2)" "$?" 2
[ -n "$child" ] && kill "$child" 2>/dev/null
ok "tcp: bytes before the server died are exact" cmp "$T/out12" "$T/b.bin"
d=$(delta "$t_kill" "$(stamp "$T/err12" gone)")
diag "tcp: SM_PORT_GONE ${d} s after the server was killed"
ok "tcp: GONE within 1 s" fok "0 <= $d && $d < 1.0"
"$CAT" -t 1 "tcp://127.0.0.1:$port" 2>"$T/err13"
like "tcp: refused connection is SM_PORT_ERR_OPEN naming the address" \
  "$(cat "$T/err13")" "status=-2 .*cannot connect to tcp://127.0.0.1:$port: Connection refused"

done_testing
