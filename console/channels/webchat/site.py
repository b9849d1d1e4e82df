"""The web chat over HTTP: the page at ``/chat/NAME/`` and its JSON API beside it.

``NAME`` is an enabled channel account of kind ``webchat``. Served:

- ``GET /chat/NAME/`` (``index.html``), ``chat.js``, ``chat.css``: the page,
  from ``resources/webchat``; no third-party script, font or style, and a
  Content-Security-Policy that allows nothing from elsewhere.
- ``POST api/start`` ``{"name", "text"}`` → 201 ``{"visitor", "token", "message"}``:
  a new chat contact; the page keeps the token (localStorage) to resume.
- ``POST api/messages`` ``{"text"}`` → 201 ``{"message"}``.
- ``GET api/events?after=CURSOR&typing=0|1`` → ``{"cursor", "reset", "messages",
  "typing"}``: answers at once when there is something the page has not
  shown (everything for ``after=0``), else waits up to ``wait_s`` for a
  reply or a change of the typing indicator (a long-poll woken by the change
  feed, console.channels.webchat.feed).

The API wants ``Authorization: Bearer TOKEN``: none is 401, a token that is
no visitor's on this chat is 403. Bodies over ``max_body`` and messages over
the service's limit are 413, too many messages or conversations in a short
time 429 (with ``Retry-After``); every refusal is JSON
``{"error", "code"}``, ``code`` a word the page translates.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

import resources
from console.channels.webchat.feed import ChatFeed
from console.channels.webchat.limits import (
    Buckets,
    Rate,
    new_token,
    plausible_token,
    visitor_id,
)
from console.channels.webhooks import Refused
from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.errors import NotFound, ValidationError
from console.services.webchat import MAX_NAME, MAX_TEXT, ChatLine, ChatView

if TYPE_CHECKING:
    from console.channels.webhooks import WebhookServer
    from console.security.guard import Door

log = logging.getLogger(__name__)

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
          "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
_FILES = {"": ("index.html", "text/html"), "chat.js": ("chat.js", "text/javascript"),
          "chat.css": ("chat.css", "text/css")}


MESSAGES = Rate(burst=8, every_s=2.0)  # a visitor: 8 at once, then one every 2 s
STARTS = Rate(burst=5, every_s=60.0)  # an address: 5 conversations, then one a minute


@dataclass(frozen=True)
class ChatLimits:
    """What one visitor (or one address) may do.

    Attributes:
        max_body: bytes of one API request.
        messages: how fast a visitor may write.
        starts: how fast one address may open conversations.
        waiting: a visitor's long-polls open at once (tabs).
        wait_s: how long a long-poll waits before answering "nothing new".
        typing_s: how long one typing entry shows the indicator.
    """

    max_body: int = 16 * 1024
    messages: Rate = MESSAGES
    starts: Rate = STARTS
    waiting: int = 4
    wait_s: float = 25.0
    typing_s: float = 5.0


class WebChat:
    """The web chat site (see the module docstring).

    Args:
        door: the services as the gateway principal may use them.
        limits: what a visitor may do.
        files: where index.html, chat.js and chat.css are (resources/webchat).
    """

    def __init__(self, door: Door, *, limits: ChatLimits | None = None,
                 files: Path | None = None) -> None:
        self._door = door
        self.limits = limits or ChatLimits()
        folder = files or resources.path("webchat")
        self._files = {key: (folder.joinpath(name).read_bytes(), kind)
                       for key, (name, kind) in _FILES.items()}

        def seconds() -> float:
            return door.clock.now().timestamp()

        self._messages = Buckets(self.limits.messages, seconds)
        self._starts = Buckets(self.limits.starts, seconds)
        self.feed = ChatFeed(door.changes, typing_s=self.limits.typing_s)
        self._server: WebhookServer | None = None

    def attach(self, app: web.Application, server: WebhookServer) -> None:
        """Adds the page, the API and the feed to the server's application."""
        self._server = server
        app.router.add_get("/chat/{name}", self._to_folder)
        for file in self._files:
            app.router.add_get(f"/chat/{{name}}/{file}", self._file)
        app.router.add_post("/chat/{name}/api/start", self._start)
        app.router.add_post("/chat/{name}/api/messages", self._send)
        app.router.add_get("/chat/{name}/api/events", self._events)
        app.on_response_prepare.append(_secure)
        app.on_startup.append(self._started)
        app.on_shutdown.append(self._shutting_down)
        app.on_cleanup.append(self._cleaned_up)

    # -- life cycle ----------------------------------------------------------------------
    async def _started(self, _app: web.Application) -> None:
        self.feed.start(asyncio.get_running_loop())

    async def _shutting_down(self, _app: web.Application) -> None:
        self.feed.stop()  # the long-polls answer now instead of holding the shutdown

    async def _cleaned_up(self, _app: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.feed.join)

    # -- the page ------------------------------------------------------------------------
    async def _to_folder(self, request: web.Request) -> web.StreamResponse:
        await self._account(request)
        name = quote(request.match_info["name"], safe="")
        return web.Response(status=308, headers={"Location": f"{name}/"})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        await self._account(request)
        body, kind = self._files[request.path.rpartition("/")[2]]
        return web.Response(body=body, content_type=kind, charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    # -- the API -------------------------------------------------------------------------
    async def _start(self, request: web.Request) -> web.StreamResponse:
        account = await self._account(request)
        _too_many(self._starts.take(f"{account.id}:{_client(request)}"), "conversations")
        data = await self._body(request)
        name, text = _field(data, "name", MAX_NAME * 4), _field(data, "text", MAX_TEXT)
        token = new_token()
        visitor = visitor_id(account.id, token)
        line = await self._run(self._door.webchat.start, account.id, visitor, name, text)
        log.info("web chat %s: conversation started (contact %d)", account.name,
                 line.contact_id)
        return _json({"visitor": visitor, "token": token, "message": _line(line)}, 201)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        account = await self._account(request)
        visitor = self._visitor(request, account)
        _too_many(self._messages.take(visitor), "messages")
        text = _field(await self._body(request), "text", MAX_TEXT)
        try:
            line = await self._run(self._door.webchat.send, account.id, visitor, text)
        except NotFound:
            raise _not_yours() from None
        self.feed.wake_visitor(visitor)
        return _json({"message": _line(line)}, 201)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        account = await self._account(request)
        visitor = self._visitor(request, account)
        after, shown = _cursor(request.query.get("after", "0")), request.query.get("typing") == "1"
        if self.feed.waiting(visitor) >= self.limits.waiting:
            raise Refused(429, "Too many open windows of this chat.", code="too_many",
                          retry_after=self.limits.wait_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.wait_s
        while True:
            view = await self._conversation(visitor, after)
            until = self.feed.typing_until(view.contact_ids)
            typing = until is not None
            if (view.lines or view.reset or typing != shown or loop.time() >= deadline
                    or self.feed.closing):
                return _json(_view(view, typing))
            after = view.cursor
            if self.feed.changed_after(view.contact_ids, after):
                continue  # changed between the read and now: read again before waiting
            timeout = min(deadline, until if until is not None else deadline) - loop.time()
            with self.feed.waiter(visitor, view.contact_ids) as waiter, \
                    contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.event.wait(), max(timeout, 0.0))

    async def _conversation(self, visitor: str, after: int) -> ChatView:
        try:
            view: ChatView = await self._run(self._door.webchat.conversation, visitor,
                                             after=after, seqs_after=self.feed.typing_seq(visitor))
        except NotFound:
            raise _not_yours() from None
        self.feed.saw(visitor, view.contact_ids,
                      [(x.contact_id, x.seq) for x in view.lines if x.from_agent and x.seq])
        return view

    # -- helpers -------------------------------------------------------------------------
    async def _account(self, request: web.Request) -> ChannelAccountInfo:
        assert self._server is not None
        account, _ = await self._server.account(ChannelKind.WEBCHAT, request.match_info["name"])
        return account

    async def _run(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        assert self._server is not None
        try:
            return await self._server.run(func, *args, **kwargs)
        except ValidationError as bad:
            raise Refused(400, bad.message, code="invalid") from None

    def _visitor(self, request: web.Request, account: ChannelAccountInfo) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, "This chat needs its visitor token (Authorization: Bearer).",
                          code="no_token")
        if not plausible_token(token.strip()):
            raise _not_yours()
        return visitor_id(account.id, token.strip())

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise Refused(415, "Send JSON (Content-Type: application/json).", code="invalid")
        limit = self.limits.max_body
        if (request.content_length or 0) > limit:
            raise Refused(413, f"The request is larger than {limit:,} bytes.", code="too_large")
        raw = await request.content.read(limit + 1)
        if len(raw) > limit:
            raise Refused(413, f"The request is larger than {limit:,} bytes.", code="too_large")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "The request is not JSON.", code="invalid") from None
        if not isinstance(data, dict):
            raise Refused(400, "The request is not a JSON object.", code="invalid")
        return data


def _field(data: dict[str, Any], name: str, most: int) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise Refused(400, f"'{name}' is missing or not text.", code="invalid")
    if len(value.strip()) > most:
        raise Refused(413, f"'{name}' is longer than {most:,} characters.", code="too_long")
    return value


def _cursor(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise Refused(400, "'after' is the cursor the last answer gave.", code="invalid")
    return int(text)


def _too_many(wait_s: float, what: str) -> None:
    if wait_s > 0:
        raise Refused(429, f"Too many {what} in a short time; wait a little.", code="too_many",
                      retry_after=wait_s)


def _not_yours() -> Refused:
    return Refused(403, "This token is no visitor's of this chat.", code="unknown_visitor")


def _client(request: web.Request) -> str:
    """The visitor's address: X-Forwarded-For's last hop when a local proxy sent the request."""
    peer = request.remote or ""
    try:
        local = ipaddress.ip_address(peer).is_private
    except ValueError:
        local = False
    forwarded = request.headers.get("X-Forwarded-For", "")
    if local and forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return peer


def _line(line: ChatLine) -> dict[str, Any]:
    return {"id": str(line.id), "from": "agent" if line.from_agent else "customer",
            "text": line.text, "at": line.at.isoformat()}


def _view(view: ChatView, typing: bool) -> dict[str, Any]:
    return {"cursor": view.cursor, "reset": view.reset, "typing": typing,
            "messages": [_line(x) for x in view.lines]}


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


async def _secure(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer under /chat/: the policy, no sniffing, no referrer; API answers not cached."""
    if not request.path.startswith("/chat/"):
        return
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if "/api/" in request.path:
        response.headers["Cache-Control"] = "no-store"
