"""Put an alert in the outbox table."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.store.models import Alert


def enqueue_alert(session: Session, kind: str, sender_id: str, payload: dict[str, Any]) -> Alert:
    """Queue an alert. The payload names the conversation and the reason, never message text."""
    alert = Alert(kind=kind, sender_id=sender_id, payload=payload, status="pending", attempts=0)
    session.add(alert)
    session.flush()
    return alert
