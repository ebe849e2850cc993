"""Rasa channel for Telegram on python-telegram-bot (credentials.yml:
`bot.channels.telegram.TelegramInput`). The webhook is /webhooks/telegram/webhook.

Unlike Rasa's built-in connector it checks Telegram's secret-token header, parses updates with
`Update.de_json` without calling getMe, and stays inside Sanic's running event loop. The poller
(`python -m bot telegram`) forwards updates to this same webhook, so both modes share one path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from hmac import compare_digest
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update

from bot.channels.telegram_config import SECRET_HEADER, TelegramSettings, make_bot
from bot.channels.telegram_handle import UpdateHandler
from bot.channels.telegram_outbox import outbox_loop
from bot.channels.telegram_send import send_text

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
SORRY = "Sorry, something went wrong on my side. If you need a person now, send /hotline."


class TelegramOutput(OutputChannel):
    """Sends Rasa's replies; text is split to Telegram's limit and buttons become a keyboard."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await send_text(self.bot, recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await send_text(self.bot, recipient_id, text, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await send_text(self.bot, recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await send_text(self.bot, recipient_id, attachment)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        text = json_message.get("text")
        if text:
            await send_text(self.bot, recipient_id, str(text), json_message.get("buttons"))


class MalformedUpdate(ValueError):
    """The body is not a Telegram update at all: not JSON, or no integer update_id."""


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body; None when it is an update python-telegram-bot cannot read
    (a newer Bot API shape, say), which is acknowledged so Telegram does not resend it forever."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedUpdate("not JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise MalformedUpdate("no update_id")
    try:
        return Update.de_json(data, bot)
    except Exception:
        logger.warning("unreadable telegram update %s acknowledged", data["update_id"])
        return None


async def process_webhook(
    handler: UpdateHandler | None, secret: str, given_secret: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    """One webhook request: the status and JSON body to answer with."""
    if handler is None or not secret:
        return 503, {"error": "telegram is not configured"}
    if not compare_digest(given_secret.encode(), secret.encode()):
        return 401, {"error": "unauthorized"}
    try:
        update = parse_update(body, handler.bot)
    except MalformedUpdate:
        return 400, {"error": "malformed update"}
    if update is None:
        return 200, {"ok": True, "handled": "unreadable"}
    try:
        kind = await handler.handle(update)
    except Exception:
        # Answer 200 anyway: a retried update would repeat whatever was already sent.
        logger.exception("telegram update %s failed", update.update_id)
        chat = update.effective_chat
        if chat is not None:
            with contextlib.suppress(Exception):
                await send_text(handler.bot, chat.id, SORRY)
        kind = "failed"
    logger.debug("telegram update %s: %s", update.update_id, kind)
    return 200, {"ok": True, "handled": kind}


class TelegramInput(InputChannel):
    def __init__(self, settings: TelegramSettings | None = None) -> None:
        self.settings = settings or TelegramSettings.from_env()
        self.bot: Bot | None = make_bot(self.settings) if self.settings.configured else None
        self._outbox_task: asyncio.Task[None] | None = None

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        # Secrets come from the environment only; credentials.yml holds just the section name.
        return cls()

    def get_output_channel(self) -> OutputChannel | None:
        return TelegramOutput(self.bot) if self.bot else None

    def make_handler(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> UpdateHandler:
        assert self.bot is not None
        bot = self.bot

        async def ask(sender_id: str, text: str, metadata: dict[str, Any]) -> None:
            await on_new_message(
                UserMessage(
                    text,
                    TelegramOutput(bot),
                    sender_id,
                    input_channel=CHANNEL_NAME,
                    metadata=metadata,
                )
            )

        return UpdateHandler(bot, ask)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)
        handler = self.make_handler(on_new_message) if self.bot else None
        secret = self.settings.webhook_secret

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": handler is not None})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            status, body = await process_webhook(
                handler, secret, request.headers.get(SECRET_HEADER, ""), request.body
            )
            return response.json(body, status=status)

        @hook.listener("after_server_start")
        async def start_outbox(app: Any, _: Any) -> None:
            if self.bot is not None and self._outbox_task is None:
                self._outbox_task = asyncio.ensure_future(
                    outbox_loop(self.bot, self.settings.outbox_interval)
                )

        @hook.listener("before_server_stop")
        async def stop_outbox(app: Any, _: Any) -> None:
            if self._outbox_task is not None:
                self._outbox_task.cancel()

        return hook
