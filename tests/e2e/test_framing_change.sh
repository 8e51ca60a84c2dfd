#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_framing_change.sh - one device, one <Meter> block, one key, Framing
# left at auto: the simulated meter first sends M-Bus long frames (the VKW
# capture's own framing), then the same telegram in HDLC frames, as if the
# user had swapped the adapter. Every telegram carries its frame counter
# as its power-import value (sm-forge -v), so each csv row says which
# telegram, and so which framing, it came from. Asserts that the plugin
# found M-Bus first, followed the change and logged it exactly once (a
# NOTICE), that the newest values came in HDLC frames, that no telegram
# was lost or counted as an error, and a log without errors or warnings.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 120

fc=2554820 # the capture's own counter (DECODED.md)
mkdir -p "$E2E_TMP/swap"
"$E2E_FORGE" -v -c $((fc + 1))-$((fc + 4)) -o "$E2E_TMP/swap" "$E2E_VKW" ||
  bail "sm-forge mbus"
"$E2E_FORGE" -v -F hdlc -S 128 -i 5 -c $((fc + 5))-$((fc + 8)) \
  -o "$E2E_TMP/swap" "$E2E_VKW" || bail "sm-forge hdlc"
ok "telegrams 1-4 are M-Bus" grep -q '^68FAFA68' "$E2E_TMP/swap/t00004.hex"
ok "telegrams 5-8 are HDLC (S-bit segments)" \
  grep -q '^7EA8' "$E2E_TMP/swap/t00005.hex"
e2e_sim_start swap 1 --pace 0.5 --delay 3 --count 8 --linger 30
e2e_conf swap 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/swap.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 30
  </Meter>
EOF
e2e_collectd_start swap

sent_all() { grep -q 'sent telegram 8 ' "$E2E_TMP/swap.sim.log"; }
ok "the simulator sent all 8 telegrams" wait_until 40 sent_all
last_is() {
  [ "$(e2e_num "$(e2e_csv_last swap home power-import)")" = "$(e2e_num "$1")" ]
}
ok "the newest row came from telegram 8 (HDLC)" \
  wait_until 10 last_is $((fc + 8))
# Rows before the change came from M-Bus telegrams (power <= fc + 4).
first=$(e2e_csv swap home power-import | head -1 | cut -d, -f2)
ok "the first row came from an M-Bus telegram ($first)" \
  awk -v p="$first" -v m=$((fc + 4)) 'BEGIN { exit !(p > 0 && p <= m) }'
rows=$(e2e_csv swap home power-import | cut -d, -f2 | uniq | tr '\n' ' ')
ok "rows only ever rise: no telegram of one framing after the other" \
  awk -v r="$rows" 'BEGIN { n = split(r, a, " ");
    for (i = 2; i <= n; i++) if (a[i] + 0 < a[i - 1] + 0) exit 1 }'
# The VKW values, whatever the framing.
e2e_expect_values swap home <<'EOF'
energy_wh-import 3744082
energy_wh-reactive_export 1313360
voltage-l2 232.8
current-l1 0.31
EOF
telegrams_are_8() {
  [ "$(e2e_csv_last swap home total_operations-telegrams)" = "8" ]
}
ok "8 telegrams decoded: none lost at the change" wait_until 5 telegrams_are_8
e2e_expect_clean_health swap home

is "log: Framing auto found M-Bus first, once" \
  "$(e2e_log_count swap 'meter "home": framing mbus \(found by Framing auto\)')" 1
is "log: the change to HDLC, exactly once, as a notice" \
  "$(e2e_log_count swap '\[notice\] smartmeter plugin: meter "home": the framing changed from mbus to hdlc')" 1
is "log: no other framing line" \
  "$(e2e_log_count swap 'meter "home": (framing|the framing)')" 2
is "log: no errors or warnings" "$(e2e_log_problems swap)" ""
ms=$(e2e_collectd_stop)
ok "collectd stops on SIGTERM" test -n "$ms"

done_testing
