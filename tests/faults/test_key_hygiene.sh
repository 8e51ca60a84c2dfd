#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_key_hygiene.sh - keys never leak. Runs collectd and smartmeter-decode
# through every error path that involves a key and collects ALL their
# output (stdout, stderr, collectd's log file), then searches it for every
# key used, in upper and lower case, with and without spaces between the
# bytes, and for the first 12 digits of each:
#   collectd -T: good Key, Key with spaces, bad key shapes (31 / 33 digits,
#     non-hex, empty), Key and KeyFile both, missing / directory / bad
#     content KeyFile (content not echoed), KeyFile 0644 (warning, passes),
#     bad AuthKey, missing AuthKeyFile;
#   collectd running: wrong Key (untagged), wrong AuthKey and wrong Key on
#     SC 0x30 telegrams, a good meter with a KeyFile (0600) and one with an
#     AuthKeyFile;
#   smartmeter-decode: wrong key, no key, key shapes, key twice, missing /
#     bad key file, a key given as the key file's name, bad / wrong auth
#     key, --check-key failures, --key=VALUE typos, --help after --key,
#     and live mode on a simulator.
# Also: a KeyFile readable by others warns; the CLI's /proc/PID/cmdline and
# ps show no --key value; neither the running CLI (given --key or
# --key-file) nor the running collectd (KeyFile, AuthKeyFile) holds the
# key as text in its memory (the argv copy, config strings and file
# buffers are wiped; the binary key the cipher needs is not searched for).
. "$SM_SRCDIR/tests/faults/faults-lib.sh"
faults_setup 400

DECODE=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$DECODE" ] || bail "missing $DECODE"
key=$(e2e_key_of "$E2E_VKW")               # the VKW meter's key
key_evn=$(e2e_key_of "$E2E_EVN")           # used as a wrong key
ak=C0FFEE00112233445566778899ABCDEF         # authentication key
ak_wrong=C0FFEE00112233445566778899ABCDEE   # one digit off
ak_file_key=0A1B2C3D4E5F60718293A4B5C6D7E8F9 # only ever in a file
short=5EC12E7000000000000000000000001       # 31 digits
long=5EC12E70000000000000000000000002F      # 33 digits
nonhex=5EC12E7000000000000000000000003G     # not hex
spaced=$(sed 's/../& /g; s/ $//' <<<"$key") # "48 70 4F ..."
secrets=("$key" "$key_evn" "$ak" "$ak_wrong" "$ak_file_key" "$short"
  "$long" "$nonhex")
ALL=$E2E_TMP/all-output
: >"$ALL"
collect() { cat "$@" >>"$ALL" 2>/dev/null; }

faults_forge vkw "$E2E_VKW" -c 1-400
faults_forge tagged "$E2E_VKW" -s 0x30 -a "$ak" -c 1-400
e2e_sim_start vkw 0.5 --pace 0.5
e2e_sim_start tagged 0.5 --pace 0.5
(umask 077 && printf '%s\n' "$key" >"$E2E_TMP/good.key")
(umask 077 && printf '%s\n' "$ak" >"$E2E_TMP/ak.key")
(umask 077 && printf '%s\n' "$ak_file_key" >"$E2E_TMP/akfile.key")
(umask 022 && printf '%s\n' "$key" >"$E2E_TMP/shared.key")
(umask 077 && printf '%s\n' "$long" >"$E2E_TMP/long.key")
(umask 077 && printf '%s\n' "$nonhex" >"$E2E_TMP/nonhex.key")

# --- collectd -T ----------------------------------------------------------
n_check=0
check() { # NAME WANT_RC < meter block
  e2e_conf "$1" 10
  local rc=0
  timeout 60 collectd -T -C "$E2E_TMP/$1.conf" >"$E2E_TMP/$1.d/stdout" 2>&1 ||
    rc=$?
  collect "$E2E_TMP/$1.d/stdout" "$(e2e_log "$1")"
  n_check=$((n_check + 1))
  if [ "$2" = 0 ]; then
    is "collectd -T $1: passes" "$rc" 0
  else
    ok "collectd -T $1: fails ($rc)" test "$rc" -ne 0
  fi
}
meter() { # options... -> a <Meter> block on the vkw simulator
  printf '  <Meter "home">\n    Device "%s"\n' "$E2E_TMP/vkw.tty"
  printf '    %s\n' "$@"
  printf '  </Meter>\n'
}
check good 0 < <(meter "Key \"$key\"")
check spaced 0 < <(meter "Key \"$spaced\"")
check short 1 < <(meter "Key \"$short\"")
check long 1 < <(meter "Key \"$long\"")
check nonhex 1 < <(meter "Key \"$nonhex\"")
check empty 1 < <(meter 'Key ""')
check both 1 < <(meter "Key \"$key\"" "KeyFile \"$E2E_TMP/good.key\"")
check missing_file 1 < <(meter "KeyFile \"$E2E_TMP/missing.key\"")
check dir_file 1 < <(meter "KeyFile \"$E2E_TMP\"")
check long_file 1 < <(meter "KeyFile \"$E2E_TMP/long.key\"")
check nonhex_file 1 < <(meter "KeyFile \"$E2E_TMP/nonhex.key\"")
check shared_file 0 < <(meter "KeyFile \"$E2E_TMP/shared.key\"")
like "KeyFile 0644: warns that others can read it" \
  "$(cat "$(e2e_log shared_file)")" \
  '\[warning\] smartmeter plugin: meter "home": KeyFile ".*shared.key" can be read by group or others'
check bad_authkey 1 < <(meter "Key \"$key\"" "AuthKey \"$nonhex\"")
check missing_authkey_file 1 < <(meter "Key \"$key\"" "AuthKeyFile \"$E2E_TMP/missing-ak.key\"")
check authkey 0 < <(meter "Key \"$key\"" "AuthKey \"$ak\"")

# --- collectd running: wrong keys, key files ------------------------------
e2e_conf run 1 <<EOF
  <Meter "wrongkey">
    Device "$E2E_TMP/vkw.tty"
    Key "$key_evn"
  </Meter>
  <Meter "wrongak">
    Device "$E2E_TMP/tagged.tty"
    Key "$key"
    AuthKey "$ak_wrong"
  </Meter>
EOF
e2e_collectd_start run
e2e_conf run2 1 <<EOF
  <Meter "filekey">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP/good.key"
  </Meter>
  <Meter "fileak">
    Device "$E2E_TMP/tagged.tty"
    KeyFile "$E2E_TMP/good.key"
    AuthKeyFile "$E2E_TMP/akfile.key"
  </Meter>
EOF
# Two readers on one pty would split its bytes: run2 gets its own
# simulators.
sed -i "s|$E2E_TMP/vkw.tty|$E2E_TMP/vkw2.tty|; s|$E2E_TMP/tagged.tty|$E2E_TMP/tagged2.tty|" \
  "$E2E_TMP/run2.conf"
cp -r "$E2E_TMP/vkw" "$E2E_TMP/vkw2"
faults_forge tagged2 "$E2E_VKW" -s 0x30 -a "$ak_file_key" -c 1-400
e2e_sim_start vkw2 0.5 --pace 0.5
e2e_sim_start tagged2 0.5 --pace 0.5
run_pid=$E2E_COLLECTD_PID
e2e_collectd_start run2
run2_pid=$E2E_COLLECTD_PID
errors_logged() {
  [ "$(e2e_log_count run 'meter "wrongkey": .*check Key')" -ge 1 ] &&
    [ "$(e2e_log_count run 'meter "wrongak": .*check AuthKey')" -ge 1 ]
}
ok "running collectd: wrong Key and wrong AuthKey reported" wait_until 60 errors_logged
ok "running collectd with key files: telegrams decoded" wait_until 60 \
  faults_counter_ge run2 fileak total_operations-telegrams 3
ok "running collectd with key files: untagged meter decoded" wait_until 60 \
  faults_counter_ge run2 filekey total_operations-telegrams 3
# collectd's memory: keys read from files are never kept as text (the
# plugin reads and wipes its buffer). Keys given inline in the
# configuration pass through collectd's own parser, whose freed buffers
# we do not control: those are only reported.
mapfile -t forms < <(faults_key_forms "$key"; faults_key_forms "$ak_file_key")
counts=$(faults_memscan "$run2_pid" "${forms[@]}" | tr '\n' ' ')
is "collectd (KeyFile, AuthKeyFile): no key as text in its memory" \
  "$counts" "0 0 0 0 0 0 0 0 "
inline=$(faults_memscan "$run_pid" "$key_evn" "$ak_wrong" | tr '\n' ' ')
diag "collectd (inline Key/AuthKey): copies as text in memory (collectd's config parser included): $inline"
e2e_collectd_stop >/dev/null
E2E_COLLECTD_PID=$run_pid
e2e_collectd_stop >/dev/null
collect "$E2E_TMP/run.d/stdout" "$(e2e_log run)" "$E2E_TMP/run2.d/stdout" "$(e2e_log run2)"

# --- smartmeter-decode ------------------------------------------------------
n_cli=0
cli() { # NAME WANT_RC args...
  local name=$1 want=$2 rc=0
  shift 2
  "$DECODE" "$@" >"$E2E_TMP/cli.$name.out" 2>"$E2E_TMP/cli.$name.err" \
    </dev/null || rc=$?
  collect "$E2E_TMP/cli.$name.out" "$E2E_TMP/cli.$name.err"
  n_cli=$((n_cli + 1))
  is "cli $name: exit $want" "$rc" "$want"
}
T1=$E2E_TMP/vkw/t00001.hex
TT=$E2E_TMP/tagged/t00001.hex
printf '%s\n' "$short" >"$E2E_TMP/short.key"
cli good 0 --hex --key "$key" "$T1"
cli spaced 0 --hex --key "$spaced" "$T1"
cli wrong_key 1 --hex --key "$key_evn" "$T1"
cli no_key 1 --hex "$T1"
cli short_key 2 --hex --key "$short" "$T1"
cli long_key 2 --hex --key "$long" "$T1"
cli nonhex_key 2 --hex --key "$nonhex" "$T1"
cli key_twice 2 --hex --key "$key" --key "$key_evn" "$T1"
cli key_eq_twice 2 --hex --key="$key" --key="$key_evn" "$T1"
cli missing_file 2 --hex --key-file "$E2E_TMP/missing.key" "$T1"
cli key_as_file 2 --hex --key-file "$key" "$T1"
cli short_file 2 --hex --key-file "$E2E_TMP/short.key" "$T1"
cli nonhex_file 2 --hex --key-file "$E2E_TMP/nonhex.key" "$T1"
cli bad_ak 2 --hex --key "$key" --auth-key "$nonhex" "$TT"
cli ak_twice 2 --hex --key "$key" --auth-key "$ak" --auth-key "$ak_wrong" "$TT"
cli wrong_ak 1 --hex --key "$key" --auth-key "$ak_wrong" "$TT"
cli good_ak 0 --hex --key "$key" --auth-key "$ak" "$TT"
cli ak_file 0 --hex --key-file "$E2E_TMP/good.key" --auth-key-file "$E2E_TMP/ak.key" "$TT"
cli check_good 0 --hex --check-key --key "$key" "$T1"
cli check_wrong 1 --hex --check-key --key "$key_evn" "$T1"
cli check_wrong_ak 1 --hex --check-key --key "$key" --auth-key "$ak_wrong" "$TT"
cli check_wrong_key_tagged 1 --hex --check-key --key "$key_evn" --auth-key "$ak" "$TT"
cli check_none 1 --hex --check-key "$T1"
cli typo_eq 2 --hex --kee="$key" "$T1"
cli abbrev_eq 2 --hex --k="$key" "$T1"
cli auth_typo 2 --hex --key "$key" --auth-kee="$ak" "$TT"
cli missing_value 2 --hex --key
cli help 0 --key "$key" --help
cli help_eq 0 --key="$key" --auth-key="$ak" --help
cli json 0 --hex --key "$key" --format json "$T1"
cli influx 0 --hex --key "$key" --format influx "$T1"

# Live: --key on the command line, then --key-file.
live() { # NAME args...
  local name=$1
  shift
  "$DECODE" --device "$E2E_TMP/vkw.tty" --format json "$@" \
    >"$E2E_TMP/live.$name.out" 2>"$E2E_TMP/live.$name.err" </dev/null &
  live_pid=$!
  E2E_PIDS+=("$live_pid")
  wait_until 60 test -s "$E2E_TMP/live.$name.out"
}
stop_live() {
  kill -TERM "$live_pid" 2>/dev/null
  e2e_reap "$live_pid" 10 || kill -KILL "$live_pid" 2>/dev/null
  collect "$E2E_TMP/live.$1.out" "$E2E_TMP/live.$1.err"
}
mapfile -t forms < <(faults_key_forms "$key")
live key --key "$key"
ok "live --key: decoding" test -s "$E2E_TMP/live.key.out"
cmdline=$(tr '\0' ' ' <"/proc/$live_pid/cmdline")
diag "live --key: /proc/PID/cmdline = ${cmdline//$E2E_TMP/\$TMP}"
like "live --key: cmdline shows the option" "$cmdline" ' --key x+ '
unlike "live --key: no key in /proc/PID/cmdline" "$cmdline" \
  "${key:0:12}|$(tr 'A-F' 'a-f' <<<"${key:0:12}")"
unlike "live --key: no key in ps" "$(ps -o args= -p "$live_pid")" \
  "${key:0:12}|$(tr 'A-F' 'a-f' <<<"${key:0:12}")"
is "live --key: no key as text in the CLI's memory" \
  "$(faults_memscan "$live_pid" "${forms[@]}" | tr '\n' ' ')" "0 0 0 0 "
stop_live key
live keyfile --key-file "$E2E_TMP/good.key"
ok "live --key-file: decoding" test -s "$E2E_TMP/live.keyfile.out"
is "live --key-file: no key as text in the CLI's memory" \
  "$(faults_memscan "$live_pid" "${forms[@]}" | tr '\n' ' ')" "0 0 0 0 "
stop_live keyfile
live spaced --key "$spaced"
mapfile -t forms < <(faults_key_forms "$key")
is "live --key with spaces: no key as text in the CLI's memory" \
  "$(faults_memscan "$live_pid" "${forms[@]}" | tr '\n' ' ')" "0 0 0 0 "
stop_live spaced

# --- nothing anywhere -------------------------------------------------------
diag "searched $(wc -c <"$ALL") bytes of output from $n_check collectd -T runs, 2 running collectds and $((n_cli + 3)) CLI runs"
ok "the collected output is not empty" test -s "$ALL"
for s in "${secrets[@]}"; do
  mapfile -t forms < <(faults_key_forms "$s")
  forms+=("${s:0:12}" "$(tr 'A-F' 'a-f' <<<"${s:0:12}")")
  hits=0
  for f in "${forms[@]}"; do
    hits=$((hits + $(grep -cF -- "$f" "$ALL")))
  done
  is "no output contains ${s:0:6}... (upper, lower, spaced, prefix)" "$hits" 0
done
diag "test time $(faults_elapsed) s"

done_testing
