#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_fuzz_smoke.sh - the CI smoke run of the libFuzzer targets (TAP).
#
# Builds the targets with clang (make fuzz-build in $SM_BUILDDIR), makes
# fresh seed corpora from tests/vectors, replays every input kept in
# tests/fuzz/regressions/<target>/, then fuzzes each target for a fixed
# number of runs from a fixed seed (-seed=1; about 15 s each on 2 small
# cores), so CI fuzzes the same inputs every time and cannot turn red by
# luck; finding new bugs is the job of `make fuzz` (tests/fuzz/README.md).
# FUZZ_SMOKE_SECONDS (default 60) only caps a target on a very slow
# machine. One worker, -timeout=5 (an input that makes the decoder spin
# counts as a crash). One TAP line per target
# and per regression set; a crash input is copied to
# $SM_BUILDDIR/tests/fuzz/artifacts/ for the bug report. Corpora live in a
# temporary directory: nothing is left behind.
set -uo pipefail
. "$SM_SRCDIR/tests/tap.sh"

secs=${FUZZ_SMOKE_SECONDS:-60}
b=$SM_BUILDDIR
fz=$SM_SRCDIR/tests/fuzz
targets="fuzz_stream fuzz_telegram fuzz_axdr fuzz_dsmr fuzz_names fuzz_amis
  fuzz_amis_records"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sm-fuzz.XXXXXX") || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export UBSAN_OPTIONS=print_stacktrace=1
unset FUZZ_KNOWN # every check on: a known open bug still fails CI
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# The tools: clang with libFuzzer (never skip: missing is a failure).
ok "clang is installed" command -v clang

# Build through the Makefile so the flags are the ones `make fuzz` uses. Run
# as a fresh make (not a sub-make of `make check`).
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$b" -s fuzz-build \
  >"$tmp/build.log" 2>&1; then
  ok "fuzz targets build with clang -fsanitize=fuzzer,address,undefined" true
else
  ok "fuzz targets build with clang -fsanitize=fuzzer,address,undefined" false
  sed 's/^/#   /' "$tmp/build.log" | tail -40
  bail "fuzz targets do not build"
fi

if "$fz/make-corpus.sh" "$b/tests/fuzz/seedgen" "$tmp/seeds" \
  >"$tmp/seeds.log" 2>&1; then
  ok "seed corpora from tests/vectors" true
else
  ok "seed corpora from tests/vectors" false
  sed 's/^/#   /' "$tmp/seeds.log" | tail -20
  bail "no seeds"
fi

keep_crash() { # target log
  local f
  mkdir -p "$b/tests/fuzz/artifacts"
  for f in "$tmp/art/$1-"*; do
    [ -e "$f" ] || continue
    cp "$f" "$b/tests/fuzz/artifacts/"
    diag "$1: crash input kept as $b/tests/fuzz/artifacts/$(basename "$f")"
  done
  grep -E 'ERROR|invariant|SUMMARY|#[0-9]+ 0x' "$2" | head -30 | sed 's/^/#   /'
}

mkdir -p "$tmp/art"
for t in $targets; do
  bin=$b/tests/fuzz/$t
  # max_len and runs (about 15 s each here; FUZZ_SMOKE_RUNS overrides).
  case $t in
  fuzz_names) len=1024 runs=1000000 ;;
  fuzz_axdr) len=4200 runs=500000 ;;
  fuzz_dsmr) len=4400 runs=200000 ;;
  fuzz_amis) len=2048 runs=100000 ;;
  fuzz_amis_records) len=512 runs=1000000 ;;
  *) len=6000 runs=40000 ;;
  esac
  runs=${FUZZ_SMOKE_RUNS:-$runs}

  regs=()
  if [ -d "$fz/regressions/$t" ]; then
    while IFS= read -r f; do regs+=("$f"); done < <(
      find "$fz/regressions/$t" -type f ! -name '*.md' | sort)
  fi
  if [ ${#regs[@]} -gt 0 ]; then
    "$bin" -timeout=5 -artifact_prefix="$tmp/art/$t-" "${regs[@]}" \
      >"$tmp/$t.reg.log" 2>&1
    rc=$?
    ok "$t: ${#regs[@]} regression input(s) replay clean" test $rc -eq 0
    [ $rc -eq 0 ] || keep_crash "$t" "$tmp/$t.reg.log"
  fi

  mkdir -p "$tmp/corpus/$t"
  # nice: make check runs tests in parallel; timing-sensitive ones (e2e)
  # should not lose their core to a fuzzer.
  nice -n 5 "$bin" -seed=1 -runs="$runs" -max_total_time="$secs" \
    -timeout=5 -max_len=$len \
    -dict="$fz/dlms.dict" -print_final_stats=1 \
    -artifact_prefix="$tmp/art/$t-" "$tmp/corpus/$t" "$tmp/seeds/$t" \
    >"$tmp/$t.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
  cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$tmp/$t.log" |
    sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
  # Clean exit and real work (a target that stops early proves nothing).
  ok "$t: seed 1, ${execs:-0} of $runs runs, ${cov:-no coverage line}, no crash/leak/timeout" \
    test $rc -eq 0 -a "${execs:-0}" -gt 1000
  [ $rc -eq 0 ] || keep_crash "$t" "$tmp/$t.log"
done

done_testing
