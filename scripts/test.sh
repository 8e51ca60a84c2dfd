#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/test.sh - every test, as CI runs it:
#   1. build (installing missing Debian packages) in _build and run
#      `make check`: cmocka unit tests, CLI tests, simulator/port tests and
#      the end-to-end tests against the real collectd;
#   2. build again with ASan + UBSan in _build-asan and run the unit, port
#      and CLI tests there (the plugin cannot be loaded into Debian's
#      uninstrumented collectd, so end-to-end runs use the plain build);
#   3. `make distcheck` (tarball builds and passes its unit tests);
#   4. the AMIS end-to-end tests ($(AMIS_E2E_TESTS)), alone: their meter
#      wants an answer within 0.5 s;
#   5. install and package ($(INSTALL_TESTS) of tests/packaging/local.mk):
#      configure without cmocka, `make install DESTDIR` where collectd looks;
#      the Debian package built from the dist tree, checked with lintian,
#      installed, run by collectd with a stock configuration, purged (root).
# Packages come from `scripts/bootstrap.sh --tests` (only what is missing).
# Ends with one line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0
failed=0
status=0

# Add up the TAP results of one `make check` run from its test-suite.log.
tally() { # builddir label
  local log=$1/test-suite.log p f
  if [ ! -f "$log" ]; then
    echo "test.sh: $2: no test-suite.log (build failed?)"
    failed=$((failed + 1))
    return
  fi
  p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
  f=$(sed -n 's/^# \(FAIL\|ERROR\|XPASS\): *//p' "$log" | awk '{s+=$1} END {print s+0}')
  echo "test.sh: $2: ${p:-0} passed, ${f:-0} failed"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

run_check() { # builddir label make-args...
  local dir=$1 label=$2
  shift 2
  rm -f "$dir/test-suite.log"
  if ! make -C "$dir" -j2 check "$@"; then
    status=1
    # Show what failed so a CI log is enough to debug.
    find "$dir" -name '*.log' ! -name test-suite.log ! -name config.log \
      -newer "$dir/Makefile" -exec grep -l '^not ok\|^Bail out' {} + 2>/dev/null |
      while read -r l; do
        echo "----- $l"
        tail -40 "$l"
      done
  fi
  tally "$dir" "$label"
}

"$top/scripts/bootstrap.sh" --tests "$top/_build" || { echo "0 passed, 1 failed"; exit 1; }
run_check "$top/_build" "all tests"

if "$top/scripts/bootstrap.sh" --tests "$top/_build-asan" --enable-sanitizers; then
  run_check "$top/_build-asan" "ASan+UBSan" 'TESTS=$(SANITIZER_TESTS)' \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  failed=$((failed + 1))
  status=1
fi

if make -C "$top/_build" -s distcheck 'TESTS=$(UNIT_TESTS)' >"$top/_build/distcheck.out" 2>&1; then
  echo "test.sh: make distcheck: ok"
  passed=$((passed + 1))
else
  tail -30 "$top/_build/distcheck.out"
  echo "test.sh: make distcheck: FAILED"
  failed=$((failed + 1))
  status=1
fi

# Its own step, not part of "all tests": the AMIS dialogue has a real-time
# deadline (an answer within 0.5 s), so it runs alone, one test at a time.
run_check "$top/_build" "AMIS, real time" 'TESTS=$(AMIS_E2E_TESTS)' -j1

# Its own step, not part of "all tests": whole extra builds, and a package
# installed and purged.
run_check "$top/_build" "install + Debian package" 'TESTS=$(INSTALL_TESTS)'

[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
