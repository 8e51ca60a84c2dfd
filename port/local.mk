# SPDX-License-Identifier: MIT
# port: the meter's byte source (libserialport / termios / tcp), shared by
# the CLI and the plugin as a libtool convenience library. sm_keyfile.c, the
# key-file reader of both, uses the decoder's sm_key_parse/sm_wipe: whatever
# links libsmport for it links libsmdecoder too (the plugin and the CLI do).
noinst_LTLIBRARIES += port/libsmport.la
port_libsmport_la_SOURCES = \
	port/sm_port.h \
	port/sm_port_private.h \
	port/sm_port.c port/sm_port_marks.c \
	port/sm_port_serial.c \
	port/sm_port_termios.c \
	port/sm_port_tcp.c \
	port/sm_backoff.c \
	port/sm_keyfile.c port/sm_keyfile.h \
	port/sm_clock.c port/sm_clock.h \
	port/sm_scan.c port/sm_scan.h
# writing: an AMIS reader acknowledges its meter
port_libsmport_la_SOURCES += port/sm_port_write.c
port_libsmport_la_CFLAGS = $(AM_CFLAGS) $(SERIALPORT_CFLAGS)
port_libsmport_la_LIBADD = $(SERIALPORT_LIBS)
