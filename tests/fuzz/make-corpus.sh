#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-corpus.sh SEEDGEN OUT_DIR - (re)write the fuzzers' seed corpora.
#
# SEEDGEN is the seedgen binary (built by `make fuzz-build`); OUT_DIR gets
# one directory per target (fuzz_stream/, fuzz_telegram/, fuzz_axdr/,
# fuzz_dsmr/, fuzz_names/, fuzz_amis/, fuzz_amis_records/) with binary seeds made from the real captures in
# tests/vectors/*.hex (their `# key:` headers decrypt them) and the
# plaintexts in tests/vectors/DECODED.md. The seeds are generated, never
# committed; grown corpora belong elsewhere (make fuzz keeps them in
# tests/fuzz/corpus/ of the build tree).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SEEDGEN OUT_DIR" >&2
  exit 2
fi
seedgen=$1
out=$2
vectors=$(cd "$(dirname "$0")/../vectors" && pwd)
[ -x "$seedgen" ] || { echo "$0: $seedgen: not an executable" >&2; exit 1; }
rm -rf "$out/fuzz_stream" "$out/fuzz_telegram" "$out/fuzz_axdr" \
  "$out/fuzz_dsmr" "$out/fuzz_names" "$out/fuzz_amis" "$out/fuzz_amis_records"
mkdir -p "$out"
"$seedgen" "$vectors" "$out"
# The AMIS targets start from the AMIS captures' bytes as they are.
for t in fuzz_amis fuzz_amis_records; do
  mkdir -p "$out/$t"
  for f in "$vectors"/amis_*.hex; do
    grep -v '^#' "$f" | tr -d ' \n\r\t' | xxd -r -p >"$out/$t/$(basename "$f" .hex).bin"
  done
done
