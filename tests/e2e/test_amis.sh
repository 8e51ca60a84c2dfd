#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_amis.sh - Netz OÖ's AMIS meter, end to end: the two-way simulator
# (tests/sim/amis-sim, 9600 8E1 pace) and Debian's real collectd with this
# build's plugin. Asserts, from the simulator's log and collectd's csv:
#  - every SND_NKE and SND_UD is answered with E5 within the window, the
#    median within 84 ms; nothing else is ever written;
#  - one value set per second, all nine readings, paired right; the access
#    number runs across 255 -> 0 without a replay complaint;
#  - collectd stopped (SIGSTOP) for 12 s: the meter falls back to search
#    mode; after SIGCONT data resumes by itself, again without a complaint;
#  - a wrong key: still acknowledged (the meter stays in data mode), the
#    log says wrong key, no values;
#  - an IR echo, noise, lost E5 and repeated frames: each frame dispatched
#    once;
#  - smartmeter-decode --device acknowledges too and prints the nine
#    readings with the address as system_title, the access number as
#    frame_counter;
#  - the plugin writes not one byte to the ports of M-Bus, HDLC and DSMR
#    meters.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
. "$SM_SRCDIR/tests/e2e/amis-lib.sh"
e2e_setup 420
command -v join >/dev/null || bail "missing tool: join"

is "amis-sim: AES and frame builder give the spec's example" \
  "$(python3 "$AMIS_SIM" --link "$E2E_TMP/x" --self-test)" "self-test ok"

# ---- 1. values, acknowledgements, the wrap ---------------------------------
amis_sim_start amis --search-period 1 --start-access 238
e2e_conf amis 1 < <(amis_meter home amis)
e2e_collectd_start amis

ok "values arrive" wait_until 60 e2e_rows_at_least amis home energy_wh-import 2
row0=$(e2e_csv_rows amis home energy_wh-import)
tel0=$(amis_count amis ' ack acc=[0-9]+ after ')
# 238 .. 255 are 18 telegrams; the 24th has access number 5.
ok "the access number runs across 255 -> 0" \
  wait_until 60 amis_has amis ' ack acc=5 after '
ok "... acknowledged in order" \
  test "$(amis_lines amis ' ack acc=(255|0|1) after ' | wc -l)" -eq 3
sent=$(amis_count amis 'sent telegram ')
acked=$(amis_count amis ' ack acc=[0-9]+ after ')
is "every SND_UD answered ($sent sent)" "$acked" "$sent"
is "no answer missing" "$(amis_count amis 'no ack acc=')" 0
is "the link start answered once" "$(amis_count amis 'ack nke after')" 1
is "the reader sends nothing but E5" "$(amis_count amis 'unexpected')" 0
stats=$(amis_latency_stats amis)
diag "ACK latency after the stop byte (ms): $stats"
ok "every E5 within 0.5 s" \
  awk -v m="$(amis_stat max "$stats")" 'BEGIN { exit !(m != "" && m < 500) }'
ok "median within 84 ms" \
  awk -v m="$(amis_stat median "$stats")" 'BEGIN { exit !(m != "" && m < 84) }'

rows=$(($(e2e_csv_rows amis home energy_wh-import) - row0))
tel=$(($(amis_count amis ' ack acc=[0-9]+ after ') - tel0))
diag "$rows new csv rows while the meter sent $tel telegrams"
# collectd reads once a second, the meter sends once a second: a read may
# fall between two telegrams or after two, never much more often.
ok "one value set per second ($rows rows for $tel telegrams)" \
  test "$((rows * 10))" -ge "$((tel * 7))" -a "$rows" -le "$((tel + 2))"
is "no duplicate timestamps" "$(e2e_csv_dups amis home)" ""
ok "energy_wh-import rises with every row" amis_rising amis home energy_wh-import
for kv in energy_wh-export=129412 energy_wh-reactive_import_t1=357918 \
  energy_wh-reactive_export_t1=81446 power-export=117 \
  power-reactive_import=0 power-reactive_export=0; do
  is_num "csv ${kv%%=*}" "$(e2e_csv_last amis home "${kv%%=*}")" "${kv#*=}"
done
ok "csv power-import (100 + k mod 50)" \
  awk -v v="$(e2e_csv_last amis home power-import)" \
  'BEGIN { exit !(v >= 100 && v < 150) }'
ok "csv energy_wh-inkasso is signed (20 - k < 0)" \
  awk -v v="$(e2e_csv_last amis home energy_wh-inkasso)" 'BEGIN { exit !(v < 0) }'
is "import and inkasso come from the same telegram" \
  "$(amis_pairing_errors amis home)" ""
is_num "no replay counted" "$(e2e_csv_last amis home errors-replay)" 0
is "no replay complaint" "$(e2e_log_count amis 'smartmeter plugin: .*(replay|frame counter)')" 0
like "the log says the plugin answers" "$(cat "$(e2e_log amis)")" \
  'meter "home": answering the meter.s frames with E5 \(AMIS\)'
like "framing amis found by Framing auto" "$(cat "$(e2e_log amis)")" \
  'meter "home": framing amis \(found by Framing auto\)'

# ---- 2. collectd stopped for 12 s ------------------------------------------
mark=$(amis_mark amis)
rows_before=$(e2e_csv_rows amis home energy_wh-import)
kill -STOP "$E2E_COLLECTD_PID"
sleep 12
ok "10 missing answers in a row" amis_has amis 'no ack acc=[0-9]+ \(10 in a row\)' "$mark"
ok "the meter falls back to search mode" amis_has amis 'search mode' "$mark"
kill -CONT "$E2E_COLLECTD_PID"
ok "after SIGCONT the link start is answered" \
  wait_until 30 amis_has amis 'ack nke after' "$mark"
ok "data resumes with access number 0" \
  wait_until 30 amis_has amis ' ack acc=0 after ' "$mark"
ok "values resume in csv" \
  wait_until 30 e2e_rows_at_least amis home energy_wh-import $((rows_before + 3))
mark2=$(amis_mark amis)
sleep 3
is "after that, every SND_UD answered" \
  "$(amis_count amis 'no ack acc=' "$mark2")" 0
is_num "still no replay counted" "$(e2e_csv_last amis home errors-replay)" 0
# (collectd's uc_update notes "Value too old" for counters dispatched right
# after SIGCONT, errors-replay among them: not a complaint of the plugin.)
is "still no replay complaint" "$(e2e_log_count amis 'smartmeter plugin: .*(replay|frame counter)')" 0
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
# (collectd's own note on the stopped 12 s is expected)
is "no errors or warnings" \
  "$(e2e_log_problems amis | grep -v 'Not sleeping because the next interval')" ""
diag "whole run: $(amis_latency_stats amis)"

# ---- 3. a wrong key --------------------------------------------------------
amis_sim_start wk --search-period 1
wrong=$(e2e_key_of "$E2E_EVN")
e2e_conf wrong 1 < <(amis_meter home wk "$wrong")
e2e_collectd_start wrong
key_errors() { e2e_log_count wrong 'meter "home": .*is the key right\?.*\(check Key / KeyFile\)'; }
complained() { [ "$(key_errors)" -ge 1 ]; }
ok "wrong key reported" wait_until 60 complained
ok "frames keep coming" wait_until 30 amis_acked_at_least wk 8
is "the meter stays in data mode: every SND_UD answered" \
  "$(amis_count wk 'no ack acc=')" 0
is "one link start" "$(amis_count wk 'ack nke after')" 1
ok "decrypt errors counted" \
  awk -v d="$(e2e_csv_last wrong home errors-decrypt)" 'BEGIN { exit !(d >= 5) }'
is "no readings dispatched" \
  "$(e2e_listval wrong | grep -c -e power- -e energy_wh-)" 0
unlike "the key is not in the log" "$(cat "$(e2e_log wrong)")" "$wrong"
diag "wrong key: $(amis_latency_stats wk)"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"

# ---- 4. echo, noise, lost E5, repeated frames ------------------------------
# The E5 to telegrams 5 and 6 are lost: 6 and 7 repeat 5 byte for byte, so
# 15 SND_UD carry 13 telegrams.
amis_sim_start rep --search-period 1 --echo --noise 24 --seed 7 \
  --on-missing-ack repeat --drop-ack 5,6 --count 15
e2e_conf rep 1 < <(amis_meter home rep)
e2e_collectd_start rep
ok "the simulator sends its 15 frames" wait_until 60 amis_has rep 'exit sent=15'
sleep 2
is "two repeats sent" "$(amis_count rep 'sent telegram .* repeat ')" 2
is "only the two dropped answers missing" "$(amis_count rep 'no ack acc=')" 2
is "the echo changes nothing: nothing but E5 from the reader" \
  "$(amis_count rep 'unexpected')" 0
is_num "13 telegrams decoded (a repeat is decoded once)" \
  "$(e2e_csv_last rep home total_operations-telegrams)" 13
is "no energy value dispatched twice" \
  "$(amis_csv_values rep home energy_wh-import | sort | uniq -d)" ""
ok "energy_wh-import rises" amis_rising rep home energy_wh-import
is_num "no replay counted" "$(e2e_csv_last rep home errors-replay)" 0
diag "echo/noise: $(amis_latency_stats rep)"
e2e_collectd_stop >/dev/null

# ---- 4b. the libserialport path (test-only pty shim, as real adapters) ----
shim=$SM_BUILDDIR/tests/sim/.libs/libsmptyshim.so
[ -f "$shim" ] || bail "missing $shim (make check builds it)"
amis_sim_start sp --search-period 1
e2e_conf sp 1 < <(amis_meter home sp)
e2e_collectd_start sp "LD_PRELOAD=$shim"
ok "libserialport: values arrive" \
  wait_until 60 e2e_rows_at_least sp home energy_wh-import 3
is "log: opened with libserialport at 9600 8E1" \
  "$(e2e_log_count sp 'meter "home": reading /dev/pts/[0-9]+ with libserialport \(9600 8E1')" 1
ok "libserialport: frames answered" wait_until 30 amis_acked_at_least sp 4
is "libserialport: every SND_UD answered" "$(amis_count sp 'no ack acc=')" 0
is "libserialport: nothing but E5" "$(amis_count sp 'unexpected')" 0
diag "libserialport: $(amis_latency_stats sp)"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
is "libserialport: no errors or warnings" "$(e2e_log_problems sp)" ""

# ---- 5. smartmeter-decode --device ----------------------------------------
amis_sim_start cli --search-period 1 --start-access 250
DECODE=$SM_BUILDDIR/cli/smartmeter-decode
wait_until 20 amis_has cli 'sent nke'
timeout --preserve-status -s INT 12 "$DECODE" --device "$E2E_TMP/cli.tty" --baud 9600 \
  --key "$AMIS_KEY" --format json >"$E2E_TMP/cli.json" 2>"$E2E_TMP/cli.err"
is "smartmeter-decode stops cleanly on SIGINT" "$?" 0
is "no message on stderr" "$(cat "$E2E_TMP/cli.err")" ""
check_json() {
  python3 - "$E2E_TMP/cli.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 8, "only %d telegrams" % len(lines)
fc = [j["frame_counter"] for j in lines]
assert all(b == (a + 1) % 256 for a, b in zip(fc, fc[1:])), fc
assert 255 in fc and 0 in fc, fc
for j in lines:
    assert j["system_title"] == "2D4C00000000010E", j["system_title"]
    assert j["meter_number"] is None
    v = j["values"]
    assert len(v) == 9, sorted(v)
    assert v["1.0.2.8.0.255"]["value"] == 129412
    assert v["1.0.1.128.0.255"]["name"] == "energy_inkasso"
    assert v["1.0.1.8.0.255"]["value"] + v["1.0.1.128.0.255"]["value"] == 684564
print(len(lines))
PY
}
n=$(check_json 2>"$E2E_TMP/cli.check")
ok "JSON: nine readings per telegram, frame_counter 250 .. 255, 0 ... ($n lines)" \
  test -n "$n"
[ -n "$n" ] || diag "$(cat "$E2E_TMP/cli.check")"
is "the CLI answered every SND_UD" "$(amis_count cli 'no ack acc=')" 0
is "the CLI sends nothing but E5" "$(amis_count cli 'unexpected')" 0
diag "smartmeter-decode --device: $(amis_latency_stats cli)"

# ---- 6. other meters' ports are never written -----------------------------
# M-Bus (VKW), HDLC (Wiener Netze IM350) and DSMR-in-GCM (Steiermark)
# replayed by meter-sim; a watcher reads whatever the plugin would write.
hdlc=$SM_SRCDIR/tests/vectors/extra_hdlc_wienernetze_im350_shrdzm_1.hex
dsmr=$SM_SRCDIR/tests/vectors/extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex
e2e_telegrams vkw "$E2E_VKW" 40
e2e_sim_start vkw 0.5 --pace 0.5
mkdir -p "$E2E_TMP/hdlc" "$E2E_TMP/dsmr"
cp "$hdlc" "$E2E_TMP/hdlc/t1.hex"
cp "$dsmr" "$E2E_TMP/dsmr/t1.hex"
e2e_sim_start hdlc 0.5 --pace 0.1
e2e_sim_start dsmr 0.5 --pace 0.1
watch_feed() { # NAME SECONDS: bytes the reader wrote into NAME.tty
  python3 - "$E2E_TMP/$1.tty.feed" "$2" >"$E2E_TMP/$1.watch" <<'PY' &
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
end, n = time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < end:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            n += len(os.read(fd, 4096))
        except BlockingIOError:
            pass
print(n)
PY
  E2E_PIDS+=("$!")
}
{
  echo "  <Meter \"vkw\">"
  echo "    Device \"$E2E_TMP/vkw.tty\""
  echo "    Key \"$(e2e_key_of "$E2E_VKW")\""
  echo "  </Meter>"
  echo "  <Meter \"hdlc\">"
  echo "    Device \"$E2E_TMP/hdlc.tty\""
  echo "    Key \"$(e2e_key_of "$hdlc")\""
  echo "  </Meter>"
  echo "  <Meter \"dsmr\">"
  echo "    Device \"$E2E_TMP/dsmr.tty\""
  echo "    Key \"$(e2e_key_of "$dsmr")\""
  echo "  </Meter>"
} | e2e_conf quiet 1
for m in vkw hdlc dsmr; do watch_feed "$m" 14; done
e2e_collectd_start quiet
for m in vkw hdlc dsmr; do
  ok "$m: decoded" wait_until 30 e2e_rows_at_least quiet "$m" \
    total_operations-telegrams 1
done
sleep 6
for m in vkw hdlc dsmr; do
  ok "$m: telegrams decoded" awk -v t="$(e2e_csv_last quiet "$m" \
    total_operations-telegrams)" 'BEGIN { exit !(t >= 1) }'
  wait_until 20 test -s "$E2E_TMP/$m.watch"
  is "$m: not one byte written to its port" "$(cat "$E2E_TMP/$m.watch")" 0
done
e2e_collectd_stop >/dev/null

done_testing
