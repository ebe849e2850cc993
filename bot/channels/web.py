"""Rasa channel for the website chat widget (credentials.yml: `bot.channels.web.WebInput`).

Routes live under /webhooks/web/: the widget's files and a demo page, and a small JSON API.
Every API call but /session carries the token /session issued, and the session id inside it is
the Rasa sender id, so one visitor cannot read another's conversation. Calls are POSTs with a
text/plain JSON body holding the token: "simple" requests in CORS terms, so a widget embedded on
another origin needs no preflight (Rasa's own CORS layer answers every OPTIONS itself).
Each handler is a plain coroutine returning (status, body), so unit tests need no HTTP server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.web_history import MAX_DISPLAY, bot_messages, visible_messages
from bot.channels.web_outbox import latest_id, wait_for_updates
from bot.channels.web_session import Sessions, load_secret
from bot.settings import env, env_int

logger = logging.getLogger(__name__)

CHANNEL_NAME = "web"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_TEXT = 4000  # characters a visitor may send in one message
MAX_BODY = 64 * 1024  # bytes of JSON: MAX_TEXT characters even when \u-escaped, plus the envelope
CONFIG_MARKER = "/*CONFIG*/{}"

Ask = Callable[[str, str, dict[str, Any]], Awaitable[list[dict[str, Any]]]]
Result = tuple[int, dict[str, Any]]


def widget_config(locale: str | None = None) -> dict[str, Any]:
    """What the widget needs before its first request: the crisis link of the operator's locale."""
    from bot.safety.resources import crisis_link

    label, href = crisis_link(locale)
    return {"crisis": {"label": label, "href": href}, "maxText": MAX_TEXT}


@lru_cache(maxsize=8)
def static_file(name: str) -> str:
    """widget.js with the config written in (one request fewer, and the crisis link shows even
    if later calls fail), or another static file as is."""
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    if name == "widget.js":
        # ensure_ascii keeps U+2028 and friends out of the script source.
        text = text.replace(CONFIG_MARKER, json.dumps(widget_config(), ensure_ascii=True), 1)
    return text


def parse_body(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def session_reply(sessions: Sessions) -> Result:
    _, token = sessions.issue()
    return 200, {"token": token, "cursor": 0}


def token_of(data: dict[str, Any] | None) -> str | None:
    value = (data or {}).get("token")
    return value if isinstance(value, str) else None


async def message_reply(sessions: Sessions, body: bytes, ask: Ask) -> Result:
    """One visitor message: checked, handed to Rasa, and answered with the bot's messages."""
    if len(body) > MAX_BODY:
        return 413, {"error": "message too long", "max": MAX_TEXT}
    data = parse_body(body)
    if data is None:
        return 400, {"error": "expected a JSON object"}
    sender_id = sessions.verify(token_of(data))
    if sender_id is None:
        return 401, {"error": "unknown session"}
    if not isinstance(data.get("text"), str):
        return 400, {"error": "expected JSON with a text field"}
    text = data["text"].strip()
    if not text:
        return 400, {"error": "empty message"}
    if len(text) > MAX_TEXT:
        return 413, {"error": "message too long", "max": MAX_TEXT}
    metadata: dict[str, Any] = {}
    display = data.get("display")
    if isinstance(display, str) and display.strip():
        metadata["display"] = display.strip()[:MAX_DISPLAY]
    try:
        sent = await ask(sender_id, text, metadata)
    except Exception:
        logger.exception("web message for %s failed", sender_id)
        return 500, {"error": "the assistant could not answer; please try again"}
    messages: list[dict[str, Any]] = []
    for item in sent:
        messages.extend(bot_messages(str(item.get("text") or ""), item.get("buttons")))
    return 200, {"messages": messages}


async def history_reply(
    sessions: Sessions, token: str | None, events: Callable[[str], Awaitable[list[dict]]]
) -> Result:
    sender_id = sessions.verify(token)
    if sender_id is None:
        return 401, {"error": "unknown session"}
    visible = visible_messages(await events(sender_id))
    cursor = await asyncio.to_thread(latest_id, sender_id)
    return 200, {"messages": visible, "cursor": cursor}


async def updates_reply(
    sessions: Sessions, token: str | None, after: Any, timeout: float
) -> Result:
    sender_id = sessions.verify(token)
    if sender_id is None:
        return 401, {"error": "unknown session"}
    try:
        cursor = max(0, int(after or 0))
    except (TypeError, ValueError):
        return 400, {"error": "after must be an integer"}
    found = await wait_for_updates(sender_id, cursor, timeout)
    if found:
        cursor = found[-1]["id"]
    messages = [{"role": item["role"], "text": item["text"]} for item in found]
    return 200, {"messages": messages, "cursor": cursor}


async def forget_reply(sessions: Sessions, token: str | None) -> Result:
    """Erase the visitor's conversation and anything else stored under their session."""
    sender_id = sessions.verify(token)
    if sender_id is None:
        return 401, {"error": "unknown session"}

    def erase() -> int:
        from bot.store.db import session_scope
        from bot.store.erasure import erase_sender

        with session_scope() as session:
            return erase_sender(session, sender_id)

    removed = await asyncio.to_thread(erase)
    logger.info("web session erased on request (%s rows)", removed)
    return 200, {"ok": True}


def allowed_origin(origin: str | None, allowed: str) -> str | None:
    """The Access-Control-Allow-Origin value for a request, if its origin may embed the widget.
    Tokens travel in a header, never a cookie, so '*' does not expose one visitor to another."""
    if not origin:
        return None
    names = [name.strip().rstrip("/") for name in allowed.split(",") if name.strip()]
    if "*" in names:
        return "*"
    return origin if origin.rstrip("/") in names else None


class WebInput(InputChannel):
    def __init__(self, sessions: Sessions | None = None) -> None:
        self.sessions = sessions or Sessions(load_secret())
        self.origins = env("WIDGET_ORIGINS", "*")
        self.poll_timeout = float(env_int("WIDGET_POLL_SECONDS", 25))

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebInput:
        # The signing key comes from the environment or var/; credentials.yml holds no secret.
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        web = Blueprint("web_widget", __name__)
        sessions = self.sessions

        async def ask(sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(
                    text, collector, sender_id, input_channel=CHANNEL_NAME, metadata=metadata
                )
            )
            return collector.messages

        def reply(request: Request, status: int, body: dict[str, Any]) -> HTTPResponse:
            headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
            origin = allowed_origin(request.headers.get("origin"), self.origins)
            if origin:
                headers["Access-Control-Allow-Origin"] = origin
            return response.json(body, status=status, headers=headers)

        def static(name: str, content_type: str, extra: dict[str, str] | None = None) -> Any:
            async def serve(_: Request) -> HTTPResponse:
                headers = {"Cache-Control": "public, max-age=300", **(extra or {})}
                headers["X-Content-Type-Options"] = "nosniff"
                return response.text(static_file(name), content_type=content_type, headers=headers)

            return serve

        web.add_route(static("widget.js", "application/javascript; charset=utf-8"), "/widget.js")
        web.add_route(static("widget.css", "text/css; charset=utf-8"), "/widget.css")
        demo_csp = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        )
        web.add_route(
            static("demo.html", "text/html; charset=utf-8", {"Content-Security-Policy": demo_csp}),
            "/demo",
        )

        @web.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return reply(request, 200, {"status": "ok"})

        @web.route("/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            return reply(request, *session_reply(sessions))

        @web.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            return reply(request, *await message_reply(sessions, request.body, ask))

        @web.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            async def events(sender_id: str) -> list[dict]:
                tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
                return [event.as_dict() for event in tracker.events] if tracker else []

            token = token_of(parse_body(request.body))
            return reply(request, *await history_reply(sessions, token, events))

        @web.route("/updates", methods=["POST"])
        async def updates(request: Request) -> HTTPResponse:
            data = parse_body(request.body) or {}
            result = await updates_reply(
                sessions, token_of(data), data.get("after"), self.poll_timeout
            )
            return reply(request, *result)

        @web.route("/forget", methods=["POST"])
        async def forget(request: Request) -> HTTPResponse:
            token = token_of(parse_body(request.body))
            return reply(request, *await forget_reply(sessions, token))

        return web
