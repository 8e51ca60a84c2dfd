#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""smref.py - a second, independent decoder for the capture files, used
only to check the C decoder's numbers (tests/cli/test_reference.sh).

  smref.py CAPTURE.hex        prints one JSON object: what the capture says
  smref.py --against JSON CAPTURE.hex [LOG]
                              compares a smartmeter-decode --format json
                              line (file JSON) with it: exit 0 when every
                              field and value agrees, else 1 and the
                              differences; readings beyond the bounds the
                              README gives must be missing, and the first
                              named in the CLI's stderr (file LOG)
  smref.py --vary SEED N PLAINTEXT.hex DIR
                              DIR/pt1.hex .. ptN.hex: the plaintext (as
                              sm-forge -p prints it) with other numbers,
                              chosen by SEED + k, for sm-forge -P
  smref.py --against-each LIST
                              --against for every line "JSON CAPTURE LOG
                              [INFLUX]" of the file LIST; with INFLUX, the
                              --format influx --timestamp meter line (TZ
                              UTC) must say what the JSON line says

Written from the protocol descriptions (EN 13757-2/-3 M-Bus frames and
records, the DLMS/COSEM green book's HDLC, General-Block-Transfer,
general-glo-ciphering and A-XDR, DSMR 5's P1 text, OMS mode 5) and the
operators' payload layouts (the research notes, INTERFACES.md), in another
language and style on purpose, and on another AES (OpenSSL, via
python3-cryptography) than the decoder's libgcrypt: the two share no code,
so a slip in one shows as a difference. It is deliberately plain: whole
capture in, no streaming, no resynchronisation, no partial frames; any
surprise raises.

Output: {"system_title", "frame_counter", "tagged", "authenticated",
"meter_time", "meter_number", "device_name", "values": {"A.B.C.D.E.F":
[decimal text, unit text]}}.
"""
import datetime
import decimal
import json
import re
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ---- the capture file ---------------------------------------------------


def load(path):
    """The bytes, the key and the authentication key (or None) of a file."""
    key = ak = None
    hexdigits = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            m = re.match(r"#\s*(key|ak):\s*([0-9A-Fa-f]{32})\s*$", line)
            if m and m.group(1) == "key":
                key = bytes.fromhex(m.group(2))
            elif m:
                ak = bytes.fromhex(m.group(2))
            continue
        hexdigits.append(re.sub(r"\s+", "", line))
    return bytes.fromhex("".join(hexdigits)), key, ak


# ---- link layers: each returns the APDU the frames carry ----------------


def mbus_apdu(data):
    """EN 13757-2 long frames 68 L L 68 C A CI STSAP DTSAP segment CS 16;
    CI bit 4 marks the last segment, its low nibble counts them."""
    apdu, pos, expect = b"", 0, 0
    while True:
        if data[pos] != 0x68 or data[pos + 3] != 0x68:
            raise ValueError("not an M-Bus long frame at %d" % pos)
        length = data[pos + 1]
        if data[pos + 2] != length:
            raise ValueError("M-Bus L fields differ")
        if length < 3:  # the T210-D's L = 0x01 for 257 (NOTES.md)
            length += 256
        body = data[pos + 4:pos + 4 + length]
        if sum(body) & 0xFF != data[pos + 4 + length]:
            raise ValueError("M-Bus checksum")
        if data[pos + 5 + length] != 0x16:
            raise ValueError("M-Bus stop byte")
        ci = body[2]
        if ci & 0x0F != expect:
            raise ValueError("M-Bus segment out of order")
        apdu += body[5:]  # after C, A, CI, STSAP, DTSAP
        pos += 6 + length
        expect += 1
        if ci & 0x10:
            if pos != len(data):
                raise ValueError("bytes after the last M-Bus segment")
            return apdu


def crc16_x25(b):
    crc = 0xFFFF
    for byte in b:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def after_hdlc_address(b, pos):
    """An HDLC address ends with the byte whose lowest bit is 1."""
    while not b[pos] & 1:
        pos += 1
    return pos + 1


def hdlc_apdu(data):
    """The frames of the capture, one after the other: 7E, frame format
    type 3 (A0 | length; A8 with the S bit: the information continues in
    the next frame), addresses, control, HCS, information, FCS, 7E. The
    LLC header E6 E7 00 opens the first frame's information only; the
    frames' information, joined, is the APDU (or its block-transfer
    blocks, one per frame on the E450)."""
    info, pos, first, more = b"", 0, True, False
    while pos < len(data):
        if data[pos] != 0x7E or data[pos + 1] & 0xF0 != 0xA0:
            raise ValueError("not an HDLC frame at %d" % pos)
        length = (data[pos + 1] & 0x07) << 8 | data[pos + 2]
        frame = data[pos + 1:pos + 1 + length]
        close = pos + 1 + length
        if data[close] != 0x7E:
            raise ValueError("HDLC closing flag")
        p = after_hdlc_address(frame, after_hdlc_address(frame, 2))
        p += 1  # control
        if crc16_x25(frame[:p]) != int.from_bytes(frame[p:p + 2], "little"):
            raise ValueError("HDLC HCS")
        if crc16_x25(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
            raise ValueError("HDLC FCS")
        chunk = frame[p + 2:-2]
        if first:
            if chunk[:3] != b"\xE6\xE7\x00":
                raise ValueError("no LLC header")
            chunk = chunk[3:]
        info += chunk
        first, more = False, bool(frame[0] & 0x08)
        pos = close + 1
        if pos < len(data) and data[pos] != 0x7E:
            pos = close  # the closing flag opens the next frame too
    if more:
        raise ValueError("the last HDLC frame has the S bit")
    return info


def ber_length(b, pos):
    if b[pos] < 0x80:
        return b[pos], pos + 1
    n = b[pos] & 0x7F
    return int.from_bytes(b[pos + 1:pos + 1 + n], "big"), pos + 1 + n


def gbt_apdu(apdu):
    """General-Block-Transfer E0 control(last = 0x80) block(2) ack(2)
    length data, blocks numbered from 1."""
    out, pos, number = b"", 0, 1
    while True:
        if apdu[pos] != 0xE0:
            raise ValueError("not a block-transfer block")
        control = apdu[pos + 1]
        if int.from_bytes(apdu[pos + 2:pos + 4], "big") != number:
            raise ValueError("block number")
        n, p = ber_length(apdu, pos + 6)
        out += apdu[p:p + n]
        pos, number = p + n, number + 1
        if control & 0x80:
            return out


# ---- general-glo-ciphering ------------------------------------------------


def decrypt(apdu, key, ak):
    """DB 08 title length SC FC ciphertext [tag(12)] -> (title, FC,
    authenticated, plaintext). AES-128-GCM, IV = title || FC; the tag is
    checked when the SC says there is one and the AK is known, otherwise
    the ciphertext is deciphered as GCM does (CTR from IV || 00000002)
    in any case: a tag that fails is reported, not fatal."""
    if apdu[0] != 0xDB or apdu[1] != 8:
        raise ValueError("not general-glo-ciphering")
    title = apdu[2:10]
    n, p = ber_length(apdu, 10)
    body = apdu[p:p + n]
    if p + n != len(apdu):
        raise ValueError("general-glo-ciphering length")
    sc, fc = body[0], body[1:5]
    tagged = bool(sc & 0x10)
    ct = body[5:-12] if tagged else body[5:]
    iv = title + fc
    authenticated = False
    if tagged and ak is not None:
        dec = Cipher(algorithms.AES(key), modes.GCM(iv, body[-12:], 12)
                     ).decryptor()
        dec.authenticate_additional_data(bytes([sc]) + ak)
        dec.update(ct)
        try:
            dec.finalize()
            authenticated = True
        except InvalidTag:
            pass
    dec = Cipher(algorithms.AES(key), modes.CTR(iv + b"\x00\x00\x00\x02")
                 ).decryptor()
    return title, fc, tagged, authenticated, dec.update(ct) + dec.finalize()


# ---- A-XDR ------------------------------------------------------------------

FIXED = {0x03: (1, False), 0x05: (4, True), 0x06: (4, False),
         0x0F: (1, True), 0x10: (2, True), 0x11: (1, False),
         0x12: (2, False), 0x14: (8, True), 0x15: (8, False),
         0x16: (1, False)}
STRINGS = (0x09, 0x0A, 0x0C)


def axdr(b, pos, fields=None):
    """One element at pos -> ((tag, value), next pos). Containers hold a
    list of elements; strings bytes; integers ints. fields, when given,
    collects (offset, tag, size) of every fixed-width integer and string
    (tag "string")."""
    tag = b[pos]
    pos += 1
    if tag in (0x01, 0x02):
        n, pos = ber_length(b, pos)
        items = []
        for _ in range(n):
            item, pos = axdr(b, pos, fields)
            items.append(item)
        return (tag, items), pos
    if tag in STRINGS:
        n, pos = ber_length(b, pos)
        if fields is not None:
            fields.append((pos, "string", n))
        return (tag, bytes(b[pos:pos + n])), pos + n
    if tag in FIXED:
        size, signed = FIXED[tag]
        if fields is not None:
            fields.append((pos, tag, size))
        raw = int.from_bytes(b[pos:pos + size], "big", signed=signed)
        return (tag, raw), pos + size
    if tag == 0x19:
        return (tag, bytes(b[pos:pos + 12])), pos + 12
    if tag == 0x00:
        return (tag, None), pos
    raise ValueError("A-XDR tag 0x%02X not read here" % tag)


def dlms_time(b):
    """A 12-byte COSEM date-time -> "YYYY-MM-DDTHH:MM:SS" as the meter
    sent it (local time; deviation and status are not applied)."""
    year = int.from_bytes(b[0:2], "big")
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (year, b[2], b[3], b[5], b[6],
                                               b[7])


def is_date_time(b):
    """A COSEM date-time's fields in range (0xFF: not given; month and day
    0xFD/0xFE: DST end/begin and the last days of a month)."""
    def ok(v, lo, hi, *also):
        return v == 0xFF or lo <= v <= hi or v in also
    return (ok(b[2], 1, 12, 0xFD, 0xFE) and ok(b[3], 1, 31, 0xFD, 0xFE) and
            ok(b[4], 1, 7) and ok(b[5], 0, 23) and ok(b[6], 0, 59) and
            ok(b[7], 0, 59) and ok(b[8], 0, 99))


def clock(tel, b):
    """The meter time is the header's date-time; a telegram whose header
    has none (or an invalid one) takes the first valid clock of its body
    (the project's rule, doc/CONTRACTS.md "Meter time")."""
    if tel["meter_time"] is None and is_date_time(b):
        tel["meter_time"] = dlms_time(b)


def obis_text(o):
    return ".".join(str(x) for x in o)


def decimal_text(raw, scaler):
    d = decimal.Decimal(raw).scaleb(scaler)
    return format(d.normalize(), "f") if d != 0 else "0"


UNITS = {27: "W", 28: "VA", 29: "var", 30: "Wh", 31: "VAh", 32: "varh",
         33: "A", 35: "V", 44: "Hz", 255: ""}


# ---- payloads ----------------------------------------------------------------


def ints(items):
    return all(tag in FIXED for tag, _ in items)


def positional(tel, items):
    """INTERFACES.md's layouts without OBIS codes; True when one fits."""
    tags = [t for t, _ in items]
    vals = [v for _, v in items]
    n = len(items)
    energy = ["1.0.1.8.0.255", "1.0.2.8.0.255", "1.0.3.8.0.255",
              "1.0.4.8.0.255"]
    power = ["1.0.1.7.0.255", "1.0.2.7.0.255", "1.0.3.7.0.255",
             "1.0.4.7.0.255"]
    units_e, units_p = ["Wh", "Wh", "varh", "varh"], ["W", "W", "var", "var"]
    push_id = tags[0] == 0x09 and vals[0] == bytes([0, 6, 25, 9, 0, 255])
    if n in (12, 10) and push_id and tags[1] == 0x09 and \
            ints(items[4:10]):
        # Kärnten (12) / Wels (10): id, meter number, time(4), date(5),
        # 1.8.0, 2.8.0 Wh, 3.8.0, 4.8.0 varh, 1.7.0, 2.7.0 W
        tel["meter_number"] = vals[1].decode("ascii")
        t, d = vals[2], vals[3]  # hh mm ss hs, yyyy mm dd dow
        clock(tel, d[0:5] + t[0:4] + b"\x80\x00\xFF")
        for o, u, raw in zip(energy + power[:2], units_e + units_p[:2],
                             vals[4:10]):
            tel["values"][o] = [decimal_text(raw, 0), u]
        return True
    if n in (10, 9) and ints(items[n - 8:]) and tags[n - 9] == 0x09 and \
            len(vals[n - 9]) == 12:
        # Wiener Netze (10): serial(16), clock, 8 u32; (9): clock, 8 u32
        if n == 10:
            tel["meter_number"] = vals[0].decode("ascii")
        clock(tel, vals[n - 9])
        for o, u, raw in zip(energy + power, units_e + units_p, vals[n - 8:]):
            tel["values"][o] = [decimal_text(raw, 0), u]
        return True
    if n in (11, 14) and ints(items[:n - 1]) and tags[n - 1] == 0x09:
        # Burgenland: U1-3 V, I1-3 0.01 A, +P, -P W, +A, -A Wh, (14: three
        # u16 nobody documents, left out), meter number
        names = [("1.0.32.7.0.255", 0, "V"), ("1.0.52.7.0.255", 0, "V"),
                 ("1.0.72.7.0.255", 0, "V"), ("1.0.31.7.0.255", -2, "A"),
                 ("1.0.51.7.0.255", -2, "A"), ("1.0.71.7.0.255", -2, "A"),
                 ("1.0.1.7.0.255", 0, "W"), ("1.0.2.7.0.255", 0, "W"),
                 ("1.0.1.8.0.255", 0, "Wh"), ("1.0.2.8.0.255", 0, "Wh")]
        for (o, scaler, u), raw in zip(names, vals[:10]):
            tel["values"][o] = [decimal_text(raw, scaler), u]
        tel["meter_number"] = vals[n - 1].decode("ascii")
        return True
    if n == 33 and tags[0] == 0x09 and len(vals[0]) == 12:
        # Steiermark / Graz E450: clock, then 16 (OBIS, u32), units by
        # the OBIS code (C = 1..4 active/reactive, D = 8 energy, 7 power)
        clock(tel, vals[0])
        for k in range(1, 33, 2):
            o = vals[k]
            unit = (["Wh", "Wh", "varh", "varh"] if o[3] == 8
                    else ["W", "W", "var", "var"])[o[2] - 1]
            tel["values"][obis_text(o)] = [decimal_text(vals[k + 1], 0), unit]
        return True
    return False


def flat(element, out):
    """The elements in order, containers opened, except a {int8, enum}
    pair, which stays whole: it is the scaler and unit of what came
    before."""
    tag, v = element
    if tag == 0x02 and len(v) == 2 and v[0][0] == 0x0F and v[1][0] == 0x16:
        out.append(("scaler_unit", (v[0][1], v[1][1])))
    elif tag in (0x01, 0x02):
        for item in v:
            flat(item, out)
    else:
        out.append(element)
    return out


def self_describing(tel, body):
    """An OBIS code (octet-string of 6) names the element after it; a
    scaler_unit right after a number scales it. A string with no name:
    a date-time (EVN's header copy) or the meter number."""
    seq = flat(body, [])
    i = 0
    while i < len(seq):
        tag, v = seq[i]
        if tag == 0x09 and len(v) == 6 and i + 1 < len(seq):
            o = obis_text(v)
            vtag, value = seq[i + 1]
            i += 2
            scaler, unit = 0, 255
            if i < len(seq) and seq[i][0] == "scaler_unit":
                scaler, unit = seq[i][1]
                i += 1
            if o == "0.0.1.0.0.255":
                clock(tel, value)
            elif o == "0.0.96.1.0.255":
                tel["meter_number"] = value.decode("ascii")
            elif o == "0.0.42.0.0.255":
                tel["device_name"] = value.decode("ascii")
            elif vtag in STRINGS:
                tel["values"][o] = [value.decode("ascii"), ""]
            else:
                tel["values"][o] = [decimal_text(value, scaler),
                                    UNITS[unit]]
            continue
        if tag == 0x09 and len(v) == 12 and is_date_time(v):
            clock(tel, v)
        elif tag in STRINGS:
            tel["meter_number"] = v.decode("ascii")
        else:
            raise ValueError("an element without a name: %r" % (seq[i],))
        i += 1


def notification(tel, pt):
    """0F long-invoke-id(4) date-time (0C + 12 | 09 0C + 12 | 00) body."""
    if pt[0] != 0x0F:
        raise ValueError("not a data-notification")
    pos = 5
    if pt[pos] == 0x0C:
        clock(tel, pt[pos + 1:pos + 13])
        pos += 13
    elif pt[pos] == 0x09 and pt[pos + 1] == 0x0C:
        clock(tel, pt[pos + 2:pos + 14])
        pos += 14
    elif pt[pos] == 0x00:
        pos += 1
    else:
        raise ValueError("data-notification date-time")
    body, end = axdr(pt, pos)
    if end != len(pt):
        raise ValueError("bytes after the body")
    if body[0] == 0x02 and positional(tel, body[1]):
        return
    self_describing(tel, body)


DSMR_UNITS = {"Wh": 1, "kWh": 1000, "W": 1, "kW": 1000, "varh": 1,
              "kvarh": 1000, "var": 1, "kvar": 1000, "V": 1, "A": 1}


def dsmr(tel, text):
    """DSMR P1: "/ident", lines "A-B:C.D.E(value*unit)", "!" CRC-16/ARC
    over "/" .. "!". Readings: one group with a known unit."""
    bang = text.index("\r\n!") + 2
    crc = 0
    for byte in text[:bang + 1].encode("ascii"):
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    if crc != int(text[bang + 1:bang + 5], 16):
        raise ValueError("DSMR CRC")
    lines = text[:bang].split("\r\n")
    tel["device_name"] = lines[0][1:]
    for line in lines[1:]:
        m = re.fullmatch(r"(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)\((.*)\)", line)
        if not m:
            continue
        o = "%s.%s.%s.%s.%s.255" % m.groups()[:5]
        group = m.group(6)
        if o == "0.0.1.0.0.255":
            t = datetime.datetime.strptime(group[:12], "%y%m%d%H%M%S")
            tel["meter_time"] = t.strftime("%Y-%m-%dT%H:%M:%S")
            continue
        n = re.fullmatch(r"(-?\d+(?:\.\d+)?)\*(\w+)", group)
        if n and n.group(2) in DSMR_UNITS:
            unit = n.group(2).lstrip("k")
            value = decimal.Decimal(n.group(1)) * DSMR_UNITS[n.group(2)]
            tel["values"][o] = [format(value.normalize(), "f")
                                if value != 0 else "0", unit]


def amis_time(b):
    """EN 13757-3 type I date-time (6 bytes, least significant first)."""
    year = 2000 + ((b[3] >> 5) | (b[4] >> 4) << 3)
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (
        year, b[4] & 0x0F, b[3] & 0x1F, b[2] & 0x1F, b[1] & 0x3F, b[0] & 0x3F)


def amis_quantity(vif, vifes):
    """(OBIS C, D, unit, power of ten) of a record's VIF and VIFEs, for
    the codes the TD-3511 sends (INTERFACES.md 4.5), or None."""
    code, exp, backward = vif & 0x7F, 0, 0x3C in vifes
    if vif == 0xFB:  # the first extension table: its code is vifes[0]
        code, vifes = vifes[0] & 0x7F, vifes[1:]
        c, d, unit, exp = {0x02: (3, 8, "varh", 3),   # reactive energy kvarh
                           0x14: (3, 7, "var", 0)}[code]  # reactive power var
    elif code <= 0x07:  # energy 10^(n-3) Wh
        c, d, unit, exp = 1, 8, "Wh", code - 3
    elif 0x28 <= code <= 0x2F:  # power 10^(n-3) W
        c, d, unit, exp = 1, 7, "W", code - 0x28 - 3
    else:
        return None
    for e in vifes:
        if 0x70 <= e & 0x7F <= 0x77:  # multiplicative correction 10^(n-6)
            exp += (e & 0x07) - 6
    if 0xFF in vifes and vifes[vifes.index(0xFF) + 1] == 0x04:
        return 1, 128, unit, exp  # the Inkasso register (manufacturer's)
    return c + (1 if backward else 0), d, unit, exp


def amis(tel, data, key):
    """Netz OÖ's SND_UD: 68 5F 5F 68 C A CI=5B, long header ID(4) M(2)
    version medium access status config(2), 5 AES-128-CBC blocks (OMS
    mode 5, IV = M ID version medium + 8 x access number), CS 16; the
    plaintext 2F 2F records 2F 2F."""
    length = data[1]
    if sum(data[4:4 + length]) & 0xFF != data[4 + length] or \
            data[5 + length] != 0x16:
        raise ValueError("AMIS frame checksum or stop byte")
    ident, m, version, medium = data[7:11], data[11:13], data[13], data[14]
    access = data[15]
    head = m + ident + bytes([version, medium])
    tel["system_title"] = head.hex().upper()
    tel["frame_counter"] = access
    dec = Cipher(algorithms.AES(key), modes.CBC(head + bytes([access]) * 8)
                 ).decryptor()
    pt = dec.update(data[19:19 + 80]) + dec.finalize()
    if pt[:2] != b"\x2F\x2F" or pt[-2:] != b"\x2F\x2F":
        raise ValueError("AMIS: the key does not decrypt")
    pos = 2
    while pos < len(pt) - 2:
        dif = pt[pos]
        pos += 1
        tariff = 0
        while pt[pos - 1] & 0x80:  # DIFEs: bits 4-5 the tariff
            tariff |= (pt[pos] >> 4) & 0x03
            pos += 1
        vif = pt[pos]
        pos += 1
        vifes = []
        last = vif
        while last & 0x80:
            last = pt[pos]
            vifes.append(last)
            pos += 1
        size = {0x04: 4, 0x06: 6}[dif & 0x0F]
        raw = pt[pos:pos + size]
        pos += size
        if vif == 0x6D:
            tel["meter_time"] = amis_time(raw)
            continue
        c, d, unit, exp = amis_quantity(vif, vifes)
        signed = (c, d) == (1, 128)  # SPEC: the Inkasso register only
        value = int.from_bytes(raw, "little", signed=signed)
        tel["values"]["1.0.%d.%d.%d.255" % (c, d, tariff)] = [
            decimal_text(value, exp), unit]


def decode(path):
    data, key, ak = load(path)
    tel = {"system_title": None, "frame_counter": None, "tagged": False,
           "authenticated": False, "meter_time": None, "meter_number": None,
           "device_name": None, "values": {}}
    if data[0] == 0x68 and data[6] == 0x5B:
        amis(tel, data, key)
        return tel
    apdu = (mbus_apdu(data) if data[0] == 0x68
            else hdlc_apdu(data) if data[0] == 0x7E else data)
    if apdu[0] == 0xE0:
        apdu = gbt_apdu(apdu)
    if apdu[0] == 0xDB:
        title, fc, tel["tagged"], tel["authenticated"], pt = decrypt(
            apdu, key, ak)
        tel["system_title"] = title.hex().upper()
        tel["frame_counter"] = int.from_bytes(fc, "big")
    else:
        pt = apdu
    if pt[:1] == b"/":
        dsmr(tel, pt.decode("ascii"))
    else:
        notification(tel, pt)
    return tel


# ---- variants: the same telegram with other numbers --------------------

VARIED = (0x05, 0x06, 0x10, 0x11, 0x12, 0x14, 0x15)  # not scalers, units


def vary_dsmr(pt, rng):
    """A DSMR text with the digits of every "(number*unit)" replaced (a
    random number of leading zeros, then random digits), the length kept
    (the CRC is sm-forge -P's business)."""
    def digits(m):
        number = m.group(2)
        zeros = rng.randrange(sum(ch.isdigit() for ch in number) + 1)
        out = []
        for ch in number:  # a random magnitude: leading zeros, then any
            if ch.isdigit():
                ch = "0" if zeros > 0 else rng.choice("0123456789")
                zeros -= 1
            out.append(ch)
        return m.group(1) + "".join(out) + m.group(3)
    text = re.sub(r"(\()(-?[0-9.]+)(\*\w+\))", digits, pt.decode("ascii"))
    return text.encode("ascii")


def some_time(b, rng, header):
    """Another valid date-time, deviation and status kept; a header's is
    made invalid (month 0) a fifth of the time, so that the body's clock
    counts."""
    t = bytearray(b)
    t[0:2] = rng.randrange(2000, 2100).to_bytes(2, "big")
    t[2] = 0 if header and rng.random() < 0.2 else rng.randrange(1, 13)
    t[3] = rng.randrange(1, 29)
    t[4] = rng.choice([0xFF, rng.randrange(1, 8)])
    t[5:8] = bytes([rng.randrange(24), rng.randrange(60), rng.randrange(60)])
    t[8] = rng.choice([0xFF, 0, rng.randrange(100)])
    return bytes(t)


def vary(pt, rng):
    """pt (a data-notification) with every integer value replaced: edge
    values (0, 1, the type's limits, -1) a fifth of the time, values below
    1000 or 100000 three fifths, else any value of the type; half of the
    scalers and of the printable strings too, and every date-time (header
    and body apart). Units stay."""
    if pt[:1] == b"/":
        return vary_dsmr(pt, rng)
    fields = []
    start = 5 + {0x0C: 13, 0x09: 14, 0x00: 1}[pt[5]]
    axdr(pt, start, fields)
    out = bytearray(pt)
    if pt[5] == 0x0C:
        fields.append((6, "header", 12))
    elif pt[5] == 0x09:
        fields.append((7, "header", 12))
    for pos, tag, size in fields:
        old = pt[pos:pos + size]
        if tag in ("string", "header") and size == 12 and is_date_time(old):
            out[pos:pos + 12] = some_time(old, rng, tag == "header")
            continue
        if tag == "string" and size != 6 and all(
                0x20 <= c <= 0x7E for c in old) and rng.random() < 0.5:
            # a meter number or name: other printable text, quotes and
            # backslashes included (the JSON writer escapes them)
            out[pos:pos + size] = bytes(rng.randrange(0x20, 0x7F)
                                        for _ in range(size))
            continue
        if tag == 0x0F and pt[pos - 3:pos - 1] == b"\x02\x02" and \
                pt[pos + 1] == 0x16 and rng.random() < 0.5:
            # the scaler of a {scaler, unit}: -15..15, beyond the +-9
            # that M-Bus meters send
            out[pos] = rng.randrange(-15, 16) & 0xFF
            continue
        if tag not in VARIED:
            continue
        size, signed = FIXED[tag]
        lo = -(1 << (8 * size - 1)) if signed else 0
        hi = (1 << (8 * size - 1)) - 1 if signed else (1 << 8 * size) - 1
        r = rng.random()
        if r < 0.2:
            v = rng.choice([0, 1, lo, hi, -1 if signed else hi - 1])
        elif r < 0.8:  # below 1000 or 100000: plausible, mostly
            top = 999 if r < 0.6 else 99999
            v = rng.randrange(max(lo, -top), min(hi, top) + 1)
        else:
            v = rng.randrange(lo, hi + 1)
        out[pos:pos + size] = v.to_bytes(size, "big", signed=signed)
    return bytes(out)


FIELDS = ("system_title", "frame_counter", "meter_time", "meter_number",
          "device_name")


# What the README promises never to print: a value beyond its unit's
# bound ("1000 V, 10^4 A, 10^8 W/VA/var, 1000 Hz, 10^15 Wh/VAh/varh and
# any other unit").
BOUNDS = {"V": 1e3, "A": 1e4, "W": 1e8, "VA": 1e8, "var": 1e8, "Hz": 1e3}


def is_number(text):
    """A reading's text that is a decimal number (not a text reading)."""
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def implausible(text, unit):
    return is_number(text) and \
        abs(decimal.Decimal(text)) > decimal.Decimal(BOUNDS.get(unit, 1e15))


def differences(ref, line, log=""):
    """What a smartmeter-decode JSON line says otherwise than ref, once
    the readings beyond their bounds are taken out of ref; and whether
    the CLI's stderr (log) names the first of those with its number and
    counts the others."""
    try:
        got = json.loads(line, parse_float=decimal.Decimal,
                         parse_int=decimal.Decimal)
    except ValueError as e:
        return ["not one JSON object (%s): %r" % (e, line[:200])]
    out = ["%s: %r, the reference %r" % (f, got.get(f), ref[f])
           for f in FIELDS if got.get(f) != ref[f]]
    bad = [o for o, (text, unit) in ref["values"].items()
           if implausible(text, unit)]
    want = {o: v for o, v in ref["values"].items() if o not in bad}
    values = got.get("values", {})
    for o in sorted(set(values) | set(want)):
        if o not in values or o not in want:
            out.append("%s: only in %s" % (
                o, "the reference" if o in want else "the line"))
            continue
        text, unit = want[o]
        v = values[o]["value"]
        same = (v == text if isinstance(v, str) else
                is_number(text) and
                v == decimal.Decimal(text))
        if not same or values[o]["unit"] != unit:
            out.append("%s: %s %s, the reference %s %s" % (
                o, v, values[o]["unit"], text, unit))
    if bad:
        text, unit = ref["values"][bad[0]]
        others = ("" if len(bad) == 1 else
                  " with 1 other implausible reading" if len(bad) == 2 else
                  " with %d other implausible readings" % (len(bad) - 1))
        m = re.search(r"%s = (\S+) (\S*) ?is beyond the bound[^;]*; "
                      r"dropped(.*)$" % re.escape(bad[0]), log, re.M)
        if not m or abs(float(m.group(1)) - float(text)) > \
                1e-5 * abs(float(text)) or m.group(2) != unit or \
                m.group(3) != others:
            out.append("the log does not name %s = %s %s as the first of %d "
                       "dropped: %r" % (bad[0], text, unit, len(bad),
                                        log.strip()))
    elif log.strip():
        out.append("the log says %r" % log.strip())
    return out


# ---- Influx line protocol, read back ---------------------------------------


def influx_parse(line):
    """measurement,tag=value,... field=value,... ns -> (measurement,
    {tag: value}, {field: value text}, ns), by the line protocol's rules:
    in the measurement and tags a backslash escapes ',', '=' and ' ' (and
    nothing else); field strings are quoted, with \\" and \\\\ inside."""
    def split(text, seps):
        out, cur, i = [], "", 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in ",= ":
                cur, i = cur + text[i + 1], i + 2
                continue
            if ch in seps:
                out.append(cur)
                cur = ""
                if ch == " ":
                    return out, text[i + 1:]
            else:
                cur += ch
            i += 1
        out.append(cur)
        return out, ""
    head, rest = split(line.rstrip("\n"), ", ")
    tags = dict(t.split("=", 1) for t in head[1:])
    fields, i = {}, 0
    while True:
        eq = rest.index("=", i)
        key = rest[i:eq]
        if rest[eq + 1] == '"':
            j, val = eq + 2, ""
            while rest[j] != '"':
                if rest[j] == "\\":
                    j += 1
                val, j = val + rest[j], j + 1
            fields[key], i = ("str", val), j + 1
        else:
            j = eq + 1
            while rest[j] not in ", ":
                j += 1
            fields[key], i = ("num", rest[eq + 1:j]), j
        if rest[i] == " ":
            return head[0], tags, fields, int(rest[i + 1:])
        i += 1


def influx_differences(json_line, influx_line):
    """What the Influx line says otherwise than the (checked) JSON line."""
    j = json.loads(json_line, parse_float=decimal.Decimal,
                   parse_int=decimal.Decimal)
    try:
        measurement, tags, fields, ns = influx_parse(influx_line)
    except (ValueError, IndexError) as e:
        return ["not one Influx line (%s): %r" % (e, influx_line[:200])]
    tag = j["meter_number"] or j["system_title"] or "unknown"
    tag = "".join("_" if ord(c) < 0x20 or c == "\x7F" else c for c in tag)
    if tag.endswith("\\"):
        tag = tag[:-1] + "_"  # line protocol cannot end a tag so
    out = []
    if measurement != "smartmeter" or tags != {"meter": tag}:
        out.append("influx head %r %r, want %r" % (measurement, tags, tag))
    want = {v["name"]: v["value"] for v in j["values"].values()}
    if set(fields) != set(want):
        out.append("influx fields %s, want %s" % (sorted(fields),
                                                   sorted(want)))
    for k in set(fields) & set(want):
        kind, text = fields[k]
        ok = (kind == "str" and text == want[k]) if isinstance(
            want[k], str) else (kind == "num" and
                                decimal.Decimal(text) == want[k])
        if not ok:
            out.append("influx %s=%s, JSON %s" % (k, text, want[k]))
    if j["meter_time"]:
        t = datetime.datetime.strptime(j["meter_time"], "%Y-%m-%dT%H:%M:%S")
        epoch = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
        if ns // 1000000000 != epoch:
            out.append("influx time %d, meter time %s" % (ns, j["meter_time"]))
    return out


if __name__ == "__main__":
    if sys.argv[1] == "--vary":
        import random
        seed, n, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
        text = open(sys.argv[4], encoding="ascii").read()
        pt = bytes.fromhex(re.sub(r"\s+", "", text))
        for k in range(1, n + 1):
            with open("%s/pt%d.hex" % (out, k), "w", encoding="ascii") as f:
                f.write(vary(pt, random.Random(seed + k)).hex().upper() + "\n")
        sys.exit(0)
    if sys.argv[1] == "--against-each":
        # lines "JSON CAPTURE LOG [INFLUX]" in the file sys.argv[2]
        failed = False
        for line in open(sys.argv[2], encoding="utf-8"):
            j, cap, log, *influx = line.split()
            text = open(j, encoding="utf-8").read()
            diffs = differences(decode(cap), text,
                                open(log, encoding="utf-8").read())
            if influx and not diffs:
                diffs = influx_differences(
                    text, open(influx[0], encoding="utf-8").read())
            for d in diffs:
                print("%s: %s" % (cap, d))
            failed = failed or bool(diffs)
        sys.exit(1 if failed else 0)
    if sys.argv[1] == "--against":
        log = (open(sys.argv[4], encoding="utf-8").read()
               if len(sys.argv) > 4 else "")
        diffs = differences(decode(sys.argv[3]),
                            open(sys.argv[2], encoding="utf-8").read(), log)
        for d in diffs:
            print(d)
        sys.exit(1 if diffs else 0)
    print(json.dumps(decode(sys.argv[1]), sort_keys=True))
