"""The audit log: every transcript view, export and status change, readable by admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.staff_models import AuditEntry


def record(session: Session, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Add one entry in the caller's transaction, so the action and its record commit together."""
    session.add(AuditEntry(actor=actor, action=action, target=target[:255], detail=detail[:500]))


def recent(
    session: Session, limit: int = 100, offset: int = 0, actor: str | None = None
) -> list[AuditEntry]:
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.execute(query).scalars())
