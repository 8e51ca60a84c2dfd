#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check-png.py - is each FILE a valid, non-trivial PNG image? (test tool)

  check-png.py [--min-bytes N] [--min-x X] [--colour RRGGBB[:COUNT]]...
               FILE...

For every file: the PNG signature, an IHDR chunk first with a sane size,
every chunk's CRC, IDAT data that inflates to exactly the size the header
promises, an IEND chunk last, at least N bytes on disk (default 5120), and
more than one distinct colour value in the pixels (not a blank canvas),
and for each --colour at least COUNT (default 20) pixels of exactly that
colour (8-bit RGB/RGBA images) in the pixel columns from X on (default 0),
e.g. the colour of a graph's line right of rrdtool's legend swatches, to
show the data was drawn.
Prints one line per file ("ok FILE WxH ..." or "bad FILE: reason") and
exits 0 only when every file is good. Python standard library only.
"""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Channels per colour type (PNG spec, table 11.1).
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, height, row, bpp):
    """The scanlines of a non-interlaced image, filters undone."""
    out = []
    prev = bytearray(row)
    for y in range(height):
        ftype = raw[y * (row + 1)]
        line = bytearray(raw[y * (row + 1) + 1:(y + 1) * (row + 1)])
        for i in range(row):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif ftype == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xFF
            elif ftype != 0:
                raise ValueError("unknown filter type %d" % ftype)
        out.append(bytes(line))
        prev = line
    return out


def count_colour(lines, channels, rgb, min_x):
    n = 0
    for line in lines:
        for i in range(min_x * channels, len(line), channels):
            if line[i:i + 3] == rgb:
                n += 1
    return n


def check(path, min_bytes, colours=(), min_x=0):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < min_bytes:
        return "only %d bytes (want at least %d)" % (len(data), min_bytes)
    if not data.startswith(SIGNATURE):
        return "no PNG signature"
    pos = len(SIGNATURE)
    chunks = []
    while pos < len(data):
        if pos + 12 > len(data):
            return "truncated chunk at byte %d" % pos
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            return "chunk %r runs past the end" % ctype
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            return "bad CRC in chunk %r" % ctype
        chunks.append((ctype, body))
        pos += 12 + length
        if ctype == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return "first chunk is not a 13-byte IHDR"
    if chunks[-1][0] != b"IEND":
        return "no IEND chunk"
    width, height, depth, ctype_, comp, filt, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1])
    if not (0 < width <= 20000 and 0 < height <= 20000):
        return "implausible size %dx%d" % (width, height)
    if ctype_ not in CHANNELS or comp != 0 or filt != 0:
        return "unknown colour type/compression/filter"
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == b"IDAT"))
    if interlace == 0:
        row = (width * CHANNELS[ctype_] * depth + 7) // 8
        if len(raw) != height * (row + 1):
            return "pixel data is %d bytes, header promises %d" % (
                len(raw), height * (row + 1))
        # Filter bytes stripped: a blank image has one byte value only.
        pixels = b"".join(raw[i * (row + 1) + 1:(i + 1) * (row + 1)]
                          for i in range(height))
    else:
        pixels = raw
    distinct = len(set(pixels))
    if distinct < 2:
        return "blank image (one colour)"
    found = ""
    if colours:
        if interlace != 0 or depth != 8 or ctype_ not in (2, 6):
            return "--colour needs a non-interlaced 8-bit RGB(A) image"
        lines = unfilter(raw, height, row, CHANNELS[ctype_])
        for hexrgb, want in colours:
            n = count_colour(lines, CHANNELS[ctype_], bytes.fromhex(hexrgb),
                             min_x)
            if n < want:
                return "%d pixels of colour %s (want at least %d)" % (
                    n, hexrgb, want)
            found += ", %d pixels of %s" % (n, hexrgb)
    return "ok %dx%d, %d bytes, colour type %d, %d distinct byte values%s" % (
        width, height, len(data), ctype_, distinct, found)


def main(argv):
    min_bytes = 5120
    colours = []
    min_x = 0
    while len(argv) >= 2 and argv[0] in ("--min-bytes", "--colour", "--min-x"):
        if argv[0] == "--min-bytes":
            min_bytes = int(argv[1])
        elif argv[0] == "--min-x":
            min_x = int(argv[1])
        else:
            hexrgb, _, count = argv[1].partition(":")
            if len(hexrgb) != 6:
                print("--colour wants RRGGBB[:COUNT]", file=sys.stderr)
                return 2
            colours.append((hexrgb.upper(), int(count or 20)))
        argv = argv[2:]
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bad = 0
    for path in argv:
        try:
            verdict = check(path, min_bytes, colours, min_x)
        except (OSError, zlib.error, struct.error, ValueError) as e:
            verdict = str(e)
        if verdict.startswith("ok "):
            print("ok %s %s" % (path, verdict[3:]))
        else:
            print("bad %s: %s" % (path, verdict))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
