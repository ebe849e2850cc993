"""Queue and fetch messages for delivery on a user's own channel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import OutboxMessage, utcnow


def queue_message(
    session: Session, sender_id: str, channel: str, text: str, author: str
) -> OutboxMessage:
    message = OutboxMessage(
        sender_id=sender_id, channel=channel, text=text, author=author, attempts=0
    )
    session.add(message)
    session.flush()
    return message


def undelivered(
    session: Session, channel: str, sender_id: str | None = None, limit: int = 100
) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.delivered_at.is_(None)
    )
    if sender_id is not None:
        query = query.where(OutboxMessage.sender_id == sender_id)
    return list(session.execute(query.order_by(OutboxMessage.id).limit(limit)).scalars())


def mark_delivered(session: Session, message: OutboxMessage) -> None:
    message.delivered_at = utcnow()
