"""The website widget end to end: Debian's headless Chromium, driven by Playwright, against the
real trained bot. Screenshots at phone and desktop sizes go to tests/artifacts/."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import text

from bot.knowledge.load import load_knowledge
from bot.safety.resources import crisis_link
from bot.store.db import make_engine, session_scope
from bot.store.outbox import queue_message
from tests.support.servers import MODEL, ROOT, RunningBot, free_port, wait_for_http

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ANSWER_WAIT = 60_000  # ms; the first answer loads the action server's retriever
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ATTACK = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def chromium_path() -> str:
    """Debian's chromium; installed on first use, as `make browser` does. Never Playwright's."""
    if not shutil.which("chromium"):
        subprocess.run(["make", "-C", str(ROOT), "browser"], check=False, capture_output=True)
    path = shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is missing: apt-get install chromium chromium-driver")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does)")
    workdir = tmp_path_factory.mktemp("widget")
    running = RunningBot(
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'bot.db'}",
        # Short long-polls so the server can stop promptly in the outage test.
        extra_env={"WIDGET_POLL_SECONDS": "3"},
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def host_site(server: RunningBot) -> Iterator[str]:
    """A centre's website on another origin that embeds the widget with one script tag."""
    page = (
        f'<!doctype html><html lang="en"><title>Centre</title><h1>Example Recovery Centre</h1>'
        f'<script src="{server.url}/webhooks/web/widget.js" data-title="Ask us"'
        ' data-color="#ffd700" data-position="left"></script>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    return page


@pytest.fixture
def desktop(browser: Browser, server: RunningBot) -> Iterator[Page]:
    page = new_page(browser, DESKTOP)
    yield page
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.fixture
def phone(browser: Browser, server: RunningBot) -> Iterator[Page]:
    page = new_page(browser, PHONE)
    yield page
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def open_demo(page: Page, server: RunningBot) -> None:
    page.goto(f"{server.url}/webhooks/web/demo")
    page.get_by_role("button", name="Talk to us").click()
    expect(page.get_by_role("dialog", name="Talk to us")).to_be_visible()


def say(page: Page, message: str) -> None:
    box = page.get_by_label("Your message")
    box.fill(message)
    box.press("Enter")


def bot_texts(page: Page) -> list[str]:
    return page.locator(".msg.bot .text").all_inner_texts()


def wait_for_bot(page: Page, pattern: str, timeout: float = ANSWER_WAIT) -> None:
    expect(page.locator(".msg.bot .text").filter(has_text=re.compile(pattern)).last).to_be_visible(
        timeout=timeout
    )


def sender_of(page: Page) -> str:
    token = page.evaluate(
        "() => Object.keys(sessionStorage).filter(k => k.endsWith(':token'))"
        ".map(k => JSON.parse(sessionStorage.getItem(k)))[0]"
    )
    assert token and token.startswith("web-")
    return token.split(".")[0]


def test_a_question_gets_a_grounded_answer_with_its_source(
    desktop: Page, server: RunningBot
) -> None:
    open_demo(desktop, server)
    # Focus moved into the panel; the greeting from data-greeting is shown.
    assert desktop.evaluate("() => document.activeElement.id") == "rsb-chat-widget"
    expect(desktop.get_by_label("Your message")).to_be_focused()
    expect(desktop.locator(".msg.greeting")).to_contain_text("automated assistant")
    say(desktop, "does heroin withdrawal make depression worse?")
    expect(desktop.locator(".typing")).to_contain_text("typing")
    wait_for_bot(desktop, r"^Source:")
    knowledge = load_knowledge()
    replies = " ".join(bot_texts(desktop))
    quoted = [p for p in knowledge.passages if p.text.strip() in replies]
    assert quoted, replies
    assert f"Source: {knowledge.source(quoted[0].source).publisher}" in replies
    expect(desktop.locator(".typing")).to_have_text("")
    shot(desktop, "answer-desktop")


def test_a_quick_reply_is_shown_by_title_and_answered(phone: Page, server: RunningBot) -> None:
    open_demo(phone, server)
    say(phone, "what's the weather in Boston")
    replies = phone.get_by_role("group", name="Suggested replies")
    expect(replies).to_be_visible(timeout=ANSWER_WAIT)
    button = replies.get_by_role("button", name="Withdrawal and mood")
    button.click()
    expect(phone.locator(".msg.user .text").last).to_have_text("Withdrawal and mood")
    wait_for_bot(phone, r"^Source:")
    assert not phone.locator(".msg.user .text").filter(has_text="/ask").count()
    shot(phone, "quick-reply-phone")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_crisis_message_gets_resources_with_working_tel_links(
    browser: Browser, server: RunningBot, viewport: dict[str, int]
) -> None:
    page = new_page(browser, viewport)
    open_demo(page, server)
    label, href = crisis_link()
    pinned = page.get_by_role("link", name=label)
    expect(pinned).to_be_visible()
    expect(pinned).to_have_attribute("href", href)
    say(page, "i want to kill myself")
    wait_for_bot(page, "988")
    answer = page.locator(".msg.bot").last
    expect(answer.locator("a[href='tel:988']")).to_have_text("988")
    expect(answer.locator("a[href='tel:911']")).to_have_text("911")
    expect(answer.locator("a[href='sms:741741']")).to_have_text("741741")
    # The pinned link stays in view however long the conversation gets.
    expect(pinned).to_be_in_viewport()
    name = "phone" if viewport is PHONE else "desktop"
    shot(page, f"crisis-{name}")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_reload_shows_the_history_and_another_visitor_sees_none(
    browser: Browser, desktop: Page, server: RunningBot
) -> None:
    open_demo(desktop, server)
    say(desktop, "what are the signs of depression")
    wait_for_bot(desktop, r"^Source:")
    before = desktop.locator(".msg .text").all_inner_texts()
    desktop.reload()
    expect(desktop.get_by_role("log", name="Conversation")).to_be_visible()
    expect(desktop.locator(".msg.user .text").first).to_have_text(
        "what are the signs of depression"
    )
    assert desktop.locator(".msg .text").all_inner_texts()[-len(before) + 1 :] == before[1:]
    stranger = new_page(browser, DESKTOP)
    open_demo(stranger, server)
    expect(stranger.locator(".msg.user")).to_have_count(0)
    stranger.context.close()


@pytest.mark.parametrize("where", ["demo", "other-origin"])
def test_html_and_script_are_shown_as_text_and_never_run(
    desktop: Page, server: RunningBot, host_site: str, where: str
) -> None:
    if where == "demo":
        open_demo(desktop, server)
    else:
        # A host page on another origin (its own loopback server), without the demo's CSP: a
        # real embedding, where only textContent stands between the visitor's words and the page.
        desktop.goto(host_site)
        desktop.get_by_role("button", name="Ask us").click()
    say(desktop, ATTACK)
    expect(desktop.locator(".msg.user .text").last).to_have_text(ATTACK)
    expect(desktop.locator(".msg.bot").last).to_be_visible(timeout=ANSWER_WAIT)
    shot(desktop, f"injection-{where}-desktop")
    desktop.reload()  # and again from the history
    expect(desktop.locator(".msg.user .text").last).to_have_text(ATTACK, timeout=ANSWER_WAIT)
    assert desktop.locator("img").count() == 0
    assert desktop.locator(".msg script").count() == 0
    assert desktop.evaluate("() => window.__pwned") is None


def test_staff_messages_arrive_while_the_page_is_open(phone: Page, server: RunningBot) -> None:
    open_demo(phone, server)
    say(phone, "hello")
    expect(phone.locator(".msg.bot").first).to_be_visible(timeout=ANSWER_WAIT)
    sender = sender_of(phone)
    with session_scope(make_engine(server.database_url)) as session:
        queue_message(session, sender, "web", "Hi, this is Sam from admissions.", "sam")
    staff = phone.locator(".msg.staff")
    expect(staff).to_have_count(1, timeout=15_000)
    expect(staff).to_contain_text("Hi, this is Sam from admissions.")
    shot(phone, "staff-phone")


def test_keyboard_focus_escape_and_labels(desktop: Page, server: RunningBot) -> None:
    desktop.goto(f"{server.url}/webhooks/web/demo")
    launcher = desktop.get_by_role("button", name="Talk to us")
    for _ in range(10):
        desktop.keyboard.press("Tab")
        if launcher.evaluate("el => el.matches(':focus')"):
            break
    expect(launcher).to_be_focused()
    desktop.keyboard.press("Enter")
    expect(desktop.get_by_label("Your message")).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    log = desktop.get_by_role("log", name="Conversation")
    expect(log).to_be_visible()
    for name in ("New conversation", "Delete conversation", "Close chat", "Send"):
        expect(desktop.get_by_role("button", name=name)).to_be_visible()
    # Every control is reachable by Tab from inside the panel.
    reached = set()
    for _ in range(12):
        desktop.keyboard.press("Tab")
        reached.add(
            desktop.evaluate(
                "() => { const a = document.activeElement.shadowRoot?.activeElement;"
                " return a ? (a.getAttribute('aria-label') || a.textContent) : ''; }"
            )
        )
    assert {"New conversation", "Delete conversation", "Close chat", "Send"} <= reached
    desktop.get_by_label("Your message").focus()
    desktop.keyboard.press("Escape")
    expect(desktop.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_fits_a_320px_screen(browser: Browser, server: RunningBot) -> None:
    page = new_page(browser, {"width": 320, "height": 568})
    open_demo(page, server)
    say(page, "what's the weather in Boston")
    expect(page.get_by_role("group", name="Suggested replies")).to_be_visible(timeout=ANSWER_WAIT)
    for role, name in [("button", "Send"), ("button", "Close chat"), ("link", crisis_link()[0])]:
        box = page.get_by_role(role, name=name).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (name, box)
    overflow = page.evaluate(
        "() => { const r = document.querySelector('#rsb-chat-widget').shadowRoot;"
        " return [...r.querySelectorAll('.panel, .log, .composer')]"
        ".map(e => e.scrollWidth - e.clientWidth); }"
    )
    assert max(overflow) <= 0
    shot(page, "320px")
    page.context.close()


def test_new_conversation_starts_fresh_and_delete_erases_it(
    desktop: Page, server: RunningBot
) -> None:
    open_demo(desktop, server)
    say(desktop, "hello")
    expect(desktop.locator(".msg.bot").first).to_be_visible(timeout=ANSWER_WAIT)
    first = sender_of(desktop)
    desktop.get_by_role("button", name="New conversation").click()
    expect(desktop.locator(".msg.user")).to_have_count(0)
    say(desktop, "hello again")
    expect(desktop.locator(".msg.bot").first).to_be_visible(timeout=ANSWER_WAIT)
    second = sender_of(desktop)
    assert second != first
    desktop.get_by_role("button", name="Delete conversation").click()
    confirm = desktop.get_by_role("group", name=re.compile("Delete this conversation"))
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Delete").click()
    expect(desktop.locator(".msg.bot .text").last).to_have_text(
        "This conversation has been deleted."
    )
    engine = make_engine(server.database_url)
    with engine.connect() as connection:
        count = "SELECT count(*) FROM events WHERE sender_id = :s"
        assert connection.execute(text(count), {"s": second}).scalar() == 0
        assert connection.execute(text(count), {"s": first}).scalar() > 0


def test_an_outage_shows_an_error_keeps_the_message_and_retry_succeeds(
    phone: Page, server: RunningBot
) -> None:
    open_demo(phone, server)
    say(phone, "hello")
    expect(phone.locator(".msg.bot").first).to_be_visible(timeout=ANSWER_WAIT)
    server.rasa.stop()
    try:
        message = "what is methadone treatment"
        say(phone, message)
        alert = phone.get_by_role("alert")
        expect(alert).to_contain_text("can't reach", timeout=20_000)
        expect(phone.locator(".msg.user.failed .text")).to_have_text(message)
        shot(phone, "outage-phone")
    finally:
        server.rasa.start()
        wait_for_http(f"{server.url}/", process=server.rasa.popen)
    phone.get_by_role("button", name="Try again").click()
    expect(phone.locator(".msg.user.failed")).to_have_count(0, timeout=ANSWER_WAIT)
    expect(phone.get_by_role("alert")).to_be_hidden()
    # The answer arrived after the retried message.
    expect(phone.locator(".log > .msg").last).to_have_class(re.compile(r"\bbot\b"))
    # The same session carried on: the history after a reload has both turns.
    phone.reload()
    expect(phone.locator(".msg.user .text")).to_have_text(["hello", message], timeout=ANSWER_WAIT)


def test_demo_page_and_assets_are_served_by_the_bot_with_nothing_external(
    server: RunningBot,
) -> None:
    bodies = {}
    for path, kind in [("widget.js", "javascript"), ("widget.css", "css"), ("demo", "html")]:
        with urllib.request.urlopen(f"{server.url}/webhooks/web/{path}", timeout=10) as response:
            assert kind in response.headers["Content-Type"]
            bodies[path] = response.read().decode()
    assert "@import" not in bodies["widget.css"] and "url(" not in bodies["widget.css"]
    assert 'src="/webhooks/web/widget.js"' in bodies["demo"]
