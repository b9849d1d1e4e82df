"""SMS segments: GSM-7 160/153 septets, UCS-2 (Japanese) 70/67 units, and the refusal of long bodies."""

from __future__ import annotations

import pytest

from console.channels.providers.sms import check_sms_body, is_gsm7, sms_segments
from console.errors import ValidationError


@pytest.mark.parametrize(("body", "encoding", "units", "segments"), [
    ("", "GSM-7", 0, 1),
    ("Your appointment is at 10:00.", "GSM-7", 29, 1),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),  # 153 + 8
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # an extension character is two septets
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # an escape pair never straddles two segments
    ("Müller, ¿qué tal? Ça va ¥100", "GSM-7", 28, 1),
    ("あ" * 70, "UCS-2", 70, 1),
    ("あ" * 71, "UCS-2", 71, 2),  # 67 + 4
    ("予約" * 67, "UCS-2", 134, 2),
    ("予" * 135, "UCS-2", 135, 3),
    ("a" * 69 + "あ", "UCS-2", 70, 1),  # one kana makes the whole body UCS-2
    ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ("😀" * 36, "UCS-2", 72, 2),
    ("あ" * 66 + "😀", "UCS-2", 68, 1),
    ("あ" * 66 + "😀" + "あ" * 66, "UCS-2", 134, 3),  # nor does a surrogate pair
    ("ç", "UCS-2", 1, 1),  # lower-case ç is not in GSM-7 (only Ç)
])
def test_segments(body: str, encoding: str, units: int, segments: int) -> None:
    found = sms_segments(body)
    assert (found.encoding, found.units, found.segments, found.characters) == (encoding, units, segments,
                                                                               len(body))


def test_gsm7_alphabet_edges() -> None:
    assert is_gsm7("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ^{}\\[~]|€")
    assert not is_gsm7("’")  # a smart quote
    assert not is_gsm7("\x1b")  # the escape itself is no character of the text


def test_japanese_up_to_ten_segments_pass() -> None:
    found = check_sms_body("お" * 670)
    assert (found.segments, found.per_segment) == (10, 67)


def test_a_body_over_ten_segments_is_refused_naming_its_length() -> None:
    with pytest.raises(ValidationError) as refused:
        check_sms_body("お" * 671)
    message = refused.value.message
    assert "671 characters" in message and "11 segments of 67" in message and "10 allowed" in message
    assert "UCS-2" in message


def test_the_limit_is_configurable() -> None:
    assert check_sms_body("a" * 306, max_segments=2).segments == 2
    with pytest.raises(ValidationError, match="3 segments of 153"):
        check_sms_body("a" * 307, max_segments=2)


def test_twilio_character_limit_and_empty_bodies() -> None:
    check_sms_body("a" * 1600, max_segments=11)
    with pytest.raises(ValidationError, match="1,601 characters"):
        check_sms_body("a" * 1601, max_segments=100)
    with pytest.raises(ValidationError, match="empty"):
        check_sms_body(" \n")
