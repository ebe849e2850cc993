"""Sending to Telegram: clean splitting of long replies, inline keyboards, flood-limit retries
and the typing indicator. Shared by the Rasa channel, the poller and outbox delivery."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, InlineKeyboardButtonLimit, MessageLimit
from telegram.error import RetryAfter

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
MAX_FLOOD_RETRIES = 5
MAX_FLOOD_WAIT = 60.0
TYPING_REFRESH = 4.0  # Telegram shows "typing" for about 5 s


def tg_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units, so an emoji can count as two."""
    return len(text.encode("utf-16-le")) // 2


# Preferred places to cut, best first: paragraph, line, sentence end, word.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?])\s+"),
    re.compile(r"\s+"),
)


def _cut_point(text: str, limit: int) -> tuple[int, int]:
    """Where to end this chunk and where the next one starts, within `limit` units."""
    window = text
    while tg_len(window) > limit:
        window = window[: len(window) - max(1, (tg_len(window) - limit) // 2)]
    for pattern in _BREAKS:
        matches = [m for m in pattern.finditer(window) if m.start() > 0]
        if matches:
            last = matches[-1]
            return last.start(), last.end()
    return len(window), len(window)  # one unbroken run of characters: a hard cut


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split into chunks Telegram accepts, preferring paragraph, line, sentence, word breaks."""
    chunks: list[str] = []
    rest = text.strip()
    while tg_len(rest) > limit:
        end, start = _cut_point(rest, limit)
        chunk = rest[:end].rstrip()
        if chunk:
            chunks.append(chunk)
        rest = rest[start:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


class PayloadRegistry:
    """Rasa payloads longer than Telegram's 64-byte callback data get a short key instead.

    The key lives in this process only; a press on an expired key is told so politely.
    """

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._items: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(("p:", "tg:")):
            return payload
        key = "p:" + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._items[key] = payload
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def payload_for(self, data: str) -> str | None:
        if data.startswith("p:"):
            return self._items.get(data)
        return data


PAYLOADS = PayloadRegistry()


def inline_keyboard(
    buttons: Sequence[dict[str, Any]], registry: PayloadRegistry = PAYLOADS
) -> InlineKeyboardMarkup | None:
    """Rasa buttons, one per row (titles are sentences); URL buttons open the link."""
    rows = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        payload = str(button.get("payload") or title)
        if not title:
            continue
        if button.get("type") == "web_url" or button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button.get("url") or payload))])
        elif button.get("internal"):  # our own "tg:" buttons; Rasa payloads never pass raw
            rows.append([InlineKeyboardButton(title, callback_data=payload)])
        else:
            rows.append([InlineKeyboardButton(title, callback_data=registry.data_for(payload))])
    return InlineKeyboardMarkup(rows) if rows else None


def retry_seconds(retry_after: int | dt.timedelta) -> float:
    if isinstance(retry_after, dt.timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


async def with_retry(call: Callable[[], Awaitable[T]], attempts: int = MAX_FLOOD_RETRIES) -> T:
    """Run a Bot API call, waiting out flood control (RetryAfter) as Telegram asks."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            if attempt == attempts:
                raise
            wait = min(retry_seconds(error.retry_after), MAX_FLOOD_WAIT)
            logger.warning("telegram flood control: waiting %.1f s (attempt %s)", wait, attempt)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


async def send_text(
    bot: Bot,
    chat_id: int | str,
    text: str,
    buttons: Sequence[dict[str, Any]] | None = None,
    registry: PayloadRegistry = PAYLOADS,
) -> list[Message]:
    """Send plain text (no parse mode: nothing in it can be misread as markup), split if long.
    Buttons go on the last chunk, so they sit under the end of the reply."""
    chunks = split_text(text) or ([" "] if buttons else [])
    markup = inline_keyboard(buttons, registry) if buttons else None
    sent: list[Message] = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent.append(
            await with_retry(
                lambda chunk=chunk, last=last: bot.send_message(
                    chat_id=chat_id,
                    text=chunk,
                    reply_markup=markup if last else None,
                )
            )
        )
    return sent


async def _show_typing(bot: Bot, chat_id: int | str) -> None:
    with contextlib.suppress(Exception):  # a lost typing hint must never cost the reply
        await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)


async def _keep_typing(bot: Bot, chat_id: int | str) -> None:
    while True:
        await asyncio.sleep(TYPING_REFRESH)
        await _show_typing(bot, chat_id)


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int | str) -> AsyncIterator[None]:
    """Show 'typing…' in the chat while the block runs (Telegram drops it after ~5 s)."""
    await _show_typing(bot, chat_id)
    task = asyncio.create_task(_keep_typing(bot, chat_id))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
