"""Rasa's REST channel with its input checked first.

credentials.yml: `bot.channels.rest_guard.GuardedRestInput:` in place of `rest:`.

Rasa 3.6's own REST channel answers 500 to an empty body or a JSON array, string or null
(it calls `.get` on whatever the JSON was), and answers 200 with no messages at all when
`message` is a number, a list, an object or null (the exception is swallowed and the text is
logged at ERROR). A sender left out joins everyone else in the one "default" conversation.
Here each of those gets a clear 4xx before Rasa sees it; a good request goes on unchanged to
the same URL, /webhooks/rest/webhook.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_TEXT = 4000  # characters; the widget's limit too, so every channel says the same
MAX_SENDER = 255  # Rasa's events.sender_id column
MAX_BODY = 64 * 1024


def check(body: bytes) -> tuple[int, dict[str, Any]] | None:
    """None when Rasa's REST channel can take the body as it is, else (status, JSON error)."""
    if len(body) > MAX_BODY:
        return 413, {"error": "request too large", "max_text": MAX_TEXT}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return 400, {"error": "expected a JSON object with sender and message"}
    if not isinstance(data, dict):
        return 400, {"error": "expected a JSON object with sender and message"}
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return 400, {"error": "sender must be a non-empty string"}
    if len(sender) > MAX_SENDER:
        return 400, {"error": f"sender must be at most {MAX_SENDER} characters"}
    message = data.get("message")
    if not isinstance(message, str):
        return 400, {"error": "message must be a string"}
    if not message.strip():
        return 400, {"error": "empty message"}
    if len(message) > MAX_TEXT:
        return 413, {"error": "message too long", "max_text": MAX_TEXT}
    if data.get("metadata") is not None and not isinstance(data["metadata"], dict):
        return 400, {"error": "metadata must be an object"}
    channel = data.get("input_channel")
    if channel is not None and not isinstance(channel, str):
        return 400, {"error": "input_channel must be a string"}
    return None


class GuardedRestInput(RestInput):
    """Same name and URL as Rasa's REST channel; only the checks in front are new."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = super().blueprint(on_new_message)

        @hook.middleware("request")
        async def guard(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            refused = check(request.body or b"")
            if refused is None:
                return None
            return response.json(refused[1], status=refused[0])

        return hook
