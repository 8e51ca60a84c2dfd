# SPDX-License-Identifier: MIT
# tests/cli: smartmeter-decode end to end (TAP shell tests; they use
# $SM_BUILDDIR/cli/smartmeter-decode and $SM_SRCDIR/tests/vectors).
CLI_TESTS = \
	tests/cli/test_vectors.sh \
	tests/cli/test_errors.sh \
	tests/cli/test_convert.sh \
	tests/cli/test_live.sh \
	tests/cli/test_framing.sh \
	tests/cli/test_link_noise.sh \
	tests/cli/test_scan.sh \
	tests/cli/test_reference.sh
TESTS += $(CLI_TESTS)
dist_noinst_SCRIPTS += $(CLI_TESTS)
EXTRA_DIST += tests/cli/common.sh tests/cli/expected.tsv \
	tests/cli/link-noise.py tests/reference/smref.py
