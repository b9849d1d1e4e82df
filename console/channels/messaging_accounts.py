"""What a messaging channel account (LINE, Twilio SMS, Messenger, CTI, web chat) needs.

Its secrets are several named values, given as ``KEY=VALUE`` lines (on
standard input, or in one environment variable of the gateway) and kept
together as one secret (console.channels.secrets). Its settings (in the
database) are the queue, ``api_base`` — the scheme and host that replace
the provider's for a regional or test endpoint, the paths staying the
provider's — and, for Twilio behind a proxy, the ``public_url`` the
provider signs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from console.channels.secrets import SecretStore
from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.errors import ValidationError

# The secrets each kind needs (issue 12), and the ones it may have.
REQUIRED: dict[ChannelKind, tuple[str, ...]] = {
    ChannelKind.LINE: ("channel_secret", "access_token"),
    ChannelKind.TWILIO: ("account_sid", "auth_token", "from"),
    ChannelKind.MESSENGER: ("app_secret", "page_token", "verify_token"),
    ChannelKind.CTI: ("token",),
    ChannelKind.WEBCHAT: (),
}
DEFAULT_API_BASE: dict[ChannelKind, str] = {
    ChannelKind.LINE: "https://api.line.me",
    ChannelKind.TWILIO: "https://api.twilio.com",
    ChannelKind.MESSENGER: "https://graph.facebook.com",
}
MAX_VALUE = 1000


def parse_secret_lines(text: str, kind: ChannelKind) -> dict[str, str]:
    """``KEY=VALUE`` lines (blank lines and ``#`` comments skipped) as the kind's secrets.

    Raises:
        ValidationError: a line that is no KEY=VALUE, an unknown or repeated key, a
            missing one, or a value too long.
    """
    found: dict[str, str] = {}
    wanted = REQUIRED[kind]
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ValidationError(f"Line {number} of the secrets is not KEY=VALUE.")
        if key not in wanted:
            known = ", ".join(wanted) or "none"
            raise ValidationError(f"Line {number}: '{key[:40]}' is not a {kind.value} secret "
                                  f"(expected: {known}).")
        if key in found:
            raise ValidationError(f"Line {number}: '{key}' is given twice.")
        if not value or len(value) > MAX_VALUE:
            raise ValidationError(f"Line {number}: the value of '{key}' is empty or longer "
                                  f"than {MAX_VALUE} characters.")
        found[key] = value
    missing = [k for k in wanted if k not in found]
    if missing:
        raise ValidationError(f"A {kind.value} channel needs the secrets {', '.join(missing)} "
                              "(KEY=VALUE lines).")
    return found


def encode(values: Mapping[str, str]) -> str:
    """The secrets as the one string kept for them (compact JSON, no line breaks)."""
    return json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


def decode(text: str, kind: ChannelKind) -> dict[str, str]:
    """What ``encode`` kept, or KEY=VALUE lines (an ``env:`` variable holds those)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            loaded = json.loads(stripped)
        except ValueError as bad:
            raise ValidationError("The channel's stored secrets cannot be read.") from bad
        if not isinstance(loaded, dict):
            raise ValidationError("The channel's stored secrets cannot be read.")
        return {str(k): str(v) for k, v in loaded.items()}
    return parse_secret_lines(text, kind)


def read_secrets(store: SecretStore, account: ChannelAccountInfo) -> dict[str, str]:
    """The account's secrets from where its ``secret_ref`` says ({} when it has none)."""
    if not account.secret_ref:
        return {}
    return decode(store.read(account.secret_ref), account.kind)


def check_base_url(url: str, what: str = "API base") -> str:
    """An ``http(s)://HOST[:PORT]`` with nothing after it (the provider's paths are kept)."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as bad:
        raise ValidationError(f"The {what} '{url[:80]}' is not a URL: {bad}.") from bad
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"The {what} must be http(s)://HOST[:PORT], not '{url[:80]}'.")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(f"The {what} is a scheme and host only (the provider's paths are "
                              f"kept): not '{url[:80]}'.")
    return url


def check_public_url(url: str) -> str:
    """The full public URL a provider posts to (Twilio signs it), e.g. behind a proxy."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as bad:
        raise ValidationError(f"'{url[:80]}' is not a URL: {bad}.") from bad
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise ValidationError(f"The public URL must be http(s)://HOST/PATH, not '{url[:80]}'.")
    return url
