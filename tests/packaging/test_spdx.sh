#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_spdx.sh - every source file of the project has its SPDX line
# (scripts/spdx.sh --check).
. "$SM_SRCDIR/tests/tap.sh"

rc=0
out=$("$SM_SRCDIR/scripts/spdx.sh" --check "$SM_SRCDIR") || rc=$?
is "scripts/spdx.sh --check passes" "$rc" 0
is "no source file lacks 'SPDX-License-Identifier: MIT'" "$out" ""
ok "LICENSE holds the MIT text" grep -q '^Permission is hereby granted, free of charge' "$SM_SRCDIR/LICENSE"

done_testing
