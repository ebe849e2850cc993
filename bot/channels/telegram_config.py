"""Telegram settings from the environment, and the python-telegram-bot `Bot` built from them."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot

from bot.settings import env, env_int

DEFAULT_API_URL = "https://api.telegram.org/bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    webhook_secret: str
    api_url: str
    rasa_url: str
    poll_timeout: int
    outbox_interval: float

    @classmethod
    def from_env(cls) -> TelegramSettings:
        return cls(
            token=env("TELEGRAM_TOKEN").strip(),
            webhook_secret=env("TELEGRAM_WEBHOOK_SECRET").strip(),
            # A local Bot API server or the test double replaces api.telegram.org here.
            api_url=env("TELEGRAM_API_URL").strip() or DEFAULT_API_URL,
            rasa_url=env("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            poll_timeout=env_int("TELEGRAM_POLL_TIMEOUT", 30),
            outbox_interval=float(env_int("TELEGRAM_OUTBOX_INTERVAL_MS", 2000)) / 1000,
        )

    @property
    def configured(self) -> bool:
        return bool(self.token)


def make_bot(settings: TelegramSettings) -> Bot:
    """A Bot that talks to `settings.api_url`; no network call happens here."""
    return Bot(settings.token, base_url=settings.api_url)
