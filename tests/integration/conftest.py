"""Fixtures for the tests that talk to real servers: a private Dovecot and an SMTP server,
and the stand-in messaging providers (LINE, Twilio, Messenger) of tests/providers.py.

Dovecot starts once per test session, the SMTP server too; each test gets
empty mailboxes and an SMTP server that accepts everyone. Without Dovecot or
openssl installed (``./dev test`` installs both) the mail tests are skipped
and say why. The stand-in providers need nothing installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.mailservers import DOVECOT_ENV, USERS, Dovecot, SmtpServer, dovecot_binary, start_dovecot
from tests.providers import StandInProviders


@pytest.fixture(scope="session")
def _dovecot_server() -> Iterator[Dovecot]:
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd, or run ./dev test; "
                    f"{DOVECOT_ENV} names another binary)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the test server's certificate cannot be made")
    server = start_dovecot(binary)
    yield server
    server.stop()


@pytest.fixture
def dovecot(_dovecot_server: Dovecot) -> Dovecot:
    """The test Dovecot, with every test user's INBOX empty."""
    for user in USERS:
        _dovecot_server.empty(user)
    return _dovecot_server


@pytest.fixture(scope="session")
def _smtp_server(_dovecot_server: Dovecot) -> Iterator[SmtpServer]:
    server = SmtpServer(_dovecot_server)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(_smtp_server: SmtpServer, dovecot: Dovecot) -> Iterator[SmtpServer]:
    """The test SMTP server, accepting every recipient, delivering into the test Dovecot."""
    _smtp_server.reset()
    yield _smtp_server
    _smtp_server.reset()


@pytest.fixture(scope="session", params=["starttls", "smtps"])
def secure_smtp_server(request: pytest.FixtureRequest, _dovecot_server: Dovecot) -> Iterator[SmtpServer]:
    """A test SMTP server that wants TLS (STARTTLS, or TLS from the start) and a signed-in user."""
    server = SmtpServer(_dovecot_server, tls=request.param)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _stand_in_providers() -> Iterator[StandInProviders]:
    with StandInProviders() as server:
        yield server


@pytest.fixture
def providers(_stand_in_providers: StandInProviders) -> Iterator[StandInProviders]:
    """The stand-in LINE, Twilio and Graph APIs, with nothing recorded or scripted yet."""
    _stand_in_providers.reset()
    yield _stand_in_providers
    _stand_in_providers.reset()
