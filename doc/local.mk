# SPDX-License-Identifier: MIT
# doc: collectd-smartmeter(5), the plugin's man page (collectd.conf(5)
# style), installed with `make install` next to smartmeter-decode(1).
dist_man_MANS += doc/collectd-smartmeter.5
EXTRA_DIST += doc/CONTRACTS.md
