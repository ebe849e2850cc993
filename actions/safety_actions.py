"""Record a safety escalation after the reply has gone out: a flag for staff and an alert."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.alerts import deliver_pending, enqueue_alert
from bot.store.db import session_scope
from bot.store.models import SafetyFlag

logger = logging.getLogger(__name__)


def record_flag(sender_id: str, channel: str | None, level: str, reason: str) -> None:
    with session_scope() as session:
        session.add(SafetyFlag(sender_id=sender_id, channel=channel, level=level, reason=reason))
        payload = {"level": level, "reason": reason, "channel": channel}
        enqueue_alert(session, kind=level, sender_id=sender_id, payload=payload)


class ActionRecordSafety(Action):
    def name(self) -> str:
        return "action_record_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        level = tracker.get_slot("safety_level") or "crisis"
        reason = (tracker.get_slot("safety_reason") or "")[:500]
        channel = tracker.get_latest_input_channel()
        try:
            await asyncio.to_thread(record_flag, tracker.sender_id, channel, level, reason)
        except Exception:  # the reply is already out; the flag is still derivable from events
            logger.exception("could not record the safety flag for a conversation")
            return []
        # Deliver now if we can; the worker retries whatever this misses.
        task = asyncio.get_running_loop().run_in_executor(None, deliver_pending)
        task.add_done_callback(lambda t: t.exception() and logger.warning("alert delivery failed"))
        return []
