# SPDX-License-Identifier: MIT
noinst_LTLIBRARIES += decoder/libsmdecoder.la
decoder_libsmdecoder_la_SOURCES = \
	decoder/sm_decoder.h decoder/sm_names.h decoder/sm_private.h \
	decoder/sm_decoder.c decoder/sm_replay.c decoder/sm_error.c decoder/sm_link.c \
	decoder/sm_link_mbus.c decoder/sm_link_hdlc.c decoder/sm_link_apdu.c \
	decoder/sm_link_dsmr.c decoder/sm_gbt.c decoder/sm_crc.c decoder/sm_dsmr.c \
	decoder/sm_segment.c decoder/sm_cipher.c decoder/sm_axdr.c \
	decoder/sm_names.c decoder/sm_bounds.c decoder/sm_hex.c decoder/sm_ber.c \
	decoder/sm_value.c decoder/sm_layout.c decoder/sm_drive.c
# AMIS (Netz OÖ): link row, OMS mode 5, EN 13757-3 records
decoder_libsmdecoder_la_SOURCES += \
	decoder/sm_link_amis.c decoder/sm_oms.c decoder/sm_mbus_records.c
decoder_libsmdecoder_la_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
decoder_libsmdecoder_la_LIBADD = $(GCRYPT_LIBS)
