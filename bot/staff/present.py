"""Small formatting helpers shared by pages and exports."""

from __future__ import annotations

import datetime as dt


def mask_contact(contact: str | None) -> str:
    """Enough to recognise a lead in a list, not enough to call or mail them."""
    if not contact:
        return ""
    contact = contact.strip()
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}•••@{domain[:1]}•••"
    digits = [c for c in contact if c.isdigit()]
    return "•••" + "".join(digits[-2:]) if digits else "•••"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name.strip()[:1] + "•••"


def when(epoch: float | None) -> str:
    if not epoch:
        return ""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def when_dt(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""
