"""Console pages over HTTP on synthetic events (no Rasa needed): lazy transcript loading,
paging, headers, and requests that must not reach another conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.store.db import make_engine, upgrade
from tests.integration.test_staff_support import (
    Console,
    StaffClient,
    create_events_table,
    insert_events,
    question_turn,
    session_rows,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Console]:
    workdir = tmp_path_factory.mktemp("pages")
    url = f"sqlite:///{workdir / 'pages.db'}"
    upgrade(url)
    engine = make_engine(url)
    create_events_table(engine)
    rows = session_rows("long", 1_700_000_000.0)
    for n in range(60):  # 7 events a turn: 423 events, more than one transcript chunk
        rows += question_turn("long", 1_700_000_001.0 + n * 10, f"question number {n}", f"p-{n}")
    for n in range(70):
        rows += question_turn(f"short-{n:02d}", 1_600_000_000.0 + n, "hello", "p")
    insert_events(engine, rows)
    running = Console(workdir, url)
    running.add_user("ada", "admin")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def admin(console) -> StaffClient:
    client = console.client()
    client.login("ada")
    return client


def test_long_transcript_opens_at_the_newest_and_pages_back(admin):
    page = admin.get("/conversations/long").text
    assert "question number 59" in page and "question number 0<" not in page
    assert 'id="latest"' in page
    pages = [page]
    while earlier := re.search(r'href="/conversations/long\?before=(\d+)"', pages[-1]):
        pages.append(admin.get("/conversations/long", params={"before": earlier.group(1)}).text)
    assert len(pages) == 3  # 423 events in chunks of 200
    assert "question number 0<" in pages[-1] and "question number 59" not in pages[-1]


def test_list_pages_fifty_at_a_time(admin):
    first = admin.get("/conversations").text
    assert "71 conversations" in first and "page 1 of 2" in first
    second = admin.get("/conversations", params={"page": "2"}).text
    assert second.count('<tr>\n  <td><a href="/conversations/') == 21


def test_pages_are_not_cached_or_framed_and_css_needs_no_login(console, admin):
    headers = admin.get("/conversations").headers
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert console.client().get("/static/console.css").status_code == 200


def test_unknown_conversation_is_404_and_annotation_stays_in_its_conversation(admin):
    assert admin.get("/conversations/nobody").status_code == 404
    assert admin.post("/conversations/nobody/notes", {"text": "x"}).status_code == 404
    page = admin.get("/conversations/short-00").text
    other_event = re.search(r'name="event_id" value="(\d+)"', page).group(1)
    answer = admin.post(
        "/conversations/long/annotate", {"event_id": other_event, "intent": "greet"}
    )
    assert "could+not+be+found" in answer.headers["location"]
    assert "intent: greet" not in admin.get("/annotations/export.yml").text


def test_takeover_without_rasa_shows_the_error_and_changes_nothing(admin):
    answer = admin.post("/conversations/short-01/takeover")
    assert "could+not+be+reached" in answer.headers["location"]
    page = admin.get("/conversations/short-01").text
    assert "Take over" in page and "Hand back" not in page
