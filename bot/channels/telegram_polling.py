"""Polling mode for development without a public URL (`python -m bot telegram`), and the
command that registers the webhook (`python -m bot set-webhook URL`).

The poller takes updates from getUpdates and forwards each one, with the secret header, to
the Rasa server's Telegram webhook, so polling and webhook run the same handling code. If Rasa
cannot be reached, the same UpdateHandler answers locally: /hotline works, and anything else
gets an honest "I'm down" with the crisis lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import httpx
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.channels.telegram_config import SECRET_HEADER, TelegramSettings, make_bot
from bot.channels.telegram_handle import UpdateHandler, hotline_message
from bot.channels.telegram_send import retry_seconds, send_text

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]
UNAVAILABLE = "Sorry, I can't answer questions right now because part of the service is down."


def unavailable_handler(bot: Bot) -> UpdateHandler:
    async def ask(sender_id: str, _text: str, _metadata: dict[str, Any]) -> None:
        await send_text(bot, sender_id, f"{UNAVAILABLE}\n\n{hotline_message()}")

    async def cannot_erase(_sender_id: str) -> int:
        raise RuntimeError("erasure needs the Rasa server's database; it is unreachable")

    return UpdateHandler(bot, ask, erase=cannot_erase)


async def forward(client: httpx.AsyncClient, settings: TelegramSettings, update: Update) -> bool:
    """Hand one update to the Rasa server's webhook; False if it could not take it."""
    try:
        answer = await client.post(
            settings.rasa_url + WEBHOOK_PATH,
            json=update.to_dict(),
            headers={SECRET_HEADER: settings.webhook_secret},
        )
    except httpx.HTTPError as error:
        logger.warning("rasa unreachable for update %s: %s", update.update_id, type(error).__name__)
        return False
    if answer.status_code in (401, 503):
        logger.error(
            "rasa refused the update (%s): is the same TELEGRAM_WEBHOOK_SECRET set "
            "for Rasa and the poller?",
            answer.status_code,
        )
    return answer.is_success


async def poll_once(
    bot: Bot,
    client: httpx.AsyncClient,
    settings: TelegramSettings,
    fallback: UpdateHandler,
    offset: int | None,
) -> int | None:
    """Fetch one batch, hand each update on, and return the next offset."""
    updates = await bot.get_updates(
        offset=offset, timeout=settings.poll_timeout, allowed_updates=ALLOWED_UPDATES
    )
    for update in updates:
        if not await forward(client, settings, update):
            try:
                await fallback.handle(update)
            except TelegramError:
                logger.exception("fallback answer for update %s failed", update.update_id)
        offset = update.update_id + 1  # never loop on one update, whatever happened to it
    return offset


async def run_polling(settings: TelegramSettings, stop: asyncio.Event | None = None) -> None:
    bot = make_bot(settings)
    fallback = unavailable_handler(bot)
    timeout = httpx.Timeout(180.0, connect=5.0)  # a first answer may wait for Rasa to warm up
    async with bot, httpx.AsyncClient(timeout=timeout) as client:
        await bot.delete_webhook()  # Telegram refuses getUpdates while a webhook is set
        logger.info("polling telegram as @%s, forwarding to %s", bot.username, settings.rasa_url)
        offset: int | None = None
        while stop is None or not stop.is_set():
            try:
                offset = await poll_once(bot, client, settings, fallback, offset)
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error.retry_after))
            except NetworkError as error:
                logger.warning("getUpdates failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(2)


def polling_cli() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token
    settings = TelegramSettings.from_env()
    if not settings.configured or not settings.webhook_secret:
        print("set TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_SECRET (the Rasa server needs the same)")
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_polling(settings))
    return 0


def webhook_url(base: str) -> str:
    """'https://bot.example.org' -> 'https://bot.example.org/webhooks/telegram/webhook'."""
    base = base.rstrip("/")
    return base if base.endswith(WEBHOOK_PATH) else base + WEBHOOK_PATH


async def set_webhook(settings: TelegramSettings, base_url: str) -> str:
    url = webhook_url(base_url)
    async with make_bot(settings) as bot:
        await bot.set_webhook(
            url=url, secret_token=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
    return url


def set_webhook_cli(base_url: str) -> int:
    settings = TelegramSettings.from_env()
    if not settings.configured or not settings.webhook_secret:
        print("set TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_SECRET first")
        return 2
    if not base_url.startswith("https://") and settings.api_url.startswith("https://api.tel"):
        print("Telegram only delivers webhooks to https:// URLs")
        return 2
    url = asyncio.run(set_webhook(settings, base_url))
    print(f"webhook set: {url}")
    return 0
