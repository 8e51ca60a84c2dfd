# SPDX-License-Identifier: MIT
# tests/e2e: end-to-end tests against Debian's real collectd, with the
# plugin from this build tree and simulated meters (tests/sim/meter-sim).
#
# sm-forge seals a capture's plaintext again under fresh frame counters
# (so replays pass the decoder's replay guard), chosen ones (replays), or
# another security control (SC 0x30 with a tag), in the capture's framing
# (M-Bus, HDLC, HDLC + General-Block-Transfer, bare APDU) or another one,
# or unsealed (a plain DSMR P1 telegram), via the tests' encoder and
# framer (tests/unit/encoder.c, framer.c). Built with the normal build, not
# only for `make check`: scripts/demo.sh needs it too.
noinst_PROGRAMS += tests/e2e/sm-forge
tests_e2e_sm_forge_SOURCES = tests/e2e/sm-forge.c $(SMTEST_BUILDER)
tests_e2e_sm_forge_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_e2e_sm_forge_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
tests_e2e_sm_forge_LDADD = decoder/libsmdecoder.la $(GCRYPT_LIBS)

E2E_TESTS = \
	tests/e2e/test_values_termios.sh \
	tests/e2e/test_values_libserialport.sh \
	tests/e2e/test_two_meters.sh \
	tests/e2e/test_config_check.sh \
	tests/e2e/test_maxage.sh \
	tests/e2e/test_example_conf.sh \
	tests/e2e/test_wrong_key.sh \
	tests/e2e/test_forge.sh \
	tests/e2e/test_hdlc_e450.sh \
	tests/e2e/test_hdlc_kaernten.sh \
	tests/e2e/test_baud_auto.sh \
	tests/e2e/test_dsmr_p1.sh \
	tests/e2e/test_framing_change.sh \
	tests/e2e/test_hdlc_noise.sh \
	tests/e2e/test_hdlc_segmented.sh \
	tests/e2e/test_hdlc_wienernetze.sh \
	tests/e2e/test_reference_collectd.sh
# Not conditional on BUILD_PLUGIN: without the plugin these tests fail
# (bail out) instead of silently not running.
TESTS += $(E2E_TESTS)
dist_noinst_SCRIPTS += $(E2E_TESTS) tests/e2e/e2e-lib.sh tests/e2e/measure.sh

# AMIS (Netz OÖ): the two-way simulator against the plugin and the CLI,
# directly and through ser2net. The meter wants each answer within 0.5 s,
# so these run as a step of their own in scripts/test.sh, one at a time
# and not beside the parallel suite (on a 2-core machine a neighbour's
# 16 simulated meters can hold the reader past that deadline).
AMIS_E2E_TESTS = tests/e2e/test_amis.sh tests/e2e/test_amis_ser2net.sh
dist_noinst_SCRIPTS += $(AMIS_E2E_TESTS) tests/e2e/amis-lib.sh
