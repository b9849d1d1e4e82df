"""Decoding text bytes as Japanese (and other) senders really label them.

Mail from Japanese customers arrives as ISO-2022-JP carrying Microsoft's
extensions (CP50220/CP50221: ①, Ⅲ, NEC and IBM kanji), Shift_JIS that is
really CP932, EUC-JP, or with no or a wrong ``charset``. `decode_text`
tries the declared charset strictly, then what the bytes say they are, and
returns None rather than text with U+FFFD or raw escape codes in it.
"""

from __future__ import annotations

import codecs
import logging

import charset_normalizer

logger = logging.getLogger(__name__)

_ESC = 0x1B
# Every ISO-2022-JP variant is decoded by one routine (see decode_iso2022jp).
_ISO2022JP_LABELS = frozenset({
    "iso-2022-jp", "iso2022jp", "iso-2022-jp-ms", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3",
    "iso-2022-jp-2004", "cp50220", "cp50221", "cp50222", "csiso2022jp", "x-iso-2022-jp",
})
# Shift_JIS in mail is written by Windows and phones, so it is CP932 (a superset).
_SJIS_LABELS = frozenset({
    "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932",
    "ms932", "x-ms-cp932", "shift_jis-2004", "sjis-win",
})
_EUCJP_LABELS = frozenset({"euc-jp", "eucjp", "x-euc-jp", "cp51932", "eucjp-ms", "euc-jis-2004"})
# Labels that decode any byte sequence, so a strict decode proves nothing.
_PERMISSIVE_LABELS = frozenset({
    "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii",
})
_CODEC_CHAINS = {
    "sjis": ("cp932", "shift_jis_2004"),
    "eucjp": ("euc_jp", "euc_jis_2004"),
}
# Japanese scores (see _japanese_score): enough for unlabelled bytes, and enough to overrule a label.
_LIKELY_JAPANESE = 0.5
_CLEAR_JAPANESE = 0.9
# charset-normalizer's "chaos" above this means its guess is noise, not text.
_MAX_CHAOS = 0.3
# Below this, charset-normalizer reads eight bytes of cut-off UTF-8 as "clean" cp720.
_MIN_BYTES_TO_DETECT = 64


def decode_text(data: bytes, declared: str | None) -> str | None:
    """Decode a text part or header, or None when no charset explains the bytes.

    Args:
        data: the bytes after transfer decoding (base64, quoted-printable).
        declared: the charset the sender named, None or "" when none.

    Returns:
        The text, never containing U+FFFD, or None.
    """
    label = (declared or "").strip().strip('"').lower()
    if _looks_iso2022(data):
        # Escape sequences mean ISO-2022-JP whatever the label says (zammad#6144); another
        # codec would "succeed" and show the escapes, so failing here means undecodable.
        return decode_iso2022jp(data)
    text = _decode_declared(data, label)
    if text is not None and _suspicious(data, label):
        # Only a clear reading overrides the label: "nº" must not become half-width kana.
        return _strict(data, "utf-8") or _best_japanese(data, _CLEAR_JAPANESE) or text
    if text is not None:
        return text
    guess = _guess_japanese(data)
    for cut in (1, 2, 3):  # a message cut off inside its last character
        if guess is None and label and len(data) > cut:
            guess = _decode_declared(data[:-cut], label)
    if guess is None:
        guess = _guess_other(data)
    if guess is None:
        logger.info("no charset explains %d bytes (declared %r)", len(data), label)
    return guess


def decode_iso2022jp(data: bytes) -> str | None:
    """Decode ISO-2022-JP including CP50220/CP50221 (Microsoft) extensions.

    Python's ``iso2022_jp`` refuses NEC row 13 (①, Ⅲ) and the IBM kanji, and
    has no cp50220 codec, so the JIS escapes are rewritten as Shift_JIS bytes
    and decoded as CP932, which holds both extensions.
    """
    for codec in ("iso2022_jp", "iso2022_jp_ext"):
        text = _strict(data, codec)
        if text is not None:
            return text
    sjis = jis_to_sjis(data)
    if sjis is not None:
        text = _strict(sjis, "cp932")
        if text is not None:
            return text
    for codec in ("iso2022_jp_2004", "iso2022_jp_2"):  # JIS X 0213 / 0212 escapes
        text = _strict(data, codec)
        if text is not None:
            return text
    return None


def jis_to_sjis(data: bytes) -> bytes | None:
    """Rewrite ISO-2022-JP (7-bit JIS) as Shift_JIS bytes; None for escapes it cannot map."""
    out = bytearray()
    mode = "ascii"
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        if byte == _ESC:
            mode_or_none = _escape_mode(data[i + 1 : i + 4])
            if mode_or_none is None:
                return None
            mode, length = mode_or_none
            i += length
        elif byte == 0x0E:  # SO: half-width katakana (CP50222)
            mode, i = "kana", i + 1
        elif byte == 0x0F:  # SI: back to ASCII
            mode, i = "ascii", i + 1
        elif byte in (0x0A, 0x0D):
            # A line ends in ASCII; senders that forget the escape still mean it.
            out.append(byte)
            mode, i = ("ascii" if mode == "double" else mode), i + 1
        elif mode == "double":
            if i + 1 >= n:
                break  # half a character at the end: the message was cut off, keep the rest
            if not (0x21 <= byte <= 0x7E and 0x21 <= data[i + 1] <= 0x7E):
                return None
            out += _jis_pair_to_sjis(byte, data[i + 1])
            i += 2
        elif mode == "kana" and 0x21 <= byte <= 0x5F:
            out.append(byte + 0x80)
            i += 1
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def _escape_mode(seq: bytes) -> tuple[str, int] | None:
    """The mode an escape sequence switches to and its length with ESC, None if unsupported."""
    if seq[:2] in (b"(B", b"(J", b"(H"):
        return "ascii", 3
    if seq[:2] in (b"$@", b"$B"):
        return "double", 3
    if seq[:2] == b"(I":
        return "kana", 3
    if seq[:2] == b"&@":  # JIS X 0208-1990 announcer, followed by ESC $ B
        return "ascii", 3
    return None


def _jis_pair_to_sjis(j1: int, j2: int) -> bytes:
    s1 = ((j1 - 0x21) >> 1) + 0x81
    if s1 > 0x9F:
        s1 += 0x40
    if j1 & 1:
        s2 = j2 + 0x1F
        if s2 >= 0x7F:
            s2 += 1
    else:
        s2 = j2 + 0x7E
    return bytes((s1, s2))


def guess_text(data: bytes) -> str | None:
    """Decode bytes of unknown charset: UTF-8 and the Japanese encodings first, then the rest."""
    return _guess_japanese(data) or _guess_other(data)


def _guess_japanese(data: bytes) -> str | None:
    if _looks_iso2022(data):
        return decode_iso2022jp(data)
    return _strict(data, "utf-8") or _best_japanese(data, _LIKELY_JAPANESE)


def _guess_other(data: bytes) -> str | None:
    """Western and other charsets; charset-normalizer only where it has enough bytes to judge."""
    if len(data) < _MIN_BYTES_TO_DETECT:
        # Too short for statistics: accept Windows-1252 only when it yields Latin letters ("José").
        text = _strict(data, "cp1252")
        latin = text is not None and all(c.isascii() or (c.isalpha() and ord(c) < 0x250) for c in text)
        return text if latin else None
    match = charset_normalizer.from_bytes(data).best()
    if match is None or match.chaos > _MAX_CHAOS:
        return None
    text = str(match)
    return None if "\ufffd" in text else text


def _decode_declared(data: bytes, label: str) -> str | None:
    if not label:
        return None
    if label in _ISO2022JP_LABELS:
        return decode_iso2022jp(data)
    chain = _CODEC_CHAINS.get(
        "sjis" if label in _SJIS_LABELS else "eucjp" if label in _EUCJP_LABELS else "",
    )
    for codec in chain or (label,):
        text = _strict(data, codec)
        if text is not None:
            return text
    return None


def _suspicious(data: bytes, label: str) -> bool:
    """A permissive label on 8-bit bytes: the label may be wrong (UTF-8 or Japanese sent as latin-1)."""
    return label in _PERMISSIVE_LABELS and any(b >= 0x80 for b in data)


def _best_japanese(data: bytes, threshold: float) -> str | None:
    scored = []
    for codec in ("cp932", "euc_jp"):
        text = _strict(data, codec)
        if text is not None:
            scored.append((_japanese_score(text), text))
    if not scored:
        return None
    score, text = max(scored, key=lambda pair: pair[0])
    return text if score >= threshold else None


def _japanese_score(text: str) -> float:
    """Share of the non-ASCII characters that ordinary Japanese is made of (half-width kana count half)."""
    foreign = [ord(char) for char in text if not char.isascii()]
    if not foreign:
        return 0.0
    good = 0.0
    for code in foreign:
        if 0x3000 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF5E:
            good += 1
        elif 0xFF61 <= code <= 0xFF9F:
            good += 0.5
    return good / len(foreign)


def _looks_iso2022(data: bytes) -> bool:
    return (b"\x1b$B" in data or b"\x1b$@" in data or b"\x1b(I" in data) and all(b < 0x80 for b in data)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        codecs.lookup(codec)
        text = data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
    return None if "\ufffd" in text else text
