"""A test double of the Telegram Bot API: a real HTTP server on 127.0.0.1.

The bot reaches it through TELEGRAM_API_URL (python-telegram-bot's `base_url`), so tests drive
the same code a real deployment runs. It answers the methods the bot uses, records every call,
queues updates for getUpdates, and can answer a method with a flood-control error (429).
python-telegram-bot posts form-encoded bodies whose non-string values are JSON; both that and
JSON bodies are accepted.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Recovery Helper", "username": "help_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


def _decode_value(value: str) -> Any:
    """Form values arrive as strings; objects, arrays and numbers arrive JSON-encoded."""
    if value[:1] in "[{" or value.lstrip("-").isdigit() or value in ("true", "false"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        return json.loads(body)
    form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
    return {key: _decode_value(values[-1]) for key, values in form.items()}


@dataclass
class TelegramDouble:
    token: str = "123456:TEST-token"
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    floods: dict[str, list[int]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> TelegramDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = double.answer(
                    self.path, self.headers.get("Content-Type", ""), body
                )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- what tests set up -----------------------------------------------------------------
    def flood(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 Too Many Requests."""
        with self._lock:
            self.floods.setdefault(method, []).extend([retry_after] * times)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            update = {**update, "update_id": next(self._update_ids)}
            self.updates.append(update)
            self._lock.notify_all()
        return update

    def user_message(self, chat_id: int, text: str, chat_type: str = "private") -> dict[str, Any]:
        """An update as Telegram sends it when a user writes `text`."""
        return {
            "update_id": next(self._update_ids),
            "message": self.message(chat_id, text, chat_type),
        }

    def message(
        self, chat_id: int, text: str | None = None, chat_type: str = "private", **extra: Any
    ) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Sam"
        else:
            chat["title"] = "A group"
            user["id"] = 777
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return message

    def button_press(self, sent: Call, data: str, chat_id: int | None = None) -> dict[str, Any]:
        """An update for a user pressing a button with `data` on a message the bot sent."""
        chat = int(sent.params["chat_id"]) if chat_id is None else chat_id
        message = self.sent_message(sent)
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cb{next(self._message_ids)}",
                "from": {"id": chat, "is_bot": False, "first_name": "Sam"},
                "chat_instance": "ci-1",
                "message": message,
                "data": data,
            },
        }

    # -- what tests check ------------------------------------------------------------------
    def calls_of(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
            ]

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.calls_of("sendMessage", chat_id)]

    def wait_for(self, predicate: Callable[[TelegramDouble], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate(self)
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")

    def wait_for_text(self, chat_id: int | str, needle: str, timeout: float = 60.0) -> Call:
        def found(double: TelegramDouble) -> Call | None:
            for call in double.calls_of("sendMessage", chat_id):
                if needle.lower() in str(call.params.get("text", "")).lower():
                    return call
            return None

        return self.wait_for(found, timeout)

    def sent_message(self, call: Call) -> dict[str, Any]:
        """The Message object the double returned for a sendMessage call."""
        return call.params["_result"]

    # -- the API ---------------------------------------------------------------------------
    def answer(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :].split("?")[0]
        try:
            params = parse_body(content_type, body)
        except ValueError:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._lock:
            pending = self.floods.get(method)
            if pending:
                retry_after = pending.pop(0)
                self.calls.append(Call(method, {**params, "_flooded": True}))
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}
        status, result = handler(params)
        with self._lock:
            self.calls.append(Call(method, {**params, "_result": result}))
            self._lock.notify_all()
        if status != 200:
            return status, {"ok": False, "error_code": status, "description": str(result)}
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 5.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            self.calls.append(Call("getUpdates", params))
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
                self._lock.wait(max(deadline - time.monotonic(), 0.01))

    def _getMe(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, BOT_USER

    def _sendMessage(self, params: dict[str, Any]) -> tuple[int, Any]:
        text = str(params.get("text", ""))
        if not text or len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, "Bad Request: message text is empty or too long"
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return 200, message

    def _sendChatAction(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    def _answerCallbackQuery(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    def _setWebhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = dict(params)
        return 200, True

    def _deleteWebhook(self, _: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = {}
        return 200, True
