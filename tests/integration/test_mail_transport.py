"""The mail transports against real servers: IMAP intake from Dovecot, SMTP delivery through aiosmtpd."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

import pytest

from console.channels.errors import CredentialsRefused, PermanentFailure, TemporaryFailure
from console.channels.mail.imap import ImapMailbox
from console.channels.mail.smtp import SmtpRelay
from console.errors import Unavailable, ValidationError
from tests.mailservers import PASSWORD, STRANGER, Dovecot, SmtpServer, free_port
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.mail

SAFETY_NET_S = 10.0  # only a hung test waits this long


def customer_mail(n: int, subject: str | None = None) -> bytes:
    return (f"From: Customer {n} <c{n}@example.jp>\r\nTo: support@example.jp\r\n"
            f"Subject: {subject or f'question {n}'}\r\nMessage-ID: <q{n}@example.jp>\r\n\r\n"
            f"Body of question {n}.\r\n").encode()


def mailbox(dovecot: Dovecot, *, user: str = "support", password: str = PASSWORD, tls: str = "",
            **kwargs: object) -> ImapMailbox:
    if tls == "imaps":
        url = f"imaps://{user}@127.0.0.1:{dovecot.tls_port}/INBOX"
    else:
        url = f"imap://{user}@127.0.0.1:{dovecot.port}/INBOX" + ("?starttls=1" if tls else "")
    return ImapMailbox(url, password, ssl_context=dovecot.ssl_context(), timeout_s=5, **kwargs)  # type: ignore[arg-type]


# --- IMAP intake -------------------------------------------------------------


def test_new_messages_come_in_uid_order_once_each(dovecot: Dovecot) -> None:
    for n in (1, 2, 3):
        dovecot.append("support", customer_mail(n))
    with mailbox(dovecot) as box:
        first = box.fetch_new(None, 0)
        assert [m.raw for m in first.messages] == [customer_mail(n) for n in (1, 2, 3)]
        uids = [m.uid for m in first.messages]
        assert uids == sorted(uids) and first.uidvalidity > 0
        assert not first.uidvalidity_changed and not first.more

        assert box.fetch_new(first.uidvalidity, first.last_uid or 0).messages == ()

        dovecot.append("support", customer_mail(4))
        later = box.fetch_new(first.uidvalidity, first.last_uid or 0)
    assert [m.raw for m in later.messages] == [customer_mail(4)]
    assert later.messages[0].uid > uids[-1]


def test_intake_leaves_the_mailbox_unread(dovecot: Dovecot) -> None:
    dovecot.append("support", customer_mail(1))
    with mailbox(dovecot) as box:
        box.fetch_new(None, 0)
    client = dovecot.client()
    try:
        client.select_folder("INBOX")
        assert client.search("UNSEEN") != []
    finally:
        client.logout()


def test_batches_are_bounded_and_say_there_is_more(dovecot: Dovecot) -> None:
    for n in range(5):
        dovecot.append("support", customer_mail(n))
    with mailbox(dovecot, batch_size=2) as box:
        seen: list[bytes] = []
        batch = box.fetch_new(None, 0)
        while True:
            assert len(batch.messages) <= 2
            seen += [m.raw for m in batch.messages]
            if not batch.more:
                break
            batch = box.fetch_new(batch.uidvalidity, batch.last_uid or 0)
    assert seen == [customer_mail(n) for n in range(5)]


def test_a_message_over_the_size_limit_comes_with_its_header_only(dovecot: Dovecot) -> None:
    big = customer_mail(1).replace(b"Body of question 1.", b"x" * 5000)
    dovecot.append("support", big)
    dovecot.append("support", customer_mail(2))
    with mailbox(dovecot, max_message_bytes=2000) as box:
        first, second = box.fetch_new(None, 0).messages
    assert not first.complete and first.size == len(big)
    assert first.raw == big.split(b"\r\n\r\n")[0] + b"\r\n\r\n"  # the header, nothing of the body
    assert second.complete and second.raw == customer_mail(2) and second.size == len(second.raw)


def test_a_changed_uidvalidity_starts_again_from_the_first_message(dovecot: Dovecot) -> None:
    dovecot.append("support", customer_mail(1))
    with mailbox(dovecot) as box:
        now = box.fetch_new(None, 0)
        again = box.fetch_new(now.uidvalidity + 1, 10_000)
    assert again.uidvalidity_changed and again.uidvalidity == now.uidvalidity
    assert [m.raw for m in again.messages] == [customer_mail(1)]


def test_idle_wakes_when_mail_arrives(dovecot: Dovecot) -> None:
    with mailbox(dovecot) as box:
        assert box.supports_idle
        box.fetch_new(None, 0)
        idling = threading.Event()
        appender = threading.Thread(
            target=lambda: idling.wait(SAFETY_NET_S) and dovecot.append("support", customer_mail(1)))
        appender.start()
        try:
            woke = box.wait_for_changes(SAFETY_NET_S, on_idle=idling.set)
        finally:
            appender.join(SAFETY_NET_S)
        assert idling.is_set() and woke
        assert [m.raw for m in box.fetch_new(None, 0).messages] == [customer_mail(1)]


def test_idle_returns_at_once_for_mail_that_came_before_it(dovecot: Dovecot) -> None:
    with mailbox(dovecot) as box:
        box.fetch_new(None, 0)
        dovecot.append("support", customer_mail(1))
        started = threading.Event()
        assert box.wait_for_changes(SAFETY_NET_S, on_idle=started.set)
        assert not started.is_set()  # answered from UIDNEXT, without idling


def test_idle_without_mail_ends_at_the_timeout_or_the_stop(dovecot: Dovecot) -> None:
    with mailbox(dovecot) as box:
        box.fetch_new(None, 0)
        assert box.wait_for_changes(0.3) is False
        stop = threading.Event()
        stop.set()
        assert box.wait_for_changes(SAFETY_NET_S, stop) is False
        # The connection is still good after an IDLE that ended quietly.
        dovecot.append("support", customer_mail(1))
        assert len(box.fetch_new(None, 0).messages) == 1


@pytest.mark.parametrize("tls", ["starttls", "imaps"])
def test_intake_over_tls(dovecot: Dovecot, tls: str) -> None:
    dovecot.append("support", customer_mail(1))
    with mailbox(dovecot, tls=tls) as box:
        assert [m.raw for m in box.fetch_new(None, 0).messages] == [customer_mail(1)]


def test_an_untrusted_certificate_is_unavailable_not_a_traceback(dovecot: Dovecot) -> None:
    url = f"imaps://support@127.0.0.1:{dovecot.tls_port}/INBOX"
    with ImapMailbox(url, PASSWORD, timeout_s=5) as box, pytest.raises(Unavailable, match="certificate"):
        box.fetch_new(None, 0)


def test_a_wrong_password_is_refused_clearly(dovecot: Dovecot) -> None:
    with mailbox(dovecot, user=STRANGER, password="wrong") as box, \
            pytest.raises(CredentialsRefused) as refused:
        box.fetch_new(None, 0)
    assert "refused the user name or password" in refused.value.message
    assert "wrong" not in refused.value.message  # the password itself is never repeated


def test_a_missing_mailbox_is_a_validation_error(dovecot: Dovecot) -> None:
    url = f"imap://support@127.0.0.1:{dovecot.port}/Nowhere"
    with ImapMailbox(url, PASSWORD, timeout_s=5) as box, pytest.raises(ValidationError, match="Nowhere"):
        box.fetch_new(None, 0)


def test_a_line_lost_during_idle_is_unavailable_and_the_next_call_reconnects(dovecot: Dovecot) -> None:
    proxy = TcpProxy(("127.0.0.1", dovecot.port))
    try:
        url = f"imap://support@127.0.0.1:{proxy.port}/INBOX"
        with ImapMailbox(url, PASSWORD, timeout_s=5) as box:
            box.fetch_new(None, 0)
            started = time.monotonic()
            with pytest.raises(Unavailable, match="cannot be reached"):
                box.wait_for_changes(SAFETY_NET_S, on_idle=proxy.cut)
            # Noticed when the line went, not when the wait would have ended anyway.
            assert time.monotonic() - started < SAFETY_NET_S / 2
            proxy.restore()
            dovecot.append("support", customer_mail(1))
            assert [m.raw for m in box.fetch_new(None, 0).messages] == [customer_mail(1)]
    finally:
        proxy.close()


def test_a_closed_port_is_unavailable() -> None:
    with ImapMailbox(f"imap://support@127.0.0.1:{free_port()}/INBOX", PASSWORD, timeout_s=5) as box, \
            pytest.raises(Unavailable, match="cannot be reached"):
        box.fetch_new(None, 0)


def test_a_server_that_never_answers_times_out_as_unavailable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        port = silent.getsockname()[1]
        with ImapMailbox(f"imap://support@127.0.0.1:{port}/INBOX", PASSWORD, timeout_s=0.5) as box, \
                pytest.raises(Unavailable):
            box.fetch_new(None, 0)


@pytest.mark.parametrize("url", ["http://x/INBOX", "imap://127.0.0.1/INBOX", "imap://u@/INBOX",
                                 "imaps://u@h/INBOX?starttls=1", "imap://u@h:99999/", "imap://u@h/a\r\nb"])
def test_bad_addresses_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(ValidationError):
        ImapMailbox(url, PASSWORD)


# --- SMTP delivery -----------------------------------------------------------


def reply(to: str = "customer@example.jp", subject: str = "Re: ご注文の件について") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "サポート窓口 <support@example.jp>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<r1@switchboard.example.jp>"
    message.set_content("お問い合わせありがとうございます。\n")
    return message


def relay(smtp_server: SmtpServer) -> SmtpRelay:
    return SmtpRelay(f"smtp://127.0.0.1:{smtp_server.port}", timeout_s=5)


def test_a_sent_reply_arrives_with_its_japanese_subject(smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    receipt = relay(smtp_server).send(reply())
    assert receipt.code == 250 and "accepted" in receipt.response and receipt.refused == {}

    [raw] = dovecot.read_all("customer")
    assert b"=?utf-8?" in raw.lower()  # the subject travelled as an RFC 2047 encoded word
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["Subject"] == "Re: ご注文の件について"
    assert received["Message-ID"] == "<r1@switchboard.example.jp>"
    assert received.get_content().splitlines() == ["お問い合わせありがとうございます。"]  # type: ignore[attr-defined]
    [envelope] = smtp_server.handler.received
    assert envelope.mail_from == "support@example.jp" and envelope.rcpt_tos == ["customer@example.jp"]


def test_a_451_for_the_recipient_is_a_temporary_failure(smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    smtp_server.handler.refusals["customer@example.jp"] = "451 4.3.0 Mailbox temporarily unavailable"
    with pytest.raises(TemporaryFailure) as failure:
        relay(smtp_server).send(reply())
    assert failure.value.code == 451 and "temporarily unavailable" in failure.value.reason
    assert isinstance(failure.value, Unavailable)  # the delivery queue retries every Unavailable
    assert dovecot.read_all("customer") == []


def test_a_550_for_the_recipient_is_permanent_with_the_servers_reason(smtp_server: SmtpServer,
                                                                      dovecot: Dovecot) -> None:
    smtp_server.handler.refusals["customer@example.jp"] = "550 5.1.1 No such user here"
    with pytest.raises(PermanentFailure) as failure:
        relay(smtp_server).send(reply())
    assert failure.value.code == 550 and failure.value.reason == "5.1.1 No such user here"
    assert "No such user here" in failure.value.message
    assert dovecot.read_all("customer") == []


def test_one_refused_recipient_of_two_is_reported_and_the_other_gets_it(smtp_server: SmtpServer,
                                                                       dovecot: Dovecot) -> None:
    smtp_server.handler.refusals["gone@example.jp"] = "550 5.1.1 No such user here"
    receipt = relay(smtp_server).send(reply(to="customer@example.jp, gone@example.jp"))
    assert receipt.refused == {"gone@example.jp": (550, "5.1.1 No such user here")}
    assert len(dovecot.read_all("customer")) == 1


def test_a_non_ascii_address_needs_a_server_with_smtputf8(smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    with pytest.raises(PermanentFailure, match="SMTPUTF8"):
        relay(smtp_server).send(reply(to="山田@例え.jp"))
    assert smtp_server.handler.received == []

    utf8_server = SmtpServer(dovecot, smtputf8=True)
    utf8_server.start()
    try:
        relay(utf8_server).send(reply(to="山田@例え.jp"))
        [envelope] = utf8_server.handler.received
    finally:
        utf8_server.stop()
    assert envelope.rcpt_tos == ["山田@例え.jp"] and "SMTPUTF8" in envelope.mail_options
    received = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
    assert received["To"] == "山田@例え.jp" and received["Subject"] == "Re: ご注文の件について"


def test_a_closed_smtp_port_is_a_temporary_failure() -> None:
    with pytest.raises(TemporaryFailure, match="cannot be reached"):
        SmtpRelay(f"smtp://127.0.0.1:{free_port()}", timeout_s=5).send(reply())


def test_an_smtp_server_that_never_answers_is_a_temporary_failure() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        relay = SmtpRelay(f"smtp://127.0.0.1:{silent.getsockname()[1]}", timeout_s=0.5)
        with pytest.raises(TemporaryFailure, match="cannot be reached"):
            relay.send(reply())


def test_starttls_is_refused_when_the_server_does_not_offer_it(smtp_server: SmtpServer) -> None:
    with pytest.raises(TemporaryFailure, match="STARTTLS"):
        SmtpRelay(f"smtp://127.0.0.1:{smtp_server.port}?starttls=1", timeout_s=5).send(reply())
    assert smtp_server.handler.received == []


def test_a_line_break_in_a_subject_never_becomes_a_header(smtp_server: SmtpServer) -> None:
    # The standard message object refuses it when the subject is set...
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        reply(subject="Hello\r\nBcc: everyone@example.com")
    # ...and a message built without those checks is refused by the relay before any byte is sent.
    legacy = EmailMessage(policy=email.policy.compat32)
    legacy["From"] = "support@example.jp"
    legacy["To"] = "customer@example.jp"
    legacy["Subject"] = "Hello\r\nBcc: everyone@example.com"
    legacy.set_payload("hi")
    with pytest.raises(ValidationError, match="line break"):
        relay(smtp_server).send(legacy)
    assert smtp_server.handler.received == []


def test_a_line_break_in_an_envelope_address_is_refused(smtp_server: SmtpServer) -> None:
    with pytest.raises(ValidationError):
        relay(smtp_server).send(reply(), recipients=["customer@example.jp\r\nRCPT TO:<x@evil.example>"])
    assert smtp_server.handler.received == []


def secure_relay(server: SmtpServer, dovecot: Dovecot, password: str = PASSWORD) -> SmtpRelay:
    scheme, query = ("smtps", "") if _implicit(server) else ("smtp", "?starttls=1")
    return SmtpRelay(f"{scheme}://support@127.0.0.1:{server.port}{query}", password,
                     ssl_context=dovecot.ssl_context(), timeout_s=5)


def _implicit(server: SmtpServer) -> bool:
    return server.tls == "smtps"


def test_a_reply_goes_out_over_tls_after_signing_in(secure_smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    secure_smtp_server.reset()
    receipt = secure_relay(secure_smtp_server, dovecot).send(reply())
    assert receipt.code == 250
    [raw] = dovecot.read_all("customer")
    assert email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == "Re: ご注文の件について"


def test_a_refused_smtp_password_is_refused_clearly(secure_smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    secure_smtp_server.reset()
    with pytest.raises(CredentialsRefused, match="refused the user name or password"):
        secure_relay(secure_smtp_server, dovecot, password="wrong").send(reply())
    assert dovecot.read_all("customer") == []


def test_a_server_that_demands_sign_in_refuses_an_anonymous_relay(secure_smtp_server: SmtpServer,
                                                                 dovecot: Dovecot) -> None:
    scheme, query = ("smtps", "") if _implicit(secure_smtp_server) else ("smtp", "?starttls=1")
    anonymous = SmtpRelay(f"{scheme}://127.0.0.1:{secure_smtp_server.port}{query}",
                          ssl_context=dovecot.ssl_context(), timeout_s=5)
    with pytest.raises(CredentialsRefused, match="530"):
        anonymous.send(reply())
    assert secure_smtp_server.handler.received == []
