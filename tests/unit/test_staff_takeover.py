"""Live takeover against a stand-in for Rasa's HTTP API (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import select

from bot.staff import takeover
from bot.store.db import make_engine, session_scope, upgrade
from bot.store.models import Handoff, OutboxMessage
from bot.store.staff_models import AuditEntry
from bot.store.transcripts import refresh_summaries
from tests.integration.test_staff_support import (
    create_events_table,
    insert_events,
    question_turn,
)


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'takeover.db'}"
    upgrade(url)
    engine = make_engine(url)
    create_events_table(engine)
    insert_events(engine, question_turn("tg 42", 1_700_000_000.0, "hi", "p", "telegram"))
    with session_scope(engine) as session:
        refresh_summaries(session)
    return engine


class FakeRasa:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def api(self) -> takeover.RasaApi:
        return takeover.RasaApi("http://rasa.test", "tok", httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={})

    def events(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


def run(coro):
    return asyncio.run(coro)


def outbox(engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return [(r.channel, r.author, r.text) for r in rows]


def test_take_over_send_and_hand_back(engine):
    rasa = FakeRasa()
    with session_scope(engine) as session:
        run(takeover.take_over(session, rasa.api(), "tg 42", "sam"))
    with session_scope(engine) as session:
        run(takeover.send(session, rasa.api(), "tg 42", "sam", "  Hi, I'm Sam.  "))
    with session_scope(engine) as session:
        assert run(takeover.hand_back(session, rasa.api(), "tg 42", "sam")) is True

    request = rasa.requests[0]
    assert request.url.raw_path.startswith(b"/conversations/tg%2042/tracker/events?")
    assert request.url.params["token"] == "tok"
    assert [e["event"] for e in rasa.events()] == ["pause", "bot", "resume"]
    assert rasa.events()[1]["text"] == "Hi, I'm Sam."
    assert rasa.events()[1]["metadata"] == {"staff": "sam"}
    assert outbox(engine) == [
        ("telegram", "sam", takeover.JOINED),
        ("telegram", "sam", "Hi, I'm Sam."),
        ("telegram", "sam", takeover.LEFT),
    ]
    with session_scope(engine) as session:
        (handoff,) = session.execute(select(Handoff)).scalars()
        assert (handoff.active, handoff.staff_user) == (0, "sam") and handoff.ended_at
        actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
    assert actions == ["takeover", "staff message", "hand back"]


def test_taking_over_twice_keeps_one_handoff(engine):
    rasa = FakeRasa()
    for _ in range(2):
        with session_scope(engine) as session:
            run(takeover.take_over(session, rasa.api(), "tg 42", "sam"))
    assert len(rasa.requests) == 1
    assert len(outbox(engine)) == 1


def test_rasa_refusal_leaves_nothing_half_done(engine):
    with pytest.raises(takeover.TakeoverError), session_scope(engine) as session:
        run(takeover.take_over(session, FakeRasa(status=403).api(), "tg 42", "sam"))
    with session_scope(engine) as session:
        assert session.execute(select(Handoff)).first() is None
    assert outbox(engine) == []


def test_unreachable_rasa_is_a_takeover_error(engine):
    api = takeover.RasaApi("http://127.0.0.1:9", "tok")
    with pytest.raises(takeover.TakeoverError, match="could not be reached"):
        run(api.append("tg 42", {"event": "pause"}))


def test_sending_needs_a_takeover_and_text(engine):
    rasa = FakeRasa()
    with pytest.raises(takeover.TakeoverError, match="take over"), session_scope(engine) as s:
        run(takeover.send(s, rasa.api(), "tg 42", "sam", "hello"))
    with session_scope(engine) as session:
        run(takeover.take_over(session, rasa.api(), "tg 42", "sam"))
    with pytest.raises(takeover.TakeoverError, match="empty"), session_scope(engine) as s:
        run(takeover.send(s, rasa.api(), "tg 42", "sam", "   "))
    with session_scope(engine) as session:
        assert run(takeover.hand_back(session, rasa.api(), "nobody", "sam")) is False
