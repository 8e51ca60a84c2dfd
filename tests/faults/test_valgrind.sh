#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_valgrind.sh - Debian's collectd with the plugin under valgrind
# memcheck: 100 telegrams from the simulator (two meters: VKW and EVN,
# plus a third with a wrong key so the error paths run too), then a clean
# shutdown (SIGTERM).
# Asserts: collectd decoded the telegrams and exited normally; valgrind
# reports 0 errors; no leak record (definitely or indirectly lost) has a
# frame in our code (smartmeter.so: the plugin, decoder and port), and
# none at all unless collectd's own (those are printed); definitely and
# indirectly lost are 0 in the summary, or only from collectd itself.
# Suppressions (tests/faults/valgrind.supp) cover collectd and libc
# internals only, never our code.
#
# libgcrypt is preloaded into collectd (LD_PRELOAD): collectd unloads its
# plugins at exit (lt_dlexit), which would unload libgcrypt with
# smartmeter.so, and the six MPI constants libgcrypt allocates once in
# gcry_check_version() (it has no de-initialisation) would then show up as
# 192 bytes "definitely lost" in sm_crypto_init. Preloaded, libgcrypt stays
# mapped and those blocks are "still reachable", while a cipher handle our
# code forgot to close would still be reported as lost (no suppression
# needed, none added). Real setups often have libgcrypt loaded anyway
# (collectd's network plugin).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 600
command -v valgrind >/dev/null || bail "missing tool: valgrind"

n=100
faults_forge vkw "$E2E_VKW" -v -c "1-$n"
faults_forge evn "$E2E_EVN" -v -c "1-$n"
faults_forge bad "$E2E_VKW" -c "1-$n"
for m in vkw evn bad; do
  e2e_sim_start "$m" 0.2 --pace 0 --delay 20 --count "$n" --linger 300
done
e2e_conf vg 1 <<EOF
  <Meter "vkw">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
    MaxAge 3600
  </Meter>
  <Meter "evn">
    Device "$E2E_TMP/evn.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
    MaxAge 3600
  </Meter>
  <Meter "bad">
    Device "$E2E_TMP/bad.tty"
    Key "$(e2e_key_of "$E2E_EVN")"
    MaxAge 3600
  </Meter>
EOF
vglog=$E2E_TMP/valgrind.log
E2E_COLLECTD_WRAP="valgrind --leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99
  --track-fds=no --num-callers=40 --keep-debuginfo=yes --log-file=$vglog
  --suppressions=$SM_SRCDIR/tests/faults/valgrind.supp"
E2E_START_WAIT=180
t0=$SECONDS
gcrypt=$(ldd "$E2E_PLUGIN_DIR/smartmeter.so" | awk '/libgcrypt/ { print $3 }')
[ -f "$gcrypt" ] || bail "libgcrypt of smartmeter.so not found"
e2e_collectd_start vg LD_PRELOAD="$gcrypt"
diag "collectd under valgrind up after $((SECONDS - t0)) s"

ok "simulators sent $n telegrams each" \
  wait_until 300 faults_sims_done "$n" vkw evn bad
ok "vkw: $n telegrams decoded" \
  wait_until 60 faults_counter_is vg vkw total_operations-telegrams "$n"
ok "evn: $n telegrams decoded" \
  wait_until 60 faults_counter_is vg evn total_operations-telegrams "$n"
ok "bad: decrypt errors counted" wait_until 60 faults_counter_ge vg bad errors-decrypt 50
t1=$SECONDS
E2E_STOP_WAIT=180
ms=$(e2e_collectd_stop)
ok "collectd under valgrind stops on SIGTERM" test -n "$ms"
diag "shutdown under valgrind took ${ms} ms (leak check included)"
like "collectd exited normally" "$(cat "$(e2e_log vg)")" 'Exiting normally'

ok "valgrind log written" test -s "$vglog"
summary=$(grep -E 'ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:|still reachable:|suppressed:' "$vglog" |
  sed 's/^==[0-9]*== *//')
while read -r l; do diag "valgrind: $l"; done <<<"$summary"
like "valgrind: 0 errors" "$summary" 'ERROR SUMMARY: 0 errors'

# Leak records: a header line "... are definitely|indirectly lost in loss
# record ..." and its stack up to the next blank line.
python3 - "$vglog" >"$E2E_TMP/leaks" <<'EOF'
import re, sys
recs, cur = [], None
for line in open(sys.argv[1], errors="replace"):
    line = re.sub(r"^==\d+== ?", "", line.rstrip("\n"))
    if re.search(r"are (definitely|indirectly) lost in loss record", line):
        cur = [line]
        recs.append(cur)
    elif cur is not None:
        if line.strip() == "":
            cur = None
        else:
            cur.append(line)
ours = re.compile(r"smartmeter\.so|\(sm_|\bsmp?_[a-z_]+ \(|/plugin/|/decoder/|/port/")
for r in recs:
    print("OURS" if any(ours.search(l) for l in r[1:]) else "OTHER",
          " | ".join(r[:6]))
EOF
ours=$(grep -c '^OURS' "$E2E_TMP/leaks")
others=$(grep -c '^OTHER' "$E2E_TMP/leaks")
is "no leak record with a frame in our code" "$ours" 0
grep '^OURS' "$E2E_TMP/leaks" | cut -c 1-600 | sed 's/^/# /'
diag "leak records outside our code (collectd): $others"
grep '^OTHER' "$E2E_TMP/leaks" | cut -c 1-400 | sed 's/^/# /'
def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$vglog" | tr -d ,)
ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$vglog" | tr -d ,)
ok "definitely lost: ${def:-0} bytes, indirectly lost: ${ind:-0} bytes (0, or only collectd's)" \
  test "${def:-0}${ind:-0}" = 00 -o "$others" -gt 0 -a "$ours" -eq 0
is "no errors or warnings in collectd's log" \
  "$(e2e_log_problems vg | grep -v 'meter "bad"')" ""
diag "valgrind run: $((t1 - t0)) s of collectd; test time $(faults_elapsed) s"

done_testing
