#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/sim/test_port_parity.sh - libsmport's parity error marking and its
# input flush on open, through the real read paths (libserialport with the
# pty shim, and the termios fallback with the shim's SMPTYSHIM_REFUSE):
#  - SMPTYSHIM_PARITY=1 lets the pty take 8E1 with INPCK+PARMRK; meter-sim
#    --parmrk --bit-errors 1 sends every telegram with one flipped bit, the
#    byte marked FF 00 x as the kernel would, and every data FF as FF FF.
#    port-cat must report parity_checked=yes, one line error exactly where
#    the marked byte was, and otherwise the telegram's bytes exactly (the
#    FF bytes of the M-Bus address field included);
#  - bytes the simulator wrote before the port was opened never come out
#    (both backends);
#  - SMPTYSHIM_EIO_EVERY makes reads fail with EIO: reported as gone.
# Needs: socat, python3, the built tests/sim/port-cat and libsmptyshim.so.
. "${SM_SRCDIR:-$(dirname "$0")/../..}/tests/tap.sh"
export LC_ALL=C

SIM=$SM_SRCDIR/tests/sim/meter-sim
CAP=$SM_SRCDIR/tests/vectors/evn_netznoe_kaifa_fkw9_real.hex

. "$SM_SRCDIR/tests/sim/sim-lib.sh"
sim_setup parity

[ -x "$CAT" ] || bail "$CAT not built (make check builds it)"
# An ASan build needs libasan ahead of any preloaded library.
PRELOAD=$(sim_preload "$CAT")

start_sim() { # NAME ARGS...: waits for "ready", sets SIM_PID
  local name=$1
  shift
  "$SIM" --link "$T/$name" --log "$T/$name.log" "$@" >"$T/$name.out" \
    2>"$T/$name.err" &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_until 5 grep -q "^ready " "$T/$name.out" ||
    bail "simulator $name did not get ready: $(cat "$T/$name.err")"
}

python3 - "$CAP" >"$T/cap.bin" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
t = "".join(l for l in lines if not l.lstrip().startswith("#"))
sys.stdout.buffer.write(bytes.fromhex("".join(t.split())))
EOF
LEN=$(stat -c %s "$T/cap.bin")
ff=$(python3 -c "print(open('$T/cap.bin','rb').read().count(b'\xff'))")
ok "the capture has data FF bytes (M-Bus address) to unescape ($ff)" \
  test "$ff" -ge 1

# expected NAME: the capture 3 times, each without its marked byte, and
# the offsets (in the output) where the line errors belong.
expected() {
  python3 - "$T/cap.bin" "$T/$1.log" "$T/$1.want" "$T/$1.at" <<'EOF'
import re, sys
cap = open(sys.argv[1], "rb").read()
out, at = bytearray(), []
for line in open(sys.argv[2]):
    m = re.search(r" sent telegram \d+ .*marked_at=(\S+)", line)
    if not m:
        continue
    marked = [] if m.group(1) == "-" else [int(x) for x in m.group(1).split(",")]
    for i, b in enumerate(cap):
        if i in marked:
            at.append(len(out))
        else:
            out.append(b)
open(sys.argv[3], "wb").write(out)
open(sys.argv[4], "w").write(" ".join(map(str, at)))
EOF
}

# parity_run NAME LABEL ENV...: three telegrams with one flipped bit each.
parity_run() {
  local name=$1 label=$2
  shift 2
  start_sim "$name" --period 0.5 --count 3 --delay 1.5 --pace 0 \
    --parmrk --bit-errors 1 --seed 7 "$CAP"
  env "$@" LD_PRELOAD="$PRELOAD" "$CAT" -t 6 -n $((3 * LEN - 3)) \
    "$T/$name" >"$T/$name.cat" 2>"$T/$name.ev"
  is "$label: port-cat exit 0" "$?" 0
  wait "$SIM_PID" 2>/dev/null
  expected "$name"
  like "$label: parity checked on the port" "$(cat "$T/$name.ev")" \
    'parity_ignored=no parity_checked=yes'
  is "$label: one marked byte per telegram" \
    "$(grep -c 'marked=1 ' "$T/$name.log")" 3
  is "$label: a line error exactly where each marked byte was" \
    "$(sed -n 's/^line-error .* at=\([0-9]*\).*/\1/p' "$T/$name.ev" | xargs)" \
    "$(cat "$T/$name.at")"
  ok "$label: every other byte exact (FF FF unescaped)" \
    cmp "$T/$name.cat" "$T/$name.want"
}

parity_run sp libserialport SMPTYSHIM_PARITY=1
like "libserialport backend" "$(cat "$T/sp.ev")" '^open .*backend=libserialport'
parity_run tio termios SMPTYSHIM_PARITY=1 SMPTYSHIM_REFUSE=1
like "termios backend" "$(cat "$T/tio.ev")" '^open .*backend=termios'

# Without the parity mode a pty takes no parity: nothing is checked.
start_sim plain --period 0.5 --count 1 --delay 1.5 --pace 0 "$CAP"
LD_PRELOAD="$PRELOAD" "$CAT" -t 5 -n "$LEN" "$T/plain" >"$T/plain.cat" \
  2>"$T/plain.ev"
like "pty without parity: parity ignored, not checked" "$(cat "$T/plain.ev")" \
  'parity_ignored=yes parity_checked=no'
ok "pty without parity: exact bytes" cmp "$T/plain.cat" "$T/cap.bin"
wait "$SIM_PID" 2>/dev/null

# Flush on open: a telegram written before the open never comes out.
flush_run() { # NAME LABEL ENV...
  local name=$1 label=$2
  shift 2
  start_sim "$name" --period 10 --count 1 --delay 0 --pace 0 --linger 6 "$CAP"
  wait_until 5 grep -qE -- ' sent telegram 1 ' "$T/$name.log" ||
    bail "$name: nothing sent"
  sleep 0.3
  env "$@" LD_PRELOAD="$PRELOAD" "$CAT" -t 1.5 "$T/$name" >"$T/$name.cat" \
    2>"$T/$name.ev"
  is "$label: nothing buffered before the open is read" \
    "$(sed -n 's/^end .* bytes=\([0-9]*\).*/\1/p' "$T/$name.ev")" 0
  kill "$SIM_PID" 2>/dev/null
  wait "$SIM_PID" 2>/dev/null
}
flush_run fsp "flush on open (libserialport)"
flush_run ftio "flush on open (termios)" SMPTYSHIM_REFUSE=1

# A flaky adapter: every 5th read fails with EIO.
start_sim eio --period 0.3 --pace 0.5 "$CAP"
SMPTYSHIM_EIO_EVERY=5 LD_PRELOAD="$PRELOAD" "$CAT" -R -t 4 "$T/eio" \
  >/dev/null 2>"$T/eio.ev"
like "EIO injected by the shim is reported as gone" "$(cat "$T/eio.ev")" \
  '^gone .*Input/output error'
ok "and the port reopens after it" grep -q '^reopen ' "$T/eio.ev"
kill "$SIM_PID" 2>/dev/null

done_testing
