"""The gateway's HTTP server: providers' webhooks (and, beside them, the web chat).

``switchboard gateway --http HOST:PORT`` serves, with aiohttp:

- ``POST /hooks/line/NAME``, ``POST /hooks/twilio/NAME``, ``GET|POST
  /hooks/messenger/NAME``, ``POST /hooks/cti/NAME``: one route per channel
  kind, NAME being the channel account's name;
- ``GET /health``: 200 with the gateway's name while the database answers,
  503 when it does not (for a load balancer or a monitor);
- what its ``sites`` add: the web chat at ``/chat/NAME/``
  (console.channels.webchat.site), with routes and background work of its own.

Each hook request is authenticated the way its provider documents it (the
``Hook`` of its kind) on the raw bytes before anything is parsed or stored: a
missing signature is 401, a wrong one 403, and nothing is stored. Then every
event in it is stored (console.services.events — one INSERT each, a
redelivery recognised by its event id) and the request is answered; the
gateway processes stored events afterwards. A request for an account that
does not exist, is disabled or is of another kind is 404; a body over the
limit 413; a content type the provider never sends 415. None of these is
an error page with a traceback.

Database calls run on a small thread pool beside the event loop, so a slow
database delays answers but never blocks the loop. Run the server behind a
TLS-terminating reverse proxy (docs/channels.md).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from aiohttp import web

from console.channels import messaging_accounts
from console.channels.secrets import SecretStore
from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.errors import NotFound, SwitchboardError, Unavailable, ValidationError
from console.services.events import MAX_BODY

if TYPE_CHECKING:
    from console.security.guard import Door

log = logging.getLogger(__name__)

T = TypeVar("T")
ACCOUNT_CACHE_S = 5.0  # an administrator's change reaches the hooks within this


@dataclass(frozen=True)
class HookRequest:
    """What a hook sees of one request: enough to check a signature and split events.

    Attributes:
        url: the URL as it arrived at this server (scheme, host and port of the request).
        forwarded_url: the URL as the client sent it, from X-Forwarded-Proto/-Host
            (None when the request carried neither).
        form: the POST form fields in order (url-encoded bodies only), repeated names kept.
        scheme / host / raw_path: as the request reached this server: the Host header with
            its port, the path and query still percent-encoded.
    """

    method: str
    url: str
    forwarded_url: str | None
    scheme: str
    host: str
    raw_path: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    content_type: str
    form: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HookEvent:
    """One event of a request, as it is stored."""

    event_id: str
    kind: str
    body: bytes


@dataclass(frozen=True)
class HookAnswer:
    status: int
    text: str = ""
    content_type: str = "text/plain"


class Refused(Exception):
    """A request the server will not take: its status and a short reason for the sender.

    Attributes:
        code: a word a page can translate (the web chat's), or "".
        retry_after: seconds to wait before trying again (429), or None.
    """

    def __init__(self, status: int, reason: str, *, code: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code
        self.retry_after = retry_after


class Site(Protocol):
    """Something more the server serves (the web chat): its routes and background work."""

    def attach(self, app: web.Application, server: WebhookServer) -> None:
        """Adds routes and start-up/shut-down hooks to ``app``; ``server`` runs its DB calls."""


class Hook(Protocol):
    """How one provider's webhook is checked and split (one per channel kind)."""

    content_types: tuple[str, ...]

    def authenticate(self, request: HookRequest, account: ChannelAccountInfo,
                     secrets: Mapping[str, str]) -> None:
        """Returns when the request is the provider's; raises Refused (401/403) otherwise."""

    def events(self, request: HookRequest) -> Sequence[HookEvent]:
        """The request's events (an empty list is fine: a provider's check request)."""

    def answer(self, request: HookRequest) -> HookAnswer:
        """What the provider expects back once the events are stored."""

    def handshake(self, request: HookRequest, account: ChannelAccountInfo,
                  secrets: Mapping[str, str]) -> HookAnswer:
        """Answers a GET (Messenger's subscription check); others refuse with 405."""


@dataclass
class _Cached:
    account: ChannelAccountInfo | None
    secrets: dict[str, str]
    until: float


@dataclass
class Counters:
    """What the server did since it started (``/health`` shows them)."""

    stored: int = 0
    duplicates: int = 0
    refused: dict[int, int] = field(default_factory=dict)


class WebhookServer:
    """The HTTP server (see the module docstring).

    Args:
        door: the services as the gateway principal may use them.
        name: the gateway's name (``/health`` says it).
        hooks: the hook of each channel kind served.
        secrets: where accounts' secrets are read.
        on_stored: called after a request's events were stored (wakes the processor).
        extra_routes: more routes.
        sites: more to serve, with routes and work of their own (the web chat).
        max_body: the largest request body taken.
    """

    def __init__(self, door: Door, *, name: str, hooks: Mapping[ChannelKind, Hook],
                 secrets: SecretStore | None = None, on_stored: Callable[[], None] | None = None,
                 extra_routes: Sequence[web.RouteDef] = (), sites: Sequence[Site] = (),
                 max_body: int = MAX_BODY, workers: int = 8) -> None:
        self._door = door
        self._name = name
        self._hooks = dict(hooks)
        self._secrets = secrets or SecretStore()
        self._on_stored = on_stored or (lambda: None)
        self._extra = list(extra_routes)
        self._sites = list(sites)
        self._max_body = max_body
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http-db")
        self._cache: dict[tuple[ChannelKind, str], _Cached] = {}
        self._cache_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.counters = Counters()
        self.port = 0

    @property
    def sites(self) -> tuple[Site, ...]:
        """What else this server serves (the web chat)."""
        return tuple(self._sites)

    # -- life cycle ----------------------------------------------------------------------
    def start(self, host: str, port: int) -> int:
        """Starts serving on ``host:port`` (0: a free port) in a thread; returns the port.

        Raises:
            Unavailable: the address cannot be listened on (in use, not this machine's).
        """
        ready = threading.Event()
        problem: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._open(host, port))
            except BaseException as cannot:  # handed to start(), raised there
                problem.append(cannot)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._close())
            loop.close()

        self._thread = threading.Thread(target=serve, name="http", daemon=True)
        self._thread.start()
        ready.wait()
        if problem:
            if isinstance(problem[0], OSError):
                raise Unavailable(f"The gateway cannot listen on {host}:{port}: {problem[0]}.")
            raise problem[0]
        log.info("serving webhooks on http://%s:%d", host, self.port)
        return self.port

    def stop(self) -> None:
        """Stops taking requests, lets those in progress finish, and closes."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
        self._pool.shutdown(wait=True)

    async def _open(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=self._max_body, middlewares=[self._errors])
        app.router.add_get("/health", self._health)
        for kind in self._hooks:
            path = f"/hooks/{kind.value}/{{name}}"
            app.router.add_route("POST", path, self._make_handler(kind))
            app.router.add_route("GET", path, self._make_handshake(kind))
        app.add_routes(self._extra)
        for site in self._sites:
            site.attach(app, self)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=10)
        await self._runner.setup()
        listener = web.TCPSite(self._runner, host, port)
        await listener.start()
        server = getattr(listener, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- requests ------------------------------------------------------------------------
    def _make_handler(self, kind: ChannelKind) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._hook(kind, request)
        return handle

    def _make_handshake(self, kind: ChannelKind) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            account, secrets = await self.account(kind, request.match_info["name"])
            hook_request = await _hook_request(request, b"")
            answer = self._hooks[kind].handshake(hook_request, account, secrets)
            return _response(answer)
        return handle

    async def _hook(self, kind: ChannelKind, request: web.Request) -> web.StreamResponse:
        hook = self._hooks[kind]
        account, secrets = await self.account(kind, request.match_info["name"])
        content_type = request.content_type.lower()
        if hook.content_types and content_type not in hook.content_types:
            raise Refused(415, f"This hook takes {' or '.join(hook.content_types)}.")
        body = await request.read()
        hook_request = await _hook_request(request, body)
        hook.authenticate(hook_request, account, secrets)
        events = hook.events(hook_request)
        for item in events:
            stored = await self.run(self._door.events.store, account.id, item.event_id,
                                     item.body, kind=item.kind, content_type=content_type)
            if stored.duplicate:
                self.counters.duplicates += 1
                log.info("%s: event %s again (a redelivery): applied once", account.name,
                         item.event_id)
            else:
                self.counters.stored += 1
        if events:
            self._on_stored()
        return _response(hook.answer(hook_request))

    async def account(self, kind: ChannelKind,
                      name: str) -> tuple[ChannelAccountInfo, dict[str, str]]:
        """The enabled account ``name`` of ``kind`` and its secrets (cached a few seconds).

        Raises:
            Refused: 404, there is none (or it is disabled).
        """
        key = (kind, name[:80])
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is None or cached.until < time.monotonic():
            cached = await self.run(self._load, kind, name[:80])
            with self._cache_lock:
                self._cache[key] = cached
        if cached.account is None:
            raise Refused(404, "There is no such channel.")
        return cached.account, cached.secrets

    def _load(self, kind: ChannelKind, name: str) -> _Cached:
        until = time.monotonic() + ACCOUNT_CACHE_S
        try:
            account = self._door.channels.show(name)
        except (NotFound, ValidationError):
            return _Cached(None, {}, until)
        if account.kind != kind or not account.enabled:
            return _Cached(None, {}, until)
        return _Cached(account, messaging_accounts.read_secrets(self._secrets, account), until)

    async def _health(self, request: web.Request) -> web.StreamResponse:
        try:
            await self.run(self._door.changes.last_seq)
        except Unavailable as down:
            return web.json_response({"status": "unavailable", "gateway": self._name,
                                      "reason": str(down)}, status=503)
        return web.json_response({"status": "ok", "gateway": self._name,
                                  "stored": self.counters.stored,
                                  "duplicates": self.counters.duplicates})

    @web.middleware
    async def _errors(self, request: web.Request,
                      handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except Refused as refused:
            self.counters.refused[refused.status] = self.counters.refused.get(refused.status, 0) + 1
            log.info("%s %s refused %d: %s", request.method, request.path, refused.status,
                     refused.reason)
            body: dict[str, object] = {"error": refused.reason}
            headers: dict[str, str] = {}
            if refused.code:
                body["code"] = refused.code
            if refused.retry_after is not None:
                headers["Retry-After"] = str(max(1, round(refused.retry_after)))
            return web.json_response(body, status=refused.status, headers=headers)
        except web.HTTPException as http:
            if http.status >= 500:
                raise
            # aiohttp's own refusals (413 too large, 404, 405) as short JSON, never a page.
            return web.json_response({"error": http.reason}, status=http.status)
        except Unavailable as down:
            log.warning("%s %s: %s", request.method, request.path, down)
            # 503: the provider retries later, and the event is not lost.
            return web.json_response({"error": "temporarily unavailable"}, status=503)
        except SwitchboardError as known:
            return web.json_response({"error": known.message}, status=400)
        except Exception:
            log.exception("%s %s: internal error", request.method, request.path)
            return web.json_response({"error": "internal error"}, status=500)

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` on the server's database threads, awaited on the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: func(*args, **kwargs))


async def _hook_request(request: web.Request, body: bytes) -> HookRequest:
    headers = {k.lower(): v for k, v in request.headers.items()}
    url = str(request.url)
    proto, host = headers.get("x-forwarded-proto"), headers.get("x-forwarded-host")
    forwarded = None
    if proto or host:
        forwarded = str(request.url.with_scheme((proto or request.scheme).split(",")[0].strip())
                        .with_host((host or request.host).split(",")[0].split(":")[0].strip())
                        .with_port(_port(host) if host else request.url.port))
    form: tuple[tuple[str, str], ...] = ()
    if request.content_type == "application/x-www-form-urlencoded" and body:
        from urllib.parse import parse_qsl

        try:
            form = tuple(parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                   strict_parsing=False))
        except UnicodeDecodeError:
            raise Refused(400, "The form is not UTF-8.") from None
    return HookRequest(method=request.method, url=url, forwarded_url=forwarded,
                       scheme=request.scheme, host=request.host, raw_path=request.raw_path,
                       headers=headers,
                       query=dict(request.query), body=body, content_type=request.content_type,
                       form=form)


def _port(host: str) -> int | None:
    _, _, port = host.split(",", maxsplit=1)[0].strip().rpartition(":")
    return int(port) if port.isdigit() else None


def _response(answer: HookAnswer) -> web.Response:
    return web.Response(status=answer.status, text=answer.text, content_type=answer.content_type)
