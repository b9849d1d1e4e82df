"""Click-to-dial against a real local HTTP server standing for the phone system, and the
phone (CTI) account settings it reads: the originate URL and agents' extensions."""

from __future__ import annotations

from collections.abc import Iterator
from socket import socket

import pytest

from console.channels.cti import parse_cti_form
from console.domain import Role
from console.errors import NotFound, NotPermitted, ProviderUnavailable, ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from tests.factories import World
from tests.pbx import FakePbx, running_pbx


@pytest.fixture
def pbx() -> Iterator[FakePbx]:
    with running_pbx() as server:
        yield server


@pytest.fixture
def line(world: World, pbx: FakePbx) -> FakePbx:
    """The account "PBX" for Cards, dialling through ``pbx``; emma's extension is 201."""
    world.services.channels.add_cti("PBX", queue="Cards", token="pbx-secret", originate_url=pbx.url)
    world.services.channels.set_extension("PBX", "emma", "201")
    return pbx


def test_dialling_asks_the_phone_system_to_ring_the_agents_extension(world: World,
                                                                     line: FakePbx) -> None:
    dialled = world.services.calls.dial("emma", "090-1234-5678")
    assert (dialled.extension, dialled.number, dialled.number_display, dialled.account) == (
        "201", "+819012345678", "090-1234-5678", "PBX")
    (request,) = line.requests
    assert (request.method, request.path) == ("POST", "/originate")
    assert request.query == {"ext": ["201"], "to": ["+819012345678"]}


def test_a_get_url_and_full_width_digits(world: World, line: FakePbx) -> None:
    world.services.channels.set_originate(
        "PBX", f"http://127.0.0.1:{line.port}/call/{{extension}}?n={{number}}", "get")
    world.services.calls.dial("emma", "０３－１２３４－５６７８")
    (request,) = line.requests
    assert (request.method, request.path, request.query) == (
        "GET", "/call/201", {"n": ["+81312345678"]})


@pytest.mark.parametrize(("status", "error", "message"), [
    (503, ProviderUnavailable, r"could not place the call right now \(503"),
    (404, ValidationError, r"refused the call \(404 Not Found\): no such extension"),
])
def test_what_the_phone_system_answers_is_a_known_problem(world: World, line: FakePbx,
                                                           status: int,
                                                           error: type[Exception],
                                                           message: str) -> None:
    line.status, line.body = status, b"no such extension"
    with pytest.raises(error, match=message):
        world.services.calls.dial("emma", "09012345678")


def test_a_phone_system_that_is_away_is_unavailable(world: World) -> None:
    with socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    world.services.channels.add_cti("PBX", queue="Cards", token="pbx-secret",
                                    originate_url=f"http://127.0.0.1:{port}/o?e={{extension}}")
    world.services.channels.set_extension("PBX", "emma", "201")
    with pytest.raises(ProviderUnavailable, match="cannot be reached"):
        world.services.calls.dial("emma", "09012345678")


def test_what_cannot_be_dialled(world: World, line: FakePbx) -> None:
    with pytest.raises(ValidationError, match="not a phone number"):
        world.services.calls.dial("emma", "call me maybe")
    with pytest.raises(ValidationError, match="no phone extension"):
        world.services.calls.dial("kenji", "09012345678")
    world.services.channels.set_extension("PBX", "emma", "")  # removed
    with pytest.raises(ValidationError, match="no phone extension"):
        world.services.calls.dial("emma", "09012345678")
    world.services.channels.set_extension("PBX", "emma", "201")
    world.services.channels.set_originate("PBX", "")
    with pytest.raises(ValidationError, match="no originate URL"):
        world.services.calls.dial("emma", "09012345678")
    assert line.requests == []


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://pbx/{number}", "http:// or https://"),
    ("http://admin:secret@pbx/{number}", "user name or password"),
    ("http://pbx/{nmber}", r"not \{nmber\}"),
    ("http://pbx/{number", "unmatched"),
    ("http://pbx/a b", "spaces"),
])
def test_a_bad_originate_url_is_refused(world: World, url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        world.services.channels.add_cti("PBX", queue="Cards", token="pbx-secret", originate_url=url)
    assert world.services.channels.list() == []


def test_phone_account_settings(world: World) -> None:
    sv = world.services.channels
    sv.add_cti("PBX", queue="Cards", token="pbx-secret")
    with pytest.raises(ValidationError, match="already has the enabled phone"):
        sv.add_cti("PBX 2", queue="Cards", token="pbx-secret")
    with pytest.raises(ValidationError, match="not a phone extension"):
        sv.set_extension("PBX", "emma", "20 1")
    with pytest.raises(NotFound, match="nobody"):
        sv.set_extension("PBX", "nobody", "201")
    account = sv.set_extension("PBX", "kenji", "#202").value
    assert account.settings["extension:kenji"] == "#202"
    assert account.kind.value == "cti" and account.secret.startswith("OS keyring")  # the token


def test_through_the_door(world: World, line: FakePbx) -> None:
    """The gateway applies events and nobody else; agents dial as themselves only."""
    account = world.services.channels.show("PBX").id
    gateway = authorize(world.services, Principal(0, "gateway:gw", "Gateway gw",
                                                  Role.GATEWAY))
    newcall = parse_cti_form({"event": "newCall", "callId": "1", "from": "09012345678",
                              "direction": "in"})
    assert gateway.calls.apply(account, newcall).call.number == "+819012345678"
    emma_info = world.services.agents.get("emma")
    emma = authorize(world.services, Principal(emma_info.id, "emma", emma_info.name,
                                               emma_info.role, "WS-01"))
    with pytest.raises(NotPermitted, match=r"may not use 'calls\.apply'"):
        emma.calls.apply(account, newcall)
    with pytest.raises(NotPermitted, match="only as themself"):
        emma.calls.dial("kenji", "09012345678")
    assert emma.calls.dial("emma", "09012345678").extension == "201"
    with pytest.raises(NotPermitted):
        gateway.calls.dial("emma", "09012345678")
