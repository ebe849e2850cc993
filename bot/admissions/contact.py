"""Validate and normalise what a person types into the callback form."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")
SKIP_WORDS = {"skip", "none", "no", "n/a", "na", "no insurance", "dont have", "don't have", "-"}
MAX_NAME = 60
MAX_FREE_TEXT = 120


@dataclass(frozen=True)
class Contact:
    value: str
    kind: str  # phone | email


def parse_contact(text: str) -> Contact | None:
    candidate = text.strip().strip(".,;")
    if EMAIL.match(candidate) and len(candidate) <= 254:
        return Contact(candidate.lower(), "email")
    if PHONE_CHARS.match(candidate):
        digits = re.sub(r"\D", "", candidate)
        if 7 <= len(digits) <= 15:
            prefix = "+" if candidate.startswith("+") else ""
            return Contact(prefix + digits, "phone")
    return None


def clean_name(text: str) -> str | None:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        return None
    if any(ch in name for ch in "<>{}"):
        return None
    return name


def clean_free_text(text: str) -> str | None:
    value = " ".join(text.split())
    return value[:MAX_FREE_TEXT] if value else None


def clean_insurance(text: str) -> str:
    value = " ".join(text.split())
    if value.lower().strip(".!") in SKIP_WORDS or not value:
        return "not given"
    return value[:MAX_FREE_TEXT]


def mask_contact(value: str) -> str:
    """For lists and logs: enough to recognise, not enough to use."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"***{value[-2:]}" if len(value) > 2 else "***"
