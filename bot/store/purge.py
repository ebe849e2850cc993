"""Retention: delete transcripts and contact data older than the configured period."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.settings import env_int
from bot.store.erasure import erase_sender
from bot.store.models import Lead, LeadStatusChange
from bot.store.staff_models import ConversationSummary
from bot.store.transcripts import EVENTS, events_exist, refresh_summaries

DEFAULT_RETENTION_DAYS = 180


def retention_days() -> int:
    """Operator setting RETENTION_DAYS; `purge --days N` overrides it for one run."""
    return env_int("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def purge(session: Session, days: int, now: float | None = None) -> dict[str, int]:
    """Erase every conversation whose last activity is older than `days`, and every lead
    (contact details) created before then. Returns counts of what went."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    now = time.time() if now is None else now
    cutoff = now - days * 86400
    refresh_summaries(session)
    old = set(
        session.execute(
            select(ConversationSummary.sender_id).where(ConversationSummary.last_at < cutoff)
        ).scalars()
    )
    if events_exist(session):
        # Conversations the summaries have not seen yet (none, after the refresh above) or
        # whose every event is old.
        recent = select(EVENTS.c.sender_id).where(EVENTS.c.timestamp >= cutoff)
        old |= set(
            session.execute(
                select(EVENTS.c.sender_id).where(EVENTS.c.sender_id.notin_(recent)).distinct()
            ).scalars()
        )
    rows = 0
    for sender_id in sorted(old):
        rows += erase_sender(session, sender_id)
    cutoff_dt = _naive(cutoff)
    lead_ids = list(session.execute(select(Lead.id).where(Lead.created_at < cutoff_dt)).scalars())
    if lead_ids:
        session.execute(delete(LeadStatusChange).where(LeadStatusChange.lead_id.in_(lead_ids)))
        session.execute(delete(Lead).where(Lead.id.in_(lead_ids)))
    return {"conversations": len(old), "rows": rows, "leads": len(lead_ids)}


def _naive(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)
