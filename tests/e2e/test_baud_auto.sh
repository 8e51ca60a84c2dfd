#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_baud_auto.sh - Baudrate "auto" / Parity "auto" through the real
# collectd, on a line where the settings matter: the pty shim's
# SMPTYSHIM_UART file tells meter-sim --uart what the plugin set, and the
# meter's bytes arrive garbled at any other setting (tests/sim/README.md).
#   1. a Siemens IM350 on P1 at 115200 8N1 (Kärnten structure(12), copies
#      of extra_hdlc_wienernetze_im350_shrdzm_1 under new frame counters):
#      the search finds 115200 8N1, says so once, the values are the real
#      ones;
#   2. the user swaps the P1 cable for an IR head (the same meter at
#      9600 8N1, higher counters): the device goes away and comes back, the
#      search runs again on the reopen, finds 9600 8N1, says so once, and
#      readings go on;
#   3. configuration errors: "auto" on tcp://, Parity "auto" with a baud
#      rate no meter uses.
# First, what a new user does: `smartmeter-decode --scan --key-file` on the
# P1 meter, the printed <Meter> block pasted into collectd.conf as it is,
# and collectd shows the values.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 240

shim=$SM_BUILDDIR/tests/sim/.libs/libsmptyshim.so
[ -f "$shim" ] || bail "missing $shim (make check builds it)"
im350=$SM_SRCDIR/tests/vectors/extra_hdlc_wienernetze_im350_shrdzm_1.hex
key=$(e2e_key_of "$im350")
uart=$E2E_TMP/line.uart

mkdir -p "$E2E_TMP/p1" "$E2E_TMP/ir"
"$E2E_FORGE" -c 1000001-1000200 -o "$E2E_TMP/p1" "$im350" || bail "forge p1"
"$E2E_FORGE" -c 2000001-2000200 -o "$E2E_TMP/ir" "$im350" || bail "forge ir"

# Both "adapters" appear under the same device path, one after the other.
start_line() { # NAME UART
  python3 "$E2E_SIM" --link "$E2E_TMP/meter.tty" --period 1 --uart "$2" \
    --uart-file "$uart" --seed 5 --log "$E2E_TMP/$1.sim.log" \
    "$E2E_TMP/$1"/t*.hex >"$E2E_TMP/$1.sim.out" 2>"$E2E_TMP/$1.sim.err" &
  E2E_SIM_PID=$!
  E2E_PIDS+=("$E2E_SIM_PID")
  wait_until 60 grep -q '^ready' "$E2E_TMP/$1.sim.out" ||
    bail "meter-sim $1 did not start: $(cat "$E2E_TMP/$1.sim.err")"
}

start_line p1 115200:8N1

# --- 0: --scan, paste the block, collectd shows values ----------------------
(umask 077 && echo "$key" >"$E2E_TMP/home.key")
SMPTYSHIM_UART=$uart LD_PRELOAD=$shim "$SM_BUILDDIR/cli/smartmeter-decode" \
  --device "$E2E_TMP/meter.tty" --scan --key-file "$E2E_TMP/home.key" \
  >"$E2E_TMP/scan.out" 2>"$E2E_TMP/scan.err" </dev/null
is "scan: found (exit 0)" $? 0
sed -n '/^  <Meter /,/^  <\/Meter>/p' "$E2E_TMP/scan.out" >"$E2E_TMP/block"
like "scan: the block sets 115200 8N1 and hdlc" "$(tr '\n' ' ' <"$E2E_TMP/block")" \
  'Baudrate 115200 +Parity "none" +Framing "hdlc" +KeyFile'
e2e_conf pasted 1 <"$E2E_TMP/block"
e2e_collectd_start pasted "LD_PRELOAD=$shim" "SMPTYSHIM_UART=$uart"
ok "pasted block: readings arrive" \
  wait_until 60 e2e_rows_at_least pasted home energy_wh-import 2
is "pasted block: the real energy import" \
  "$(e2e_num "$(e2e_csv_last pasted home energy_wh-import)")" 2946830
ok "pasted block: collectd stops" test -n "$(e2e_collectd_stop)"

e2e_conf auto 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/meter.tty"
    Baudrate "auto"
    Parity "auto"
    Key "$key"
    MaxAge 10
  </Meter>
EOF
e2e_collectd_start auto "LD_PRELOAD=$shim" "SMPTYSHIM_UART=$uart"

# --- 1: P1 at 115200 8N1 --------------------------------------------------
ok "P1: readings arrive" wait_until 90 e2e_rows_at_least auto home energy_wh-import 3
is "P1: the search says once what it found" \
  "$(e2e_log_count auto 'meter "home": Baudrate auto: found 115200 8N1 \(framing hdlc\) in [0-9.]+ s')" 1
diag "$(grep -o 'Baudrate auto: found .*' "$(e2e_log auto)" | head -1)"
e2e_expect_values auto home <<'EOF'
energy_wh-import 2946830
energy_wh-export 0
energy_wh-reactive_import 887
energy_wh-reactive_export 2116972
power-import 73
power-export 0
EOF
is "P1: the port opened at 115200 8N1 for reading" \
  "$(e2e_log_count auto 'meter "home": .*(termios fallback|libserialport) \(115200 8N1')" 1
ok "P1: at most the telegram cut by the open counted as broken" \
  test "$(e2e_num "$(e2e_csv_last auto home errors-checksum)")" -le 1

# --- 2: the same meter, now on an IR head at 9600 8N1 -----------------------
rows_before=$(e2e_csv_rows auto home energy_wh-import)
kill -TERM "$E2E_SIM_PID"
e2e_reap "$E2E_SIM_PID" 10
start_line ir 9600:8N1
found_ir() {
  [ "$(e2e_log_count auto 'meter "home": Baudrate auto: found 9600 8N1 \(framing hdlc\)')" -ge 1 ]
}
ok "IR: the search runs again on the reopen and finds 9600 8N1" \
  wait_until 90 found_ir
is "IR: said once" \
  "$(e2e_log_count auto 'meter "home": Baudrate auto: found 9600 8N1')" 1
diag "$(grep -o 'Baudrate auto: found 9600.*' "$(e2e_log auto)" | head -1)"
more_rows() {
  [ "$(e2e_csv_rows auto home energy_wh-import)" -ge $((rows_before + 3)) ]
}
ok "IR: readings go on" wait_until 60 more_rows
is "IR: energy import still the real value" \
  "$(e2e_num "$(e2e_csv_last auto home energy_wh-import)")" 2946830
is "log: no decode errors (wrong key, layout)" \
  "$(e2e_log_count auto 'decryption produced|unsupported layout|authentication')" 0
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "stopped in ${ms:-?} ms"

# --- 3: configuration errors -------------------------------------------------
e2e_conf tcp 1 <<EOF
  <Meter "net">
    Device "tcp://127.0.0.1:9"
    Baudrate "auto"
  </Meter>
EOF
collectd -T -C "$E2E_TMP/tcp.conf" >"$E2E_TMP/tcp.out" 2>&1
is "auto on tcp://: collectd -T fails" $? 1
like "  and says why" "$(cat "$E2E_TMP/tcp.out" "$(e2e_log tcp)" 2>/dev/null)" \
  'meter "net": Baudrate/Parity "auto" need a serial device'
e2e_conf odd 1 <<EOF
  <Meter "odd">
    Device "/dev/null"
    Baudrate 4800
    Parity "auto"
  </Meter>
EOF
collectd -T -C "$E2E_TMP/odd.conf" >"$E2E_TMP/odd.out" 2>&1
is "Parity auto at 4800 baud: collectd -T fails" $? 1
like "  and says why" "$(cat "$E2E_TMP/odd.out" "$(e2e_log odd)" 2>/dev/null)" \
  'meter "odd": Parity "auto" with Baudrate 4800'

done_testing
