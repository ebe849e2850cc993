"""Messages that reach a widget visitor later: staff replies during a takeover, check-ins.

The browser long-polls with the id of the last outbox row it has shown. Rows after that id are
returned (and marked delivered), so a lost response or a second tab never hides a message.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func, select

CHANNEL = "web"


def latest_id(sender_id: str) -> int:
    """The newest outbox row for this visitor; history already shows what came before it."""
    from bot.store.db import session_scope
    from bot.store.models import OutboxMessage

    with session_scope() as session:
        value = session.execute(
            select(func.max(OutboxMessage.id)).where(
                OutboxMessage.sender_id == sender_id, OutboxMessage.channel == CHANNEL
            )
        ).scalar()
        return int(value or 0)


def take_after(sender_id: str, after: int, limit: int = 50) -> list[dict[str, Any]]:
    """Rows for this visitor newer than `after`, oldest first; each is marked delivered."""
    from bot.store.db import session_scope
    from bot.store.models import OutboxMessage
    from bot.store.outbox import mark_delivered

    with session_scope() as session:
        rows = list(
            session.execute(
                select(OutboxMessage)
                .where(
                    OutboxMessage.sender_id == sender_id,
                    OutboxMessage.channel == CHANNEL,
                    OutboxMessage.id > after,
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).scalars()
        )
        found = []
        for row in rows:
            if row.delivered_at is None:
                mark_delivered(session, row)
            role = "bot" if row.author == "bot" else "staff"
            found.append({"id": row.id, "role": role, "text": row.text})
        return found


async def wait_for_updates(
    sender_id: str, after: int, timeout: float = 25.0, interval: float = 1.0
) -> list[dict[str, Any]]:
    """Long-poll: return as soon as there is something, or an empty list after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = await asyncio.to_thread(take_after, sender_id, after)
        if found or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(min(interval, max(0.0, deadline - time.monotonic())))
