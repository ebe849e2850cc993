"""Staff messages in the outbox reach the user's Telegram chat; /forget erases real rows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_handle import erase_conversation
from bot.channels.telegram_outbox import MAX_ATTEMPTS, deliver_outbox
from bot.store.db import session_scope, upgrade
from bot.store.models import Lead, OutboxMessage, utcnow
from bot.store.outbox import queue_message
from tests.support.telegram_double import TelegramDouble


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


def bot_for(double: TelegramDouble):  # type: ignore[no-untyped-def]
    return make_bot(TelegramSettings(double.token, "s", double.base_url, "", 1, 1))


def rows() -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_staff_messages_are_delivered_once(database: str, double: TelegramDouble) -> None:
    with session_scope() as session:
        queue_message(session, "31337", "telegram", "Hi, this is Dana from admissions.", "dana")
        queue_message(session, "web-abc", "web", "For the widget, not for Telegram.", "dana")
    assert asyncio.run(deliver_outbox(bot_for(double))) == 1
    assert double.texts_to(31337) == ["Hi, this is Dana from admissions."]
    telegram_row, web_row = rows()
    assert telegram_row.delivered_at is not None and web_row.delivered_at is None
    assert asyncio.run(deliver_outbox(bot_for(double))) == 0
    assert len(double.calls_of("sendMessage")) == 1


def test_undeliverable_rows_are_retried_then_left(database: str, double: TelegramDouble) -> None:
    with session_scope() as session:
        queue_message(session, "not-a-chat-id", "telegram", "hello", "dana")
    for _ in range(MAX_ATTEMPTS + 2):
        asyncio.run(deliver_outbox(bot_for(double)))
    (row,) = rows()
    assert row.delivered_at is None and row.attempts == MAX_ATTEMPTS


def test_erase_conversation_removes_the_persons_rows(database: str) -> None:
    with session_scope() as session:
        queue_message(session, "31337", "telegram", "for them", "dana")
        queue_message(session, "999", "telegram", "for someone else", "dana")
        session.add(
            Lead(
                reference="R1",
                sender_id="31337",
                channel="telegram",
                name="Sam",
                contact="5551234567",
                contact_kind="phone",
                consent_at=utcnow(),
            )
        )
    assert asyncio.run(erase_conversation("31337")) >= 2
    with session_scope() as session:
        assert session.query(Lead).count() == 0
    assert [r.sender_id for r in rows()] == ["999"]
