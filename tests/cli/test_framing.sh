#!/bin/bash
# SPDX-License-Identifier: MIT
# smartmeter-decode --input NAME for every framing name: a capture of each
# link layer - M-Bus (VKW), HDLC (Kärnten IM350 in one frame, the L+G E450
# in three GBT frames), bare APDU (Steiermark DSMR in GCM) and a plain
# DSMR P1 telegram (the same text, unencrypted, made by sm-forge -u), and
# Netz OÖ's AMIS frame (M-Bus CI 0x5B, AES-CBC: --input mbus refuses it) -
# decodes to its expected.tsv line with auto and with its own name forced;
# any other forced name finds nothing (exit 1, "no telegram found"). The
# bare-APDU reader has no frame check of its own: forced on M-Bus or GBT
# frames it may find the DB inside them, but the frame bytes in between
# always spoil it (an error, never a telegram); in a one-frame HDLC
# telegram the APDU is whole, and the reader skips the frame bytes around
# it as it skips any noise.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
EXPECTED="$SM_SRCDIR/tests/cli/expected.tsv"
FORGE="$SM_BUILDDIR/tests/e2e/sm-forge"
[ -x "$FORGE" ] || bail "missing $FORGE"

expected_json() { awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$EXPECTED"; }

shrdzm=extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex
mkdir -p "$T/p1"
"$FORGE" -u -F apdu -n 1 -o "$T/p1" "$VECTORS/$shrdzm" || bail "sm-forge -u"
cp "$T/p1/t00001.hex" "$T/plain_dsmr.hex"
# Not encrypted: no title and no counter; the rest as in GCM.
plain_want=$(expected_json "$shrdzm" |
  sed 's/"system_title":"[0-9A-F]*","frame_counter":[0-9]*/"system_title":null,"frame_counter":null/')

# name framing file (in tests/vectors, or a path)
cases="vkw mbus ksmwest_vkw_philippsev_2023-07-26.hex
im350 hdlc extra_hdlc_wienernetze_im350_shrdzm_1.hex
e450 hdlc extra_hdlc_lg_e450_dlmsparser_2.hex
stmk apdu $shrdzm
p1 dsmr $T/plain_dsmr.hex
amis amis amis_netzooe_spec_example.hex"

path_of() { case $1 in /*) echo "$1" ;; *) echo "$VECTORS/$1" ;; esac; }
want_of() {
  case $1 in /*) echo "$plain_want" ;; *) expected_json "$1" ;; esac
}

# A forced framing that is not the input's: nothing, and says so. The
# bare-APDU reader forced on checked frames: see the header comment.
wrong_framing() { # label mode file key
  run_decode "$T/w" --hex ${4:+--key "$4"} --input "$2" --format json "$3"
  if [ "$2:$1" = apdu:im350 ]; then
    is "im350: --input apdu: the whole APDU inside the frame" \
      "$(cat "$T/w.out")" "$(want_of "$(basename "$3")")"
    return
  fi
  is "$1: --input $2: exit 1" "$(cat "$T/w.rc")" 1
  is "$1: --input $2: nothing on stdout" "$(cat "$T/w.out")" ""
  case $2:$1 in
  mbus:amis)
    like "amis: --input mbus: refused as unsupported" "$(cat "$T/w.err")" \
      '^telegram 1: unsupported' ;;
  apdu:vkw | apdu:e450)
    unlike "$1: --input apdu: a cut APDU is no telegram" \
      "$(cat "$T/w.err")" '^\{' ;;
  *)
    like "$1: --input $2: no telegram found" "$(cat "$T/w.err")" \
      'no telegram found in the input' ;;
  esac
}

while read -r label framing file; do
  f=$(path_of "$file")
  key=$(key_of "$f")
  # The plain P1 telegram needs no key; give none, as a P1 user would.
  [ "$framing" = dsmr ] && key=
  want=$(want_of "$file")
  ok "$label: has an expected line" test -n "$want"
  for mode in auto "$framing"; do
    run_decode "$T/r" --hex ${key:+--key "$key"} --input "$mode" \
      --format json "$f"
    is "$label: --input $mode: exit 0" "$(cat "$T/r.rc")" 0
    is "$label: --input $mode: the expected line" "$(cat "$T/r.out")" "$want"
    is "$label: --input $mode: stderr empty" "$(cat "$T/r.err")" ""
  done
  for mode in mbus hdlc apdu dsmr amis; do
    [ "$mode" = "$framing" ] || wrong_framing "$label" "$mode" "$f" "$key"
  done
done <<<"$cases"

# Names are case-insensitive; an unknown one is a usage error naming all.
f=$VECTORS/extra_hdlc_lg_e450_dlmsparser_2.hex
run_decode "$T/c" --hex --key "$(key_of "$f")" --input HDLC --format json "$f"
is "--input HDLC (upper case): exit 0" "$(cat "$T/c.rc")" 0
run_decode "$T/u" --hex --key "$(key_of "$f")" --input hdlc2 "$f"
is "--input hdlc2: usage error" "$(cat "$T/u.rc")" 2
like "--input hdlc2: the message lists every name" "$(cat "$T/u.err")" \
  '"auto", "mbus", "hdlc", "dsmr", "amis" or "apdu"'

done_testing
