"""Click-to-dial: asking the phone system to ring the agent's extension and then the customer.

Serves console.services.calls only. A CTI account's ``originate_url`` is a
template with ``{extension}`` and ``{number}`` (E.164, URL-encoded); the
request goes out with ``originate_method`` (POST unless GET is set) and a
timeout. What the phone system answers is mapped to the known problems: no
answer or a 5xx is ProviderUnavailable (try again), a 4xx a ValidationError
(it refused this call).
"""

from __future__ import annotations

import logging
import string
from urllib.parse import quote, urlsplit

import requests

from console.errors import ProviderUnavailable, ValidationError

log = logging.getLogger(__name__)

TIMEOUT_S = 5.0
MAX_URL = 500
PLACEHOLDERS = frozenset({"extension", "number"})
METHODS = ("POST", "GET")


def check_originate_url(url: str) -> str:
    """An http(s) URL whose only placeholders are {extension} and {number}; "" for none.

    Raises:
        ValidationError: saying what is wrong.
    """
    url = url.strip()
    if not url:
        return ""
    if len(url) > MAX_URL or any(ord(ch) < 33 for ch in url):
        raise ValidationError(f"The originate URL has spaces or control characters, or is longer "
                              f"than {MAX_URL} characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("The originate URL is an http:// or https:// address, like "
                              "https://pbx.example.jp/originate?ext={extension}&to={number}.")
    if "@" in parts.netloc:
        raise ValidationError("The originate URL must not carry a user name or password: it is "
                              "stored in the database.")
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(url)
                 if name is not None}
    except ValueError:
        raise ValidationError("The originate URL has an unmatched '{' or '}'.") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValidationError(f"The originate URL may use {{extension}} and {{number}}, not "
                              f"{{{sorted(unknown)[0]}}}.")
    return url


def check_method(method: str) -> str:
    method = method.strip().upper() or "POST"
    if method not in METHODS:
        raise ValidationError("The originate method is POST or GET.")
    return method


def originate(url_template: str, method: str, extension: str, number: str,
              timeout_s: float = TIMEOUT_S) -> None:
    """Asks the phone system to place the call.

    Raises:
        ProviderUnavailable: it did not answer in time, or answered 5xx.
        ValidationError: it refused the call (4xx).
    """
    url = url_template.format(extension=quote(extension, safe=""), number=quote(number, safe=""))
    try:
        response = requests.request(check_method(method), url, timeout=timeout_s,
                                     allow_redirects=False)
    except requests.Timeout:
        raise ProviderUnavailable(f"The phone system did not answer within {timeout_s:g} s; "
                                  "try again, or dial by hand.") from None
    except requests.RequestException as exc:
        log.info("originate: %s", exc)
        raise ProviderUnavailable("The phone system cannot be reached; try again, or dial by "
                                  "hand.") from None
    status = f"{response.status_code} {response.reason or ''}".strip()
    if response.status_code >= 500:
        raise ProviderUnavailable(f"The phone system could not place the call right now "
                                  f"({status}); try again.")
    if response.status_code >= 300:
        detail = " ".join(response.text.split())[:120]
        raise ValidationError(f"The phone system refused the call ({status})"
                              + (f": {detail}" if detail else "."))
