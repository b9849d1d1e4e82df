"""How many SMS segments a text takes, and the refusal of texts too long to send as one message.

A body of GSM-7 characters (3GPP TS 23.038's default alphabet; the extension
characters such as ``€`` and ``[`` take two septets) fits 160 septets in one
segment and 153 in each segment of a concatenated message. Any other
character (every kana and kanji) makes the whole body UCS-2: 70 UTF-16 units
alone, 67 a segment when concatenated; an emoji is two units. A segment break
never splits an escape pair or a surrogate pair, as the handsets reassemble
whole characters.

Long bodies are refused, never split: Twilio concatenates a body into one
message the phone shows whole, whereas parts sent as separate messages can
arrive out of order. The limit is ``max_segments`` (10 by default; Twilio
takes up to 1,600 characters and advises 320 for deliverability).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.errors import ValidationError

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
TWILIO_MAX_CHARACTERS = 1600
DEFAULT_MAX_SEGMENTS = 10

_SINGLE = {"GSM-7": 160, "UCS-2": 70}
_CONCATENATED = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class SmsSegments:
    """How a body travels.

    Attributes:
        encoding: ``GSM-7`` or ``UCS-2``.
        characters: the body's length in characters (code points).
        units: its length in septets (GSM-7) or UTF-16 code units (UCS-2).
        segments: the SMS it is billed and sent as.
    """

    encoding: str
    characters: int
    units: int
    segments: int

    @property
    def per_segment(self) -> int:
        """Units a segment holds at this length (70 alone, 67 concatenated, in UCS-2)."""
        table = _SINGLE if self.segments <= 1 else _CONCATENATED
        return table[self.encoding]


def is_gsm7(text: str) -> bool:
    """Whether every character is in the GSM-7 alphabet or its extension table."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def sms_segments(body: str) -> SmsSegments:
    """The encoding and number of segments ``body`` takes (an empty body is one segment)."""
    encoding = "GSM-7" if is_gsm7(body) else "UCS-2"
    sizes = [_units(ch, encoding) for ch in body]
    total = sum(sizes)
    if total <= _SINGLE[encoding]:
        return SmsSegments(encoding, len(body), total, 1)
    room = _CONCATENATED[encoding]
    segments, used = 1, 0
    for size in sizes:
        if used + size > room:  # the character goes whole into the next segment
            segments, used = segments + 1, 0
        used += size
    return SmsSegments(encoding, len(body), total, segments)


def check_sms_body(body: str, *, max_segments: int = DEFAULT_MAX_SEGMENTS) -> SmsSegments:
    """``body``'s segments, when it may be sent as one SMS.

    Raises:
        ValidationError: empty, over Twilio's 1,600 characters, or more than ``max_segments``
            segments, saying how long it is and how long it may be.
    """
    if not body.strip():
        raise ValidationError("An SMS cannot be empty.")
    found = sms_segments(body)
    if found.characters > TWILIO_MAX_CHARACTERS:
        raise ValidationError(f"This SMS has {found.characters:,} characters; an SMS holds at most "
                              f"{TWILIO_MAX_CHARACTERS:,}. Shorten it or answer on another channel.")
    if found.segments > max_segments:
        alphabet = ("Japanese and other non-GSM text travels as UCS-2"
                    if found.encoding == "UCS-2" else "GSM-7 text")
        raise ValidationError(
            f"This SMS has {found.characters:,} characters: {found.segments} segments of "
            f"{found.per_segment} ({alphabet}), more than the {max_segments} allowed "
            f"(about {max_segments * found.per_segment:,} characters). Shorten it or answer on "
            "another channel.")
    return found


def _units(ch: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if ch in GSM_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1
