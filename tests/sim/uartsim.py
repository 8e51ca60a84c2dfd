# SPDX-License-Identifier: MIT
"""uartsim - what a reader's UART makes of a meter's bytes when the two
are set differently (test tool, imported by meter-sim and amis-sim).

A pty ignores baud and parity, so the simulators play the line: the pty
shim (SMPTYSHIM_UART=PATH) writes the reader's settings to PATH on every
tcsetattr(), one line "<baud> <bits><N|E|O><stop> parmrk=<0|1>", and
UartLine.deliver() turns each chunk of meter bytes into what read() would
return at those settings. The model is a simplification with one job, to
make a mismatch visible the way a real line does; see tests/sim/README.md.
"""
import collections
import math
import os

# What a faster reader sees of a slow byte: the stretched start bit makes
# the low bits 0, the rest reads as idle line (1).
FAST_READER_BYTES = (0x00, 0x80, 0xC0, 0xE0, 0xF0, 0xF8, 0xFC, 0xFE, 0xFF)

Settings = collections.namedtuple("Settings", "baud bits parity stop")


def parse_settings(text):
    """'2400:8E1' (the sims' --uart) -> Settings; ValueError when bad."""
    baud, sep, frame = text.partition(":")
    if not sep or not baud.isdigit() or int(baud) <= 0 or len(frame) != 3 \
            or frame[0] not in "5678" or frame[1] not in "NEO" \
            or frame[2] not in "12":
        raise ValueError("bad UART settings %r (want e.g. 2400:8E1)" % text)
    return Settings(int(baud), int(frame[0]), frame[1], int(frame[2]))


def fmt(s):
    return "%d %d%s%d" % (s.baud, s.bits, s.parity, s.stop)


def ms_per_byte(s):
    """The wire time of one byte: start, data, parity, stop bits."""
    return (1 + s.bits + (s.parity != "N") + s.stop) * 1000.0 / s.baud


def add_arguments(ap, example, what):
    """The sims' --uart and --uart-file; what: whose bytes are garbled."""
    ap.add_argument("--uart", metavar="BAUD:FRAME",
                    help="the meter's line settings, e.g. %s; %s go out as "
                    "a UART at the reader's settings (from --uart-file) "
                    "would receive them" % (example, what))
    ap.add_argument("--uart-file", metavar="PATH",
                    help="with --uart: the reader's settings, as the pty "
                    "shim writes them with SMPTYSHIM_UART=PATH")


def check_arguments(ap, a, default_pace):
    """--uart becomes Settings (or stays None); --pace defaults to its
    byte time. Exits through ap.error() when they do not fit."""
    if (a.uart is None) != (a.uart_file is None):
        ap.error("--uart and --uart-file go together")
    if a.uart is not None:
        try:
            a.uart = parse_settings(a.uart)
        except ValueError as e:
            ap.error(str(e))
    if a.pace is None:
        a.pace = ms_per_byte(a.uart) if a.uart else default_pace


def parmrk_escape(data, marked):
    """What read() returns from a tty with INPCK+PARMRK (n_tty): a byte
    received with a parity error as FF 00 <byte>, a data FF as FF FF."""
    out = bytearray()
    for i, b in enumerate(data):
        if i in marked:
            out += b"\xff\x00"
            out.append(b)
        elif b == 0xFF:
            out += b"\xff\xff"
        else:
            out.append(b)
    return bytes(out)


def parity_bit(byte, parity):
    """The bit a sender puts after the data for 'E' or 'O'."""
    odd_ones = bin(byte).count("1") % 2
    return odd_ones if parity == "E" else 1 - odd_ones


def parse_shim_line(line):
    """The shim's '<baud> <bits><P><stop> parmrk=<0|1>' -> (Settings,
    parmrk), or None when it is not such a line."""
    f = line.split()
    if len(f) != 3 or not f[2].startswith("parmrk=") \
            or f[2][7:] not in ("0", "1"):
        return None
    try:
        return parse_settings("%s:%s" % (f[0], f[1])), f[2][7:] == "1"
    except ValueError:
        return None


class ShimFile:
    """The reader's settings from the shim's file, re-read only when the
    file changed (the shim renames a new file into place each time)."""

    def __init__(self, path):
        self.path, self.key, self.value = path, None, None

    def read(self):
        """(Settings, parmrk) or None: no file yet, or unreadable."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.key = self.value = None
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        if key != self.key:
            try:
                with open(self.path) as f:
                    self.value = parse_shim_line(f.read())
            except FileNotFoundError:
                self.value = None
            self.key = key
        return self.value


class UartLine:
    """The meter's UART (settings) wired to the reader's (from the shim's
    file). rng: the simulator's seeded random.Random; log: its Log."""

    def __init__(self, meter, path, rng, log):
        self.meter, self.file, self.rng, self.log = meter, ShimFile(path), \
            rng, log
        self.seen = False  # nothing logged yet
        self.last = None   # the reader settings logged last
        self.phase = 0     # sent bytes since the slow reader's last byte

    def matches(self, reader):
        """Same baud and framing. Stop bits do not count: a receiver
        checks only the first one."""
        m = self.meter
        return (reader.baud, reader.bits, reader.parity) == \
            (m.baud, m.bits, m.parity)

    def _note(self, got):
        if self.seen and got == self.last:
            return
        self.seen, self.last = True, got
        if got is None:
            self.log("uart reader=none match=no")
        else:
            self.log("uart reader=%s parmrk=%d match=%s" % (
                fmt(got[0]), got[1], "yes" if self.matches(got[0]) else "no"))

    def deliver(self, data, marked=frozenset()):
        """The bytes read() returns for the meter's data. marked: offsets
        sent with a wrong parity bit (flipped data bits)."""
        got = self.file.read()
        self._note(got)
        reader, parmrk = got if got else (None, False)
        if reader is not None and reader.baud == self.meter.baud \
                and reader.bits == self.meter.bits:
            values, errors = self._same_baud(data, marked, reader)
        else:
            values, errors = self._garbled(data, reader)
        if parmrk:
            return parmrk_escape(values, errors)
        return bytes(0 if i in errors else b for i, b in enumerate(values))

    def _same_baud(self, data, marked, reader):
        """The data bits arrive; the bit after them decides: the meter's
        parity bit, or its stop bit (1) when it sends none. A reader with
        parity compares it with its own; one without takes it for the
        stop bit, and a 0 there is a framing error."""
        errors = set()
        for i, b in enumerate(data):
            if self.meter.parity == "N":
                after = 1
            else:
                after = parity_bit(b, self.meter.parity) ^ (i in marked)
            if reader.parity == "N":
                bad = after == 0
            else:
                bad = after != parity_bit(b, reader.parity)
            if bad:
                errors.add(i)
        return bytes(data), errors

    def _garbled(self, data, reader):
        """Another baud (or data bits, or nothing configured yet): a slower
        reader gets one byte per ceil(k) sent ones, a faster one a byte
        per sent byte, of random value and about half with an error."""
        k = self.meter.baud / reader.baud if reader else 1.0
        values, errors = bytearray(), set()
        for _ in data:
            if k > 1:
                self.phase += 1
                if self.phase < math.ceil(k):
                    continue
                self.phase = 0
                v = self.rng.randrange(256)
            elif reader is not None and k < 1:
                v = self.rng.choice(FAST_READER_BYTES)
            else:
                v = self.rng.randrange(256)
            if self.rng.random() < 0.5:
                errors.add(len(values))
            values.append(v)
        return bytes(values), errors
