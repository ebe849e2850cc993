"""The conversation a visitor sees after a reload, rebuilt from Rasa's tracker events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Longest label kept from a quick reply the visitor clicked (it arrives from the browser).
MAX_DISPLAY = 200


def split_parts(text: str) -> list[str]:
    """Rasa's CollectingOutputChannel sends a text as one message per paragraph; so do we."""
    return [part for part in text.strip().split("\n\n") if part.strip()]


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Only a title and a payload, both strings, reach the browser."""
    if not isinstance(buttons, list):
        return []
    cleaned = []
    for button in buttons:
        if isinstance(button, dict) and button.get("title") and button.get("payload"):
            cleaned.append({"title": str(button["title"]), "payload": str(button["payload"])})
    return cleaned


def bot_messages(text: str, buttons: Any, role: str = "bot") -> list[dict[str, Any]]:
    """One visible bubble per paragraph; quick replies go with the last one."""
    parts = split_parts(text)
    messages: list[dict[str, Any]] = [{"role": role, "text": part} for part in parts]
    cleaned = clean_buttons(buttons)
    if cleaned:
        if not messages:
            messages.append({"role": role, "text": ""})
        messages[-1]["buttons"] = cleaned
    return messages


def visible_messages(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """User and bot messages in order; staff replies are bot events marked by metadata."""
    messages: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        metadata = event.get("metadata") or {}
        if kind == "user" and event.get("text"):
            # A clicked quick reply is stored as its payload ("/ask_x"); show what was clicked.
            display = metadata.get("display") if isinstance(metadata, dict) else None
            text = str(display)[:MAX_DISPLAY] if display else str(event["text"])
            messages.append({"role": "user", "text": text})
        elif kind == "bot":
            staff = isinstance(metadata, dict) and bool(metadata.get("staff"))
            data = event.get("data") or {}
            messages.extend(
                bot_messages(
                    str(event.get("text") or ""),
                    data.get("buttons") if isinstance(data, dict) else None,
                    "staff" if staff else "bot",
                )
            )
    # Old quick replies are stale; only the latest bot message keeps its buttons.
    for message in messages[:-1]:
        message.pop("buttons", None)
    return messages
