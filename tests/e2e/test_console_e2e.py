"""The staff console in real headless Chromium: log in, filter to crisis conversations, open
one, mark it reviewed, add a note, and find both in the audit log."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_staff_support import PASSWORD, Console
from tests.support.servers import ROOT, RunningBot

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is missing: `make browser` installs Debian's package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def console(bot: RunningBot, tmp_path_factory) -> Iterator[Console]:
    running = Console(tmp_path_factory.mktemp("console-e2e"), bot.database_url, bot.url, bot.token)
    running.add_user(f"nina-{uuid.uuid4().hex[:4]}", "admin")
    running.start()
    yield running
    running.stop()


def admin_name(console: Console) -> str:
    from sqlalchemy import select

    from bot.store.db import make_engine, session_scope
    from bot.store.staff_models import StaffUser

    with session_scope(make_engine(console.database_url)) as session:
        names = session.execute(select(StaffUser.username)).scalars().all()
    return next(name for name in names if name.startswith("nina-"))


def test_review_a_crisis_conversation_in_the_browser(bot, console, browser):
    crisis = f"e2e-crisis-{uuid.uuid4().hex[:6]}"
    calm = f"e2e-calm-{uuid.uuid4().hex[:6]}"
    bot.say(crisis, "I want to end my life tonight <b>please</b>")
    bot.say(calm, "what is methadone?")
    user = admin_name(console)
    page = browser.new_page()
    try:
        page.goto(f"{console.url}/conversations")
        assert page.url.endswith("/login")  # nothing without login
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_url(f"{console.url}/conversations")

        page.check("input[name=crisis]")
        page.click("button:has-text('Filter')")
        page.wait_for_url("**crisis=1**")
        assert page.locator(f"a:has-text('{crisis[:16]}')").count() == 1
        assert page.locator(f"a:has-text('{calm[:16]}')").count() == 0

        page.click(f"a:has-text('{crisis[:16]}')")
        page.wait_for_selector(".msg-user")
        text = page.locator(".msg-user .text").first.inner_text()
        assert "<b>please</b>" in text  # shown as the user typed it, not as markup
        assert page.locator(".msg-user .text b").count() == 0
        assert page.locator(".safety").first.is_visible()

        page.click("button:has-text('Mark reviewed')")
        page.wait_for_selector(".reviewed")
        assert f"Reviewed by {user}" in page.locator(".reviewed").inner_text()
        page.fill("textarea[name=text] >> nth=-1", "Followed up by phone; safe tonight.")
        page.click("button:has-text('Add note')")
        page.wait_for_selector(".note")
        assert "safe tonight" in page.locator(".note .text").inner_text()

        page.click("a:has-text('Audit log')")
        page.wait_for_url(f"{console.url}/audit")
        rows = page.locator("table.audit tbody tr").all_inner_texts()
        assert any("mark reviewed" in row and crisis in row for row in rows)
        assert any("add note" in row and crisis in row for row in rows)
        assert any("view transcript" in row and crisis in row for row in rows)
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / Path("console_e2e.png")), full_page=True)
        page.close()
