"""The web chat in a real browser: headless Chromium driven by Selenium (Debian's chromium
and chromium-driver, which ./dev test installs), against the gateway's server on a free port.

The visitor fills the form and writes; the agent answers through the services
as the window does; the page shows the typing indicator and the reply, keeps
the conversation over a reload, says when the connection drops and comes
back, at a phone's size and in Japanese. Every wait is WebDriverWait on
something the page shows. Set ``WEBCHAT_SCREENSHOTS=DIR`` to keep screenshots.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from console.channels.gateway import gateway_principal
from console.channels.registry import hooks
from console.channels.webchat.site import WebChat
from console.channels.webhooks import WebhookServer
from console.clock import ManualClock
from console.domain.channel_accounts import ChannelKind
from console.security.guard import authorize
from console.store.db import Database
from console.store.models import Contact
from tests.factories import World, small_world

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(pip install -e '.[test]')")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as shown  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PHONE = (390, 844)
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    # Today at 10:30 in Tokyo, the browser's time zone: the page shows times, not dates.
    clock.set(datetime.now(TOKYO).replace(hour=10, minute=30, second=0, microsecond=0))
    w = small_world(db, clock)
    w.services.channels.add_messaging(ChannelKind.WEBCHAT, "web", queue="Cards")
    return w


class ChatServer:
    """The gateway's HTTP server with the web chat; stopped and started again on its port."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._http: WebhookServer | None = None
        self.port = 0

    def start(self) -> str:
        door = authorize(self._world.services, gateway_principal("gw-browser"))
        self._http = WebhookServer(door, name="gw-browser", hooks=hooks(), sites=[WebChat(door)])
        self.port = self._http.start("127.0.0.1", self.port)
        return f"http://127.0.0.1:{self.port}/chat/web/"

    def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
            self._http = None


@pytest.fixture
def server(world: World) -> Iterator[ChatServer]:
    chat = ChatServer(world)
    yield chat
    chat.stop()


@pytest.fixture
def browser() -> Iterator[Callable[..., Any]]:
    """Opens headless Chromium with a language and a window size; all closed after the test."""
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver, "
                    "or run ./dev test)")
    opened: list[Any] = []

    def open_browser(language: str = "ja", size: tuple[int, int] = PHONE) -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--disable-gpu", f"--lang={language}",
                         f"--window-size={size[0]},{size[1]}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        try:
            driver = webdriver.Chrome(options=options,
                                      service=webdriver.ChromeService(executable_path=DRIVER))
        except WebDriverException as cannot:
            pytest.skip(f"Chromium does not start here: {cannot.msg}")
        opened.append(driver)
        # The page's own viewport at exactly this size, as a phone (or a desktop) has it.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1,
            "mobile": size[0] < 600})
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": TOKYO.key})
        return driver

    yield open_browser
    for driver in opened:
        driver.quit()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WEBCHAT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(driver: Any, timeout_s: float = 10.0) -> Any:
    return WebDriverWait(driver, timeout_s, poll_frequency=0.02)


def lines(driver: Any) -> list[tuple[str, str]]:
    return [(item.get_attribute("data-from"), item.find_element(By.CLASS_NAME, "bubble").text)
            for item in driver.find_elements(By.CSS_SELECTOR, "#log .line")]


def contact_of(world: World) -> int:
    with world.services.db.read() as s:
        return int(s.execute(select(Contact.id).where(Contact.external_ref.like("wc_%"))
                             .order_by(Contact.id.desc()).limit(1)).scalar_one())


def test_a_japanese_visitor_on_a_phone_chats_with_an_agent(
        world: World, clock: ManualClock, server: ChatServer, browser: Callable[..., Any],
        shots: Path) -> None:
    page = server.start()
    driver = browser("ja", PHONE)
    driver.get(page)
    name = wait(driver).until(shown.visibility_of_element_located((By.ID, "name")))
    assert driver.execute_script("return document.documentElement.lang") == "ja"
    assert driver.find_element(By.CSS_SELECTOR, "label[for=name]").text == "お名前"
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    assert driver.execute_script(
        "return parseFloat(getComputedStyle(document.getElementById('name')).fontSize)") >= 16
    driver.save_screenshot(str(shots / "form-ja-phone.png"))

    name.send_keys("山田 花子")
    question = "キャッシュカードを失くしました。止めてもらえますか？"
    driver.find_element(By.ID, "question").send_keys(question)
    driver.find_element(By.ID, "begin").click()
    wait(driver).until(lambda d: lines(d) == [("customer", question)])
    contact = contact_of(world)
    assert world.services.inbox.get(contact).customer_name == "山田 花子"

    clock.advance(30)
    world.services.inbox.typing(contact, "kenji")
    typing = wait(driver).until(shown.visibility_of_element_located((By.ID, "typing")))
    assert typing.text == "担当者が入力中…"
    world.services.inbox.reply(contact, "kenji", "カードの利用を停止しました。再発行の手続きをご案内します。")
    replied = time.monotonic()
    wait(driver).until(lambda d: len(lines(d)) == 2)
    latency = time.monotonic() - replied
    assert lines(driver)[1] == ("agent", "カードの利用を停止しました。再発行の手続きをご案内します。")
    assert latency < 1.0, f"the reply took {latency:.3f} s to appear"
    wait(driver).until(shown.invisibility_of_element_located((By.ID, "typing")))
    assert driver.find_element(By.CSS_SELECTOR, "#log .agent .who").text == "担当者"

    clock.advance(40)
    text = driver.find_element(By.ID, "text")
    text.send_keys("ありがとうございます。新しいカードはいつ届きますか？")
    # Enter that confirms an IME conversion is the IME's: nothing is sent.
    assert driver.execute_script("""
        const box = document.getElementById('text');
        box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', isComposing: true,
                                                        bubbles: true, cancelable: true}));
        return document.getElementById('send').disabled;""") is False
    assert len(lines(driver)) == 2
    text.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: len(lines(d)) == 3)
    assert lines(driver)[2] == ("customer", "ありがとうございます。新しいカードはいつ届きますか？")
    assert world.services.inbox.detail(contact).messages[-1].body == lines(driver)[2][1]
    assert text.get_attribute("value") == ""

    clock.advance(20)
    world.services.inbox.typing(contact, "kenji")
    wait(driver).until(shown.visibility_of_element_located((By.ID, "typing")))
    driver.save_screenshot(str(shots / "conversation-ja-typing.png"))

    driver.refresh()
    wait(driver).until(lambda d: len(lines(d)) == 3)
    assert not driver.find_element(By.ID, "start").is_displayed()
    assert [who for who, _ in lines(driver)] == ["customer", "agent", "customer"]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    driver.save_screenshot(str(shots / "conversation-ja-phone.png"))


def test_the_page_says_when_the_connection_drops_and_comes_back(
        world: World, clock: ManualClock, server: ChatServer, browser: Callable[..., Any],
        shots: Path) -> None:
    page = server.start()
    driver = browser("ja", PHONE)
    driver.get(page)
    wait(driver).until(shown.visibility_of_element_located((By.ID, "name"))).send_keys("Hanako")
    hostile = "<b>hello</b> <img src=x onerror=alert(1)>"
    driver.find_element(By.ID, "question").send_keys(hostile)
    driver.find_element(By.ID, "begin").click()
    wait(driver).until(lambda d: lines(d) == [("customer", hostile)])
    assert driver.find_elements(By.CSS_SELECTOR, "#log b, #log img") == []  # text, not markup
    server.stop()
    status = wait(driver).until(shown.visibility_of_element_located((By.ID, "status")))
    assert status.text == "接続が切れました。再接続しています…"
    driver.save_screenshot(str(shots / "connection-lost-ja.png"))
    clock.advance(10)
    world.services.inbox.reply(contact_of(world), "kenji", "written while the page was away")
    server.start()
    wait(driver, 30).until(lambda d: d.find_element(By.ID, "status").text == "再接続しました。")
    wait(driver).until(lambda d: len(lines(d)) == 2)
    assert lines(driver)[1] == ("agent", "written while the page was away")


def test_an_english_browser_gets_english_and_can_switch(
        server: ChatServer, browser: Callable[..., Any], shots: Path) -> None:
    page = server.start()
    driver = browser("en-US", (1024, 768))
    driver.get(page)
    wait(driver).until(shown.visibility_of_element_located((By.ID, "name")))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Chat with us"
    assert driver.execute_script("return document.documentElement.lang") == "en"
    driver.save_screenshot(str(shots / "form-en-desktop.png"))
    switch = driver.find_element(By.ID, "lang")
    assert switch.text == "日本語"
    switch.click()
    assert driver.find_element(By.TAG_NAME, "h1").text == "チャットでお問い合わせ"
    driver.refresh()  # the choice is kept
    wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "チャットでお問い合わせ")
    driver.find_element(By.ID, "begin").click()  # nothing filled in: said so, nothing sent
    error = wait(driver).until(shown.visibility_of_element_located((By.ID, "start-error")))
    assert error.text == "お名前とご質問をご入力ください。"


def test_a_long_conversation_stays_inside_a_phone_and_shows_the_newest(
        world: World, clock: ManualClock, server: ChatServer, browser: Callable[..., Any],
        shots: Path) -> None:
    page = server.start()
    driver = browser("en-US", PHONE)
    driver.get(page)
    wait(driver).until(shown.visibility_of_element_located((By.ID, "name"))).send_keys("Alice")
    driver.find_element(By.ID, "question").send_keys(
        "My statement links to https://example.com/" + "a-very-long-path-without-spaces" * 4)
    driver.find_element(By.ID, "begin").click()
    wait(driver).until(lambda d: len(lines(d)) == 1)
    contact = contact_of(world)
    for n in range(1, 12):
        clock.advance(15)
        world.services.inbox.reply(contact, "kenji", f"Reply number {n}.\nSecond line.")
    wait(driver).until(lambda d: len(lines(d)) == 12)
    newest = driver.find_elements(By.CSS_SELECTOR, "#log .line")[-1]
    wait(driver).until(lambda d: d.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.bottom <= document.getElementById('scroll').getBoundingClientRect().bottom",
        newest))
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    assert driver.find_element(By.CSS_SELECTOR, "#log .agent .who").text == "Agent"
    driver.save_screenshot(str(shots / "conversation-en-long.png"))
