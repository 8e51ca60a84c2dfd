# SPDX-License-Identifier: MIT
# plugin: the collectd module smartmeter.so (built only when configure found
# collectd's headers). Only module_register is exported: the decoder and port
# convenience libraries linked in stay private to the module.
if BUILD_PLUGIN
plugin_LTLIBRARIES += plugin/smartmeter.la
plugin_smartmeter_la_SOURCES = \
	plugin/smartmeter.c \
	plugin/sm_control.c plugin/sm_control.h \
	plugin/sm_dispatch.c plugin/sm_dispatch.h \
	plugin/sm_ident.c plugin/sm_ident.h \
	plugin/sm_key.c plugin/sm_key.h \
	plugin/sm_latest.c plugin/sm_latest.h \
	plugin/sm_linklog.c plugin/sm_linklog.h \
	plugin/sm_linewatch.c plugin/sm_linewatch.h \
	plugin/sm_meter.c plugin/sm_meter.h \
	plugin/sm_reader.c plugin/sm_reader.h \
	plugin/sm_solarview.c plugin/sm_solarview.h \
	plugin/sm_version.c plugin/sm_version.h
plugin_smartmeter_la_CPPFLAGS = $(AM_CPPFLAGS) $(COLLECTD_CPPFLAGS)
plugin_smartmeter_la_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS) $(SERIALPORT_CFLAGS)
plugin_smartmeter_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^module_register$$'
plugin_smartmeter_la_LIBADD = decoder/libsmdecoder.la port/libsmport.la \
	$(GCRYPT_LIBS) $(SERIALPORT_LIBS) -lpthread
endif

# The demo and its graph helper (README quick start) use the plugin.
dist_noinst_SCRIPTS += scripts/demo.sh scripts/render-graphs.sh
