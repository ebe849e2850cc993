"""Deliver queued alerts with retries and exponential backoff."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.settings import env, env_int
from bot.store.db import session_scope
from bot.store.models import Alert, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 5


@dataclass(frozen=True)
class AlertRoutes:
    telegram_token: str
    telegram_chat_id: str
    telegram_api_url: str
    webhook_url: str

    @classmethod
    def from_env(cls) -> AlertRoutes:
        return cls(
            telegram_token=env("TELEGRAM_TOKEN"),
            telegram_chat_id=env("STAFF_TELEGRAM_CHAT_ID"),
            telegram_api_url=env("TELEGRAM_API_URL", "https://api.telegram.org/bot").rstrip("/"),
            webhook_url=env("STAFF_ALERT_WEBHOOK_URL"),
        )

    @property
    def configured(self) -> bool:
        return bool((self.telegram_token and self.telegram_chat_id) or self.webhook_url)


def alert_text(alert: Alert) -> str:
    payload = alert.payload or {}
    lines = [f"[{alert.kind.upper()}] conversation {alert.sender_id}"]
    for key in ("level", "reason", "channel", "reference"):
        if payload.get(key):
            lines.append(f"{key}: {payload[key]}")
    console = env("STAFF_CONSOLE_URL")
    if console:
        lines.append(f"{console.rstrip('/')}/conversations/{alert.sender_id}")
    return "\n".join(lines)


def send(alert: Alert, routes: AlertRoutes, client: httpx.Client) -> None:
    """Raise on any failure so the caller can retry."""
    if routes.telegram_token and routes.telegram_chat_id:
        url = f"{routes.telegram_api_url}{routes.telegram_token}/sendMessage"
        response = client.post(
            url, data={"chat_id": routes.telegram_chat_id, "text": alert_text(alert)}
        )
        response.raise_for_status()
    if routes.webhook_url:
        body = {"kind": alert.kind, "sender_id": alert.sender_id, **(alert.payload or {})}
        response = client.post(routes.webhook_url, json=body)
        response.raise_for_status()


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0))


def deliver_pending(engine: Engine | None = None, routes: AlertRoutes | None = None) -> int:
    """Try every due alert once; return how many were delivered."""
    routes = routes or AlertRoutes.from_env()
    if not routes.configured:
        return 0
    delivered = 0
    timeout = env_int("ALERT_TIMEOUT_SECONDS", 5)
    with session_scope(engine) as session, httpx.Client(timeout=timeout) as client:
        due = session.execute(
            select(Alert)
            .where(Alert.status == "pending", Alert.next_attempt_at <= utcnow())
            .order_by(Alert.id)
            .limit(50)
        ).scalars()
        for alert in due:
            alert.attempts += 1
            try:
                send(alert, routes, client)
            except Exception as error:  # any failure is retried later, never raised
                alert.last_error = f"{type(error).__name__}: {error}"[:500]
                alert.next_attempt_at = utcnow() + backoff(alert.attempts)
                if alert.attempts >= MAX_ATTEMPTS:
                    alert.status = "failed"
                logger.warning(
                    "staff alert %s not delivered (attempt %s)", alert.id, alert.attempts
                )
                continue
            alert.status = "sent"
            alert.sent_at = utcnow()
            delivered += 1
    return delivered
