# SPDX-License-Identifier: MIT
# tests/unit: the C unit tests - cmocka tests of the decoder library (TAP
# via CMOCKA_MESSAGE_OUTPUT=TAP from the harness; one TAP line per test
# case), of the port library and of the plugin's collectd-free modules.
# Shared helpers: vec.[ch] (load tests/vectors, feed and tally) and the
# tests' one telegram builder, $(SMTEST_BUILDER): encoder.[ch] seals
# (general-glo-ciphering, AMIS; libgcrypt), framer.[ch] frames (M-Bus,
# HDLC, General Block Transfer, DSMR). The fuzzers (tests/fuzz/local.mk),
# sm-forge, sm-variant and bench/sm-bench build the same files.
SMUNIT_TESTS = \
	tests/unit/test_vectors \
	tests/unit/test_stream \
	tests/unit/test_negative \
	tests/unit/test_variants \
	tests/unit/test_names \
	tests/unit/test_dsmr \
	tests/unit/test_links \
	tests/unit/test_layouts \
	tests/unit/test_safety \
	tests/unit/test_header
check_PROGRAMS += $(SMUNIT_TESTS)
TESTS += $(SMUNIT_TESTS)

SMTEST_BUILDER = \
	tests/unit/encoder.c tests/unit/encoder.h \
	tests/unit/framer.c tests/unit/framer.h
SMUNIT_HELPERS = tests/unit/vec.c tests/unit/vec.h $(SMTEST_BUILDER)
SMUNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(GCRYPT_CFLAGS)
SMUNIT_LDADD = decoder/libsmdecoder.la $(CMOCKA_LIBS) $(GCRYPT_LIBS) -lm

tests_unit_test_vectors_SOURCES = tests/unit/test_vectors.c $(SMUNIT_HELPERS)
tests_unit_test_vectors_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_vectors_LDADD = $(SMUNIT_LDADD)

tests_unit_test_stream_SOURCES = tests/unit/test_stream.c $(SMUNIT_HELPERS)
tests_unit_test_stream_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_stream_LDADD = $(SMUNIT_LDADD)

tests_unit_test_negative_SOURCES = tests/unit/test_negative.c $(SMUNIT_HELPERS)
tests_unit_test_negative_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_negative_LDADD = $(SMUNIT_LDADD)

tests_unit_test_variants_SOURCES = tests/unit/test_variants.c $(SMUNIT_HELPERS)
tests_unit_test_variants_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_variants_LDADD = $(SMUNIT_LDADD)

tests_unit_test_names_SOURCES = tests/unit/test_names.c
tests_unit_test_names_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_names_LDADD = $(SMUNIT_LDADD)

tests_unit_test_dsmr_SOURCES = tests/unit/test_dsmr.c \
	tests/unit/framer.c tests/unit/framer.h
tests_unit_test_dsmr_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_dsmr_LDADD = $(SMUNIT_LDADD)

tests_unit_test_links_SOURCES = tests/unit/test_links.c $(SMUNIT_HELPERS)
tests_unit_test_links_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_links_LDADD = $(SMUNIT_LDADD)

tests_unit_test_layouts_SOURCES = tests/unit/test_layouts.c
tests_unit_test_layouts_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_layouts_LDADD = $(SMUNIT_LDADD)
tests_unit_test_safety_SOURCES = tests/unit/test_safety.c $(SMUNIT_HELPERS)
tests_unit_test_safety_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_safety_LDADD = $(SMUNIT_LDADD)
tests_unit_test_header_SOURCES = tests/unit/test_header.c $(SMUNIT_HELPERS)
tests_unit_test_header_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_header_LDADD = $(SMUNIT_LDADD)

# AMIS (Netz OÖ): spec example, synthetic streams, record walker.
check_PROGRAMS += tests/unit/test_amis
TESTS += tests/unit/test_amis
tests_unit_test_amis_SOURCES = tests/unit/test_amis.c $(SMUNIT_HELPERS)
tests_unit_test_amis_CFLAGS = $(SMUNIT_CFLAGS)
tests_unit_test_amis_LDADD = $(SMUNIT_LDADD)

# sm_port_write(), the E5 of an AMIS reader (port/ library, private header).
check_PROGRAMS += tests/unit/test_port_write
TESTS += tests/unit/test_port_write
tests_unit_test_port_write_SOURCES = tests/unit/test_port_write.c
tests_unit_test_port_write_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/port
tests_unit_test_port_write_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(SERIALPORT_CFLAGS)
tests_unit_test_port_write_LDADD = port/libsmport.la $(CMOCKA_LIBS)

# The PARMRK unescaping of port/sm_port_marks.c through a pipe (port/'s
# private header; plain C, TAP).
check_PROGRAMS += tests/unit/test_marks
TESTS += tests/unit/test_marks
tests_unit_test_marks_SOURCES = tests/unit/test_marks.c
tests_unit_test_marks_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/port
tests_unit_test_marks_LDADD = port/libsmport.la

# The plugin's modules that need no collectd headers, compiled in directly
# (fit for the sanitizer build and distcheck: $(PLUGIN_UNIT_TESTS) is part
# of $(UNIT_TESTS)):
#  - test_solarview: cmocka test of plugin/sm_solarview.[ch], the
#    Solarview export file;
#  - test_ident: the identifier table of doc/CONTRACTS.md, row by row
#    (plugin/sm_ident.[ch]; plain C, TAP).
PLUGIN_UNIT_TESTS = tests/unit/test_solarview tests/unit/test_ident
check_PROGRAMS += $(PLUGIN_UNIT_TESTS)
TESTS += $(PLUGIN_UNIT_TESTS)
tests_unit_test_solarview_SOURCES = tests/unit/test_solarview.c \
	plugin/sm_solarview.c plugin/sm_solarview.h
tests_unit_test_solarview_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_solarview_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin
tests_unit_test_solarview_LDADD = decoder/libsmdecoder.la $(CMOCKA_LIBS) \
	$(GCRYPT_LIBS) -lm
tests_unit_test_ident_SOURCES = tests/unit/test_ident.c plugin/sm_ident.c \
	plugin/sm_ident.h
tests_unit_test_ident_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin
tests_unit_test_ident_LDADD = decoder/libsmdecoder.la $(GCRYPT_LIBS)
