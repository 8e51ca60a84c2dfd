#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_config_check.sh - `collectd -T` (parse, init, one read, exit) as the
# smoke test of a configuration: a good one passes; every mistake fails
# with a message naming the meter and the option; a key never appears in
# any output, neither a good one nor a bad one.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

key=$(e2e_key_of "$E2E_VKW")
# Distinctive bad keys, searched for in the output afterwards.
short_key=ABCDEF0123456789ABCDEF012345678
nonhex_key=ABCDEF0123456789ABCDEF012345678Z

# check NAME < meter blocks: runs collectd -T; sets rc and out (log and
# stderr together).
check() {
  e2e_conf "$1" 10
  rc=0
  timeout 30 collectd -T -C "$E2E_TMP/$1.conf" \
    >"$E2E_TMP/$1.d/stdout" 2>&1 || rc=$?
  out=$(cat "$E2E_TMP/$1.d/stdout" "$(e2e_log "$1")" 2>/dev/null)
}

fails() { # name regex
  ok "$1: collectd -T fails" test "$rc" -ne 0
  like "$1: message names meter and option" "$out" "$2"
}

e2e_telegrams vkw "$E2E_VKW" 20
e2e_sim_start vkw 1 --pace 0.5

check good <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$key"
    Baudrate 2400
    Parity "even"
    DataBits 8
    StopBits 1
    Supplier "KSMWest"
    Framing "mbus"
    SolarviewFile "$E2E_TMP/solarview.txt"
    MaxAge 30
    Interval 5
  </Meter>
EOF
is "good config (every option): collectd -T passes" "$rc" 0
like "good config: plugin initialised" "$out" 'smartmeter plugin: version'
good_out=$out

check missing_device <<EOF
  <Meter "home">
    Key "$key"
  </Meter>
EOF
fails "no Device" 'meter "home": option Device is missing'

check short_key <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$short_key"
  </Meter>
EOF
fails "31-digit key" 'meter "home": option Key is not 32 hex digits'
short_out=$out

check nonhex_key <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    AuthKey "$nonhex_key"
    Key "$key"
  </Meter>
EOF
fails "non-hex AuthKey" 'meter "home": option AuthKey is not 32 hex digits'
nonhex_out=$out

check unknown_option <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$key"
    Speed 2400
  </Meter>
EOF
fails "unknown option" 'meter "home": unknown option "Speed"'

check unknown_top <<EOF
  Device "$E2E_TMP/vkw.tty"
EOF
fails "option outside <Meter>" 'unknown option "Device" \(expected <Meter'

check duplicate <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$key"
  </Meter>
  <Meter "home">
    Device "/dev/ttyUSB7"
    Key "$key"
  </Meter>
EOF
fails "duplicate meter name" 'meter "home": a <Meter> of this name exists'

check same_device <<EOF
  <Meter "a">
    Device "$E2E_TMP/vkw.tty"
  </Meter>
  <Meter "b">
    Device "$E2E_TMP/vkw.tty"
  </Meter>
EOF
fails "one device, two meters" 'meter "b": option Device ".*" is used by meter "a"'

check missing_keyfile <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP/no-such.key"
  </Meter>
EOF
fails "unreadable KeyFile" 'meter "home": KeyFile ".*no-such.key" cannot be read'

check dir_keyfile <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP"
  </Meter>
EOF
fails "KeyFile is a directory" 'meter "home": KeyFile ".*" is not a regular file'

printf '%s\n' "$short_key" >"$E2E_TMP/bad.key"
chmod 600 "$E2E_TMP/bad.key"
check bad_keyfile <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP/bad.key"
  </Meter>
EOF
fails "KeyFile without 32 hex digits" 'meter "home": KeyFile ".*bad.key" must contain exactly 32 hex digits'
keyfile_out=$out

(umask 077 && printf '%s\n' "$key" >"$E2E_TMP/good.key")
check both_keys <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Key "$key"
    KeyFile "$E2E_TMP/good.key"
  </Meter>
EOF
fails "Key and KeyFile" 'meter "home": give Key/KeyFile only once'

check parity <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Parity "mark"
  </Meter>
EOF
fails "bad Parity" 'meter "home": option Parity: expected "none", "even", "odd" or "auto"'

check databits <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    DataBits 9
  </Meter>
EOF
fails "bad DataBits" 'meter "home": option DataBits: expected a number from 5 to 8'

check framing <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    Framing "sml"
  </Meter>
EOF
fails "bad Framing" 'meter "home": option Framing: expected "auto", "mbus", "hdlc", "dsmr", "amis" or "apdu"'

check maxage <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    MaxAge 0
  </Meter>
EOF
fails "MaxAge 0" 'meter "home": option MaxAge: expected a positive number'

check bad_name <<EOF
  <Meter "a/b">
    Device "$E2E_TMP/vkw.tty"
  </Meter>
EOF
fails "name with /" 'meter "a/b": the name must be'

(umask 022 && printf '%s\n' "$key" >"$E2E_TMP/shared.key")
check shared_keyfile <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP/shared.key"
  </Meter>
EOF
is "KeyFile readable by others: still passes" "$rc" 0
like "KeyFile readable by others: warning" "$out" \
  '\[warning\] smartmeter plugin: meter "home": KeyFile ".*shared.key" can be read by group or others'
shared_out=$out

(umask 077 && printf '  %s\n\n' "$key" >"$E2E_TMP/private.key")
check private_keyfile <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$E2E_TMP/private.key"
  </Meter>
EOF
is "KeyFile 0600 (whitespace around the key): passes" "$rc" 0
unlike "KeyFile 0600: no warning" "$out" 'can be read by group'
private_out=$out

all="$good_out$short_out$nonhex_out$keyfile_out$shared_out$private_out"
unlike "no output contains the good key" "$all" "$key|${key:0:12}"
unlike "no output contains a bad key" "$all" \
  "${short_key:0:12}|${nonhex_key:0:12}"

check no_meter <<EOF
EOF
is "no <Meter>: collectd -T passes" "$rc" 0
like "no <Meter>: warning" "$out" 'no <Meter> is configured'

done_testing
