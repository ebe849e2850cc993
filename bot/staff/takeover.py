"""Live takeover: staff pause the bot in one conversation, write to the user, and hand back.

Rasa is told first (pause/resume, or the staff message appended to the tracker). Only when
Rasa has accepted it do we write our rows, so a failed call leaves nothing half done and the
staff member sees an error to retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.settings import env
from bot.store import audit
from bot.store.models import Handoff, utcnow
from bot.store.outbox import queue_message
from bot.store.transcripts import user_channel

JOINED = "A member of our team has joined the chat."
LEFT = "Our team member has left the chat. You're talking with the automated assistant again."
MAX_STAFF_TEXT = 2000


class TakeoverError(RuntimeError):
    pass


@dataclass
class RasaApi:
    """Rasa's HTTP API (rasa run --enable-api --auth-token ...)."""

    url: str
    token: str
    transport: httpx.AsyncBaseTransport | None = None  # tests pass a loopback double

    @classmethod
    def from_env(cls) -> RasaApi:
        return cls(env("RASA_URL", "http://127.0.0.1:5005").rstrip("/"), env("RASA_API_TOKEN"))

    async def append(self, sender_id: str, event: dict[str, Any]) -> None:
        path = f"/conversations/{quote(sender_id, safe='')}/tracker/events"
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=15) as client:
                response = await client.post(
                    self.url + path,
                    params={"token": self.token, "include_events": "NONE"},
                    json={**event, "timestamp": time.time()},
                )
        except httpx.HTTPError as error:
            raise TakeoverError(
                f"the bot server could not be reached ({type(error).__name__})"
            ) from error
        if response.status_code >= 300:
            raise TakeoverError(f"the bot server refused the request (HTTP {response.status_code})")


def active_handoff(session: Session, sender_id: str) -> Handoff | None:
    return session.execute(
        select(Handoff).where(Handoff.sender_id == sender_id, Handoff.active == 1)
    ).scalar_one_or_none()


def _channel(session: Session, sender_id: str) -> str:
    return user_channel(session, sender_id) or "rest"


async def take_over(session: Session, rasa: RasaApi, sender_id: str, staff: str) -> Handoff:
    existing = active_handoff(session, sender_id)
    if existing is not None:
        return existing
    await rasa.append(sender_id, {"event": "pause"})
    channel = _channel(session, sender_id)
    handoff = Handoff(sender_id=sender_id, channel=channel, staff_user=staff, active=1)
    session.add(handoff)
    queue_message(session, sender_id, channel, JOINED, author=staff)
    audit.record(session, staff, "takeover", sender_id)
    session.flush()
    return handoff


async def send(session: Session, rasa: RasaApi, sender_id: str, staff: str, text: str) -> None:
    text = text.strip()
    if not text:
        raise TakeoverError("the message is empty")
    if len(text) > MAX_STAFF_TEXT:
        raise TakeoverError(f"the message is longer than {MAX_STAFF_TEXT} characters")
    if active_handoff(session, sender_id) is None:
        raise TakeoverError("take over the conversation before writing in it")
    await rasa.append(sender_id, {"event": "bot", "text": text, "metadata": {"staff": staff}})
    queue_message(session, sender_id, _channel(session, sender_id), text, author=staff)
    audit.record(session, staff, "staff message", sender_id, f"{len(text)} characters")


async def hand_back(session: Session, rasa: RasaApi, sender_id: str, staff: str) -> bool:
    """Resume the bot; False when there was no active takeover."""
    handoff = active_handoff(session, sender_id)
    if handoff is None:
        return False
    await rasa.append(sender_id, {"event": "resume"})
    handoff.active = 0
    handoff.ended_at = utcnow()
    queue_message(session, sender_id, _channel(session, sender_id), LEFT, author=staff)
    audit.record(session, staff, "hand back", sender_id)
    return True
