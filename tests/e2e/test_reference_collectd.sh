#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_reference_collectd.sh - what collectd stores, against the second
# decoder (tests/reference/smref.py): three meters in one collectd (VKW on
# M-Bus, Netz Burgenland's E450 on HDLC, Energienetze Steiermark's DSMR
# text in GCM), each sending 10 variants of its real capture with other
# numbers in every reading (smref.py --vary, sealed by sm-forge -P under
# rising frame counters). Every telegram's csv rows (one timestamp per
# telegram) must be exactly one variant's readings under the documented
# identifiers (README "What collectd receives"), the readings beyond the
# bounds left out; and at least 9 of the 10 variants must arrive (the
# first may meet the port half sent).
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300
REF=$SM_SRCDIR/tests/reference/smref.py
python3 -c 'import cryptography' 2>/dev/null ||
  bail "python3 cannot import cryptography (Debian: python3-cryptography)"
N=10

# variants NAME CAPTURE: $E2E_TMP/NAME/t00001.hex .. t000NN.hex
variants() {
  local name=$1 f=$2 fc k
  local d=$E2E_TMP/$name untagged=()
  mkdir -p "$d/pt"
  grep -q '^# ak:' "$f" || untagged=(-s 0x20)
  fc=$(python3 "$REF" "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["frame_counter"])')
  "$E2E_FORGE" -p "$f" >"$d/pt/capture.hex" || bail "sm-forge -p $f"
  python3 "$REF" --vary 7000 "$N" "$d/pt/capture.hex" "$d/pt" || bail "vary"
  for k in $(seq 1 "$N"); do
    "$E2E_FORGE" "${untagged[@]}" -P "$d/pt/pt$k.hex" -i "$k" \
      -c $((fc + k)) -o "$d" "$f" >/dev/null || bail "sm-forge -P $k"
  done
}

variants vkw "$E2E_VKW"
variants bgld "$SM_SRCDIR/tests/vectors/extra_hdlc_burgenland_e450_amsreader501.hex"
variants stmk "$SM_SRCDIR/tests/vectors/extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex"
for m in vkw bgld stmk; do
  e2e_sim_start "$m" 1 --pace 0.2 --delay 3 --count "$N" --linger 30
done
e2e_conf ref 1 <<EOF
  <Meter "vkw">
    Device "$E2E_TMP/vkw.tty"
    Key "$(e2e_key_of "$E2E_VKW")"
  </Meter>
  <Meter "bgld">
    Device "$E2E_TMP/bgld.tty"
    Key "$(e2e_key_of "$SM_SRCDIR/tests/vectors/extra_hdlc_burgenland_e450_amsreader501.hex")"
  </Meter>
  <Meter "stmk">
    Device "$E2E_TMP/stmk.tty"
    Key "$(e2e_key_of "$SM_SRCDIR/tests/vectors/extra_dsmr_in_gcm_steiermark_sagemcom_shrdzm.hex")"
  </Meter>
EOF
e2e_collectd_start ref

telegrams_at_least() { # METER K: collectd counted K telegrams of it
  [ "$(e2e_csv_last ref "$1" total_operations-telegrams)" -ge "$2" ] 2>/dev/null
}
for m in vkw bgld stmk; do
  wait_until 90 telegrams_at_least "$m" $((N - 1)) ||
    diag "$m: fewer than $((N - 1)) telegrams counted"
done
sleep 3 # the last telegram's rows, and one more that could come

# Every reading row of a meter, grouped by timestamp, against the
# reference's decode of each variant.
compare() { # METER
  python3 - "$REF" "$E2E_TMP/$1" "$E2E_TMP/ref.d/csv/$E2E_HOST/smartmeter-$1" "$N" <<'PY'
import decimal, glob, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import smref

variants, csvdir, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
NAMES = {"1.8.0": "energy_wh-import", "2.8.0": "energy_wh-export",
         "3.8.0": "energy_wh-reactive_import",
         "4.8.0": "energy_wh-reactive_export",
         "1.7.0": "power-import", "2.7.0": "power-export",
         "3.7.0": "power-reactive_import", "4.7.0": "power-reactive_export",
         "32.7.0": "voltage-l1", "52.7.0": "voltage-l2", "72.7.0": "voltage-l3",
         "31.7.0": "current-l1", "51.7.0": "current-l2", "71.7.0": "current-l3",
         "13.7.0": "gauge-power_factor", "14.7.0": "frequency-grid"}
for c, e in ((1, "import"), (2, "export")):
    for t in (1, 2):
        NAMES["%d.8.%d" % (c, t)] = "energy_wh-%s_t%d" % (e, t)
        NAMES["%d.8.%d" % (c + 2, t)] = "energy_wh-reactive_%s_t%d" % (e, t)
    for ph, base in (("l1", 20), ("l2", 40), ("l3", 60)):
        NAMES["%d.7.0" % (base + c)] = "power-%s_%s" % (e, ph)


def identifier(obis):
    a, b, c, d, e, f = obis.split(".")
    if (a, b, f) == ("1", "0", "255") and "%s.%s.%s" % (c, d, e) in NAMES:
        return NAMES["%s.%s.%s" % (c, d, e)]
    return "gauge-obis_" + obis.replace(".", "_")


expected = []
for k in range(1, n + 1):
    tel = smref.decode(os.path.join(variants, "t%05d.hex" % k))
    expected.append({identifier(o): decimal.Decimal(text)
                     for o, (text, unit) in tel["values"].items()
                     if not smref.implausible(text, unit)
                     and smref.is_number(text)})
rows = {}
for path in glob.glob(os.path.join(csvdir, "*-[0-9]*")):
    ident = os.path.basename(path)[:-11]  # less "-YYYY-MM-DD"
    if ident.split("-")[0] in ("errors", "total_operations", "derive"):
        continue
    for line in open(path).read().splitlines()[1:]:
        epoch, value = line.split(",")
        rows.setdefault(epoch, {})[ident] = value


def same(got, want):
    """csv prints the gauge (a double) as %f: the nearest double to the
    reference's exact decimal, printed so, is what it must say."""
    return set(got) == set(want) and all(
        got[i] == "%f" % float(want[i]) for i in want)


seen, bad = set(), []
for epoch in sorted(rows):
    match = [k for k, want in enumerate(expected) if same(rows[epoch], want)]
    if match:
        seen.update(match)
    else:
        bad.append("%s: %s; the nearest variant: %s" % (
            epoch, sorted(rows[epoch].items()),
            sorted(min(expected, key=lambda w: sum(
                rows[epoch].get(i) != "%f" % float(w[i])
                for i in w)).items())))
print("%d %d" % (len(seen), len(bad)))
for b in bad[:3]:
    print(b)
PY
}

for m in vkw bgld stmk; do
  out=$(compare "$m")
  read -r seen bad <<<"$(head -1 <<<"$out")"
  is "$m: every telegram's rows are one variant's readings" "$bad" 0
  [ "$bad" = 0 ] || diag "$(tail -n +2 <<<"$out")"
  ok "$m: at least $((N - 1)) of the $N variants arrived ($seen)" \
    test "$seen" -ge $((N - 1))
done
format=0
for m in vkw bgld stmk; do
  format=$((format + $(e2e_csv_last ref "$m" errors-format)))
done
ok "some readings were beyond their bounds and counted ($format)" \
  test "$format" -gt 0
e2e_collectd_stop >/dev/null
done_testing
