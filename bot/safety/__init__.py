"""Crisis safety: the deterministic screen and the crisis resources it points people to."""

from bot.safety.resources import (
    checkin_text,
    concern_text,
    crisis_link,
    crisis_text,
    danger_at_home_text,
    emergency_text,
    harm_to_others_text,
    hotline_text,
    load_resources,
    not_safe_text,
    third_person_text,
)
from bot.safety.screen import Screening, screen

__all__ = [
    "Screening",
    "checkin_text",
    "concern_text",
    "crisis_link",
    "crisis_text",
    "danger_at_home_text",
    "emergency_text",
    "harm_to_others_text",
    "hotline_text",
    "load_resources",
    "not_safe_text",
    "screen",
    "third_person_text",
]
