#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_auth.sh - authenticated telegrams (security control 0x30: AES-GCM
# with a 12-byte tag over AAD = SC || authentication key), made by
# sm-forge from the VKW capture, each carrying its frame counter as its
# power-import value. Four meters in one collectd, each fed by its own
# simulator with the same telegrams:
#   right    Key + the right AuthKey   -> every telegram decoded, values
#   noauth   Key, no AuthKey           -> tags not checked (documented)
#   wrong    Key + a wrong AuthKey     -> nothing dispatched, errors-tag
#            rises with every telegram, the error names the authentication
#            key, at most one line per back-off period (collectd's
#            c_complain: 1, 2, 4 ... intervals)
#   badkey   a wrong Key + the right AuthKey -> nothing dispatched, and
#            the message sends the user to the encryption key, not to the
#            authentication key
# No key ever appears in the log.
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 300

key=$(e2e_key_of "$E2E_VKW")
ak=5A17C0DEA11CE0B0BCAFEF00D1234567  # the meter's authentication key
ak_wrong=5A17C0DEA11CE0B0BCAFEF00D1234568  # one digit off: a typo
key_wrong=$(e2e_key_of "$E2E_EVN")  # a real key, of another meter
sent=40
period=0.5
for m in right noauth wrong badkey; do
  faults_forge "$m" "$E2E_VKW" -v -s 0x30 -a "$ak" -c "1000-$((1000 + sent - 1))"
done
sc=$(sed -n 's/.*security control \(0x[0-9A-F]*\).*/\1/p' "$E2E_TMP/right/t00001.hex")
is "sm-forge made SC 0x30 telegrams" "$sc" 0x30
for m in right noauth wrong badkey; do
  e2e_sim_start "$m" "$period" --pace 0.5 --delay 6 --count "$sent" --linger 120
done
e2e_conf auth 1 <<EOF
  <Meter "right">
    Device "$E2E_TMP/right.tty"
    Key "$key"
    AuthKey "$ak"
  </Meter>
  <Meter "noauth">
    Device "$E2E_TMP/noauth.tty"
    Key "$key"
  </Meter>
  <Meter "wrong">
    Device "$E2E_TMP/wrong.tty"
    Key "$key"
    AuthKey "$ak_wrong"
  </Meter>
  <Meter "badkey">
    Device "$E2E_TMP/badkey.tty"
    Key "$key_wrong"
    AuthKey "$ak"
  </Meter>
EOF
e2e_collectd_start auth

ok "simulators sent $sent telegrams each" \
  wait_until 180 faults_sims_done "$sent" right noauth wrong badkey
for m in right noauth wrong badkey; do
  diag "$m: simulator sent $(faults_sim_sent "$m") whole telegrams"
done

# right: every telegram, values from the telegrams.
ok "right AuthKey: all $sent telegrams decoded" \
  wait_until 30 faults_counter_is auth right total_operations-telegrams "$sent"
is "right AuthKey: no tag errors" "$(faults_counter auth right errors-tag)" 0
is_num "right AuthKey: power-import is the last telegram's" \
  "$(e2e_csv_last auth right power-import)" $((1000 + sent - 1))
is_num "right AuthKey: voltage-l1" "$(e2e_csv_last auth right voltage-l1)" 233
ok "right AuthKey: rows only from sent telegrams" test -z \
  "$(e2e_csv auth right power-import | cut -d, -f2 |
    awk -v s="$sent" '{ v = int($1) } v < 1000 || v >= 1000 + s')"

# noauth: documented: without an AuthKey the tag is not checked.
ok "no AuthKey: telegrams decoded (tag not checked)" \
  wait_until 30 faults_counter_is auth noauth total_operations-telegrams "$sent"
is_num "no AuthKey: power-import" "$(e2e_csv_last auth noauth power-import)" \
  $((1000 + sent - 1))

# wrong AuthKey: rejected, counted, nothing dispatched, named, rate-limited.
ok "wrong AuthKey: errors-tag counts every telegram ($sent)" \
  wait_until 30 faults_counter_is auth wrong errors-tag "$sent"
is "wrong AuthKey: no telegram decoded" \
  "$(faults_counter auth wrong total_operations-telegrams)" 0
is "wrong AuthKey: no readings dispatched" \
  "$(e2e_listval auth | grep '/smartmeter-wrong/' |
    grep -c -e power- -e voltage- -e current- -e energy_wh-)" 0
log=$(e2e_log auth)
wrong_re='\[error\] smartmeter plugin: meter "wrong": authentication tag mismatch .* authentication key .*\(check AuthKey / AuthKeyFile\)'
n_wrong=$(grep -cE "$wrong_re" "$log")
ok "wrong AuthKey: the error names the authentication key" test "$n_wrong" -ge 1
# c_complain logs at t0, t0+I, t0+3I, t0+7I ...: over S seconds at most
# 1 + log2(S/I + 1) lines (I = 1 s here), plus one for rounding.
span=$(awk -v n="$sent" -v p="$period" 'BEGIN { print int(n * p + 0.999) }')
bound=$(awk -v s="$span" 'BEGIN { print 2 + int(log(s + 1) / log(2)) }')
ok "wrong AuthKey: $n_wrong error lines for $sent telegrams in ~${span} s (at most $bound)" \
  test "$n_wrong" -le "$bound"
gaps=$(grep -E "$wrong_re" "$log" | sed -n 's/^\[\([^]]*\)\].*/\1/p' |
  while read -r d t; do date -d "$d $t" +%s; done |
  awk 'NR > 1 { printf "%d ", $1 - prev } { prev = $1 }')
diag "wrong AuthKey: gaps between error lines: ${gaps:-none} s"
ok "wrong AuthKey: gaps between error lines never shrink (back-off)" \
  awk -v g="$gaps" 'BEGIN { n = split(g, v, " ")
    for (i = 2; i <= n; i++) if (v[i] + 1 < v[i - 1]) exit 1 }'

# badkey: wrong encryption key on an authenticated meter.
ok "wrong Key (SC 0x30): errors counted" wait_until 30 sh -c "
  t=\$(tail -1 $E2E_TMP/auth.d/csv/$E2E_HOST/smartmeter-badkey/errors-tag-* 2>/dev/null | cut -d, -f2)
  d=\$(tail -1 $E2E_TMP/auth.d/csv/$E2E_HOST/smartmeter-badkey/errors-decrypt-* 2>/dev/null | cut -d, -f2)
  awk -v t=\"\$t\" -v d=\"\$d\" -v n=$sent 'BEGIN { exit !(t + d == n) }'"
is "wrong Key (SC 0x30): no telegram decoded" \
  "$(faults_counter auth badkey total_operations-telegrams)" 0
is "wrong Key (SC 0x30): no readings dispatched" \
  "$(e2e_listval auth | grep '/smartmeter-badkey/' |
    grep -c -e power- -e voltage- -e current- -e energy_wh-)" 0
badkey_lines=$(grep -E '\[error\] smartmeter plugin: meter "badkey"' "$log")
diag "wrong Key (SC 0x30) says: $(head -1 <<<"$badkey_lines" | cut -c 1-200)"
diag "wrong Key (SC 0x30): errors-tag $(faults_counter auth badkey errors-tag), errors-decrypt $(faults_counter auth badkey errors-decrypt)"
ok "wrong Key (SC 0x30): the message points at Key/KeyFile, not at AuthKey" \
  grep -qE 'check Key / KeyFile|is the key right' <<<"$badkey_lines"

all_keys="$key|$ak|$ak_wrong|$key_wrong"
lower=$(tr 'A-F' 'a-f' <<<"$all_keys")
unlike "no key in the log or stdout (upper or lower case)" \
  "$(cat "$log" "$E2E_TMP/auth.d/stdout")" "$all_keys|$lower"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
diag "test time $(faults_elapsed) s"

done_testing
