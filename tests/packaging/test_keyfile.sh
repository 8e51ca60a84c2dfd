#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_keyfile.sh - the plugin (KeyFile, through `collectd -T`) and the CLI
# (--key-file) read key files with the same reader (port/sm_keyfile.c):
# the same warning for a file group or others can read, none for a private
# one, the same 4 KiB limit (4096 bytes pass, 4097 do not), the same
# verdict on a file that holds no key. Differences by design: the plugin
# refuses anything but a regular file, the CLI also reads a pipe.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 180

DECODE=$SM_BUILDDIR/cli/smartmeter-decode
[ -x "$DECODE" ] || bail "missing $DECODE"
key=$(e2e_key_of "$E2E_VKW")
warning='can be read by group or others; it holds a secret key \(chmod 600 it\)\.'
K=$E2E_TMP/keys
mkdir -p "$K"

# A file of exactly $2 bytes: the key, then spaces.
sized_key() { # path size
  (umask 077 && printf '%s%*s' "$key" $(($2 - ${#key})) '' >"$1")
}
(umask 022 && printf '%s\n' "$key" >"$K/shared.key")
(umask 077 && printf '%s\n' "$key" >"$K/private.key")
(umask 077 && printf 'not a key\n' >"$K/nokey.key")
sized_key "$K/max.key" 4096
sized_key "$K/over.key" 4097
is "fixture: 4096-byte key file" "$(wc -c <"$K/max.key")" 4096
is "fixture: 4097-byte key file" "$(wc -c <"$K/over.key")" 4097

e2e_telegrams vkw "$E2E_VKW" 20
e2e_sim_start vkw 1 --pace 0.5

plugin() { # name keyfile -> prc, pout
  e2e_conf "$1" 10 <<EOF
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$2"
  </Meter>
EOF
  prc=0
  timeout 30 collectd -T -C "$E2E_TMP/$1.conf" >"$E2E_TMP/$1.d/stdout" 2>&1 ||
    prc=$?
  pout=$(cat "$E2E_TMP/$1.d/stdout" "$(e2e_log "$1")" 2>/dev/null)
}
cli() { # keyfile -> crc, cerr
  crc=0
  "$DECODE" --hex --key-file "$1" --format json "$E2E_TMP/vkw/t00001.hex" \
    >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" </dev/null || crc=$?
  cerr=$(cat "$E2E_TMP/cli.err")
}

plugin shared "$K/shared.key"
cli "$K/shared.key"
is "shared key file: plugin accepts it" "$prc" 0
is "shared key file: CLI accepts it" "$crc" 0
like "shared key file: plugin warns" "$pout" \
  "\[warning\] smartmeter plugin: meter \"home\": KeyFile \"$K/shared.key\" $warning"
like "shared key file: CLI warns on stderr, same words" "$cerr" \
  "^smartmeter-decode: warning: key file $K/shared.key $warning\$"
like "shared key file: CLI still decodes" "$(cat "$E2E_TMP/cli.out")" \
  '"name":"energy_import","value":3744082'

plugin private "$K/private.key"
cli "$K/private.key"
is "private key file: plugin accepts it" "$prc" 0
is "private key file: CLI accepts it" "$crc" 0
unlike "private key file: plugin does not warn" "$pout" 'can be read by group'
is "private key file: CLI prints nothing on stderr" "$cerr" ""

plugin max "$K/max.key"
cli "$K/max.key"
is "4096 bytes: plugin accepts it" "$prc" 0
is "4096 bytes: CLI accepts it" "$crc" 0

plugin over "$K/over.key"
cli "$K/over.key"
ok "4097 bytes: plugin refuses it" test "$prc" -ne 0
like "4097 bytes: plugin names option and file" "$pout" \
  "KeyFile \"$K/over.key\" must contain exactly 32 hex digits"
is "4097 bytes: CLI refuses it (usage error)" "$crc" 2
like "4097 bytes: CLI names the file" "$cerr" "cannot read key file $K/over.key"

plugin nokey "$K/nokey.key"
cli "$K/nokey.key"
ok "no key inside: plugin refuses it" test "$prc" -ne 0
is "no key inside: CLI refuses it" "$crc" 2
like "no key inside: CLI says so" "$cerr" 'does not hold a key of exactly 32 hex digits'

mkfifo "$K/fifo"
plugin fifo "$K/fifo"
# (Without a writer, opening a FIFO blocks: `timeout 30` would end it, 124.)
ok "a FIFO: plugin refuses it at once" test "$prc" -ne 0 -a "$prc" -ne 124
like "a FIFO: plugin says it is not a regular file" "$pout" \
  "KeyFile \"$K/fifo\" is not a regular file"
crc=0
"$DECODE" --hex --key-file <(printf '%s\n' "$key") --format json \
  "$E2E_TMP/vkw/t00001.hex" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" || crc=$?
is "a pipe: CLI reads it" "$crc" 0
is "a pipe: no warning" "$(cat "$E2E_TMP/cli.err")" ""

all="$pout$cerr$(cat "$E2E_TMP"/*.d/stdout)"
unlike "no output shows the key" "$all" "${key:0:12}"

done_testing
