"""Classify what the bot said: which passage it quoted, whether it escalated and how."""

from __future__ import annotations

from functools import lru_cache

from bot.knowledge import load_knowledge
from bot.settings import ROOT, load_yaml

ESCALATIONS = {
    "utter_emergency": "emergency",
    "utter_crisis": "crisis",
    "utter_crisis_third_person": "crisis",
    "utter_danger_at_home": "crisis",
    "utter_harm_to_others": "crisis",
    "utter_not_safe": "crisis",
    "utter_safety_concern": "concern",
}


@lru_cache(maxsize=1)
def escalation_texts() -> dict[str, str]:
    """Response text -> level, read from the generated domain responses."""
    responses = load_yaml(ROOT / "domain.yml")["responses"]
    return {
        variation["text"].strip(): level
        for name, level in ESCALATIONS.items()
        for variation in responses.get(name, [])
    }


def quoted_passage(reply: str) -> str | None:
    for passage in load_knowledge().passages:
        if passage.text.strip() in reply:
            return passage.id
    return None


def escalation_level(messages: list[dict]) -> str | None:
    """The most severe escalation among the bot's messages, or None."""
    levels = {escalation_texts().get((m.get("text") or "").strip()) for m in messages}
    for level in ("emergency", "crisis", "concern"):
        if level in levels:
            return level
    return None


def emergency_first(messages: list[dict], emergency_number: str) -> bool:
    """The first line the person reads names the emergency number."""
    if not messages:
        return False
    first_line = (messages[0].get("text") or "").strip().splitlines()[0]
    return emergency_number in first_line
