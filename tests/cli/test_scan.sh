#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_scan.sh - smartmeter-decode --device DEV --scan on a line where the
# serial settings matter: the pty shim's SMPTYSHIM_UART file tells the
# simulated meter (meter-sim / amis-sim --uart) what the reader set, and
# the meter's bytes arrive garbled as a UART would deliver them at other
# settings (tests/sim/README.md, "UART model"). Each meter is found at its
# own setting, with the framing, the security header, the key's verdict
# and the <Meter> block; a silent line and a line of random bytes give
# "nothing found" with the per-setting report within the documented time.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
export LC_ALL=C

SIMDIR=$SM_SRCDIR/tests/sim
. "$SM_SRCDIR/tests/sim/sim-lib.sh"
for tool in socat timeout; do
  command -v "$tool" >/dev/null || bail "$tool not installed"
done
[ -f "$SHIM" ] || bail "$SHIM not built (make check builds it)"
PRELOAD=$(sim_preload "$DECODE")

# start_meter SIM NAME ARGS...: a simulated meter on $T/NAME (its shim
# file $T/NAME.uart); waits for "ready".
start_meter() {
  local sim=$1 name=$2
  shift 2
  "$SIMDIR/$sim" --link "$T/$name" --uart-file "$T/$name.uart" --seed 7 \
    --log "$T/$name.log" "$@" >"$T/$name.sim" 2>"$T/$name.simerr" &
  CLI_PIDS="${CLI_PIDS:-} $!"
  wait_until 10 grep -q '^ready ' "$T/$name.sim" ||
    bail "$sim $name not ready: $(cat "$T/$name.simerr")"
}

# scan NAME ARGS...: --scan on $T/NAME under the shim; NAME.out/.err/.rc
# and NAME.secs (wall time).
scan() {
  local name=$1 t0 line
  shift
  t0=$(date +%s.%N)
  SMPTYSHIM_UART="$T/$name.uart" LD_PRELOAD="$PRELOAD" \
    timeout 300 "$DECODE" --device "$T/$name" --scan "$@" \
    >"$T/$name.out" 2>"$T/$name.err" </dev/null
  echo $? >"$T/$name.rc"
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' \
    >"$T/$name.secs"
  # The figures for the docs: time in all, and per setting.
  diag "$name: $(cat "$T/$name.secs") s in all"
  while IFS= read -r line; do diag "$line"; done < <(grep -E '^ +[0-9]+ 8' "$T/$name.err")
}
out() { cat "$T/$1.out"; }
rc() { cat "$T/$1.rc"; }
secs_below() { awk -v s="$(cat "$T/$1.secs")" -v m="$2" 'BEGIN { exit !(s < m) }'; }

key_file() { # CAPTURE NAME -> path of a 0600 key file
  (umask 077 && key_of "$1" >"$T/$2.key")
  echo "$T/$2.key"
}

# --- usage ----------------------------------------------------------------
run_decode "$T/u1" --scan
is "--scan without --device: usage error" "$(cat "$T/u1.rc")" 2
run_decode "$T/u2" --device /dev/null --scan --baud 9600
is "--scan with --baud: usage error" "$(cat "$T/u2.rc")" 2
like "  it says why" "$(cat "$T/u2.err")" "finds --baud"
run_decode "$T/u3" --device tcp://127.0.0.1:9 --scan
is "--scan on tcp://: fails" "$(cat "$T/u3.rc")" 1
like "  a network port has no serial settings" "$(cat "$T/u3.err")" \
  "network port has no serial settings"
run_decode "$T/u4" --device "$T/missing" --scan
is "--scan on a missing device: fails at once" "$(cat "$T/u4.rc")" 1
like "  names the device" "$(cat "$T/u4.err")" "$T/missing"

# --- wired M-Bus (EVN Kaifa MA309), 2400 8E1 --------------------------------
MBUS=$VECTORS/evn_netznoe_kaifa_fkw9_real.hex
start_meter meter-sim mbus --uart 2400:8E1 --period 1.5 "$MBUS"
scan mbus --key-file "$(key_file "$MBUS" mbus)"
is "M-Bus: found (exit 0)" "$(rc mbus)" 0
like "M-Bus: at 2400 8E1" "$(out mbus)" "^found: +2400 8E1, wired M-Bus"
like "M-Bus: framing mbus" "$(out mbus)" "framing: +mbus"
like "M-Bus: system title of the Kaifa" "$(out mbus)" \
  "security 0x20, system title 4B464D6750000881 \\(maker \"KFM\"\\)"
like "M-Bus: the key works" "$(out mbus)" "key: +works"
like "M-Bus: the meter number" "$(out mbus)" 'telegram: +[0-9]+ readings, meter number "181220002177"'
like "M-Bus: block: Baudrate 2400" "$(out mbus)" "^    Baudrate 2400$"
like "M-Bus: block: Parity even" "$(out mbus)" '^    Parity "even"$'
like "M-Bus: block: Framing mbus" "$(out mbus)" '^    Framing "mbus"$'
like "M-Bus: block: the key file given" "$(out mbus)" \
  "^    KeyFile \"$T/mbus.key\"\$"
unlike "M-Bus: the key itself never printed" "$(out mbus; cat "$T/mbus.err")" \
  "$(key_of "$MBUS")"
ok "M-Bus: found within one push or two" secs_below mbus 12
kill %1 2>/dev/null

# The same meter, a wrong key: found, but exit 1 and said so.
start_meter meter-sim mbuswrong --uart 2400:8E1 --period 1.5 "$MBUS"
(umask 077 && echo 00112233445566778899AABBCCDDEEFF >"$T/wrong.key")
scan mbuswrong --key-file "$T/wrong.key"
is "M-Bus, wrong key: exit 1" "$(rc mbuswrong)" 1
like "M-Bus, wrong key: settings still found" "$(out mbuswrong)" \
  "^found: +2400 8E1"
like "M-Bus, wrong key: said" "$(out mbuswrong)" "key: +does not work"

# Without a key: settings, framing and system title, exit 0.
start_meter meter-sim mbusnokey --uart 2400:8E1 --period 1.5 "$MBUS"
scan mbusnokey
is "M-Bus, no key: exit 0" "$(rc mbusnokey)" 0
like "M-Bus, no key: title still reported" "$(out mbusnokey)" \
  "system title 4B464D6750000881"
like "M-Bus, no key: asks for one" "$(out mbusnokey)" "key: +none given"
like "M-Bus, no key: block names a key file to create" "$(out mbusnokey)" \
  '^    KeyFile "/etc/collectd/smartmeter-home.key"'

# --- HDLC on P1 (eww Wels, Siemens IM350), 115200 8N1 ------------------------
WELS=$VECTORS/extra_hdlc_wels_im350_shrdzm_1.hex
start_meter meter-sim p1 --uart 115200:8N1 --period 1 "$WELS"
scan p1 --key-file "$(key_file "$WELS" p1)"
is "HDLC P1: found (exit 0)" "$(rc p1)" 0
like "HDLC P1: at 115200 8N1" "$(out p1)" "^found: +115200 8N1, P1 port"
like "HDLC P1: framing hdlc" "$(out p1)" "framing: +hdlc"
like "HDLC P1: Siemens title" "$(out p1)" 'system title 534D53677002FD62 \(maker "SMS"\)'
like "HDLC P1: the layout" "$(out p1)" "meter: +push-setup structure\\(10\\)"
like "HDLC P1: block: Baudrate 115200" "$(out p1)" "^    Baudrate 115200$"
like "HDLC P1: block: Parity none" "$(out p1)" '^    Parity "none"$'
like "HDLC P1: block: Framing hdlc" "$(out p1)" '^    Framing "hdlc"$'
is "HDLC P1: the four settings before it heard no intact frame" \
  "$(grep -cE '^ +(2400|9600) 8[EN]1: [0-9]+ bytes, 0 intact frames' "$T/p1.err")" 4
like "HDLC P1: and heard garbled bytes at them" "$(grep -E '^ +9600 8N1' "$T/p1.err")" \
  "^ +9600 8N1: [1-9][0-9]* bytes"
ok "HDLC P1: moved on early (well under 4 x 12 s + 62 s)" secs_below p1 40

# --- HDLC on an IR head (Wiener Netze, Siemens IM350), 9600 8N1 ---------------
WIEN=$VECTORS/extra_hdlc_wienernetze_im350_shrdzm_1.hex
start_meter meter-sim ir --uart 9600:8N1 --period 1 "$WIEN"
scan ir --key-file "$(key_file "$WIEN" ir)"
is "HDLC IR: found (exit 0)" "$(rc ir)" 0
like "HDLC IR: at 9600 8N1" "$(out ir)" "^found: +9600 8N1, optical IR head"
like "HDLC IR: framing hdlc" "$(out ir)" "framing: +hdlc"
like "HDLC IR: the key works" "$(out ir)" "key: +works"
like "HDLC IR: block: Baudrate 9600" "$(out ir)" "^    Baudrate 9600$"
like "HDLC IR: block: Parity none" "$(out ir)" '^    Parity "none"$'
like "HDLC IR: 9600 8E1 heard parity errors, no frame" \
  "$(grep -E '^ +9600 8E1' "$T/ir.err")" "0 intact frames, [0-9]+ broken, [1-9][0-9]* line errors"

# --- AMIS (Netz OOe, TD-3511) on an IR head that transmits, 9600 8E1 ---------
AMIS=$VECTORS/amis_netzooe_spec_example.hex
start_meter amis-sim amis --uart 9600:8E1 --search-period 1 --period 1
scan amis --key-file "$(key_file "$AMIS" amis)"
is "AMIS: found (exit 0)" "$(rc amis)" 0
like "AMIS: at 9600 8E1" "$(out amis)" "^found: +9600 8E1, AMIS IR head"
like "AMIS: framing amis" "$(out amis)" "framing: +amis"
like "AMIS: the E5 answers brought its data: the key works" "$(out amis)" \
  "key: +works"
like "AMIS: the layout" "$(out amis)" "meter: +AMIS M-Bus records"
like "AMIS: block: Parity even" "$(out amis)" '^    Parity "even"$'
like "AMIS: block: Framing amis" "$(out amis)" '^    Framing "amis"$'

# --- nothing there ------------------------------------------------------------
# A silent line: every setting heard for its full --scan-time.
start_meter meter-sim silent --uart 2400:8E1 --delay 3600 "$MBUS"
scan silent --scan-time 2
is "silent line: exit 1" "$(rc silent)" 1
like "silent line: nothing found" "$(out silent)" "^nothing found on any setting"
is "silent line: one report line per setting, 0 bytes each" \
  "$(grep -cE '^ +[0-9]+ 8[EN]1: 0 bytes, 0 intact frames' "$T/silent.out")" 5
ok "silent line: within 5 x 2 s and a little" secs_below silent 16
awk -v s="$(cat "$T/silent.secs")" 'BEGIN { exit !(s >= 9.5) }'
is "silent line: listened the whole time on each" $? 0

# Random bytes, 20 a second, whatever the settings: moved on early.
head -c 4000 /dev/urandom >"$T/random.bin"
start_meter meter-sim random --uart 9600:8N1 --raw --period 0.5 \
  --split random "$T/random.bin"
scan random --scan-time 20
is "random bytes: exit 1" "$(rc random)" 1
like "random bytes: nothing found" "$(out random)" "^nothing found on any setting"
is "random bytes: bytes heard on every setting" \
  "$(grep -cE '^ +[0-9]+ 8[EN]1: [1-9][0-9]* bytes, 0 intact frames' "$T/random.out")" 5
ok "random bytes: moved on early (under 5 x 20 s / 2)" secs_below random 50

done_testing
