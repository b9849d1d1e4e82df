"""The LINE, Twilio and Messenger clients over real HTTP against the stand-in providers.

Nothing sleeps: each client gets ``sleeps.append`` as its sleep, and the
tests read the waits it asked for.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from console.channels.errors import CredentialsRefused, PermanentFailure, TemporaryFailure
from console.channels.providers.line import LineClient
from console.channels.providers.messenger import MessengerClient
from console.channels.providers.twilio import TwilioClient
from console.clock import ManualClock
from console.errors import NotFound, ValidationError
from tests.mailservers import free_port
from tests.providers import (
    GRAPH_VERSION,
    LINE_TOKEN,
    PAGE_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    Answer,
    StandInProviders,
)

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
SMS = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
SEND = f"/{GRAPH_VERSION}/me/messages"
BASIC_AUTH = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
USER = "U206d25c2ea6bd87c17655609a1c37cb8"
PSID = "6823418727694221"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def line(providers: StandInProviders, sleeps: list[float], clock: ManualClock) -> Iterator[LineClient]:
    with LineClient(LINE_TOKEN, api_base=providers.base_url, data_base=providers.base_url,
                    sleep=sleeps.append, clock=clock) as client:
        yield client


@pytest.fixture
def twilio(providers: StandInProviders, sleeps: list[float]) -> Iterator[TwilioClient]:
    with TwilioClient(TWILIO_SID, TWILIO_TOKEN, api_base=providers.base_url, sleep=sleeps.append) as client:
        yield client


@pytest.fixture
def messenger(providers: StandInProviders, sleeps: list[float],
              clock: ManualClock) -> Iterator[MessengerClient]:
    with MessengerClient(PAGE_TOKEN, api_base=providers.base_url, sleep=sleeps.append,
                         clock=clock) as client:
        yield client


# -- LINE -------------------------------------------------------------------------------------

def test_line_reply(line: LineClient, providers: StandInProviders) -> None:
    sent = line.reply("token-1", ["ご連絡ありがとうございます。", "担当者が確認します。"])
    assert len(sent.message_ids) == 2 and sent.request_id.startswith("line-request-")
    [request] = providers.received(REPLY)
    assert request.header("Authorization") == f"Bearer {LINE_TOKEN}"
    assert request.header("X-Line-Retry-Key") is None  # LINE refuses retry keys on replies
    assert request.json() == {"replyToken": "token-1", "messages": [
        {"type": "text", "text": "ご連絡ありがとうございます。"},
        {"type": "text", "text": "担当者が確認します。"}]}


def test_line_reply_token_works_once(line: LineClient) -> None:
    line.reply("token-2", ["はい"])
    with pytest.raises(PermanentFailure) as refused:
        line.reply("token-2", ["はい"])
    assert (refused.value.code, refused.value.reason) == (400, "Invalid reply token")


def test_line_documented_error_body(line: LineClient, providers: StandInProviders,
                                    sleeps: list[float]) -> None:
    providers.invalid_reply_token()
    with pytest.raises(PermanentFailure, match="Invalid reply token"):
        line.reply("fresh-token", ["はい"])
    assert len(providers.received(REPLY)) == 1 and sleeps == []  # a 400 is not retried


def test_line_push_with_the_jobs_retry_key_goes_out_once(line: LineClient,
                                                          providers: StandInProviders) -> None:
    job = uuid.uuid4()
    first = line.push(USER, ["お待たせしました。"], retry_key=job)
    again = line.push(USER, ["お待たせしました。"], retry_key=str(job))  # the queue retrying a day later
    assert not first.already_accepted and again.already_accepted
    assert again.request_id == first.request_id  # x-line-accepted-request-id names the first
    assert {r.header("X-Line-Retry-Key") for r in providers.received(PUSH)} == {str(job)}
    assert providers.received(PUSH)[0].json()["to"] == USER


def test_line_push_retries_a_server_error_with_the_same_key(line: LineClient, providers: StandInProviders,
                                                            sleeps: list[float]) -> None:
    providers.fail(500, times=2, path=PUSH)
    sent = line.push(USER, ["再送テスト"])
    keys = [r.header("X-Line-Retry-Key") for r in providers.received(PUSH)]
    assert len(keys) == 3 and len(set(keys)) == 1 and sent.message_ids
    assert sleeps == [0.5, 1.0]


def test_line_push_refuses_a_retry_key_that_is_no_uuid(line: LineClient, providers: StandInProviders) -> None:
    with pytest.raises(ValidationError, match="UUID"):
        line.push(USER, ["x"], retry_key="job-7")
    assert providers.received() == []


def test_a_short_retry_after_is_slept_here(line: LineClient, providers: StandInProviders,
                                           sleeps: list[float]) -> None:
    providers.throttle("1", path=PUSH)
    line.push(USER, ["x"])
    assert sleeps == [1.0] and len(providers.received(PUSH)) == 2


def test_a_long_retry_after_goes_back_to_the_queue(line: LineClient, providers: StandInProviders,
                                                   sleeps: list[float]) -> None:
    providers.throttle("120", path=PUSH)
    with pytest.raises(TemporaryFailure) as later:
        line.push(USER, ["x"])
    assert (later.value.code, later.value.retry_after_s) == (429, 120.0)
    assert sleeps == [] and len(providers.received(PUSH)) == 1


def test_retry_after_as_an_http_date(line: LineClient, providers: StandInProviders, clock: ManualClock,
                                     sleeps: list[float]) -> None:
    when = clock.now() + timedelta(seconds=90)
    providers.throttle(when.strftime("%a, %d %b %Y %H:%M:%S GMT"), path=PUSH)
    with pytest.raises(TemporaryFailure) as later:
        line.push(USER, ["x"])
    assert later.value.retry_after_s == 90.0 and sleeps == []


def test_throttled_without_a_wait_gives_up_after_the_tries(line: LineClient, providers: StandInProviders,
                                                           sleeps: list[float]) -> None:
    providers.throttle(None, times=3, path=PUSH)
    with pytest.raises(TemporaryFailure) as later:
        line.push(USER, ["x"])
    assert later.value.retry_after_s is None and later.value.code == 429
    assert sleeps == [0.5, 1.0] and len(providers.received(PUSH)) == 3


def test_line_refused_token(providers: StandInProviders, sleeps: list[float]) -> None:
    with LineClient("revoked-token", api_base=providers.base_url, sleep=sleeps.append) as client, \
            pytest.raises(CredentialsRefused) as refused:
        client.push(USER, ["x"])
    assert "Authentication failed" in refused.value.message and "revoked-token" not in refused.value.message
    assert sleeps == []


def test_a_503_with_retry_after_and_a_403(line: LineClient, providers: StandInProviders,
                                          sleeps: list[float]) -> None:
    providers.answer_next(Answer(503, {"message": "Service unavailable"}, {"Retry-After": "2"}), path=PUSH)
    line.push(USER, ["x"])
    assert sleeps == [2.0]
    providers.refuse_credentials(403, path="/v2/bot/profile/")
    with pytest.raises(CredentialsRefused):
        line.profile(USER)
    assert len(providers.received("/v2/bot/profile/")) == 1


def test_a_dropped_reply_is_not_sent_again_here(line: LineClient, providers: StandInProviders,
                                                sleeps: list[float]) -> None:
    providers.drop_connection(path=REPLY)
    with pytest.raises(TemporaryFailure, match="may have gone out"):
        line.reply("token-3", ["x"])
    assert len(providers.received(REPLY)) == 1 and sleeps == []


def test_a_dropped_push_is_sent_again_under_its_key(line: LineClient, providers: StandInProviders,
                                                    sleeps: list[float]) -> None:
    providers.drop_connection(path=PUSH)
    assert line.push(USER, ["x"]).message_ids
    assert len(providers.received(PUSH)) == 2 and sleeps == [0.5]


def test_no_server_at_all(sleeps: list[float]) -> None:
    with LineClient(LINE_TOKEN, api_base=f"http://127.0.0.1:{free_port()}", sleep=sleeps.append) as client, \
            pytest.raises(TemporaryFailure, match="cannot be reached") as later:
        client.reply("token-4", ["x"])  # never connected: even a reply may be tried again
    assert later.value.code is None and sleeps == [0.5, 1.0]


def test_line_content_comes_from_the_data_host(providers: StandInProviders, sleeps: list[float]) -> None:
    providers.line_content["325708"] = (b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
    dead_api = f"http://127.0.0.1:{free_port()}"
    with LineClient(LINE_TOKEN, api_base=dead_api, data_base=providers.base_url,
                    sleep=sleeps.append) as client:
        content = client.content("325708")
    assert (content.data, content.content_type) == (b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
    assert [r.path for r in providers.received()] == ["/v2/bot/message/325708/content"]


def test_line_content_missing_or_too_big(providers: StandInProviders, sleeps: list[float]) -> None:
    providers.line_content["big"] = (b"x" * 2048, "video/mp4")
    with LineClient(LINE_TOKEN, api_base=providers.base_url, data_base=providers.base_url,
                    sleep=sleeps.append, max_content_bytes=1024) as client:
        with pytest.raises(NotFound):
            client.content("gone")
        with pytest.raises(PermanentFailure, match="larger than 1,024 bytes"):
            client.content("big")


def test_line_content_broken_off(line: LineClient, providers: StandInProviders) -> None:
    providers.answer_next(Answer(200, b"x" * 5000, {"Content-Type": "image/png"}, cut_after=100),
                          path="/v2/bot/message/10/content")
    with pytest.raises(TemporaryFailure, match="dropped while downloading"):
        line.content("10")


def test_line_content_not_ready_yet(line: LineClient, providers: StandInProviders) -> None:
    providers.answer_next(Answer(202, b""), path="/v2/bot/message/9/content")
    with pytest.raises(TemporaryFailure, match="still preparing"):
        line.content("9")


def test_line_profile(line: LineClient, providers: StandInProviders) -> None:
    providers.line_profiles[USER] = {"userId": USER, "displayName": "山田 花子", "language": "ja",
                                     "pictureUrl": "https://profile.line-scdn.net/abc"}
    profile = line.profile(USER)
    assert (profile.display_name, profile.language, profile.status_message) == ("山田 花子", "ja", "")
    with pytest.raises(NotFound, match="not a friend"):
        line.profile("Ustranger")


def test_line_refuses_before_asking(line: LineClient, providers: StandInProviders) -> None:
    for texts in ([], ["x"] * 6, [""], ["あ" * 5001]):
        with pytest.raises(ValidationError):
            line.push(USER, texts)
    with pytest.raises(ValidationError, match="push"):
        line.reply("", ["x"])
    assert providers.received() == []


# -- Twilio -----------------------------------------------------------------------------------

def test_twilio_send_japanese_sms(twilio: TwilioClient, providers: StandInProviders) -> None:
    body = "【ABC銀行】ご予約を承りました。" * 5  # 80 characters: UCS-2, two segments of 67
    sent = twilio.send_sms("+819012345678", "+815012345678", body,
                           status_callback="https://sb.example.jp/hooks/twilio/3")
    assert sent.sid.startswith("SM") and sent.status == "queued"
    assert (sent.segments.encoding, sent.segments.segments) == ("UCS-2", 2)
    [request] = providers.received(SMS)
    assert request.form() == {"To": "+819012345678", "From": "+815012345678", "Body": body,
                              "StatusCallback": "https://sb.example.jp/hooks/twilio/3"}
    assert request.header("Authorization") == BASIC_AUTH


def test_twilio_messaging_service_sender(twilio: TwilioClient, providers: StandInProviders) -> None:
    twilio.send_sms("+819012345678", "MG" + "9" * 32, "Hello")
    assert providers.received(SMS)[0].form()["MessagingServiceSid"] == "MG" + "9" * 32


def test_twilio_refuses_a_long_body_before_sending(twilio: TwilioClient, providers: StandInProviders) -> None:
    with pytest.raises(ValidationError, match="671 characters"):
        twilio.send_sms("+819012345678", "+815012345678", "あ" * 671)
    assert providers.received() == []


def test_twilio_error_body(twilio: TwilioClient, providers: StandInProviders) -> None:
    providers.answer_next(Answer(400, {"code": 21211, "message": "Invalid 'To' Phone Number: +8190",
                                       "status": 400}))
    with pytest.raises(PermanentFailure) as refused:
        twilio.send_sms("+8190", "+815012345678", "x")
    assert refused.value.reason == "Invalid 'To' Phone Number: +8190 (Twilio error 21211)"


def test_twilio_wrong_token(providers: StandInProviders, sleeps: list[float]) -> None:
    client = TwilioClient(TWILIO_SID, "wrong-token", api_base=providers.base_url, sleep=sleeps.append)
    with client, pytest.raises(CredentialsRefused, match="Authenticate"):
        client.send_sms("+819012345678", "+815012345678", "x")
    assert sleeps == [] and len(providers.received(SMS)) == 1


def test_twilio_server_error_is_retried(twilio: TwilioClient, providers: StandInProviders,
                                        sleeps: list[float]) -> None:
    providers.fail(503, path=SMS)
    assert twilio.send_sms("+819012345678", "+815012345678", "x").sid
    assert sleeps == [0.5] and len(providers.received(SMS)) == 2


def test_twilio_dropped_send_is_not_repeated(twilio: TwilioClient, providers: StandInProviders,
                                             sleeps: list[float]) -> None:
    providers.drop_connection(path=SMS)
    with pytest.raises(TemporaryFailure, match="may have gone out"):
        twilio.send_sms("+819012345678", "+815012345678", "x")
    assert len(providers.received(SMS)) == 1 and sleeps == []


def test_twilio_media_through_the_cdn_redirect(twilio: TwilioClient, providers: StandInProviders) -> None:
    url = providers.add_twilio_media("MM1", "ME1", b"%PDF-1.7 ...", "application/pdf")
    media = twilio.media(url)
    assert (media.data, media.content_type) == (b"%PDF-1.7 ...", "application/pdf")
    api, cdn = providers.received("/2010-04-01/"), providers.received("/cdn/")
    assert api[0].header("Authorization") == BASIC_AUTH
    assert cdn[0].header("Authorization") is None  # not handed to another host
    providers.media_via_cdn = False
    assert twilio.media(url).data == b"%PDF-1.7 ..."


def test_twilio_media_only_from_our_account_on_our_host(twilio: TwilioClient,
                                                        providers: StandInProviders) -> None:
    url = providers.add_twilio_media("MM1", "ME2", b"img", "image/png")
    attacker = f"https://attacker.example/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM1/Media/ME2"
    for elsewhere in (url.replace("127.0.0.1", "localhost"), url.replace(TWILIO_SID, "AC" + "6" * 32),
                      attacker):
        with pytest.raises(ValidationError, match="not a media address"):
            twilio.media(elsewhere)
    assert providers.received() == []
    with pytest.raises(NotFound):
        twilio.media(url.replace("ME2", "ME404"))


# -- Messenger --------------------------------------------------------------------------------

def test_messenger_reply_in_the_window(messenger: MessengerClient, providers: StandInProviders,
                                       clock: ManualClock) -> None:
    sent = messenger.send_text(PSID, "配送は明日になります。",
                               last_customer_message_at=clock.now() - timedelta(hours=2))
    assert sent.message_id.startswith("m_") and sent.recipient_id == PSID
    [request] = providers.received(SEND)
    assert request.query["access_token"] == [PAGE_TOKEN]
    assert request.json() == {"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
                              "message": {"text": "配送は明日になります。"}}


def test_messenger_outside_the_window_asks_nobody(messenger: MessengerClient, providers: StandInProviders,
                                                  clock: ManualClock) -> None:
    with pytest.raises(PermanentFailure, match="25 hours ago") as refused:
        messenger.send_text(PSID, "x", last_customer_message_at=clock.now() - timedelta(hours=25))
    assert refused.value.code is None
    with pytest.raises(PermanentFailure, match="has not written"):
        messenger.send_text(PSID, "x", last_customer_message_at=None)
    assert providers.received() == []


def test_messenger_invalid_token_is_refused_credentials(providers: StandInProviders, clock: ManualClock,
                                                        sleeps: list[float]) -> None:
    with MessengerClient("expired-page-token", api_base=providers.base_url, sleep=sleeps.append,
                         clock=clock) as client, pytest.raises(CredentialsRefused) as refused:
        client.send_text(PSID, "x", last_customer_message_at=clock.now())
    assert "(code 190)" in refused.value.message and "expired-page-token" not in refused.value.message
    assert sleeps == []


def test_messenger_rate_limit_in_a_400_is_retried(messenger: MessengerClient, providers: StandInProviders,
                                                  clock: ManualClock, sleeps: list[float]) -> None:
    limit = {"message": "(#613) Calls to this api have exceeded the rate limit.", "type": "OAuthException",
             "code": 613}
    providers.answer_next(Answer(400, {"error": limit}), path=SEND)
    assert messenger.send_text(PSID, "x", last_customer_message_at=clock.now()).message_id
    assert sleeps == [0.5] and len(providers.received(SEND)) == 2


def test_messenger_token_never_in_a_message(clock: ManualClock, sleeps: list[float]) -> None:
    with MessengerClient("EAAG-secret-page-token", api_base=f"http://127.0.0.1:{free_port()}",
                         sleep=sleeps.append, clock=clock) as client, \
            pytest.raises(TemporaryFailure) as later:
        client.send_text(PSID, "x", last_customer_message_at=clock.now())
    assert "EAAG-secret-page-token" not in later.value.message + later.value.reason
    assert "access_token=***" in later.value.reason  # requests names the URL; the token is scrubbed


def test_messenger_graph_version(providers: StandInProviders, clock: ManualClock) -> None:
    providers.answer_next(Answer(200, {"recipient_id": PSID, "message_id": "m_v21"}))
    with MessengerClient(PAGE_TOKEN, api_base=providers.base_url, version="v21.0", clock=clock) as client:
        assert client.send_text(PSID, "x", last_customer_message_at=clock.now()).message_id == "m_v21"
    assert providers.received()[0].path == "/v21.0/me/messages"
    with pytest.raises(ValidationError, match=r"like v19\.0"):
        MessengerClient(PAGE_TOKEN, version="latest")

