"""Read the current turn out of a Rasa tracker: the pure part of the crisis router.

Kept apart from the Rasa policy class so it can be tested with plain event lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    UserUttered,
)

from bot.safety.screen import Screening, screen

SAFETY_INTENTS = {"emergency": "emergency", "crisis": "crisis", "safety_concern": "concern"}
# Every response that escalates; the next turn checks in after any of them.
ESCALATION_RESPONSES = (
    "utter_emergency",
    "utter_crisis",
    "utter_crisis_third_person",
    "utter_danger_at_home",
    "utter_harm_to_others",
    "utter_not_safe",
)
CONCERN_RESPONSE = "utter_safety_concern"
RECORD_ACTION = "action_record_safety"
HISTORY_TURNS = 3


@dataclass(frozen=True)
class Verdict:
    level: str  # emergency | crisis | concern
    category: str | None
    reason: str
    third_person: bool = False


def response_for(verdict: Verdict) -> str:
    """The domain response that answers a verdict; emergencies always put 911 first."""
    if verdict.level == "emergency":
        return "utter_emergency"
    if verdict.level == "concern":
        return CONCERN_RESPONSE
    if verdict.third_person:
        return "utter_crisis_third_person"
    if verdict.category == "danger_at_home":
        return "utter_danger_at_home"
    if verdict.category == "harm_to_others":
        return "utter_harm_to_others"
    return "utter_crisis"


def current_session(events: Sequence[Event]) -> list[Event]:
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return list(events[index + 1 :])
    return list(events)


def split_turns(events: Sequence[Event]) -> list[tuple[UserUttered, list[Event]]]:
    """Each user message with the events that followed it, oldest first."""
    turns: list[tuple[UserUttered, list[Event]]] = []
    for event in current_session(events):
        if isinstance(event, UserUttered):
            turns.append((event, []))
        elif turns:
            turns[-1][1].append(event)
    return turns


def loop_at_turn_start(events: Sequence[Event]) -> str | None:
    """The form that was active when the latest user message arrived (stable within a turn)."""
    session = current_session(events)
    last_user = max((i for i, e in enumerate(session) if isinstance(e, UserUttered)), default=-1)
    active: str | None = None
    for event in session[: last_user + 1]:
        if isinstance(event, ActiveLoop):
            active = event.name
    return active


def executed_actions(events: Sequence[Event]) -> list[str]:
    return [
        e.action_name
        for e in events
        if isinstance(e, ActionExecuted) and e.action_name and e.action_name != "action_listen"
    ]


def verdict_from_parse(parse_data: dict[str, Any]) -> Verdict | None:
    """What NLU said: the SafetyScreen component or the trained crisis/emergency intent."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent not in SAFETY_INTENTS:
        return None
    safety = parse_data.get("safety") or {}
    if safety.get("level") == SAFETY_INTENTS[intent]:
        return Verdict(
            level=safety["level"],
            category=safety.get("category"),
            reason=str(safety.get("reason", "")),
            third_person=bool(safety.get("third_person")),
        )
    confidence = (parse_data.get("intent") or {}).get("confidence", 0.0)
    return Verdict(
        level=SAFETY_INTENTS[intent],
        category=None,
        reason=f"trained intent {intent} ({confidence:.2f})",
    )


def verdict_from_history(text: str, history: Sequence[str]) -> Verdict | None:
    """A crisis split across turns: the screen sees the recent messages together."""
    if not history:
        return None
    result: Screening = screen(text, history=list(history)[-HISTORY_TURNS:])
    if result.level not in ("emergency", "crisis"):
        return None
    return Verdict(
        level=result.level,
        category=result.category,
        reason=f"across turns: {result.reason}",
        third_person=result.third_person,
    )


def turn_verdict(events: Sequence[Event]) -> Verdict | None:
    turns = split_turns(events)
    if not turns:
        return None
    latest, _ = turns[-1]
    verdict = verdict_from_parse(latest.parse_data or {})
    if verdict is not None:
        return verdict
    history = [user.text or "" for user, _ in turns[:-1] if user.text]
    return verdict_from_history(latest.text or "", history)


def previous_turn_escalated(events: Sequence[Event]) -> bool:
    turns = split_turns(events)
    if len(turns) < 2:
        return False
    return any(name in ESCALATION_RESPONSES for name in executed_actions(turns[-2][1]))


def replied_this_turn(events: Sequence[Event]) -> bool:
    turns = split_turns(events)
    return bool(turns) and any(isinstance(e, BotUttered) for e in turns[-1][1])
