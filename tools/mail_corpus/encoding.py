"""Byte-level helpers for writing test mail: JIS escapes, RFC 2047 words, CRLF messages."""

from __future__ import annotations

import base64

CRLF = b"\r\n"


def sjis_to_jis(data: bytes) -> bytes:
    """Rewrite CP932 bytes as 7-bit ISO-2022-JP (CP50220-style) with escape sequences.

    Written independently of the parser's JIS-to-Shift_JIS routine so that a
    round trip through both tests each against the other.
    """
    out, mode, i = bytearray(), "ascii", 0
    while i < len(data):
        byte = data[i]
        if 0xA1 <= byte <= 0xDF:  # half-width katakana: JIS X 0201 katakana set
            out += b"\x1b(I" if mode != "kana" else b""
            out.append(byte - 0x80)
            mode, i = "kana", i + 1
        elif byte >= 0x81:
            s1, s2 = byte, data[i + 1]
            row = (s1 - (0x70 if s1 <= 0x9F else 0xB0)) * 2
            if s2 < 0x9F:
                row, col = row - 1, s2 - (0x1F if s2 < 0x80 else 0x20)
            else:
                col = s2 - 0x7E
            out += b"\x1b$B" if mode != "double" else b""
            out += bytes((row, col))
            mode, i = "double", i + 2
        else:
            out += b"\x1b(B" if mode != "ascii" else b""
            out.append(byte)
            mode, i = "ascii", i + 1
    return bytes(out + (b"\x1b(B" if mode != "ascii" else b""))


def jis(text: str) -> bytes:
    """Text as ISO-2022-JP with Microsoft's extensions, the way Outlook Express and carriers send it."""
    return sjis_to_jis(text.encode("cp932"))


def word(data: bytes, charset: str) -> bytes:
    """One RFC 2047 B-encoded word."""
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


def message(headers: list[bytes], body: bytes) -> bytes:
    return CRLF.join([*headers, b"", body]) + CRLF


def b64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
