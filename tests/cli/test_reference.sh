#!/bin/bash
# SPDX-License-Identifier: MIT
# Every real capture decoded twice, by smartmeter-decode and by
# tests/reference/smref.py, a second decoder written apart from the C one
# (Python, OpenSSL's AES through python3-cryptography, the layouts from
# INTERFACES.md): meter time, number, device name, system title, frame
# counter and every (OBIS code, value, unit) must agree. Where a capture
# has an authentication key, the CLI with --auth-key must accept exactly
# the tags the reference verifies. Then the same for variants of every
# DLMS capture with other numbers in it. Then the comparison itself is
# shown to catch a changed value, unit, time or missing reading, and the
# reference to refuse a corrupted frame.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
REF="$SM_SRCDIR/tests/reference/smref.py"
python3 -c 'import cryptography' 2>/dev/null ||
  bail "python3 cannot import cryptography (Debian: python3-cryptography)"

ak_of() { sed -n 's/^# ak: *//p' "$1" | head -1; }
ref_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

n=0
for f in "$VECTORS"/*.hex "$VECTORS"/unencrypted/*.hex; do
  name=${f#"$VECTORS"/}
  key=$(key_of "$f")
  n=$((n + 1))
  python3 "$REF" "$f" >"$T/ref.json" 2>"$T/ref.err"
  is "$name: the reference decodes it" "$?:$(head -c 300 "$T/ref.err")" "0:"
  run_decode "$T/j" --hex ${key:+--key "$key"} --format json "$f"
  python3 "$REF" --against "$T/j.out" "$f" >"$T/diff" 2>&1
  is "$name: the CLI and the reference agree" "$?:$(head -20 "$T/diff")" "0:"

  ak=$(ak_of "$f")
  [ -n "$ak" ] || continue
  verified=$(ref_field authenticated <"$T/ref.json")
  run_decode "$T/a" --hex --key "$key" --auth-key "$ak" --format json "$f"
  if [ "$verified" = True ]; then
    is "$name: the tag verifies in both" "$(cat "$T/a.rc")" 0
    cmp -s "$T/a.out" "$T/j.out"
    is "$name: the same line with --auth-key" "$?" 0
  else
    is "$name: the tag fails in both (CLI refuses)" \
      "$(cat "$T/a.rc"):$(wc -c <"$T/a.out")" "1:0"
  fi
done
diag "$n captures compared"

# The same telegrams with other numbers: every integer value of each
# data-notification replaced (tests/reference/smref.py --vary: edge
# values, small and any of the type), the digits of every DSMR reading
# too, sealed again in the capture's own frames by sm-forge -P (which
# writes a DSMR text's CRC anew), then decoded by both. Readings beyond the
# README's bounds must be missing from the CLI's line and the first of
# them named on its stderr; every other one must agree; and the Influx
# line, read back by the line protocol's rules, must say the same.
FORGE="$SM_BUILDDIR/tests/e2e/sm-forge"
[ -x "$FORGE" ] || bail "no sm-forge at $FORGE"
VARIANTS=${SM_REFERENCE_VARIANTS:-20}
c=0
dropped=0
for f in "$VECTORS"/*.hex; do
  name=${f#"$VECTORS"/}
  "$FORGE" -p "$f" >"$T/pt.hex" 2>/dev/null || continue # AMIS: not DLMS
  case $(head -c 2 "$T/pt.hex") in
  0F | 2F) ;; # a data-notification, a DSMR text ("/")
  *) bail "$name: sm-forge -p gives neither" ;;
  esac
  # A tagged capture without its AK is sealed untagged (SC 0x20).
  untagged=()
  [ -n "$(ak_of "$f")" ] || untagged=(-s 0x20)
  c=$((c + 1))
  rm -rf "$T/var" && mkdir "$T/var"
  python3 "$REF" --vary $((c * 1000)) "$VARIANTS" "$T/pt.hex" "$T/var" ||
    bail "$name: no variants"
  : >"$T/var/list"
  for k in $(seq 1 "$VARIANTS"); do
    "$FORGE" "${untagged[@]}" -P "$T/var/pt$k.hex" -i "$k" -n 1 -o "$T/var" \
      "$f" >/dev/null ||
      bail "$name: cannot seal variant $k"
    t=$(printf '%s/var/t%05d' "$T" "$k")
    run_decode "$t" --hex --key "$(key_of "$f")" --format json "$t.hex"
    grep -q 'beyond the bound' "$t.err" && dropped=$((dropped + 1))
    TZ=UTC0 "$DECODE" --hex --key "$(key_of "$f")" --format influx \
      --timestamp meter "$t.hex" >"$t.influx" 2>/dev/null
    echo "$t.out $t.hex $t.err $t.influx" >>"$T/var/list"
  done
  python3 "$REF" --against-each "$T/var/list" >"$T/vdiff" 2>&1
  is "$name: $VARIANTS variants with other numbers agree" \
    "$?:$(head -5 "$T/vdiff")" "0:"
done
is "variants of every capture but AMIS (21 DLMS, 2 DSMR texts)" "$c" 23
like "some variants had readings beyond their bounds" "$dropped" '^[1-9]'
diag "$((c * VARIANTS)) variants; $dropped with readings dropped as implausible"

# The comparison can fail: one changed field at a time in the VKW line.
vkw="$VECTORS/ksmwest_vkw_philippsev_2023-07-26.hex"
run_decode "$T/v" --hex --key "$(key_of "$vkw")" --format json "$vkw"
mutate() { # NAME SED-EXPRESSION WANTED-IN-THE-DIFFERENCES
  sed "$2" "$T/v.out" >"$T/m.json"
  python3 "$REF" --against "$T/m.json" "$vkw" >"$T/m.diff" 2>&1
  local rc=$?
  is "a $1 is caught" "$rc" 1
  like "a $1 is named" "$(cat "$T/m.diff")" "$3"
}
mutate "value one Wh off" 's/"value":3744082/"value":3744083/' '^1\.0\.1\.8\.0\.255: 3744083 Wh'
mutate "scaled value" 's/"value":232.8,/"value":2328,/' '^1\.0\.52\.7\.0\.255: 2328 V'
mutate "wrong unit" 's/"value":53,"unit":"W"/"value":53,"unit":"kW"/' '^1\.0\.1\.7\.0\.255: 53 kW'
mutate "meter time" 's/20:05:20/20:05:21/' '^meter_time:'
mutate "missing reading" 's/"1\.0\.4\.8\.0\.255":{[^}]*},*//; s/,}}$/}}/' '^1\.0\.4\.8\.0\.255: only in the reference'
mutate "swapped pair" 's/"value":3744082/"value":3929988/' '^1\.0\.1\.8\.0\.255: 3929988'

# The reference has checks of its own: a changed byte in the M-Bus stop
# byte, and in an HDLC frame's FCS, is refused.
flip() { # SRC DST OFFSET-FROM-THE-END: that byte XOR 1
  python3 - "$@" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = [l for l in lines if l.startswith("#")]
data = bytearray.fromhex("".join(l for l in lines if not l.startswith("#")))
data[-int(sys.argv[3])] ^= 0x01
open(sys.argv[2], "w").write("\n".join(head + [data.hex().upper()]) + "\n")
PY
}
flip "$vkw" "$T/bad-stop.hex" 1
python3 "$REF" "$T/bad-stop.hex" >/dev/null 2>"$T/e1"
is "the reference refuses a bad M-Bus stop byte" "$?:$(tail -1 "$T/e1")" \
  "1:ValueError: M-Bus stop byte"
flip "$VECTORS/extra_hdlc_wels_im350_shrdzm_1.hex" "$T/bad-fcs.hex" 3
python3 "$REF" "$T/bad-fcs.hex" >/dev/null 2>"$T/e2"
is "the reference refuses a bad HDLC FCS" "$?:$(tail -1 "$T/e2")" \
  "1:ValueError: HDLC FCS"
done_testing
