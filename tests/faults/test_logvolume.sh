#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_logvolume.sh - the log stays small whatever the link does (issue 10
# item 6): per meter, at most 2 lines in any minute after the first report,
# across reconnects; the counters carry the detail. Two collectds at once:
#  flap  the device vanishes for 0.1 s after every third telegram, 5 a
#        second (meter-sim --vanish-every 3): 100 vanish/return cycles in
#        70..90 s, then it stays and sends on; the last line about the
#        link must say it is back;
#  eio   every 20th read of the pty fails with EIO (the pty shim's
#        SMPTYSHIM_EIO_EVERY=20) for two minutes, at the wire's pace.
# Printed: link lines per run and per minute (before this change: 98 lines
# for 100 cycles, and 74 lines a minute).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 600

shim=$SM_BUILDDIR/tests/sim/.libs/libsmptyshim.so
[ -f "$shim" ] || bail "missing $shim (make check builds it)"
key=$(e2e_key_of "$E2E_VKW")
cycles=100
eio_s=${FAULTS_EIO_SECONDS:-120}

faults_forge flap "$E2E_VKW" -v -c 1-300
faults_forge stay "$E2E_VKW" -v -c 301-600
faults_forge eio "$E2E_VKW" -v -n 400
e2e_sim_start flap 0.2 --pace 0 --delay 3 --vanish-every 3 --vanish-for 0.1 \
  --count $((3 * cycles)) --linger 0
e2e_sim_start eio 1 --delay 3
for m in flap eio; do
  e2e_conf "$m" 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/$m.tty"
    Key "$key"
  </Meter>
EOF
done
e2e_collectd_start flap
pid_flap=$E2E_COLLECTD_PID
e2e_collectd_start eio "LD_PRELOAD=$shim" SMPTYSHIM_EIO_EVERY=20
pid_eio=$E2E_COLLECTD_PID

# The plugin's lines about the link: loss, return, open failures, noise.
LINK_RE='meter "home": .*(reconnecting|is back|cannot open|counted in the errors|parity or framing errors|but no frame)'
# Epoch seconds of each link line of instance $1.
stamps() {
  grep -E "$LINK_RE" "$(e2e_log "$1")" | sed -n 's/^\[\([^]]*\)\].*/\1/p' |
    while read -r d; do date -d "$d" +%s; done
}
# At most 2 lines in any 60 s: every line is >= 60 s after the one two
# before it. Prints the offending pairs.
crowded() {
  stamps "$1" | awk '{ t[NR] = $1 } END { for (i = 3; i <= NR; i++)
    if (t[i] - t[i - 2] < 60) printf "%d-%d ", t[i - 2], t[i] }'
}

vanished() { [ "$(grep -c ' vanished' "$E2E_TMP/flap.sim.log")" -ge "$1" ]; }
t0=$SECONDS
ok "flap: $cycles vanish/return cycles" wait_until 300 vanished $((cycles - 1))
ok "flap: the simulator ends" \
  wait_until 30 grep -q ' exit sent=' "$E2E_TMP/flap.sim.log"
flap_s=$((SECONDS - t0))
# The device stays from now on: a second simulator on the same path.
python3 "$E2E_SIM" --link "$E2E_TMP/flap.tty" --period 0.5 --pace 0 \
  --log "$E2E_TMP/stay.sim.log" "$E2E_TMP"/stay/t*.hex \
  >"$E2E_TMP/stay.sim.out" 2>&1 &
E2E_PIDS+=($!)
flap_lines=$(e2e_log_count flap "$LINK_RE")
diag "flap: $cycles cycles in ${flap_s} s: $flap_lines link lines"
is "flap: never more than 2 link lines in a minute" "$(crowded flap)" ""
reconnects=$(faults_counter flap home total_operations-reconnects)
diag "flap: total_operations-reconnects = ${reconnects:-none}"
ok "flap: the reconnects counter has the detail (> 20)" \
  test "${reconnects:-0}" -gt 20

# The last state is always told, at most a minute late: wait for a link
# line from after the flapping. (The simulator's own exit is one more loss:
# its line, held back, may come first; the return follows it.)
flap_end=$(date +%s)
told() { stamps flap | awk -v e="$flap_end" '$1 >= e { f = 1 } END { exit !f }'; }
ok "flap: a link line after the flapping" wait_until 90 told
last_back() { grep -E "$LINK_RE" "$(e2e_log flap)" | tail -1 | grep -q 'is back'; }
wait_until 90 last_back
like "flap: the last link line says the device is back" \
  "$(grep -E "$LINK_RE" "$(e2e_log flap)" | tail -1)" 'is back'
like "flap: lines held back are counted in the next one" \
  "$(grep -E "$LINK_RE" "$(e2e_log flap)")" \
  'earlier link messages? held back; the counters have the detail'
ok "flap: readings arrive again" \
  wait_until 30 e2e_rows_at_least flap home voltage-l1 3

left=$((eio_s - (SECONDS - t0)))
[ "$left" -gt 0 ] && sleep "$left"
eio_lines=$(e2e_log_count eio "$LINK_RE")
eio_losses=$(faults_counter eio home total_operations-reconnects)
diag "eio: $eio_lines link lines in ${eio_s} s ($(awk -v l="$eio_lines" -v s="$eio_s" 'BEGIN { printf "%.1f", 60 * l / s }') a minute) for ${eio_losses:-0} reconnects"
ok "eio: the shim made the port fail (> 10 reconnects)" \
  test "${eio_losses:-0}" -gt 10
is "eio: never more than 2 link lines in a minute" "$(crowded eio)" ""
for m in flap eio; do
  pid_var=pid_$m
  E2E_COLLECTD_PID=${!pid_var}
  ok "$m: collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
done
diag "test time $(faults_elapsed) s"

done_testing
