"""Conversations as staff see them, read from Rasa's `events` table plus our own tables.

Listing 10,000 conversations by grouping `events` on every request is too slow, so
`refresh_summaries` folds new events (by id, past a stored watermark) into one summary row
per conversation. It is cheap when nothing is new, and the console calls it before each list.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.store.staff_models import (
    ConversationReview,
    ConversationSummary,
    ConversationTag,
    SummaryState,
)

# Rasa's table, described (not owned) so we can query it before Rasa has created it.
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

LOW_CONFIDENCE = 0.5
REFUSAL_INTENTS = {"out_of_scope", "nlu_fallback", "request_harmful"}
REFUSAL_ACTIONS = {"utter_out_of_scope", "utter_intro_refusal", "action_default_fallback"}
HANDOFF_INTENTS = {"request_admissions", "request_callback"}
FLAGS = ("crisis", "emergency", "handoff_requested", "refused", "takeover")
SEARCH_TEXT_LIMIT = 20_000  # characters kept per conversation for search
BATCH = 5_000


def events_exist(session: Session) -> bool:
    return inspect(session.get_bind()).has_table("events")


def _data(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class _Fold:
    """What one batch of events adds to one conversation's summary."""

    channel: str | None = None
    first: float | None = None
    last: float | None = None
    messages: int = 0
    flags: set[str] = field(default_factory=set)
    text: list[str] = field(default_factory=list)


def event_flags(type_name: str, intent: str | None, action: str | None, data: dict) -> set[str]:
    """The review flags one event raises."""
    flags: set[str] = set()
    if type_name == "user":
        parse = data.get("parse_data") or {}
        safety = parse.get("safety") or {}
        level = safety.get("level") or (intent if intent in ("crisis", "emergency") else None)
        if level == "emergency":
            flags.add("emergency")
        elif level in ("crisis", "concern") or intent in ("crisis", "safety_concern"):
            flags.add("crisis")
        if intent in HANDOFF_INTENTS:
            flags.add("handoff_requested")
        confidence = (parse.get("intent") or {}).get("confidence")
        if intent in REFUSAL_INTENTS or (confidence is not None and confidence < LOW_CONFIDENCE):
            flags.add("refused")
    elif type_name == "action" and action in REFUSAL_ACTIONS:
        flags.add("refused")
    elif type_name == "pause":
        flags.add("takeover")
    elif type_name == "slot" and action == "safety_level":
        if data.get("value") == "emergency":
            flags.add("emergency")
        elif data.get("value"):
            flags.add("crisis")
    return flags


def _fold(rows: Iterable[Any]) -> dict[str, _Fold]:
    folds: dict[str, _Fold] = defaultdict(_Fold)
    for row in rows:
        fold = folds[row.sender_id]
        stamp = row.timestamp or 0.0
        fold.first = stamp if fold.first is None else min(fold.first, stamp)
        fold.last = stamp if fold.last is None else max(fold.last, stamp)
        if row.type_name not in ("user", "bot", "pause", "slot", "action"):
            continue
        data = _data(row.data)
        if row.type_name == "user":
            fold.messages += 1
            fold.channel = data.get("input_channel") or fold.channel
            fold.text.append(str(data.get("text") or "").lower())
        elif row.type_name == "bot":
            fold.messages += 1
        fold.flags |= event_flags(row.type_name, row.intent_name, row.action_name, data)
    return folds


def _apply(session: Session, sender_id: str, fold: _Fold) -> None:
    summary = session.get(ConversationSummary, sender_id)
    if summary is None:
        summary = ConversationSummary(
            sender_id=sender_id,
            started_at=fold.first or 0.0,
            last_at=fold.last or 0.0,
            message_count=0,
            search_text="",
            **dict.fromkeys(FLAGS, 0),
        )
        session.add(summary)
    summary.started_at = min(summary.started_at, fold.first or summary.started_at)
    summary.last_at = max(summary.last_at, fold.last or summary.last_at)
    summary.message_count += fold.messages
    summary.channel = fold.channel or summary.channel
    for flag in fold.flags:
        setattr(summary, flag, 1)
    if fold.text:
        joined = "\n".join(filter(None, [summary.search_text, *fold.text]))
        summary.search_text = joined[:SEARCH_TEXT_LIMIT]


def refresh_summaries(session: Session, batch: int = BATCH) -> int:
    """Fold events newer than the watermark into the summaries; return events read.

    The watermark moves with a compare-and-set, so two consoles refreshing at once cannot
    count the same events twice: the loser's transaction is rolled back by the caller.
    """
    if not events_exist(session):
        return 0
    state = session.get(SummaryState, 1)
    if state is None:
        state = SummaryState(id=1, last_event_id=0)
        session.add(state)
        session.flush()
    total = 0
    while True:
        start = state.last_event_id
        rows = session.execute(
            select(EVENTS).where(EVENTS.c.id > start).order_by(EVENTS.c.id).limit(batch)
        ).all()
        if not rows:
            return total
        for sender_id, fold in _fold(rows).items():
            _apply(session, sender_id, fold)
        end = rows[-1].id
        moved = session.execute(
            update(SummaryState)
            .where(SummaryState.id == 1, SummaryState.last_event_id == start)
            .values(last_event_id=end)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise RuntimeError("another process refreshed the summaries; retry")
        session.expire(state)
        total += len(rows)
        if len(rows) < batch:
            return total


@dataclass(frozen=True)
class Filters:
    """What the conversations list is narrowed to. Empty means no restriction."""

    flags: tuple[str, ...] = ()
    channel: str = ""
    reviewed: str = ""  # "yes" | "no" | ""
    since: dt.date | None = None
    until: dt.date | None = None
    query: str = ""
    tag: str = ""

    @classmethod
    def from_args(cls, args: dict[str, str]) -> Filters:
        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(args.get(name, "").strip())
            except ValueError:
                return None

        return cls(
            flags=tuple(flag for flag in FLAGS if args.get(flag) in ("1", "on", "true")),
            channel=args.get("channel", "").strip(),
            reviewed=args.get("reviewed", "") if args.get("reviewed") in ("yes", "no") else "",
            since=day("since"),
            until=day("until"),
            query=args.get("q", "").strip()[:200],
            tag=args.get("tag", "").strip()[:64],
        )

    def as_args(self) -> dict[str, str]:
        args = dict.fromkeys(self.flags, "1")
        for name in ("channel", "reviewed", "tag"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        if self.query:
            args["q"] = self.query
        if self.since:
            args["since"] = self.since.isoformat()
        if self.until:
            args["until"] = self.until.isoformat()
        return args


def _epoch(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp()


def _filtered(filters: Filters):  # type: ignore[no-untyped-def]
    summary, review = ConversationSummary, ConversationReview
    query = select(summary, review.reviewed).outerjoin(
        review, review.sender_id == summary.sender_id
    )
    for flag in filters.flags:
        query = query.where(getattr(summary, flag) == 1)
    if filters.channel:
        query = query.where(summary.channel == filters.channel)
    if filters.reviewed == "yes":
        query = query.where(review.reviewed == 1)
    elif filters.reviewed == "no":
        query = query.where(or_(review.reviewed.is_(None), review.reviewed == 0))
    if filters.since:
        query = query.where(summary.last_at >= _epoch(filters.since))
    if filters.until:
        query = query.where(summary.started_at < _epoch(filters.until + dt.timedelta(days=1)))
    if filters.tag:
        tagged = select(ConversationTag.sender_id).where(ConversationTag.tag == filters.tag)
        query = query.where(summary.sender_id.in_(tagged))
    if filters.query:
        # Every word must appear; LIKE on one summary row per conversation stays fast at 10k.
        words = filters.query.lower().split()[:8]
        escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
        query = query.where(
            and_(*(summary.search_text.like(f"%{w}%", escape="\\") for w in escaped))
        )
    return query


@dataclass(frozen=True)
class ConversationRow:
    sender_id: str
    channel: str
    started_at: float
    last_at: float
    message_count: int
    flags: tuple[str, ...]
    reviewed: bool


def list_conversations(
    session: Session, filters: Filters, page: int = 1, per_page: int = 50
) -> tuple[list[ConversationRow], int]:
    """One page of conversations, newest activity first, and the total matching."""
    query = _filtered(filters)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(ConversationSummary.last_at.desc(), ConversationSummary.sender_id)
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    return [_row(summary, reviewed) for summary, reviewed in rows], total


def all_matching(session: Session, filters: Filters, limit: int = 10_000) -> list[ConversationRow]:
    query = _filtered(filters).order_by(ConversationSummary.last_at.desc()).limit(limit)
    return [_row(summary, reviewed) for summary, reviewed in session.execute(query).all()]


def _row(summary: ConversationSummary, reviewed: int | None) -> ConversationRow:
    return ConversationRow(
        sender_id=summary.sender_id,
        channel=summary.channel or "",
        started_at=summary.started_at,
        last_at=summary.last_at,
        message_count=summary.message_count,
        flags=tuple(flag for flag in FLAGS if getattr(summary, flag)),
        reviewed=bool(reviewed),
    )


def summary_of(session: Session, sender_id: str) -> ConversationRow | None:
    summary = session.get(ConversationSummary, sender_id)
    if summary is None:
        return None
    review = session.get(ConversationReview, sender_id)
    return _row(summary, review.reviewed if review else 0)


def channels(session: Session) -> list[str]:
    rows = session.execute(
        select(ConversationSummary.channel)
        .where(ConversationSummary.channel.isnot(None))
        .distinct()
    ).scalars()
    return sorted(rows)


@dataclass
class Entry:
    """One line of a transcript as staff see it."""

    event_id: int
    kind: str  # user | bot | staff | safety | takeover | handback
    timestamp: float
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    passage_id: str | None = None
    action: str | None = None
    safety: dict[str, Any] | None = None
    staff: str | None = None


@dataclass
class Transcript:
    entries: list[Entry]
    slots: dict[str, Any]
    earlier: int | None  # event id to page back from, or None at the start


TRANSCRIPT_PAGE = 200  # events per chunk; long conversations load earlier chunks on request


def _entries(rows: list[Any]) -> list[Entry]:
    entries: list[Entry] = []
    action: str | None = None
    answer_bots: list[Entry] = []
    for row in rows:
        data = _data(row.data)
        if row.type_name == "action":
            action, answer_bots = row.action_name, []
        elif row.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            entries.append(
                Entry(
                    row.id,
                    "user",
                    row.timestamp or 0.0,
                    str(data.get("text") or ""),
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    safety=parse.get("safety") or None,
                )
            )
        elif row.type_name == "bot":
            staff = (data.get("metadata") or {}).get("staff")
            entry = Entry(
                row.id,
                "staff" if staff else "bot",
                row.timestamp or 0.0,
                str(data.get("text") or ""),
                action=action,
                staff=staff,
            )
            entries.append(entry)
            answer_bots.append(entry)
        elif row.type_name == "slot" and row.action_name == "last_passage_id":
            # The answer action sets the passage slot right after its messages.
            for entry in answer_bots:
                entry.passage_id = data.get("value")
        elif row.type_name in ("pause", "resume"):
            kind = "takeover" if row.type_name == "pause" else "handback"
            entries.append(Entry(row.id, kind, row.timestamp or 0.0))
    return entries


def transcript(
    session: Session, sender_id: str, before: int | None = None, page: int = TRANSCRIPT_PAGE
) -> Transcript:
    """The newest `page` events before `before` (all of the newest when None), oldest first."""
    if not events_exist(session):
        return Transcript([], {}, None)
    query = select(EVENTS).where(EVENTS.c.sender_id == sender_id)
    if before is not None:
        query = query.where(EVENTS.c.id < before)
    rows = list(session.execute(query.order_by(EVENTS.c.id.desc()).limit(page + 1)).all())
    earlier = None
    if len(rows) > page:
        rows = rows[:page]
        earlier = rows[-1].id
    rows.reverse()
    if before is not None:
        # The passage slot follows its answer; when a chunk ends between them, read on a little.
        following = session.execute(
            select(EVENTS)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.id >= before)
            .order_by(EVENTS.c.id)
            .limit(8)
        ).all()
        rows += _until_next_message(following)
    return Transcript(_entries(rows), slots(session, sender_id), earlier)


def _until_next_message(rows: list[Any]) -> list[Any]:
    """Slot events up to the next user or bot message (they add no lines of their own)."""
    kept = []
    for row in rows:
        if row.type_name not in ("slot", "action"):
            break
        kept.append(row)
    return kept


def slots(session: Session, sender_id: str) -> dict[str, Any]:
    """Each slot's latest value in the conversation."""
    rows = session.execute(
        select(EVENTS.c.action_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "slot")
        .order_by(EVENTS.c.id)
    ).all()
    values: dict[str, Any] = {}
    for name, raw in rows:
        values[name] = _data(raw).get("value")
    return values


def user_message(session: Session, sender_id: str, event_id: int) -> str | None:
    """The text of one user message in this conversation, or None."""
    row = session.execute(
        select(EVENTS.c.data).where(
            EVENTS.c.id == event_id,
            EVENTS.c.sender_id == sender_id,
            EVENTS.c.type_name == "user",
        )
    ).first()
    return None if row is None else str(_data(row.data).get("text") or "")


def full_events(session: Session, sender_id: str) -> list[Entry]:
    """Every transcript line of one conversation, for export."""
    if not events_exist(session):
        return []
    rows = session.execute(
        select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
    ).all()
    return _entries(list(rows))


def user_channel(session: Session, sender_id: str) -> str | None:
    summary = session.get(ConversationSummary, sender_id)
    return summary.channel if summary else None
