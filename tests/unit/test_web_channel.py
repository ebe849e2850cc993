"""The web channel's API: tokens checked, sizes limited, replies shaped for the widget, later
messages long-polled from the outbox, erasure on request. Handlers run without an HTTP server."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.channels import web
from bot.channels.web_session import Sessions
from bot.safety.resources import crisis_link
from bot.store.db import session_scope, upgrade
from bot.store.models import OutboxMessage
from bot.store.outbox import queue_message

SESSIONS = Sessions(b"unit-test-key")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


class FakeRasa:
    """Records what reached Rasa and answers like a CollectingOutputChannel."""

    def __init__(self, answer: list[dict[str, Any]] | None = None, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.answer = answer or []
        self.fail = fail

    async def __call__(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        self.calls.append((sender, text, metadata))
        if self.fail:
            raise RuntimeError("boom")
        return self.answer


def send(token: str | None, body: Any, rasa: FakeRasa) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps({"token": token, **body}).encode()
    return asyncio.run(web.message_reply(SESSIONS, raw, rasa))


def new_token() -> tuple[str, str]:
    status, body = web.session_reply(SESSIONS)
    assert status == 200
    sender = SESSIONS.verify(body["token"])
    assert sender is not None
    return sender, body["token"]


def test_a_message_reaches_rasa_under_the_session_id_and_replies_come_back() -> None:
    sender, token = new_token()
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    rasa = FakeRasa([{"recipient_id": sender, "text": "Hi"}, {"text": "Ok?", "buttons": buttons}])
    status, body = send(token, {"text": "  hello  "}, rasa)
    assert status == 200
    assert rasa.calls == [(sender, "hello", {})]
    assert body == {
        "messages": [
            {"role": "bot", "text": "Hi"},
            {"role": "bot", "text": "Ok?", "buttons": buttons},
        ]
    }


def test_a_quick_reply_sends_its_payload_and_keeps_its_title_for_history() -> None:
    _, token = new_token()
    rasa = FakeRasa()
    send(token, {"text": "/ask_withdrawal", "display": "Withdrawal and mood"}, rasa)
    assert rasa.calls[0][1:] == ("/ask_withdrawal", {"display": "Withdrawal and mood"})


@pytest.mark.parametrize("token", [None, "", "web-" + "a" * 32 + ".forged"])
def test_without_a_valid_token_nothing_reaches_rasa(token: str | None) -> None:
    rasa = FakeRasa()
    assert send(token, {"text": "hi"}, rasa)[0] == 401
    assert rasa.calls == []


@pytest.mark.parametrize(
    "body", [b"not json", b"[1]", {"text": 5}, {"message": "hi"}, {"text": "   "}]
)
def test_malformed_or_empty_messages_get_400(body: Any) -> None:
    _, token = new_token()
    rasa = FakeRasa()
    assert send(token, body, rasa)[0] == 400
    assert rasa.calls == []


def test_too_long_messages_get_413_and_the_limit() -> None:
    _, token = new_token()
    rasa = FakeRasa()
    status, body = send(token, {"text": "x" * (web.MAX_TEXT + 1)}, rasa)
    assert (status, body["max"]) == (413, web.MAX_TEXT)
    padded = json.dumps({"token": token, "text": "hi", "pad": " " * web.MAX_BODY}).encode()
    assert send(token, padded, rasa)[0] == 413
    assert rasa.calls == []
    assert send(token, {"text": "é" * web.MAX_TEXT}, rasa)[0] == 200  # the limit is characters


def test_a_failure_inside_rasa_is_a_500_the_widget_can_retry() -> None:
    _, token = new_token()
    status, body = send(token, {"text": "hi"}, FakeRasa(fail=True))
    assert status == 500
    assert "try again" in body["error"]


def test_history_is_read_for_the_token_holder_only(database: str) -> None:
    sender, token = new_token()
    asked: list[str] = []

    async def events(sender_id: str) -> list[dict]:
        asked.append(sender_id)
        return [{"event": "user", "text": "mine"}, {"event": "bot", "text": "reply"}]

    status, body = asyncio.run(web.history_reply(SESSIONS, token, events))
    assert status == 200
    assert asked == [sender]
    assert [m["text"] for m in body["messages"]] == ["mine", "reply"]
    assert asyncio.run(web.history_reply(SESSIONS, "web-x.y", events))[0] == 401
    assert asked == [sender]


def test_history_cursor_skips_outbox_rows_already_in_the_transcript(database: str) -> None:
    sender, token = new_token()
    with session_scope() as session:
        old = queue_message(session, sender, "web", "earlier staff reply", "sam").id

    async def events(_: str) -> list[dict]:
        return []

    _, body = asyncio.run(web.history_reply(SESSIONS, token, events))
    assert body["cursor"] == old
    status, later = asyncio.run(web.updates_reply(SESSIONS, token, str(old), 0.2))
    assert (status, later["messages"]) == (200, [])


def test_updates_deliver_staff_and_bot_rows_for_this_session_only(database: str) -> None:
    sender, token = new_token()
    other, _ = new_token()
    with session_scope() as session:
        queue_message(session, other, "web", "for someone else", "sam")
        queue_message(session, sender, "telegram", "other channel", "sam")
        queue_message(session, sender, "web", "Hi, this is Sam", "sam")
        queue_message(session, sender, "web", "Checking in", "bot")
    status, body = asyncio.run(web.updates_reply(SESSIONS, token, "0", 1.0))
    assert status == 200
    assert body["messages"] == [
        {"role": "staff", "text": "Hi, this is Sam"},
        {"role": "bot", "text": "Checking in"},
    ]
    with session_scope() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        delivered = {row.text: row.delivered_at is not None for row in rows}
    assert delivered == {
        "for someone else": False,
        "other channel": False,
        "Hi, this is Sam": True,
        "Checking in": True,
    }
    # The cursor moves past them: the next poll waits instead of repeating them.
    status, again = asyncio.run(web.updates_reply(SESSIONS, token, body["cursor"], 0.2))
    assert again["messages"] == []


def test_updates_long_poll_returns_when_a_message_arrives(database: str) -> None:
    sender, token = new_token()

    async def scenario() -> tuple[float, dict[str, Any]]:
        async def later() -> None:
            await asyncio.sleep(0.6)
            await asyncio.to_thread(staff_writes)

        def staff_writes() -> None:
            with session_scope() as session:
                queue_message(session, sender, "web", "Are you still there?", "sam")

        started = time.monotonic()
        task = asyncio.ensure_future(later())
        _, body = await web.updates_reply(SESSIONS, token, "0", 10.0)
        await task
        return time.monotonic() - started, body

    elapsed, body = asyncio.run(scenario())
    assert body["messages"] == [{"role": "staff", "text": "Are you still there?"}]
    assert 0.5 < elapsed < 5


def test_updates_reject_a_bad_cursor_and_a_bad_token(database: str) -> None:
    _, token = new_token()
    assert asyncio.run(web.updates_reply(SESSIONS, token, "abc", 0.1))[0] == 400
    assert asyncio.run(web.updates_reply(SESSIONS, token, [1], 0.1))[0] == 400
    assert asyncio.run(web.updates_reply(SESSIONS, None, "0", 0.1))[0] == 401


def test_forget_erases_this_session_and_nobody_else(database: str) -> None:
    sender, token = new_token()
    other, _ = new_token()
    with session_scope() as session:
        session.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
            )
        )
        for who in (sender, other):
            session.execute(
                text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, 'user', '{}')"),
                {"s": who},
            )
            queue_message(session, who, "web", "x", "sam")
    assert asyncio.run(web.forget_reply(SESSIONS, "nope"))[0] == 401
    assert asyncio.run(web.forget_reply(SESSIONS, token)) == (200, {"ok": True})
    with session_scope() as session:
        left = session.execute(text("SELECT sender_id FROM events")).scalars().all()
        outbox = session.execute(select(OutboxMessage.sender_id)).scalars().all()
    assert left == [other]
    assert outbox == [other]


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        ("https://centre.example", "*", "*"),
        ("https://centre.example", "https://centre.example", "https://centre.example"),
        ("https://evil.example", "https://centre.example,https://b.example", None),
        (None, "*", None),
    ],
)
def test_cross_origin_embedding_follows_widget_origins(
    origin: str | None, allowed: str, expected: str | None
) -> None:
    assert web.allowed_origin(origin, allowed) == expected


def test_served_script_carries_the_locales_crisis_link(monkeypatch: pytest.MonkeyPatch) -> None:
    web.static_file.cache_clear()
    script = web.static_file("widget.js")
    web.static_file.cache_clear()
    label, href = crisis_link()
    assert web.CONFIG_MARKER not in script
    assert json.dumps(label) in script and json.dumps(href) in script
    monkeypatch.setenv("BOT_LOCALE", "UK")
    uk = web.static_file("widget.js")
    web.static_file.cache_clear()
    assert json.dumps(crisis_link("UK")[0]) in uk


def test_widget_never_writes_html_strings() -> None:
    """Message text must go in through textContent; these APIs parse strings as HTML."""
    source = (web.STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


def test_widget_stays_small() -> None:
    """docs/widget.md states the size; this keeps it from creeping (gzip, as served over HTTP)."""
    import gzip

    web.static_file.cache_clear()
    total = sum(
        len(gzip.compress(web.static_file(name).encode(), 9))
        for name in ("widget.js", "widget.css")
    )
    assert total < 10 * 1024
