#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_wrong_key.sh - a well-formed but wrong key (the user typed another
# meter's key): telegrams cannot be decrypted. Asserts: an error naming the
# meter and the likely cause, rate-limited (collectd's c_complain: the
# first at once, then after 1, 2, 4 ... intervals, not once per telegram),
# the decrypt counter rising, no readings dispatched, the key never logged.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

wrong_key=$(e2e_key_of "$E2E_EVN") # a real key, of another meter
e2e_telegrams vkw "$E2E_VKW" 100
e2e_sim_start vkw 0.5 --pace 0.5 --delay 2
e2e_conf wrong 1 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$wrong_key"
  </Meter>
EOF
e2e_collectd_start wrong

key_errors() { e2e_log_count wrong 'meter "home": .*\(check Key / KeyFile\)'; }
complained() { [ "$(key_errors)" -ge 1 ]; }
ok "wrong key reported" wait_until 60 complained
sleep 8 # about 16 more undecryptable telegrams
n=$(key_errors)
decrypt=$(e2e_csv_last wrong home errors-decrypt)
diag "$n key error lines for $decrypt undecryptable telegrams"
ok "key errors rate-limited ($n lines)" test "$n" -ge 1 -a "$n" -le 5
ok "decrypt errors counted ($decrypt)" \
  awk -v d="$decrypt" 'BEGIN { exit !(d >= 5) }'
is_num "no telegram decoded" "$(e2e_csv_last wrong home total_operations-telegrams)" 0
is "no readings dispatched" \
  "$(e2e_listval wrong | grep -c -e power- -e voltage- -e energy_wh-)" 0
unlike "the key is not in the log" "$(cat "$(e2e_log wrong)")" \
  "$wrong_key|${wrong_key:0:12}"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"

done_testing
