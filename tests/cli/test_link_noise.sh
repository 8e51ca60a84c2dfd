#!/bin/bash
# SPDX-License-Identifier: MIT
# Noise per link layer through smartmeter-decode (Framing auto): five
# telegrams of each kind - M-Bus (VKW), HDLC in one frame (Kärnten IM350),
# HDLC in S-bit segments (the VKW telegram in 100-byte frames), HDLC with
# General-Block-Transfer (L+G E450, tag checked), a bare DB APDU with DSMR
# inside (Steiermark T210-D-R) and plain DSMR P1 text - each behind random
# bytes, a fake header of its own link layer that claims far more bytes
# than follow (HDLC: with a valid HCS), and a copy of its first frame with
# one byte changed (link-noise.py). Every intact telegram is decoded
# exactly once, in order, with its values; each changed copy is caught by
# its check and reported (counted in errors-checksum), never decoded. Then a telegram cut by a dropout (its
# length field intact) ahead of four whole ones: all four decoded.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
EXPECTED="$SM_SRCDIR/tests/cli/expected.tsv"
FORGE="$SM_BUILDDIR/tests/e2e/sm-forge"
NOISE="$SM_SRCDIR/tests/cli/link-noise.py"
[ -x "$FORGE" ] || bail "missing $FORGE"

expected_json() { awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$EXPECTED"; }
sans_fc() { sed 's/"frame_counter":[0-9]*,//'; }
counters() { sed -n 's/.*"frame_counter":\([0-9a-z]*\).*/\1/p' | tr '\n' ' '; }

vkw=ksmwest_vkw_philippsev_2023-07-26.hex
im350=extra_hdlc_wienernetze_im350_shrdzm_1.hex
e450=extra_hdlc_lg_e450_dlmsparser_2.hex
stmk=extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex
ak_of() { sed -n 's/^# ak: *//p' "$1" | head -1; }

# label link capture [sm-forge options]: five telegrams in $T/label/,
# counters after the capture's own (none for unsealed ones).
cases="mbus mbus $vkw
hdlc hdlc $im350
segments hdlc $vkw -F hdlc -S 100
gbt hdlc $e450
apdu apdu $stmk -a 00112233445566778899AABBCCDDEEFF
dsmr dsmr $stmk -u -F apdu"

# The JSON (without the counter) every telegram of a case must give.
want_of() { # label capture
  case $1 in
  dsmr)
    expected_json "$2" | sans_fc |
      sed 's/"system_title":"[0-9A-F]*"/"system_title":null,"frame_counter":null/' ;;
  *) expected_json "$2" | sans_fc ;;
  esac
}

# The counters of the five forged telegrams, as the JSON prints them.
counters_of() { # label
  local f
  for f in "$T/$1"/t*.hex; do
    sed -n 's/^# made by sm-forge: frame counter \([0-9]*\),.*/\1/p' "$f" |
      grep . || echo null
  done | tr '\n' ' '
}

decode_case() { # label capture stream -> $T/d.{out,err,rc}
  local f=$VECTORS/$2
  local ak=
  [ "$1" = gbt ] && ak=$(ak_of "$f")
  local key
  key=$(key_of "$f")
  [ "$1" = dsmr ] && key=
  run_decode "$T/d" ${key:+--key "$key"} ${ak:+--auth-key "$ak"} \
    --format json "$3"
}

while read -r label link capture opts; do
  mkdir -p "$T/$label"
  # shellcheck disable=SC2086 # opts is option words
  "$FORGE" $opts -n 5 -o "$T/$label" "$VECTORS/$capture" ||
    bail "sm-forge $label"
  want=$(want_of "$label" "$capture")
  ok "$label: has an expected line" test -n "$want"

  python3 "$NOISE" --link "$link" --seed 7 "$T/$label.bin" "$T/$label"/t*.hex
  decode_case "$label" "$capture" "$T/$label.bin"
  is "$label: noise: exit 0" "$(cat "$T/d.rc")" 0
  is "$label: noise: each telegram exactly once, in order" \
    "$(counters <"$T/d.out")" "$(counters_of "$label")"
  is "$label: noise: every line has the capture's values" \
    "$(sans_fc <"$T/d.out" | sort -u)" "$want"
  # Each changed copy is a checksum error, even one that lies inside
  # what a fake header claims (the fakes may add more).
  bad=$(grep -c 'checksum mismatch' "$T/d.err")
  ok "$label: noise: each of the 5 changed copies reported ($bad)" \
    test "$bad" -ge 5

  python3 "$NOISE" --link "$link" --cut 100 "$T/$label.cut" "$T/$label"/t*.hex
  decode_case "$label" "$capture" "$T/$label.cut"
  is "$label: cut telegram ahead: the four whole ones decoded" \
    "$(counters <"$T/d.out")" "$(counters_of "$label" | cut -d' ' -f2-)"
done <<<"$cases"

# The smallest case: five times a fake HDLC header (valid HCS, 2047 bytes
# claimed), a copy of the IM350 frame with a bad FCS, the frame itself.
python3 "$NOISE" --link hdlc --no-random "$T/small.bin" "$T/hdlc"/t*.hex
decode_case hdlc "$im350" "$T/small.bin"
is "fake header + bad copy + frame, x5: five telegrams" \
  "$(counters <"$T/d.out")" "$(counters_of hdlc)"
is "fake header + bad copy + frame, x5: each bad FCS reported" \
  "$(grep -c 'checksum mismatch' "$T/d.err")" 5

done_testing
