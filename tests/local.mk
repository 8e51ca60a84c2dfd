# SPDX-License-Identifier: MIT
# tests: each area adds its own fragment
EXTRA_DIST += tests/vectors tests/README.md
include tests/unit/local.mk
include tests/sim/local.mk
include tests/cli/local.mk
include tests/e2e/local.mk
include tests/outputs/local.mk
include tests/fuzz/local.mk
include tests/faults/local.mk
