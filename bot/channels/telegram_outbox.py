"""Deliver outbox rows (staff replies during a live takeover, notices) to Telegram chats.

A row is claimed by bumping its attempt count where the count is still what we read, so two
deliverers (say, two Rasa replicas) rarely send the same row twice. After MAX_ATTEMPTS
failures a row is left for staff to see, undelivered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import update
from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram_send import send_text

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Pending:
    id: int
    sender_id: str
    text: str
    attempts: int


def _pending(limit: int) -> list[Pending]:
    from bot.store.db import session_scope
    from bot.store.outbox import undelivered

    with session_scope() as session:
        return [
            Pending(row.id, row.sender_id, row.text, row.attempts or 0)
            for row in undelivered(session, CHANNEL, limit=limit)
            if (row.attempts or 0) < MAX_ATTEMPTS
        ]


def _claim(item: Pending) -> bool:
    from bot.store.db import session_scope
    from bot.store.models import OutboxMessage

    with session_scope() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == item.id,
                OutboxMessage.delivered_at.is_(None),
                OutboxMessage.attempts == item.attempts,
            )
            .values(attempts=item.attempts + 1)
        )
        return result.rowcount == 1


def _mark(item: Pending) -> None:
    from bot.store.db import session_scope
    from bot.store.models import OutboxMessage
    from bot.store.outbox import mark_delivered

    with session_scope() as session:
        row = session.get(OutboxMessage, item.id)
        if row is not None:
            mark_delivered(session, row)


async def deliver_outbox(bot: Bot, limit: int = 50) -> int:
    """One round: send every undelivered Telegram row; return how many were delivered."""
    delivered = 0
    for item in await asyncio.to_thread(_pending, limit):
        if not await asyncio.to_thread(_claim, item):
            continue  # someone else has it
        try:
            await send_text(bot, int(item.sender_id), item.text)
        except (TelegramError, ValueError) as error:
            # Blocked bot, deleted chat, a non-numeric id: counted, retried up to MAX_ATTEMPTS.
            logger.warning("outbox row %s not delivered: %s", item.id, type(error).__name__)
            continue
        await asyncio.to_thread(_mark, item)
        delivered += 1
    return delivered


async def outbox_loop(bot: Bot, interval: float) -> None:
    logger.info("telegram outbox delivery started")
    failing = False
    while True:
        try:
            count = await deliver_outbox(bot)
            if count:
                logger.info("delivered %s outbox messages to telegram", count)
            failing = False
        except Exception as error:  # a database outage must not end the loop; it retries
            if not failing:  # the traceback once, not every round of an outage
                logger.exception("telegram outbox round failed")
            else:
                logger.warning("telegram outbox round failed again: %s", type(error).__name__)
            failing = True
        await asyncio.sleep(interval)
