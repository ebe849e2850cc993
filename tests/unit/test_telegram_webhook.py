"""The webhook's answers: 401 without the secret, 400 for a malformed body, 200 otherwise."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.channels.telegram import TelegramInput, TelegramOutput, process_webhook
from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_handle import UpdateHandler
from tests.support.telegram_double import TelegramDouble

SECRET = "s3cret-token_value"


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


@pytest.fixture
def handler(double: TelegramDouble) -> UpdateHandler:
    settings = TelegramSettings(double.token, SECRET, double.base_url, "http://127.0.0.1:9", 1, 1)
    bot = make_bot(settings)

    async def ask(sender: str, text: str, _: dict[str, Any]) -> None:
        await TelegramOutput(bot).send_text_message(sender, f"echo: {text}")

    return UpdateHandler(bot, ask)


def post(handler: UpdateHandler | None, given: str, body: bytes) -> tuple[int, dict[str, Any]]:
    return asyncio.run(process_webhook(handler, SECRET, given, body))


def test_correct_secret_gets_an_answer(handler: UpdateHandler, double: TelegramDouble) -> None:
    body = json.dumps(double.user_message(42, "hello")).encode()
    assert post(handler, SECRET, body) == (200, {"ok": True, "handled": "message"})
    assert double.texts_to(42) == ["echo: hello"]


@pytest.mark.parametrize("given", ["", "wrong", SECRET[:-1], SECRET + "x"])
def test_missing_or_wrong_secret_gets_401(
    handler: UpdateHandler, double: TelegramDouble, given: str
) -> None:
    body = json.dumps(double.user_message(42, "hello")).encode()
    assert post(handler, given, body)[0] == 401
    assert double.calls == []


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}', b"\xff\xfe"]
)
def test_malformed_body_gets_400(
    handler: UpdateHandler, double: TelegramDouble, body: bytes
) -> None:
    assert post(handler, SECRET, body)[0] == 400
    assert double.calls == []


def test_update_shapes_the_library_cannot_read_are_acknowledged(
    handler: UpdateHandler, double: TelegramDouble
) -> None:
    # A newer Bot API shape must not be answered 400, or Telegram would resend it forever.
    body = json.dumps({"update_id": 5, "message": {"text": "no chat or date"}}).encode()
    assert post(handler, SECRET, body) == (200, {"ok": True, "handled": "unreadable"})
    assert double.calls == []


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 9, "some_future_update": {"id": 1}},
        {
            "update_id": 10,
            "edited_message": {
                "message_id": 1,
                "date": 0,
                "text": "typo",
                "chat": {"id": 42, "type": "private"},
            },
        },
    ],
)
def test_unsupported_update_types_are_acknowledged(
    handler: UpdateHandler, double: TelegramDouble, update: dict[str, Any]
) -> None:
    assert post(handler, SECRET, json.dumps(update).encode()) == (
        200,
        {"ok": True, "handled": "ignored"},
    )
    assert double.calls == []


def test_without_token_or_secret_the_webhook_refuses(double: TelegramDouble) -> None:
    body = json.dumps(double.user_message(42, "hello")).encode()
    assert post(None, SECRET, body)[0] == 503
    assert asyncio.run(process_webhook(None, "", "", body))[0] == 503


def test_channel_reads_its_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, double: TelegramDouble
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", double.token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_URL", double.base_url)
    channel = TelegramInput.from_credentials(None)
    assert channel.name() == "telegram"
    assert channel.bot is not None and channel.bot.base_url == double.base_url + double.token
    assert channel.settings.webhook_secret == SECRET


def test_channel_without_a_token_loads_but_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    channel = TelegramInput.from_credentials(None)
    assert channel.bot is None and channel.get_output_channel() is None
