"""The poller: when Rasa cannot be reached, the same handler still gives crisis lines."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest

from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_handle import hotline_message
from bot.channels.telegram_polling import (
    UNAVAILABLE,
    poll_once,
    set_webhook,
    set_webhook_cli,
    unavailable_handler,
    webhook_url,
)
from bot.services import telegram_services
from tests.support.servers import free_port
from tests.support.telegram_double import TelegramDouble


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


def test_with_rasa_down_hotline_and_messages_still_get_crisis_lines(double: TelegramDouble) -> None:
    dead_rasa = f"http://127.0.0.1:{free_port()}"
    settings = TelegramSettings(double.token, "s", double.base_url, dead_rasa, 0, 1)
    double.push_update(double.user_message(11, "/hotline"))
    last = double.push_update(double.user_message(12, "I feel awful tonight"))

    async def run() -> int | None:
        bot = make_bot(settings)
        async with httpx.AsyncClient() as client:
            return await poll_once(bot, client, settings, unavailable_handler(bot), None)

    offset = asyncio.run(run())
    assert offset == last["update_id"] + 1  # the next poll asks for newer updates only
    assert double.texts_to(11) == [hotline_message()]
    (reply,) = double.texts_to(12)
    assert reply.startswith(UNAVAILABLE) and hotline_message() in reply


def test_webhook_url_is_built_from_the_public_base() -> None:
    assert (
        webhook_url("https://bot.example.org/")
        == "https://bot.example.org/webhooks/telegram/webhook"
    )
    assert (
        webhook_url("https://x.org/webhooks/telegram/webhook")
        == "https://x.org/webhooks/telegram/webhook"
    )


def test_make_run_adds_the_poller_only_in_polling_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:abc")
    monkeypatch.delenv("TELEGRAM_MODE", raising=False)
    assert telegram_services(5005) == []
    monkeypatch.setenv("TELEGRAM_MODE", "polling")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    (service,) = telegram_services(5005)
    assert service.argv[-2:] == ["bot", "telegram"]
    assert service.env["RASA_URL"] == "http://127.0.0.1:5005"
    assert os.environ["TELEGRAM_WEBHOOK_SECRET"]  # generated, so Rasa and the poller share it


def test_set_webhook_registers_the_url_with_the_secret(double: TelegramDouble) -> None:
    settings = TelegramSettings(double.token, "the-secret", double.base_url, "", 1, 1)
    url = asyncio.run(set_webhook(settings, "https://bot.example.org"))
    assert url == "https://bot.example.org/webhooks/telegram/webhook"
    assert double.webhook["url"] == url
    assert double.webhook["secret_token"] == "the-secret"
    assert double.webhook["allowed_updates"] == ["message", "callback_query"]


def test_set_webhook_refuses_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:abc")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert set_webhook_cli("https://bot.example.org") == 2
