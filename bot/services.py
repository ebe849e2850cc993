"""The processes that make up the bot, as command lines; `python -m bot run` supervises them."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field

from bot.settings import ROOT, env, env_int


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def rasa_argv(port: int, model: str, endpoints: str = "endpoints.yml") -> list[str]:
    return [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "run",
        "--enable-api",
        "--interface",
        env("BIND_HOST", "127.0.0.1"),
        "--port",
        str(port),
        "--model",
        model,
        "--endpoints",
        endpoints,
        "--credentials",
        "credentials.yml",
        "--auth-token",
        rasa_api_token(),
    ]


def action_server_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def rasa_api_token() -> str:
    """The token staff tools use on Rasa's HTTP API; one per run unless the operator sets it."""
    token = env("RASA_API_TOKEN")
    if not token:
        token = secrets.token_urlsafe(24)
        os.environ["RASA_API_TOKEN"] = token
    return token


def telegram_webhook_secret() -> str:
    """Shared by Rasa's Telegram webhook and the poller; one per run unless the operator sets it."""
    secret = env("TELEGRAM_WEBHOOK_SECRET")
    if not secret:
        secret = secrets.token_urlsafe(24)
        os.environ["TELEGRAM_WEBHOOK_SECRET"] = secret
    return secret


def telegram_services(rasa_port: int) -> list[Service]:
    """The Telegram poller, when TELEGRAM_MODE=polling (webhook mode needs no extra process)."""
    if not env("TELEGRAM_TOKEN") or env("TELEGRAM_MODE", "webhook").lower() != "polling":
        return []
    telegram_webhook_secret()
    rasa_url = env("RASA_URL", f"http://127.0.0.1:{rasa_port}")
    return [Service("telegram", [sys.executable, "-m", "bot", "telegram"], {"RASA_URL": rasa_url})]


def default_services() -> list[Service]:
    rasa_port = env_int("RASA_PORT", 5005)
    action_port = env_int("ACTION_PORT", 5055)
    model = env("RASA_MODEL", str(ROOT / "models" / "current.tar.gz"))
    return [
        Service("actions", action_server_argv(action_port)),
        Service("worker", [sys.executable, "-m", "bot", "worker"]),
        Service("rasa", rasa_argv(rasa_port, model)),
        # The staff console reaches Rasa's HTTP API for live takeover with the same token.
        Service(
            "staff",
            [sys.executable, "-m", "bot", "staff"],
            {"RASA_URL": env("RASA_URL", f"http://127.0.0.1:{rasa_port}")},
        ),
        *telegram_services(rasa_port),
    ]
