#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_noframe.sh - wrong serial settings look like random bytes at the
# meter's rate (issue 10 item 7): the plugin and the CLI must say "N bytes
# received in 30 s but no frame" and name the settings to check, once per
# complaint period, instead of only "no telegram in 30 s". A raw file of
# random bytes (seeded) replayed at 2400 baud 8E1's pace, to collectd and
# to smartmeter-decode --device at once, for 75 s.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 300

decode=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$decode" ] || bail "missing $decode"
key=$(e2e_key_of "$E2E_VKW")
mkdir -p "$E2E_TMP/col" "$E2E_TMP/cli"
python3 -c 'import random, sys
r = random.Random(10)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(2000)))' \
  >"$E2E_TMP/col/t00001.hex"
cp "$E2E_TMP/col/t00001.hex" "$E2E_TMP/cli/t00001.hex"
# 2000 bytes at 4.583 ms take 9.2 s: with a period of 9.2 s the bytes
# never stop, as from a meter read at the wrong rate.
e2e_sim_start col 9.2 --raw --delay 2
e2e_sim_start cli 9.2 --raw --delay 2
e2e_conf noframe 1 <<EOF2
  <Meter "home">
    Device "$E2E_TMP/col.tty"
    Key "$key"
  </Meter>
EOF2
e2e_collectd_start noframe
"$decode" --device "$E2E_TMP/cli.tty" --key "$key" >"$E2E_TMP/cli.out" \
  2>"$E2E_TMP/cli.err" </dev/null &
cli=$!
E2E_PIDS+=("$cli")

re='meter "home": ([0-9]+) bytes received in 30 s but no frame — check Baudrate, Parity and Framing\.'
said() { [ "$(e2e_log_count noframe "$re")" -ge 1 ]; }
ok "collectd: the line comes after 30 s of bytes" wait_until 60 said
n=$(grep -E "$re" "$(e2e_log noframe)" | head -1 | sed -E "s/.*\": ([0-9]+) bytes.*/\1/")
diag "collectd: $n bytes in the first window"
ok "collectd: the count is the bytes of 30 s at 218 B/s (5000..7000)" \
  test "${n:-0}" -ge 5000 -a "${n:-0}" -le 7000
ok "cli: the hint comes too" wait_until 20 grep -q 'but no frame' "$E2E_TMP/cli.err"
like "cli: the hint names --baud, --parity and --input" "$(cat "$E2E_TMP/cli.err")" \
  '^smartmeter-decode: [0-9]+ bytes received in 30 s but no frame — check --baud, --parity and --input$'
sleep 40 # the next window: not said again so soon
is "collectd: once per complaint period (1 line in 75 s)" \
  "$(e2e_log_count noframe "$re")" 1
is "cli: said once" "$(grep -c 'but no frame' "$E2E_TMP/cli.err")" 1
is "cli: no telegram printed" "$(wc -c <"$E2E_TMP/cli.out")" 0
kill -TERM "$cli"
e2e_reap "$cli" 5
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
