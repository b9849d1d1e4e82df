"""A stand-in for LINE's, Twilio's and Meta's APIs on one free 127.0.0.1 port, for the tests.

It answers the endpoints the gateway uses as the providers document them
(status codes, JSON bodies, LINE's retry-key 409, Twilio's 201 and its media
redirect to a CDN on another host name, Graph API error objects), checks the
credentials each expects, and records every request (method, path, query,
headers, body). Switches make the next answers throttled (429 with
``Retry-After``), failing (5xx), refusing credentials, or any scripted answer,
and can drop a connection without answering. Point a client's ``api_base``
at ``base_url``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

LINE_TOKEN = "stand-in-line-channel-token"
TWILIO_SID = "AC" + "5" * 32
TWILIO_TOKEN = "stand-in-twilio-auth-token"
PAGE_TOKEN = "stand-in-page-access-token"
GRAPH_VERSION = "v19.0"


@dataclass(frozen=True)
class Recorded:
    """One request as the stand-in received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


@dataclass
class Answer:
    """A scripted answer: status, JSON (or raw bytes) body, extra headers.

    ``cut_after`` sends only that many bytes of the body (its full length announced), then
    closes the connection: a line that broke off mid-download.
    """

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None


@dataclass
class _Script:
    answer: Answer | None  # None: drop the connection without answering
    path: str | None
    times: int


class StandInProviders:
    """The three providers' APIs, in a thread, until ``stop``.

    Attributes:
        requests: every request received, in order.
        line_content: LINE message id -> (bytes, content type) served by the content API.
        line_profiles: LINE user id -> profile JSON.
        twilio_media: Twilio media SID -> (bytes, content type).
        media_via_cdn: Twilio media answers with a redirect to ``cdn_url`` (another host
            name for this server, as Twilio's CDN is), where no credentials are asked.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.line_content: dict[str, tuple[bytes, str]] = {}
        self.line_profiles: dict[str, dict[str, str]] = {}
        self.twilio_media: dict[str, tuple[bytes, str]] = {}
        self.media_via_cdn = True
        self._scripts: list[_Script] = []
        self._used_reply_tokens: set[str] = set()
        self._retry_keys: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="stand-in-providers",
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdn_url(self) -> str:
        return f"http://localhost:{self.port}/cdn"

    def start(self) -> StandInProviders:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> StandInProviders:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forgets requests, scripts, content and used tokens (between tests)."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()
            self._used_reply_tokens.clear()
            self._retry_keys.clear()
        self.line_content.clear()
        self.line_profiles.clear()
        self.twilio_media.clear()
        self.media_via_cdn = True

    # -- switches ---------------------------------------------------------------------

    def answer_next(self, answer: Answer, *, times: int = 1, path: str | None = None) -> None:
        """The next ``times`` requests (to paths starting with ``path``, if given) get ``answer``."""
        with self._lock:
            self._scripts.append(_Script(answer, path, times))

    def throttle(self, retry_after: str | None = "1", *, times: int = 1, path: str | None = None,
                 body: Any = None) -> None:
        """429 Too Many Requests, with ``Retry-After`` (seconds or an HTTP date) unless None."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.answer_next(Answer(429, body if body is not None else {"message": "Too many requests"},
                                headers), times=times, path=path)

    def fail(self, status: int = 500, *, times: int = 1, path: str | None = None) -> None:
        """A server error (``{"message": "Internal server error"}``)."""
        self.answer_next(Answer(status, {"message": "Internal server error"}), times=times, path=path)

    def refuse_credentials(self, status: int = 401, *, times: int = 1, path: str | None = None) -> None:
        self.answer_next(Answer(status, {"message": "Authentication failed"}), times=times, path=path)

    def invalid_reply_token(self, *, times: int = 1) -> None:
        """LINE's documented answer to a used or expired reply token."""
        self.answer_next(Answer(400, {"message": "Invalid reply token"}), times=times,
                         path="/v2/bot/message/reply")

    def drop_connection(self, *, times: int = 1, path: str | None = None) -> None:
        """Read the request, then close the connection without a word."""
        with self._lock:
            self._scripts.append(_Script(None, path, times))

    def add_twilio_media(self, message_sid: str, media_sid: str, data: bytes, content_type: str) -> str:
        """Serves ``data`` as a message's media; returns its ``MediaUrl``, as a webhook gives it."""
        self.twilio_media[media_sid] = (data, content_type)
        return f"{self.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/{message_sid}/Media/{media_sid}"

    def received(self, path_start: str = "") -> list[Recorded]:
        """The requests whose path starts with ``path_start``."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_start)]

    # -- the handler's side -----------------------------------------------------------

    def _record(self, request: Recorded) -> _Script | None:
        with self._lock:
            self.requests.append(request)
            for script in self._scripts:
                if script.path is None or request.path.startswith(script.path):
                    script.times -= 1
                    if script.times <= 0:
                        self._scripts.remove(script)
                    return script
        return None

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def answer(self, request: Recorded) -> Answer:
        """What the provider would say to ``request`` (no script applying)."""
        path = request.path
        if path.startswith("/v2/bot/"):
            return _line(self, request)
        if path.startswith("/2010-04-01/"):
            return _twilio(self, request)
        if path.startswith("/cdn/"):
            media = self.twilio_media.get(path.removeprefix("/cdn/"))
            return Answer(200, media[0], {"Content-Type": media[1]}) if media else _not_found()
        if path == f"/{GRAPH_VERSION}/me/messages" and request.method == "POST":
            return _graph_send(self, request)
        return _not_found()

    def _use_reply_token(self, token: str) -> bool:
        with self._lock:
            fresh = token not in self._used_reply_tokens
            self._used_reply_tokens.add(token)
            return fresh

    def _accept_retry_key(self, key: str, request_id: str) -> str | None:
        """None when ``key`` is new (now accepted); else the request id that took it."""
        with self._lock:
            accepted = self._retry_keys.get(key)
            if accepted is None:
                self._retry_keys[key] = request_id
            return accepted


def _not_found() -> Answer:
    return Answer(404, {"message": "Not found"})


def _line(server: StandInProviders, request: Recorded) -> Answer:
    if request.header("Authorization") != f"Bearer {LINE_TOKEN}":
        return Answer(401, {"message": "Authentication failed. Confirm that the access token in the "
                                       "authorization header is valid."})
    path, request_id = request.path, f"line-request-{server._next_id()}"
    if request.method == "POST" and path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
        return _line_send(server, request, request_id)
    if request.method == "GET" and path.startswith("/v2/bot/message/") and path.endswith("/content"):
        content = server.line_content.get(path.split("/")[4])
        return Answer(200, content[0], {"Content-Type": content[1]}) if content else _not_found()
    if request.method == "GET" and path.startswith("/v2/bot/profile/"):
        profile = server.line_profiles.get(path.rsplit("/", 1)[1])
        return Answer(200, profile) if profile else _not_found()
    return _not_found()


def _line_send(server: StandInProviders, request: Recorded, request_id: str) -> Answer:
    try:
        body = request.json()
    except ValueError:
        return Answer(400, {"message": "The request body has 1 error(s)"})
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return Answer(400, {"message": "The request body has 1 error(s)",
                            "details": [{"message": "Size must be between 1 and 5", "property": "messages"}]})
    sent = {"sentMessages": [{"id": str(900000 + server._next_id()), "quoteToken": "q"} for _ in messages]}
    headers = {"X-Line-Request-Id": request_id}
    if request.path.endswith("/reply"):
        token = body.get("replyToken")
        if not isinstance(token, str) or not token or not server._use_reply_token(token):
            return Answer(400, {"message": "Invalid reply token"})
        return Answer(200, sent, headers)
    key = request.header("X-Line-Retry-Key")
    if key and (accepted := server._accept_retry_key(key, request_id)) is not None:
        return Answer(409, {"message": "The retry key is already accepted", **sent},
                      {"x-line-accepted-request-id": accepted, **headers})
    return Answer(200, sent, headers)


def _twilio(server: StandInProviders, request: Recorded) -> Answer:
    expected = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if request.header("Authorization") != f"Basic {expected}":
        return Answer(401, {"code": 20003, "message": "Authenticate",
                            "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
    account = f"/2010-04-01/Accounts/{TWILIO_SID}"
    if request.method == "POST" and request.path == f"{account}/Messages.json":
        return _twilio_send(server, request.form())
    if request.method == "GET" and request.path.startswith(f"{account}/Messages/"):
        return _twilio_media(server, request.path)
    return _TWILIO_NOT_FOUND


_TWILIO_NOT_FOUND = Answer(404, {"code": 20404, "message": "The requested resource was not found",
                                 "status": 404})


def _twilio_media(server: StandInProviders, path: str) -> Answer:
    media_sid = path.rsplit("/", 1)[1]
    media = server.twilio_media.get(media_sid) if "/Media/" in path else None
    if media is None:
        return _TWILIO_NOT_FOUND
    if server.media_via_cdn:
        return Answer(307, b"", {"Location": f"{server.cdn_url}/{media_sid}"})
    return Answer(200, media[0], {"Content-Type": media[1]})


def _twilio_send(server: StandInProviders, form: Mapping[str, str]) -> Answer:
    for name, code, text in (("To", 21604, "A 'To' phone number is required."),
                             ("Body", 21602, "Message body is required.")):
        if not form.get(name):
            return Answer(400, {"code": code, "message": text, "status": 400,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}"})
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return Answer(400, {"code": 21603, "message": "A 'From' phone number is required.", "status": 400})
    sid = f"SM{server._next_id():032x}"
    return Answer(201, {"sid": sid, "account_sid": TWILIO_SID, "status": "queued", "to": form["To"],
                        "from": form.get("From"), "body": form["Body"]})


def _graph_send(server: StandInProviders, request: Recorded) -> Answer:
    if request.query.get("access_token") != [PAGE_TOKEN]:
        return Answer(400, {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                                      "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf"}})
    try:
        body = request.json()
    except ValueError:
        body = None
    recipient = body.get("recipient", {}).get("id") if isinstance(body, dict) else None
    if not recipient:
        return Answer(400, {"error": {"message": "(#100) The parameter recipient is required",
                                      "type": "OAuthException", "code": 100, "fbtrace_id": "AbCdEf"}})
    return Answer(200, {"recipient_id": recipient, "message_id": f"m_stand_in_{server._next_id()}"})


def _handler(server: StandInProviders) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the recorded requests are the log

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Recorded(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                               dict(self.headers.items()), self.rfile.read(length))
            script = server._record(request)
            if script is not None and script.answer is None:
                self.close_connection = True
                return
            self._send(script.answer if script is not None and script.answer else server.answer(request))

        def _send(self, answer: Answer) -> None:
            body = answer.body
            data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
            self.send_response(answer.status)
            if not isinstance(body, bytes) and body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data if answer.cut_after is None else data[:answer.cut_after])
            self.close_connection = True

    return Handler
