# SPDX-License-Identifier: MIT
# tests/faults: fault tests end to end (issue 5, items 3-6) through Debian's
# real collectd with the plugin from this build, simulated meters
# (tests/sim/meter-sim) and the helpers of tests/e2e/e2e-lib.sh; see
# tests/faults/README.md. soak.sh is a script for release figures, not a
# test (10 minutes).
# The telegrams come from tests/e2e/sm-forge (chosen frame counters,
# SC 0x30 with an auth key, the power value set to the frame counter).

FAULT_TESTS = \
	tests/faults/test_replay.sh \
	tests/faults/test_auth.sh \
	tests/faults/test_noise.sh \
	tests/faults/test_split.sh \
	tests/faults/test_partial.sh \
	tests/faults/test_unplug.sh \
	tests/faults/test_many_meters.sh \
	tests/faults/test_valgrind.sh \
	tests/faults/test_key_hygiene.sh \
	tests/faults/test_parity.sh \
	tests/faults/test_stale.sh \
	tests/faults/test_logvolume.sh \
	tests/faults/test_noframe.sh \
	tests/faults/test_idlegap.sh \
	tests/faults/test_quiet.sh \
	tests/faults/test_bounds.sh
TESTS += $(FAULT_TESTS)
dist_noinst_SCRIPTS += $(FAULT_TESTS) tests/faults/faults-lib.sh \
	tests/faults/soak.sh tests/faults/fdwatch
EXTRA_DIST += tests/faults/README.md tests/faults/valgrind.supp

# Telegrams with chosen meter times and planted implausible values for the
# "never a wrong number" tests (issue 10): see its header.
check_PROGRAMS += tests/faults/sm-variant
tests_faults_sm_variant_SOURCES = tests/faults/sm-variant.c \
	tests/unit/vec.c tests/unit/vec.h $(SMTEST_BUILDER)
tests_faults_sm_variant_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_faults_sm_variant_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
tests_faults_sm_variant_LDADD = decoder/libsmdecoder.la $(GCRYPT_LIBS)
