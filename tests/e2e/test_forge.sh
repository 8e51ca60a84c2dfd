#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_forge.sh - tests/e2e/sm-forge, the tool every simulated meter's
# telegrams come from, checked against the real captures: sealed again with
# the capture's own frame counter (from tests/vectors/DECODED.md), each
# capture - M-Bus, HDLC single frame, HDLC + General-Block-Transfer, bare
# APDU - comes back byte for byte (tag included where its auth key is
# known). Where the auth key is unknown or does not fit (the Steiermark
# DSMR captures), only the 12 tag bytes differ. The other framings
# (-F hdlc/mbus/apdu, -u) decode through the CLI to the capture's values.
# No collectd here: a few seconds.
. "$SM_SRCDIR/tests/tap.sh"
FORGE=$SM_BUILDDIR/tests/e2e/sm-forge
DECODE=$SM_BUILDDIR/cli/smartmeter-decode
VEC=$SM_SRCDIR/tests/vectors
[ -x "$FORGE" ] || bail "missing $FORGE"
[ -x "$DECODE" ] || bail "missing $DECODE"
T=$(mktemp -d "${TMPDIR:-/tmp}/sm-forge-test.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT

hex_of() { grep -v '^#' "$1" | tr -d ' \r\n' | tr 'a-f' 'A-F'; }
key_of() { sed -n 's/^# key: *//p' "$1" | head -1; }
# The frame counter DECODED.md gives for a capture ("FC=... (N)"); for the
# captures added since (not in DECODED.md), the one the CLI reads off it.
fc_of() {
  local fc
  fc=$(sed -n "/^## $1\$/,/^## /p" "$VEC/DECODED.md" |
    sed -n 's/.* FC=[0-9A-F]* (\([0-9]*\)).*/\1/p' | head -1)
  [ -n "$fc" ] || fc=$("$DECODE" --hex --key "$(key_of "$VEC/$1")" \
    --format json "$VEC/$1" | sed -n 's/.*"frame_counter":\([0-9]*\).*/\1/p')
  echo "$fc"
}

# Captures sealed again with their own counter: the same bytes.
for f in "$VEC"/*.hex; do
  name=$(basename "$f")
  case $name in
  amis_*) continue ;; # not DLMS (AES-CBC M-Bus): sm-forge refuses it
  extra_dsmr_*) continue ;; # tag: below
  esac
  fc=$(fc_of "$name")
  mkdir -p "$T/$name"
  "$FORGE" -c "$fc" -o "$T/$name" "$f" 2>"$T/err"
  is "$name: sealed again with counter $fc gives the capture's bytes" \
    "$(hex_of "$T/$name/t00001.hex")" "$(hex_of "$f")"
done

# No auth key (shrdzm) or one that does not fit the tag (rddl, see
# DECODED.md): the ciphertext is the same, the 12 tag bytes are not.
for name in extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex \
  extra_dsmr_in_gcm_steiermark_sagemcom_rddl.hex; do
  f=$VEC/$name
  mkdir -p "$T/$name"
  "$FORGE" -a 000102030405060708090A0B0C0D0E0F -c "$(fc_of "$name")" \
    -o "$T/$name" "$f"
  got=$(hex_of "$T/$name/t00001.hex")
  want=$(hex_of "$f")
  is "$name: all but the tag equal" "${got:0:${#got}-24}" "${want:0:${#want}-24}"
  ok "$name: the tag differs" test "${got: -24}" != "${want: -24}"
done
rddl=$VEC/extra_dsmr_in_gcm_steiermark_sagemcom_rddl.hex
mkdir -p "$T/rddl-ak"
"$FORGE" -c "$(fc_of "$(basename "$rddl")")" -o "$T/rddl-ak" "$rddl"
got=$(hex_of "$T/rddl-ak/t00001.hex")
want=$(hex_of "$rddl")
ok "rddl: its published auth key gives another tag (DECODED.md: False)" \
  test "${got: -24}" != "${want: -24}"

# The JSON of a decode, without the frame counter (which sm-forge changes).
json_sans_fc() {
  "$DECODE" --hex "$@" --format json 2>/dev/null |
    sed 's/"frame_counter":[0-9]*,//'
}

# Other framings of the same telegram decode to the same values.
vkw=$VEC/ksmwest_vkw_philippsev_2023-07-26.hex
want=$(json_sans_fc --key "$(key_of "$vkw")" "$vkw")
for spec in "hdlc:" "hdlc:-S 100" "apdu:" "mbus:-S 120"; do
  fr=${spec%%:*}
  extra=${spec#*:}
  d=$T/vkw-$fr-${extra// /}
  mkdir -p "$d"
  # shellcheck disable=SC2086 # extra is option words
  "$FORGE" -F "$fr" $extra -n 3 -o "$d" "$vkw"
  is "VKW as -F $fr $extra: 3 files" "$(find "$d" -name 't*.hex' | wc -l)" 3
  is "VKW as -F $fr $extra: decodes to the capture's values" \
    "$(json_sans_fc --key "$(key_of "$vkw")" --input "$fr" "$d/t00002.hex")" \
    "$want"
done
like "-F hdlc -S 100: S-bit segments (format A8)" \
  "$(hex_of "$T/vkw-hdlc--S100/t00001.hex")" '^7EA8'
like "-F hdlc: one frame, the encoder's addresses" \
  "$(hex_of "$T/vkw-hdlc-/t00001.hex")" '^7EA1..CF0002002313'

# GBT: new counters, same frame and block structure, decodes.
e450=$VEC/extra_hdlc_lg_e450_dlmsparser_2.hex
mkdir -p "$T/e450"
"$FORGE" -n 2 -o "$T/e450" "$e450"
got=$(hex_of "$T/e450/t00002.hex")
want=$(hex_of "$e450")
is "E450: same length" "${#got}" "${#want}"
is "E450: frame and GBT block headers kept" \
  "${got:0:36}|${got:282:30}|${got:564:30}" \
  "${want:0:36}|${want:282:30}|${want:564:30}"
is "E450: frame counter 707717 decodes, tag checked" \
  "$("$DECODE" --hex --key "$(key_of "$e450")" \
    --auth-key "$(sed -n 's/^# ak: *//p' "$e450")" --format json \
    "$T/e450/t00002.hex" | sed -n 's/.*"frame_counter":\([0-9]*\).*/\1/p')" \
  707717

# -u -F apdu: the DSMR plaintext itself, a plain P1 telegram.
shrdzm=$VEC/extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex
mkdir -p "$T/p1"
"$FORGE" -u -F apdu -n 2 -o "$T/p1" "$shrdzm"
text=$(grep -v '^#' "$T/p1/t00001.hex" | xxd -r -p)
like "-u: the plaintext starts with the ident line" "$text" '^/EST5\\253717584_A'
like "-u: and ends with its CRC" "$text" '!EEE5'
like "-u: decodes without a key" \
  "$("$DECODE" --hex --format json "$T/p1/t00001.hex")" \
  '"system_title":null,.*"1.0.1.8.0.255":\{"name":"energy_import","value":14159934,"unit":"Wh"\}'

# Usage errors.
"$FORGE" -F bogus -n 1 -o "$T" "$vkw" 2>/dev/null
is "unknown -F: usage error" "$?" 2
"$FORGE" -n 1 -o "$T" "$VEC/amis_netzooe_spec_example.hex" 2>"$T/err"
is "AMIS: refused" "$?" 1
"$FORGE" -n 1 -o "$T" "$shrdzm" 2>"$T/err"
like "SC 0x30 without an auth key: refused, says why" "$(cat "$T/err")" \
  'needs -a AUTHKEY'

done_testing
