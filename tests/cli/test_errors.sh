#!/bin/bash
# SPDX-License-Identifier: MIT
# smartmeter-decode: exit codes 0/1/2, error messages with telegram
# positions, --check-key, --quiet, bad input, and that no key ever shows
# up in stdout/stderr (nor in --help).
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"

VKW="$VECTORS/ksmwest_vkw_philippsev_2023-07-26.hex"
EVN="$VECTORS/evn_netznoe_kaifa_fkw9_real.hex"
KEY=$(key_of "$VKW")
WRONG=00112233445566778899AABBCCDDEEFF
SECRETS="$KEY $WRONG 0123456789abcdef0123456789ABCDEF 0011223344"
ALL="$T/all-output" # every stdout/stderr of this file, checked at the end
: >"$ALL"
keep() { cat "$1.out" "$1.err" >>"$ALL"; }

# --- exit codes and messages ---------------------------------------------
run_decode "$T/a" --hex --key "$WRONG" "$VKW"; keep "$T/a"
is "wrong key: exit 1" "$(cat "$T/a.rc")" 1
is "wrong key: nothing on stdout" "$(cat "$T/a.out")" ""
like "wrong key: message with position" "$(cat "$T/a.err")" '^telegram 1: .*(key|APDU)'
is "wrong key: one message" "$(wc -l <"$T/a.err")" 1

run_decode "$T/b" --hex "$VKW"; keep "$T/b"
is "no key: exit 1" "$(cat "$T/b.rc")" 1
like "no key: says no key configured" "$(cat "$T/b.err")" '^telegram 1: .*no key'

# A good telegram after a bad one: positions count attempts, exit 0.
cat "$EVN" "$VKW" >"$T/two.hex"
run_decode "$T/c" --hex --key "$KEY" --format json "$T/two.hex"; keep "$T/c"
is "one of two decodes: exit 0" "$(cat "$T/c.rc")" 0
like "first telegram failed" "$(cat "$T/c.err")" '^telegram 1: '
is "second telegram printed" "$(grep -c '"frame_counter":2554820' "$T/c.out")" 1
run_decode "$T/q" --hex --key "$KEY" --quiet --format json "$T/two.hex"; keep "$T/q"
is "--quiet: no per-telegram errors" "$(cat "$T/q.err")" ""
is "--quiet: exit 0" "$(cat "$T/q.rc")" 0

# Truncated input: the half telegram is reported at the end.
grep -v '^#' "$VKW" | head -4 >"$T/half.hex"
run_decode "$T/h" --hex --key "$KEY" "$T/half.hex"; keep "$T/h"
is "half telegram: exit 1" "$(cat "$T/h.rc")" 1
like "half telegram: reported" "$(cat "$T/h.err")" 'incomplete frame or telegram dropped at the end of the input'

# --- input problems -----------------------------------------------------
: >"$T/empty"
run_decode "$T/e" --key "$KEY" "$T/empty"; keep "$T/e"
is "empty input: exit 1" "$(cat "$T/e.rc")" 1
like "empty input: says so" "$(cat "$T/e.err")" 'input is empty'
run_decode "$T/n" --key "$KEY" "$VKW"; keep "$T/n"
is "hex text without --hex: exit 1" "$(cat "$T/n.rc")" 1
like "hex text without --hex: hint" "$(cat "$T/n.err")" 'no telegram found.*--hex'
printf '68FA zz\n' >"$T/bad.hex"
run_decode "$T/x" --hex --key "$KEY" "$T/bad.hex"; keep "$T/x"
is "bad hex: exit 1" "$(cat "$T/x.rc")" 1
like "bad hex: line and character" "$(cat "$T/x.err")" "line 1: 'z' is not a hex digit"
printf '# comment\n68F\n' >"$T/odd.hex"
run_decode "$T/o" --hex --key "$KEY" "$T/odd.hex"; keep "$T/o"
like "odd hex digits: reported" "$(cat "$T/o.err")" 'half a byte'
is "odd hex digits: exit 1" "$(cat "$T/o.rc")" 1
run_decode "$T/m" --key "$KEY" "$T/does-not-exist"; keep "$T/m"
is "missing file: exit 1" "$(cat "$T/m.rc")" 1
like "missing file: named" "$(cat "$T/m.err")" 'cannot open .*does-not-exist'

# --- usage errors: exit 2, one line, never the key ------------------------
usage() { # name expected-regex args...
  local name=$1 re=$2
  shift 2
  run_decode "$T/u" "$@"
  keep "$T/u"
  is "usage: $name: exit 2" "$(cat "$T/u.rc")" 2
  like "usage: $name: message" "$(cat "$T/u.err")" "$re"
  is "usage: $name: nothing on stdout" "$(cat "$T/u.out")" ""
}
usage "short key" 'exactly 32 hex digits' --key 0011223344 "$VKW"
usage "non-hex key" 'exactly 32 hex digits' --key "${KEY%?}G" "$VKW"
usage "key twice" 'more than once' --key "$KEY" --key "$WRONG" "$VKW"
usage "key file missing" 'cannot open key file' --key-file "$T/nokey" "$VKW"
usage "key given as key file" 'looks like a key' --key-file "$WRONG" "$VKW"
echo 0011 >"$T/shortkey"
usage "key file short" 'does not hold a key' --key-file "$T/shortkey" "$VKW"
usage "bad auth key" 'auth-key needs exactly 32' --auth-key 12 "$VKW"
usage "unknown option with value" "unknown or ambiguous option '--kee'" --kee="$WRONG" "$VKW"
usage "ambiguous abbreviation" "unknown or ambiguous option '--k'" --k="$WRONG" "$VKW"
usage "missing value" "missing value for option '--format'" --format
usage "bad format" "unknown --format 'xml'" --format xml "$VKW"
usage "bad supplier" "unknown --supplier" --supplier Foo "$VKW"
usage "bad parity" "unknown --parity" --device /dev/null --parity mark
usage "bad data bits" "invalid value for --data-bits" --device /dev/null --data-bits 9
usage "bad baud" "invalid value for --baud" --device /dev/null --baud x
usage "device and file" "either --device or an input file" --device /dev/null "$VKW"
usage "two files" "more than one input file" "$VKW" "$VKW"
usage "bad timestamp" "unknown --timestamp" --timestamp later "$VKW"
usage "bad input mode" "unknown --input" --input sml "$VKW"

# Accepted spellings.
run_decode "$T/s" --hex --key "$KEY" --supplier ksmwest --format json "$VKW"
is "--supplier ksmwest accepted" "$(cat "$T/s.rc")" 0
run_decode "$T/s" --hex --key "$KEY" --supplier EVN --input mbus -q "$VKW"
is "--supplier EVN --input mbus accepted" "$(cat "$T/s.rc")" 0

# --- --check-key ---------------------------------------------------------
run_decode "$T/k" --hex --check-key --key "$KEY" "$VKW"; keep "$T/k"
is "check-key good: exit 0" "$(cat "$T/k.rc")" 0
like "check-key good: key OK" "$(cat "$T/k.out")" '^key OK'
is "check-key good: no telegram output" "$(wc -l <"$T/k.out")" 1
run_decode "$T/k" --hex --check-key --key "$WRONG" "$VKW"; keep "$T/k"
is "check-key wrong: exit 1" "$(cat "$T/k.rc")" 1
like "check-key wrong: says key wrong" "$(cat "$T/k.err")" 'key wrong'
is "check-key wrong: one line" "$(wc -l <"$T/k.err")" 1
run_decode "$T/k" --hex --check-key "$VKW"; keep "$T/k"
like "check-key without key: asks for one" "$(cat "$T/k.err")" 'give --key'
is "check-key without key: exit 1" "$(cat "$T/k.rc")" 1

# --- help / version ------------------------------------------------------
run_decode "$T/v" --version
is "--version: exit 0" "$(cat "$T/v.rc")" 0
like "--version: names the program" "$(cat "$T/v.out")" '^smartmeter-decode .*[0-9]+\.[0-9]+'
run_decode "$T/h" --help; keep "$T/h"
is "--help: exit 0" "$(cat "$T/h.rc")" 0
like "--help: usage line" "$(cat "$T/h.out")" '^Usage: smartmeter-decode'
for opt in --hex --device --baud --parity --data-bits --stop-bits --key \
  --key-file --auth-key --auth-key-file --supplier --format --meter \
  --timestamp --quiet --check-key --convert-kaifareader --version; do
  like "--help mentions $opt" "$(cat "$T/h.out")" -- "$opt"
done
run_decode "$T/h" --key "$KEY" --help; keep "$T/h"
is "--help after --key: exit 0" "$(cat "$T/h.rc")" 0

# --- no key anywhere -----------------------------------------------------
for s in $SECRETS; do
  lower=$(printf '%s' "$s" | tr 'A-F' 'a-f')
  upper=$(printf '%s' "$s" | tr 'a-f' 'A-F')
  is "no output ever contains $upper" "$(grep -c -i -e "$lower" -e "$upper" "$ALL")" 0
done
ok "collected output is not empty" test -s "$ALL"

done_testing
