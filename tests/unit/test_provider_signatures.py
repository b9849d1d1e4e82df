"""Webhook signatures of LINE, Twilio and Messenger: the providers' published vectors and our own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from console.channels.providers.signatures import (
    form_fields,
    messenger_handshake,
    twilio_signature,
    verify_line,
    verify_messenger,
    verify_twilio,
    webhook_url,
)

# -- LINE -------------------------------------------------------------------------------------

# Published in line/line-bot-sdk-python, tests/test_webhook.py (TestSignatureValidator.test_validate).
LINE_SDK_SECRET = "channel_secret"
LINE_SDK_BODY = b"bodybodybodybody"
LINE_SDK_SIGNATURE = "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="


def _line_sign(secret: str, body: bytes) -> str:
    """Signed here, independently of the module under test."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_line_sdk_vector_verifies() -> None:
    assert verify_line(LINE_SDK_SECRET, LINE_SDK_BODY, LINE_SDK_SIGNATURE)


@pytest.mark.parametrize(("secret", "body", "signature"), [
    (LINE_SDK_SECRET, b"bodybodybodybodY", LINE_SDK_SIGNATURE),  # tampered body
    (LINE_SDK_SECRET, LINE_SDK_BODY + b"\n", LINE_SDK_SIGNATURE),  # a re-serialised body
    ("other_secret", LINE_SDK_BODY, LINE_SDK_SIGNATURE),  # wrong secret
    (LINE_SDK_SECRET, LINE_SDK_BODY, "invalid_signature"),  # the SDK's own negative case
    (LINE_SDK_SECRET, LINE_SDK_BODY, None),  # no header
    (LINE_SDK_SECRET, LINE_SDK_BODY, ""),  # empty header
    ("", LINE_SDK_BODY, _line_sign("", LINE_SDK_BODY)),  # an unconfigured secret never verifies
    (LINE_SDK_SECRET, LINE_SDK_BODY, "署名"),  # not even ASCII
])
def test_line_refuses(secret: str, body: bytes, signature: str | None) -> None:
    assert not verify_line(secret, body, signature)


def test_line_japanese_body_signed_by_the_test() -> None:
    body = json.dumps({"destination": "U1", "events": [{"type": "message", "message": {
        "type": "text", "text": "明日の予約を変更したいです"}}]}, ensure_ascii=False).encode()
    secret = "8c570fa6dd201bb328f1c1eac23a96d8"
    assert verify_line(secret, body, _line_sign(secret, body))
    assert not verify_line(secret, body.replace("明日".encode(), "今日".encode()), _line_sign(secret, body))


# -- Twilio -----------------------------------------------------------------------------------

TWILIO_TOKEN = "12345"
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
# The worked example of twilio.com/docs/usage/security ("Validating requests"), whose code
# samples are TwilioDevEd/api-snippets security/signature_validation/signature_validation.3.x.js.
DOCS_FIELDS = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675310"), ("Digits", "1234"),
               ("From", "+14158675310"), ("To", "+18005551212")]
DOCS_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc="
# twilio/twilio-python tests/unit/test_request_validator.py (the same example with +14158675309),
# including its port and repeated-parameter cases.
SDK_FIELDS = [("CallSid", "CA1234567890ABCDE"), ("Digits", "1234"), ("From", "+14158675309"),
              ("To", "+18005551212"), ("Caller", "+14158675309")]
SDK_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def _twilio_sign(token: str, url: str, fields: list[tuple[str, str]]) -> str:
    """Signed here, independently: URL, then name + value sorted by name."""
    data = url + "".join(n + v for n, v in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_twilio_docs_vector() -> None:
    assert twilio_signature(TWILIO_TOKEN, TWILIO_URL, DOCS_FIELDS) == DOCS_SIGNATURE
    assert verify_twilio(TWILIO_TOKEN, TWILIO_URL, DOCS_FIELDS, DOCS_SIGNATURE)


def test_twilio_sdk_vector_in_any_field_order() -> None:
    assert verify_twilio(TWILIO_TOKEN, TWILIO_URL, SDK_FIELDS, SDK_SIGNATURE)
    assert verify_twilio(TWILIO_TOKEN, TWILIO_URL, SDK_FIELDS[::-1], SDK_SIGNATURE)


@pytest.mark.parametrize(("url", "signature"), [
    # The URL arrives with a port Twilio signed without (test_validation_removes_port_on_https).
    (TWILIO_URL.replace(".com", ".com:1234"), SDK_SIGNATURE),
    # Signed with the non-default port itself (test_validation_removes_port_on_http).
    ("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
    # Signed with :443 though the URL has none (test_validation_adds_port_on_https).
    (TWILIO_URL, "kvajT1Ptam85bY51eRf/AJRuM3w="),
    # Signed with :80 (test_validation_adds_port_on_http).
    ("http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="),
])
def test_twilio_port_quirks(url: str, signature: str) -> None:
    assert verify_twilio(TWILIO_TOKEN, url, SDK_FIELDS, signature)


def test_twilio_repeated_parameters() -> None:
    # twilio-python test_compute_signature_duplicate_multi_dict: keys sorted, a name's values
    # sorted, identical repeats dropped.
    fields = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"),
              ("Digits", "1234")]
    assert verify_twilio(TWILIO_TOKEN, TWILIO_URL, fields, "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
    # Signed keeping every repeat (as twilio-node reads repeated values) verifies too.
    assert verify_twilio(TWILIO_TOKEN, TWILIO_URL, fields, _twilio_sign(TWILIO_TOKEN, TWILIO_URL, fields))
    # A repeat with another value is a change.
    assert not verify_twilio(TWILIO_TOKEN, TWILIO_URL, [*fields, ("Digits", "9")],
                             "IK+Dwps556ElfBT0I3Rgjkr1wJU=")


@pytest.mark.parametrize(("token", "url", "fields", "signature"), [
    (TWILIO_TOKEN, TWILIO_URL, [*DOCS_FIELDS[:2], ("Digits", "9999"), *DOCS_FIELDS[3:]], DOCS_SIGNATURE),
    (TWILIO_TOKEN, TWILIO_URL, DOCS_FIELDS[:-1], DOCS_SIGNATURE),  # a field left out
    (TWILIO_TOKEN, TWILIO_URL, [*DOCS_FIELDS, ("Body", "")], DOCS_SIGNATURE),  # a field added
    (TWILIO_TOKEN, TWILIO_URL.replace("https", "http"), DOCS_FIELDS, DOCS_SIGNATURE),
    (TWILIO_TOKEN, TWILIO_URL.replace("foo=1", "foo=2"), DOCS_FIELDS, DOCS_SIGNATURE),
    (TWILIO_TOKEN, "https://mycompany.com/other.php?foo=1&bar=2", DOCS_FIELDS, DOCS_SIGNATURE),
    ("54321", TWILIO_URL, DOCS_FIELDS, DOCS_SIGNATURE),
    ("", TWILIO_URL, DOCS_FIELDS, _twilio_sign("", TWILIO_URL, DOCS_FIELDS)),
    (TWILIO_TOKEN, TWILIO_URL, DOCS_FIELDS, None),
    (TWILIO_TOKEN, TWILIO_URL, DOCS_FIELDS, ""),
])
def test_twilio_refuses(token: str, url: str, fields: list[tuple[str, str]], signature: str | None) -> None:
    assert not verify_twilio(token, url, fields, signature)


def test_twilio_sms_behind_a_proxy_signed_by_the_test() -> None:
    """Twilio calls https://sb.example.jp/hooks/twilio/3; our server sees http://127.0.0.1:8080."""
    fields = [("MessageSid", "SM" + "a" * 32), ("From", "+819012345678"), ("To", "+815012345678"),
              ("Body", "予約の確認です。よろしくお願いします"), ("NumMedia", "0")]
    public = "https://sb.example.jp/hooks/twilio/3?account=3"
    signature = _twilio_sign("tok", public, fields)
    body = urlencode(fields).encode()
    received = form_fields(body)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sb.example.jp"}
    seen = {"scheme": "http", "host": "127.0.0.1:8080", "path": "/hooks/twilio/3", "query": "account=3"}
    assert received == fields
    behind_proxy = webhook_url(**seen, headers=headers, trust_forwarded=True)
    assert verify_twilio("tok", behind_proxy, received, signature)
    assert not verify_twilio("tok", webhook_url(**seen, headers=headers), received, signature)
    assert verify_twilio("tok", webhook_url(**seen, public_url=public), received, signature)


def test_webhook_url_as_it_arrived() -> None:
    url = webhook_url(scheme="HTTPS", host="gw.example.jp:8443", path="/hooks/a%20b", query="x=%2B1")
    assert url == "https://gw.example.jp:8443/hooks/a%20b?x=%2B1"  # percent-encoding kept
    assert webhook_url(scheme="http", host="h", path="") == "http://h/"


def test_webhook_url_forwarded_headers_only_when_trusted() -> None:
    headers = {"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "sb.example.jp, proxy.local"}
    trusted = webhook_url(scheme="http", host="10.0.0.5", path="/t", headers=headers, trust_forwarded=True)
    assert trusted == "https://sb.example.jp/t"  # the outermost proxy's view
    assert webhook_url(scheme="http", host="10.0.0.5", path="/t", headers=headers) == "http://10.0.0.5/t"
    assert webhook_url(scheme="http", host="10.0.0.5", path="/t", headers={}, trust_forwarded=True) == \
        "http://10.0.0.5/t"


def test_webhook_url_configured_public_url_wins() -> None:
    url = webhook_url(scheme="http", host="10.0.0.5", path="/internal/path", query="a=1",
                      headers={"X-Forwarded-Host": "evil.example"}, trust_forwarded=True,
                      public_url=" https://sb.example.jp/hooks/twilio/3 ")
    assert url == "https://sb.example.jp/hooks/twilio/3"


# -- Messenger ---------------------------------------------------------------------------------

# Meta publishes no vector for X-Hub-Signature-256; GitHub's webhooks use the same scheme
# ("sha256=" + hex HMAC-SHA256 of the raw body) and docs.github.com, "Validating webhook
# deliveries", publishes this one.
GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def _meta_sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_messenger_published_vector() -> None:
    assert verify_messenger(GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE)
    assert verify_messenger(GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE.upper().replace("SHA256", "sha256"))


@pytest.mark.parametrize(("secret", "body", "signature"), [
    (GITHUB_SECRET, b"Hello, World?", GITHUB_SIGNATURE),
    ("It's a secret to everybody", GITHUB_BODY, GITHUB_SIGNATURE),
    (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE.removeprefix("sha256=")),  # no scheme
    (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE.replace("sha256", "sha1")),  # the wrong scheme
    (GITHUB_SECRET, GITHUB_BODY, "sha1=" + hmac.new(GITHUB_SECRET.encode(), GITHUB_BODY,
                                                   hashlib.sha1).hexdigest()),  # the old header
    (GITHUB_SECRET, GITHUB_BODY, "sha256="),
    (GITHUB_SECRET, GITHUB_BODY, None),
    ("", GITHUB_BODY, _meta_sign("", GITHUB_BODY)),
])
def test_messenger_refuses(secret: str, body: bytes, signature: str | None) -> None:
    assert not verify_messenger(secret, body, signature)


def test_messenger_signs_the_bytes_as_sent() -> None:
    # Meta sends non-ASCII text \\u-escaped and signs those bytes: a body decoded and dumped
    # again (with the characters themselves) no longer matches.
    sent = (b'{"object":"page","entry":[{"messaging":[{"message":'
            b'{"text":"\\u3053\\u3093\\u306b\\u3061\\u306f"}}]}]}')
    signature = _meta_sign("app-secret", sent)
    assert verify_messenger("app-secret", sent, signature)
    redone = json.dumps(json.loads(sent), ensure_ascii=False, separators=(",", ":")).encode()
    assert not verify_messenger("app-secret", redone, signature)


def test_messenger_handshake() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "switchboard-7", "hub.challenge": "1158201444"}
    assert messenger_handshake(query, "switchboard-7") == "1158201444"
    assert messenger_handshake(query, "switchboard-8") is None
    assert messenger_handshake({**query, "hub.mode": "unsubscribe"}, "switchboard-7") is None
    assert messenger_handshake({k: v for k, v in query.items() if k != "hub.verify_token"},
                               "switchboard-7") is None
    assert messenger_handshake({**query, "hub.challenge": ""}, "switchboard-7") is None
    assert messenger_handshake({**query, "hub.challenge": "<script>x</script>"}, "switchboard-7") is None
    assert messenger_handshake({**query, "hub.verify_token": ""}, "") is None  # none configured
