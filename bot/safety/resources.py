"""Crisis resources by locale, and the deterministic texts the bot sends in a crisis.

Data lives in data/safety/resources.yml. Texts follow safe-messaging guidance: concrete ways
to reach a person now, that help works and they deserve it, no method detail, short and warm.
Every renderer is pure and deterministic for a given locale.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.settings import SAFETY_DIR, crisis_locale, load_yaml

logger = logging.getLogger(__name__)

RESOURCES_FILE = SAFETY_DIR / "resources.yml"
DEFAULT_LOCALE = "US"


@dataclass(frozen=True)
class Service:
    id: str
    role: str
    name: str
    call: str = ""
    text: str = ""
    text_keyword: str = ""
    chat: str = ""
    note: str = ""
    hours: str = ""


@dataclass(frozen=True)
class Resources:
    locale: str
    name: str
    emergency: tuple[str, ...]
    services: tuple[Service, ...]

    def by_role(self, role: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.role == role)

    @property
    def crisis_line(self) -> Service | None:
        lines = self.by_role("crisis_line")
        return lines[0] if lines else None

    @property
    def emergency_phrase(self) -> str:
        """'911', or '112 or 999' when a country has more than one."""
        return " or ".join(self.emergency)


def tel_href(number: str) -> str:
    """'1-800-662-4357' -> 'tel:18006624357'."""
    return "tel:" + re.sub(r"[^0-9+]", "", number)


def sms_href(number: str) -> str:
    return "sms:" + re.sub(r"[^0-9+]", "", number)


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    data = load_yaml(RESOURCES_FILE) or {}
    return {str(k).upper(): v for k, v in data.items()}


def available_locales() -> tuple[str, ...]:
    return tuple(sorted(_raw()))


@lru_cache(maxsize=16)
def _build(code: str) -> Resources:
    entry = _raw()[code]
    services = tuple(
        Service(**{k: str(v) for k, v in item.items()}) for item in entry.get("resources", [])
    )
    return Resources(
        locale=code,
        name=str(entry.get("name", code)),
        emergency=tuple(str(n) for n in entry.get("emergency", [])),
        services=services,
    )


def load_resources(locale: str | None = None) -> Resources:
    """Resources for a locale; default is the operator's crisis_locale(); unknown -> US."""
    code = (locale or crisis_locale() or DEFAULT_LOCALE).strip().upper()
    if code not in _raw():
        logger.warning("unknown crisis locale %r, falling back to %s", code, DEFAULT_LOCALE)
        code = DEFAULT_LOCALE
    return _build(code)


def _chat_label(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def how_to_reach(service: Service) -> str:
    """'call or text 988, or chat at 988lifeline.org' - the ways to reach one service."""
    ways: list[str] = []
    if service.call and service.text and service.call == service.text and not service.text_keyword:
        ways.append(f"call or text {service.call}")
    else:
        if service.call:
            ways.append(f"call {service.call}")
        if service.text and service.text_keyword:
            ways.append(f"text {service.text_keyword} to {service.text}")
        elif service.text:
            ways.append(f"text {service.text}")
    if service.chat:
        ways.append(f"chat at {_chat_label(service.chat)}")
    if len(ways) <= 1:
        return "".join(ways)
    return ", ".join(ways[:-1]) + " or " + ways[-1]


def _line_sentence(res: Resources) -> str:
    """The main crisis-line sentence, plus a text line when the locale has one."""
    line = res.crisis_line
    parts: list[str] = []
    if line is not None:
        parts.append(f"You can {how_to_reach(line)} ({line.name}), any time, day or night.")
    for text_line in res.by_role("text_line")[:1]:
        parts.append(f"If texting is easier, {how_to_reach(text_line)}.")
    return " ".join(parts)


def _resources(locale: str | None) -> Resources:
    return load_resources(locale)


def crisis_text(locale: str | None = None) -> str:
    """For someone with thoughts of suicide, self-harm or an intentional overdose."""
    res = _resources(locale)
    return (
        "I'm an automated assistant, and I'm really glad you told me. "
        "What you're going through matters, and you deserve support right now. "
        f"{_line_sentence(res)} "
        "If you might act on these thoughts soon or you are in danger, "
        f"call {res.emergency_phrase}. "
        "Talking to someone really can help. I'm here with you too."
    )


def third_person_text(locale: str | None = None) -> str:
    """For someone worried about another person who may be at risk."""
    res = _resources(locale)
    line = res.crisis_line
    together = (
        f"You can {how_to_reach(line)} ({line.name}) together, or for advice yourself."
        if line
        else ""
    )
    return (
        "I'm an automated assistant. Thank you for reaching out for them; that matters. "
        f"If they are in immediate danger, call {res.emergency_phrase}. "
        "If you can, stay with them, and if it is safe to do so, move pills, drugs or "
        f"anything they could hurt themselves with out of reach. {together} "
        "Help works, and you don't have to handle this alone."
    ).replace("  ", " ")


def emergency_text(locale: str | None = None) -> str:
    """Overdose happening now. The first line names the emergency number, before anything else."""
    res = _resources(locale)
    line = res.crisis_line
    after = f"\nAfterwards, you can {how_to_reach(line)} ({line.name}) for support." if line else ""
    return (
        f"Call {res.emergency_phrase} now. This is an emergency.\n"
        "Stay with the person and don't leave them alone. "
        "Give naloxone (Narcan) if you have it; a second dose can be given after 2-3 minutes "
        "if they don't respond. "
        "Keep them breathing: if they are breathing, roll them onto their side in the "
        "recovery position. Follow what the dispatcher tells you."
        f"{after}"
    )


def danger_at_home_text(locale: str | None = None) -> str:
    """Someone is afraid of being hurt by a person at home."""
    res = _resources(locale)
    dv = res.by_role("dv")
    dv_sentence = f"You can reach the {dv[0].name}: {how_to_reach(dv[0])}, any time." if dv else ""
    line = res.crisis_line
    line_sentence = f"You can also {how_to_reach(line)} ({line.name})." if line else ""
    return " ".join(
        p
        for p in (
            "I'm an automated assistant, and I'm glad you told me. "
            f"If you are in immediate danger, call {res.emergency_phrase} now.",
            "If you can, get to a safer place or near other people.",
            dv_sentence,
            line_sentence,
            "You deserve to be safe.",
        )
        if p
    )


def harm_to_others_text(locale: str | None = None) -> str:
    """Someone says they may hurt another person."""
    res = _resources(locale)
    line = res.crisis_line
    line_sentence = (
        f"You can {how_to_reach(line)} ({line.name}) and talk it through with someone now."
        if line
        else ""
    )
    return " ".join(
        p
        for p in (
            "I'm an automated assistant, and I'm glad you said something. "
            "If you can, step away from the situation and the person for now, "
            "and put distance between you and anything you could use to hurt someone.",
            f"If anyone is in immediate danger, call {res.emergency_phrase}.",
            line_sentence,
            "Strong feelings like this can pass with support.",
        )
        if p
    )


def not_safe_text(locale: str | None = None) -> str:
    """The user said they are not safe right now."""
    res = _resources(locale)
    line = res.crisis_line
    line_sentence = f"Or {how_to_reach(line)} ({line.name}) right now." if line else ""
    return " ".join(
        p
        for p in (
            f"Please call {res.emergency_phrase} now, or go to the nearest emergency department.",
            line_sentence,
            "If you can, stay near someone you trust and away from anything you could use to "
            "hurt yourself. You deserve help, and it is there for you.",
        )
        if p
    )


def concern_text(locale: str | None = None) -> str:
    """A gentle check-in, for statements like 'I'm not going to kill myself'."""
    res = _resources(locale)
    line = res.crisis_line
    line_sentence = (
        f"If that changes, or you just want to talk to someone, you can {how_to_reach(line)} "
        f"({line.name}), any time."
        if line
        else ""
    )
    return " ".join(
        p
        for p in (
            "Thank you for telling me. It sounds like things might be heavy right now.",
            line_sentence,
            "How are you doing at the moment?",
        )
        if p
    )


def checkin_text(locale: str | None = None) -> str:
    res = _resources(locale)
    line = res.crisis_line
    line_sentence = f"You can {how_to_reach(line)} ({line.name}) any time." if line else ""
    return " ".join(
        p
        for p in (
            "I'm still here with you. Are you safe right now?",
            line_sentence,
            f"If you're in danger, call {res.emergency_phrase}.",
        )
        if p
    )


def hotline_text(locale: str | None = None) -> str:
    """Every resource for the locale, one per line (for a /hotline command)."""
    res = _resources(locale)
    lines = [f"Emergency: call {res.emergency_phrase}"]
    for s in res.services:
        extra = f" ({s.note})" if s.note else ""
        hours = f", {s.hours}" if s.hours else ""
        lines.append(f"{s.name}: {how_to_reach(s)}{hours}{extra}")
    return "\n".join(lines)


def crisis_link(locale: str | None = None) -> tuple[str, str]:
    """A label and href for a persistent crisis button, e.g. ('In crisis? Call or text 988',
    'tel:988')."""
    res = _resources(locale)
    line = res.crisis_line
    if line is None or not line.call:
        number = res.emergency[0] if res.emergency else "911"
        return (f"In danger? Call {number}", tel_href(number))
    if line.text and line.text == line.call:
        return (f"In crisis? Call or text {line.call}", tel_href(line.call))
    return (f"In crisis? Call {line.name} {line.call}", tel_href(line.call))


RENDERERS = {
    "crisis": crisis_text,
    "third_person": third_person_text,
    "emergency": emergency_text,
    "danger_at_home": danger_at_home_text,
    "harm_to_others": harm_to_others_text,
    "not_safe": not_safe_text,
    "concern": concern_text,
    "checkin": checkin_text,
    "hotline": hotline_text,
}
