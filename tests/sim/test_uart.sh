#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/sim/test_uart.sh - a test rig where the serial settings matter: the
# pty shim's SMPTYSHIM_UART file tells meter-sim/amis-sim --uart what the
# reader set, and the sims deliver what a UART at those settings would get.
# port-cat reads through libsmport (libserialport, and the termios fallback
# with SMPTYSHIM_REFUSE):
#  - at the meter's settings it gets the capture exactly (FF FF unescaped);
#  - same baud, other parity: exactly the bytes the model keeps (8E1 read
#    as 8N1: framing errors as 00; 8N1 read as 8E1: parity errors reported);
#  - another baud, or no settings yet: never the capture, line errors
#    reported where parity is on;
#  - amis-sim: its SND_NKE at 9600 8E1, none at 2400 8E1.
# Needs: socat, python3, the built tests/sim/port-cat and libsmptyshim.so.
. "${SM_SRCDIR:-$(dirname "$0")/../..}/tests/tap.sh"
export LC_ALL=C

SIMDIR=$SM_SRCDIR/tests/sim
MBUS=$SM_SRCDIR/tests/vectors/evn_netznoe_kaifa_fkw9_real.hex
HDLC=$SM_SRCDIR/tests/vectors/extra_hdlc_wienernetze_im350_shrdzm_1.hex
NKE=1040f03016

. "$SM_SRCDIR/tests/sim/sim-lib.sh"
sim_setup uart

command -v od >/dev/null || bail "od not installed"
[ -x "$CAT" ] || bail "$CAT not built (make check builds it)"
# An ASan build needs libasan ahead of any preloaded library.
PRELOAD=$(sim_preload "$CAT")

hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

start_sim() { # SIM NAME ARGS...: waits for "ready", sets SIM_PID
  local sim=$1 name=$2
  shift 2
  "$SIMDIR/$sim" --link "$T/$name" --log "$T/$name.log" \
    --uart-file "$T/$name.uart" --seed 3 "$@" >"$T/$name.out" \
    2>"$T/$name.err" &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_until 5 grep -q "^ready " "$T/$name.out" ||
    bail "simulator $name did not get ready: $(cat "$T/$name.err")"
}

# read_port NAME ENV... -- PORT-CAT-ARGS...: port-cat under the shim, with
# the shim's file at $T/NAME.uart (unless ENV sets SMPTYSHIM_UART itself).
read_port() {
  local name=$1
  shift
  local envs=()
  while [ "$1" != "--" ]; do
    envs+=("$1")
    shift
  done
  shift
  env SMPTYSHIM_UART="$T/$name.uart" "${envs[@]}" LD_PRELOAD="$PRELOAD" \
    "$CAT" "$@" "$T/$name" >"$T/$name.cat" 2>"$T/$name.ev"
  kill "$SIM_PID" 2>/dev/null # SIGTERM: a clean exit, links removed
  wait "$SIM_PID" 2>/dev/null
}
line_errors() { sed -n 's/^end .* line_errors=\([0-9]*\).*/\1/p' "$T/$1.ev"; }
got_bytes() { sed -n 's/^end .* bytes=\([0-9]*\).*/\1/p' "$T/$1.ev"; }

# capture FILE NAME: the hex file's bytes into $T/NAME.bin
capture() {
  python3 - "$1" >"$T/$2.bin" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
t = "".join(l for l in lines if not l.lstrip().startswith("#"))
sys.stdout.buffer.write(bytes.fromhex("".join(t.split())))
EOF
}
# model NAME zero|drop COUNT: COUNT copies of NAME.bin with each byte
# whose even parity bit is 0 (an even number of ones) made 00 or dropped.
model() {
  python3 - "$T/$1.bin" "$2" "$3" <<'EOF'
import sys
cap, mode, n = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3])
out = bytearray()
for b in cap * n:
    if bin(b).count("1") % 2:
        out.append(b)
    elif mode == "zero":
        out.append(0)
sys.stdout.buffer.write(bytes(out))
EOF
}
# every_in NAME HEXBYTES...: every byte port-cat got is one of these
every_in() {
  local name=$1
  shift
  python3 -c 'import sys
ok = {int(x, 16) for x in sys.argv[2:]}
sys.exit(0 if set(open(sys.argv[1], "rb").read()) <= ok else 1)' \
    "$T/$name.cat" "$@"
}
# no_copy NAME CAP: the capture is nowhere in what port-cat got
no_copy() {
  case $(hex "$T/$1.cat") in *"$(hex "$T/$2.bin")"*) return 1 ;; esac
  return 0
}

capture "$MBUS" mbus
capture "$HDLC" hdlc
MLEN=$(stat -c %s "$T/mbus.bin")
HLEN=$(stat -c %s "$T/hdlc.bin")
ok "the M-Bus capture has data FF bytes to escape" \
  python3 -c "import sys; sys.exit(b'\xff' not in open('$T/mbus.bin','rb').read())"
odd_parity_zero=$(model mbus zero 1 | od -An -v -tx1 | tr ' ' '\n' |
  grep -c '^00$')
ok "the M-Bus capture has bytes with even parity bit 0 ($odd_parity_zero)" \
  test "$odd_parity_zero" -ge 10

# Two telegrams of a 2400 8E1 M-Bus meter per reader setting.
mbus_sim() { start_sim meter-sim "$1" --uart 2400:8E1 --period 0.5 \
  --count 2 --delay 1.2 --pace 0 --linger 0.5 "$MBUS"; }

mbus_sim m8e1
read_port m8e1 -- -b 2400 -p even -t 4 -n $((2 * MLEN))
is "2400 8E1: the shim's file" "$(cat "$T/m8e1.uart")" "2400 8E1 parmrk=1"
like "2400 8E1: libserialport, parity checked" "$(cat "$T/m8e1.ev")" \
  '^open .*backend=libserialport parity_ignored=no parity_checked=yes'
is "2400 8E1: the capture exactly, twice (FF FF unescaped)" \
  "$(hex "$T/m8e1.cat")" "$(hex "$T/mbus.bin")$(hex "$T/mbus.bin")"
is "2400 8E1: no line errors" "$(line_errors m8e1)" 0
like "2400 8E1: the sim saw the reader match" "$(cat "$T/m8e1.log")" \
  ' uart reader=2400 8E1 parmrk=1 match=yes$'

mbus_sim m8n1
read_port m8n1 SMPTYSHIM_REFUSE=1 -- -b 2400 -p none -t 2.5
is "2400 8N1: the shim's file" "$(cat "$T/m8n1.uart")" "2400 8N1 parmrk=0"
like "2400 8N1: termios backend" "$(cat "$T/m8n1.ev")" '^open .*backend=termios'
is "2400 8N1: parity bit 0 read as stop bit: those bytes come as 00" \
  "$(hex "$T/m8n1.cat")" "$(model mbus zero 2 | od -An -v -tx1 | tr -d ' \n')"
ok "2400 8N1: no byte-identical capture" no_copy m8n1 mbus
like "2400 8N1: the sim saw the mismatch" "$(cat "$T/m8n1.log")" \
  ' uart reader=2400 8N1 parmrk=0 match=no$'

mbus_sim m9600
read_port m9600 -- -b 9600 -p even -t 2.5
is "9600 8E1: one byte or line error per sent byte" \
  $(($(got_bytes m9600) + $(line_errors m9600))) $((2 * MLEN))
ok "9600 8E1: line errors reported ($(line_errors m9600))" \
  test "$(line_errors m9600)" -gt $((MLEN / 2))
ok "9600 8E1: only what a faster reader sees of a byte" \
  every_in m9600 00 80 c0 e0 f0 f8 fc fe ff
ok "9600 8E1: no byte-identical capture" no_copy m9600 mbus

mbus_sim m115k
read_port m115k SMPTYSHIM_REFUSE=1 -- -b 115200 -p none -t 2.5
is "115200 8N1: the shim's file" "$(cat "$T/m115k.uart")" "115200 8N1 parmrk=0"
is "115200 8N1: a byte per sent byte, errors as 00" "$(got_bytes m115k)" \
  $((2 * MLEN))
ok "115200 8N1: only what a faster reader sees of a byte" \
  every_in m115k 00 80 c0 e0 f0 f8 fc fe ff
ok "115200 8N1: no byte-identical capture" no_copy m115k mbus
like "115200 8N1: the sim saw the mismatch" "$(cat "$T/m115k.log")" \
  ' uart reader=115200 8N1 parmrk=0 match=no$'

# A reader the shim does not report (no file): garbled as for a baud
# mismatch.
mbus_sim mnone
read_port mnone SMPTYSHIM_UART= SMPTYSHIM_PARITY=1 -- -b 2400 -p even -t 2.5
ok "no settings file: no byte-identical capture" no_copy mnone mbus
ok "no settings file: line errors reported" test "$(line_errors mnone)" -gt 0
like "no settings file: the sim logged it" "$(cat "$T/mnone.log")" \
  ' uart reader=none match=no$'

# An HDLC meter at 115200 8N1.
hdlc_sim() { start_sim meter-sim "$1" --uart 115200:8N1 --period 0.5 \
  --count 2 --delay 1.2 --pace 0 --linger 0.5 "$HDLC"; }

hdlc_sim h8n1
read_port h8n1 SMPTYSHIM_REFUSE=1 -- -b 115200 -p none -t 4 -n $((2 * HLEN))
is "HDLC 115200 8N1: the shim's file" "$(cat "$T/h8n1.uart")" \
  "115200 8N1 parmrk=0"
is "HDLC 115200 8N1: the capture exactly, twice" "$(hex "$T/h8n1.cat")" \
  "$(hex "$T/hdlc.bin")$(hex "$T/hdlc.bin")"

hdlc_sim h8e1
read_port h8e1 -- -b 115200 -p even -t 2.5
is "HDLC read as 8E1: stop bit as parity, the bytes that want 0 dropped" \
  "$(hex "$T/h8e1.cat")" "$(model hdlc drop 2 | od -An -v -tx1 | tr -d ' \n')"
is "HDLC read as 8E1: each reported as a line error" "$(line_errors h8e1)" \
  $((2 * HLEN - $(model hdlc drop 2 | wc -c)))

hdlc_sim h9600
read_port h9600 -- -b 9600 -p none -t 2.5
is "HDLC 9600 8N1: one byte per 12 sent" "$(got_bytes h9600)" \
  $((2 * HLEN / 12))
ok "HDLC 9600 8N1: no byte-identical capture" no_copy h9600 hdlc
like "HDLC 9600 8N1: the sim saw the mismatch" "$(cat "$T/h9600.log")" \
  ' uart reader=9600 8N1 parmrk=0 match=no$'

# The AMIS meter (9600 8E1) in search mode: nobody answers its SND_NKE.
amis_sim() { start_sim amis-sim "$1" --uart 9600:8E1 --search-period 0.3 \
  --nke-window 0.1; }

amis_sim a9600
read_port a9600 -- -b 9600 -p even -t 1.5
like "AMIS 9600 8E1: its SND_NKE arrive" "$(hex "$T/a9600.cat")" "$NKE$NKE"
like "AMIS 9600 8E1: the sim saw the reader match" "$(cat "$T/a9600.log")" \
  ' uart reader=9600 8E1 parmrk=1 match=yes$'

amis_sim a2400
read_port a2400 SMPTYSHIM_REFUSE=1 -- -b 2400 -p even -t 1.5
unlike "AMIS 2400 8E1: no SND_NKE" "$(hex "$T/a2400.cat")" "$NKE"
ok "AMIS 2400 8E1: something arrived (bytes or line errors)" \
  test $(($(got_bytes a2400) + $(line_errors a2400))) -gt 0
like "AMIS 2400 8E1: the sim saw the mismatch" "$(cat "$T/a2400.log")" \
  ' uart reader=2400 8E1 parmrk=1 match=no$'

done_testing
