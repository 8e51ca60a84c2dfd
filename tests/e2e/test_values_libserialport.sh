#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_values_libserialport.sh - the code path real USB adapters take:
# collectd runs with the test-only LD_PRELOAD shim (tests/sim) that makes
# libserialport 0.1.1 accept a pty, so the plugin opens the simulated meter
# through libserialport (sp_wait + sp_nonblocking_read), not the termios
# fallback. Meter: a real EVN / Netz NOE capture (Sagemcom T210-D, security
# 0x20), with line noise between telegrams. Asserts the backend from the
# log, the exact values (incl. power factor), and that noise is counted,
# never dispatched.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

shim=$SM_BUILDDIR/tests/sim/.libs/libsmptyshim.so
[ -f "$shim" ] || bail "missing $shim (make check builds it)"

e2e_telegrams evn "$E2E_EVN" 300
e2e_sim_start evn 0.5 --pace 0.5 --delay 3 --noise 0.25 --seed 42
e2e_conf evn 1 <<EOF
  <Meter "evn">
    Device "$E2E_TMP/evn.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
    Supplier "EVN"
  </Meter>
EOF
e2e_collectd_start evn "LD_PRELOAD=$shim"

ok "readings arrive in csv" \
  wait_until 60 e2e_rows_at_least evn evn energy_wh-import 6
is "log: opened with libserialport" \
  "$(e2e_log_count evn 'meter "evn": reading /dev/pts/[0-9]+ with libserialport \(2400 8E1; the device cannot take parity')" 1
is "log: no termios fallback" "$(e2e_log_count evn 'termios fallback')" 0

# Values asserted by the capture's source project (rddl EnergyAgent test).
while read -r id want; do
  is_num "csv $id" "$(e2e_csv_last evn evn "$id")" "$want"
  is_num "getval $id" "$(e2e_getval evn evn "$id")" "$want"
done <<'EOF'
energy_wh-import 6842204
energy_wh-export 6430217
power-import 0
power-export 2088
voltage-l1 237.3
voltage-l2 237.8
voltage-l3 239.2
current-l1 3.2
current-l2 2.73
current-l3 2.92
gauge-power_factor 0.991
EOF
is "EVN sends no reactive energy: none dispatched" \
  "$(e2e_listval evn | grep -c reactive)" 0

discarded=$(e2e_csv_last evn evn derive-bytes_discarded)
ok "noise bytes were discarded and counted ($discarded)" \
  awk -v d="$discarded" 'BEGIN { exit !(d > 0) }'
is_num "no decrypt errors" "$(e2e_csv_last evn evn errors-decrypt)" 0
is "no duplicate timestamps in any csv file" "$(e2e_csv_dups evn evn)" ""
is "every dispatched voltage is the real one (noise never decoded)" \
  "$(e2e_csv evn evn voltage-l1 | cut -d, -f2 | sort -u)" "237.300000"
is "log: no errors or warnings" "$(e2e_log_problems evn)" ""

ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"
diag "shutdown took ${ms} ms"
like "log: collectd exited normally" "$(cat "$(e2e_log evn)")" 'Exiting normally'

done_testing
