#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_hdlc_noise.sh - HDLC meters on a noisy line through the real
# collectd (Framing auto). Ahead of each telegram the simulator sends a
# copy of its first frame with one byte changed (a bad FCS), and between
# telegrams HDLC noise: flags, format bytes and fake headers with a valid
# HCS that claim 2047 bytes (meter-sim --bad-copy --noise-kind hdlc):
#   "graz": the L+G E450 (three GBT frames) on an optical head at 9600 8N1,
#           each telegram carrying its frame counter as its power-import
#           value (sm-forge -v);
#   "kng":  a Kärnten IM350 (one frame) on P1 at 115200 8N1.
# Asserts that every telegram sent was decoded exactly once (the
# telegram counter equals the number sent, no replay), that the changed
# copies were caught by their FCS (errors-checksum) and never decoded,
# that the noise was skipped (bytes_discarded), the newest values, and a
# log without errors or warnings.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 150

count=12
vec=$SM_SRCDIR/tests/vectors
e450=$vec/extra_hdlc_lg_e450_dlmsparser_2.hex
im350=$vec/extra_hdlc_wienernetze_im350_shrdzm_1.hex
mkdir -p "$E2E_TMP/graz"
"$E2E_FORGE" -v -n "$count" -o "$E2E_TMP/graz" "$e450" || bail "sm-forge graz"
e2e_telegrams kng "$im350" "$count"
# --linger: the ptys stay until collectd has stopped (a vanishing pty
# would be logged as a warning).
noisy=(--count "$count" --linger 60 --delay 3 --bad-copy --noise 0.3
  --noise-kind hdlc --seed 5)
e2e_sim_start graz 1 --pace "$E2E_PACE_9600_8N1" "${noisy[@]}"
e2e_sim_start kng 1 --pace "$E2E_PACE_115200_8N1" "${noisy[@]}"
e2e_conf noise 1 <<EOF
  <Meter "graz">
    Device "$E2E_TMP/graz.tty"
    Baudrate 9600
    Parity "none"
    Key "$(e2e_key_of "$e450")"
    AuthKey "$(sed -n 's/^# ak: *//p' "$e450")"
    MaxAge 30
  </Meter>
  <Meter "kng">
    Device "$E2E_TMP/kng.tty"
    Baudrate 115200
    Parity "none"
    Key "$(e2e_key_of "$im350")"
    MaxAge 30
  </Meter>
EOF
e2e_collectd_start noise

sims_done() {
  grep -q " sent telegram $count " "$E2E_TMP/graz.sim.log" &&
    grep -q " sent telegram $count " "$E2E_TMP/kng.sim.log"
}
ok "both simulators sent $count telegrams with noise" wait_until 60 sims_done
is "graz: $count bad copies sent" \
  "$(grep -c 'bad copy 141 bytes' "$E2E_TMP/graz.sim.log")" "$count"
is "kng: $count bad copies sent" \
  "$(grep -c 'bad copy 123 bytes' "$E2E_TMP/kng.sim.log")" "$count"
telegrams_are() { # meter n
  [ "$(e2e_num "$(e2e_csv_last noise "$1" total_operations-telegrams)")" = "$2" ]
}
for meter in graz kng; do
  ok "$meter: every telegram decoded exactly once ($count)" \
    wait_until 10 telegrams_are "$meter" "$count"
  is_num "$meter: no replay (nothing decoded twice)" \
    "$(e2e_csv_last noise "$meter" errors-replay)" 0
  checksum=$(e2e_csv_last noise "$meter" errors-checksum)
  # Each changed copy is an FCS error, counted, even when it lies inside
  # what a fake header claims (the fakes may add more).
  ok "$meter: each of the $count changed copies counted ($checksum)" \
    awk -v c="$checksum" -v n="$count" 'BEGIN { exit !(c >= n) }'
  discarded=$(e2e_csv_last noise "$meter" derive-bytes_discarded)
  ok "$meter: noise skipped ($discarded bytes)" \
    awk -v c="$discarded" 'BEGIN { exit !(c > 0) }'
  for id in errors-decrypt errors-tag errors-format errors-segment; do
    is_num "$meter: $id" "$(e2e_csv_last noise "$meter" "$id")" 0
  done
  e2e_expect_framing_found noise "$meter" hdlc
done

# The newest telegram of graz is its last: counter = capture's + count.
is_num "graz: newest row from the last telegram" \
  "$(e2e_csv_last noise graz power-import)" $((707715 + count))
rows=$(e2e_csv noise graz power-import | cut -d, -f2 | uniq | tr '\n' ' ')
ok "graz: rows only ever rise (no stale or repeated telegram)" \
  awk -v r="$rows" 'BEGIN { n = split(r, a, " ");
    for (i = 2; i <= n; i++) if (a[i] + 0 <= a[i - 1] + 0) exit 1 }'
e2e_expect_values noise graz <<'EOF'
energy_wh-import 12048950
energy_wh-reactive_export 9801363
power-reactive_export 379
EOF
e2e_expect_values noise kng <<'EOF'
energy_wh-import 2946830
energy_wh-reactive_export 2116972
power-import 73
EOF
is "log: no errors or warnings" "$(e2e_log_problems noise)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
