"""Conversation summaries, filters, search, transcripts, purge and erasure on a real SQLite db."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from bot.store.db import make_engine, session_scope, upgrade
from bot.store.erasure import erase_sender
from bot.store.models import Lead
from bot.store.purge import purge
from bot.store.staff_models import (
    AuditEntry,
    ConversationReview,
    ConversationSummary,
    StaffNote,
)
from bot.store.transcripts import (
    EVENTS,
    Filters,
    list_conversations,
    refresh_summaries,
    transcript,
)
from tests.integration.test_staff_support import (
    bot_row,
    create_events_table,
    crisis_turn,
    insert_events,
    question_turn,
    refusal_turn,
    session_rows,
)

NOW = time.time()


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    create_events_table(engine)
    return engine


def seed(engine) -> None:
    insert_events(
        engine,
        [
            *session_rows("asker", NOW - 600),
            *question_turn("asker", NOW - 590, "What is heroin made from?", "p-oasis-1", "web"),
            *session_rows("crisis", NOW - 300),
            *crisis_turn("crisis", NOW - 290),
            *session_rows("refused", NOW - 100),
            *refusal_turn("refused", NOW - 90, "Who won the football?"),
        ],
    )


def test_summaries_count_messages_and_raise_flags(engine):
    seed(engine)
    with session_scope(engine) as session:
        assert refresh_summaries(session) > 0
        crisis = session.get(ConversationSummary, "crisis")
        asker = session.get(ConversationSummary, "asker")
        refused = session.get(ConversationSummary, "refused")
    assert (crisis.crisis, crisis.emergency, crisis.refused) == (1, 0, 0)
    assert asker.channel == "web" and asker.message_count == 3
    assert (asker.crisis, asker.refused) == (0, 0)
    assert refused.refused == 1


def test_refresh_is_incremental(engine):
    seed(engine)
    with session_scope(engine) as session:
        refresh_summaries(session)
    with session_scope(engine) as session:
        assert refresh_summaries(session) == 0
    insert_events(engine, question_turn("crisis", NOW - 10, "and methadone?", "p-m-1"))
    with session_scope(engine) as session:
        assert refresh_summaries(session) == 7
        summary = session.get(ConversationSummary, "crisis")
        assert summary.message_count == 5  # 1 user + 1 bot, then 1 user + 2 bot
        assert summary.last_at == pytest.approx(NOW - 10 + 0.15)


def test_filters_search_and_review_status(engine):
    seed(engine)
    with session_scope(engine) as session:
        refresh_summaries(session)
        session.add(ConversationReview(sender_id="asker", reviewed=1, reviewed_by="a"))
    with session_scope(engine) as session:

        def ids(**args: str) -> list[str]:
            rows, total = list_conversations(session, Filters.from_args(args))
            assert total == len(rows)
            return [row.sender_id for row in rows]

        assert ids() == ["refused", "crisis", "asker"]  # newest activity first
        assert ids(crisis="1") == ["crisis"]
        assert ids(refused="1") == ["refused"]
        assert ids(channel="web") == ["asker"]
        assert ids(reviewed="yes") == ["asker"]
        assert ids(reviewed="no") == ["refused", "crisis"]
        assert ids(q="HEROIN made") == ["asker"]
        assert ids(q="100%") == []  # LIKE wildcards are literal
        today = dt.datetime.fromtimestamp(NOW, dt.timezone.utc).date()
        day = dt.timedelta(days=1)
        assert ids(since=(today + day).isoformat()) == []
        assert len(ids(since=(today - day).isoformat(), until=today.isoformat())) == 3
        assert ids(until="2000-01-01") == []


def test_pagination(engine):
    rows = []
    for n in range(120):
        rows += question_turn(f"s{n:03d}", NOW - 1000 + n, "hello", "p")
    insert_events(engine, rows)
    with session_scope(engine) as session:
        refresh_summaries(session, batch=100)  # several batches
        first, total = list_conversations(session, Filters(), page=1, per_page=50)
        third, _ = list_conversations(session, Filters(), page=3, per_page=50)
    assert total == 120
    assert first[0].sender_id == "s119" and len(third) == 20 and third[-1].sender_id == "s000"


def test_transcript_pairs_answers_with_passages_and_pages_back(engine):
    seed(engine)
    with session_scope(engine) as session:
        whole = transcript(session, "asker")
        assert [e.kind for e in whole.entries] == ["user", "bot", "bot"]
        user, answer, source = whole.entries
        assert (user.intent, user.confidence) == ("ask_what_is_heroin", 0.97)
        assert answer.passage_id == "p-oasis-1" and source.passage_id == "p-oasis-1"
        assert whole.slots["last_passage_id"] == "p-oasis-1"
        assert whole.earlier is None
        crisis = transcript(session, "crisis").entries[0]
        assert crisis.safety["reason"] == "kill_self: 'kill myself'"
        # Paging back in chunks of 4 events finds every line once, oldest chunk last.
        chunk = transcript(session, "asker", page=4)
        seen = [e.event_id for e in chunk.entries]
        while chunk.earlier is not None:
            chunk = transcript(session, "asker", before=chunk.earlier, page=4)
            seen = [e.event_id for e in chunk.entries] + seen
        assert seen == [e.event_id for e in whole.entries]


def test_an_answer_keeps_its_passage_when_a_chunk_ends_before_the_slot(engine):
    seed(engine)
    with session_scope(engine) as session:
        whole = transcript(session, "asker")
        source_line = whole.entries[-1].event_id  # the answer's last bot message
        chunk = transcript(session, "asker", before=source_line + 1)
    assert chunk.entries[-1].event_id == source_line
    assert chunk.entries[-1].passage_id == "p-oasis-1"


def test_staff_message_in_tracker_shows_as_staff(engine):
    insert_events(engine, [bot_row("x", NOW, "Hi, I'm Sam from the clinic.")])
    with engine.begin() as connection:
        connection.execute(
            EVENTS.update().values(
                data='{"event": "bot", "text": "Hi", "metadata": {"staff": "sam"}}'
            )
        )
    with session_scope(engine) as session:
        (entry,) = transcript(session, "x").entries
    assert (entry.kind, entry.staff) == ("staff", "sam")


def test_erasure_removes_console_rows_and_anonymises_audit(engine):
    seed(engine)
    with session_scope(engine) as session:
        refresh_summaries(session)
        session.add(StaffNote(sender_id="crisis", author="a", text="called back"))
        session.add(AuditEntry(actor="a", action="view transcript", target="crisis"))
    with session_scope(engine) as session:
        erase_sender(session, "crisis")
    with session_scope(engine) as session:
        assert session.get(ConversationSummary, "crisis") is None
        assert session.execute(select(func.count()).select_from(StaffNote)).scalar() == 0
        (entry,) = session.execute(select(AuditEntry)).scalars()
        assert entry.target == "(erased)"
        left = session.execute(select(EVENTS.c.sender_id).distinct()).scalars().all()
    assert "crisis" not in left and "asker" in left


def test_purge_deletes_old_conversations_and_leads_only(engine):
    old = NOW - 40 * 86400
    insert_events(engine, [*session_rows("old", old), *crisis_turn("old", old + 1)])
    seed(engine)
    with session_scope(engine) as session:
        refresh_summaries(session)
        for ref, days in (("OLD1", 40), ("NEW1", 1)):
            session.add(
                Lead(
                    reference=ref,
                    sender_id=ref,
                    name="Sam",
                    contact="+15550100",
                    contact_kind="phone",
                    consent_at=dt.datetime.utcnow(),
                    status="new",
                    created_at=dt.datetime.utcnow() - dt.timedelta(days=days),
                    updated_at=dt.datetime.utcnow(),
                )
            )
    with session_scope(engine) as session:
        counts = purge(session, days=30)
    assert counts["conversations"] == 1 and counts["leads"] == 1
    with session_scope(engine) as session:
        senders = set(session.execute(select(EVENTS.c.sender_id).distinct()).scalars())
        assert senders == {"asker", "crisis", "refused"}
        assert [lead.reference for lead in session.execute(select(Lead)).scalars()] == ["NEW1"]
    with pytest.raises(ValueError), session_scope(engine) as session:
        purge(session, days=0)
