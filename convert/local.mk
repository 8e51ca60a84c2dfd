# SPDX-License-Identifier: MIT
# convert: smartmeter-convert, a kaifareader meter.json -> the equivalent
# collectd configuration (jansson parses the JSON; the decoder library
# checks keys and supplier names, the port library parity names).
bin_PROGRAMS += convert/smartmeter-convert
convert_smartmeter_convert_SOURCES = \
	convert/conv_main.c \
	convert/conv_error.h convert/conv_error.c \
	convert/conv_input.h convert/conv_input.c convert/conv_alloc.c \
	convert/conv_field.h convert/conv_field.c \
	convert/conv_kaifa.h convert/conv_check.c \
	convert/conv_print.c convert/conv_print_out.c \
	convert/conv_lost.c \
	convert/conv_warn.h convert/conv_warn.c
convert_smartmeter_convert_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
convert_smartmeter_convert_LDADD = decoder/libsmdecoder.la port/libsmport.la \
	$(JANSSON_LIBS) $(GCRYPT_LIBS) $(SERIALPORT_LIBS)
dist_man_MANS += convert/smartmeter-convert.1
