# tests/faults: fault tests end to end (issue 5, items 3-6) through Debian's
# real collectd with the plugin from this build, simulated meters
# (tests/sim/meter-sim) and the helpers of tests/e2e/e2e-lib.sh; see
# tests/faults/README.md. soak.sh is a script for release figures, not a
# test (10 minutes).
#
# sm-forge: telegrams from a capture via the test encoder (tests/unit/
# encoder.c): chosen frame counters (replays), SC 0x30 with an auth key,
# the power value set to the frame counter to tell telegrams apart.
check_PROGRAMS += tests/faults/sm-forge
tests_faults_sm_forge_SOURCES = tests/faults/sm-forge.c \
	tests/unit/encoder.c tests/unit/encoder.h
tests_faults_sm_forge_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_faults_sm_forge_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
tests_faults_sm_forge_LDADD = $(GCRYPT_LIBS)

FAULT_TESTS = \
	tests/faults/test_replay.sh \
	tests/faults/test_auth.sh \
	tests/faults/test_noise.sh \
	tests/faults/test_split.sh \
	tests/faults/test_partial.sh \
	tests/faults/test_unplug.sh \
	tests/faults/test_many_meters.sh \
	tests/faults/test_valgrind.sh \
	tests/faults/test_key_hygiene.sh
TESTS += $(FAULT_TESTS)
dist_noinst_SCRIPTS += $(FAULT_TESTS) tests/faults/faults-lib.sh \
	tests/faults/soak.sh tests/faults/fdwatch
EXTRA_DIST += tests/faults/README.md tests/faults/valgrind.supp
