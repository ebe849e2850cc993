"""Support for the staff-console tests and benchmark (no tests here): realistic Rasa event rows,
the console as a real process on a loopback port, and an HTTP client that logs in and carries
the CSRF token the way a browser would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import ROOT, Process, free_port, wait_for_http

MODEL_ID = "45eacbc4242e43ae9d65a02e3cd16cdc"
META = {"model_id": MODEL_ID, "assistant_id": "recovery-support-bot"}
PASSWORD = "correct-horse-battery"


def _row(sender: str, type_name: str, ts: float, data: dict, intent=None, action=None) -> dict:
    return {
        "sender_id": sender,
        "type_name": type_name,
        "timestamp": ts,
        "intent_name": intent,
        "action_name": action,
        "data": json.dumps({"event": type_name, "timestamp": ts, "metadata": META, **data}),
    }


def user_row(
    sender: str,
    ts: float,
    text: str,
    intent: str,
    confidence: float,
    channel: str = "rest",
    safety: dict | None = None,
) -> dict:
    parse: dict[str, Any] = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "text": text,
        "message_id": f"m{ts}",
        "metadata": {},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    if safety:
        parse["safety"] = safety
    data = {"text": text, "parse_data": parse, "input_channel": channel, "message_id": f"m{ts}"}
    return _row(sender, "user", ts, data, intent=intent)


def action_row(sender: str, ts: float, name: str) -> dict:
    return _row(
        sender, "action", ts, {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name
    )


def bot_row(sender: str, ts: float, text: str, utter: str | None = None) -> dict:
    meta = {"utter_action": utter, **META} if utter else META
    row = _row(sender, "bot", ts, {"text": text, "data": {}})
    data = json.loads(row["data"])
    data["metadata"] = meta
    row["data"] = json.dumps(data)
    return row


def slot_row(sender: str, ts: float, name: str, value: Any) -> dict:
    return _row(sender, "slot", ts, {"name": name, "value": value}, action=name)


def session_rows(sender: str, ts: float) -> list[dict]:
    return [
        action_row(sender, ts, "action_session_start"),
        _row(sender, "session_started", ts, {}),
        action_row(sender, ts, "action_listen"),
    ]


def question_turn(sender: str, ts: float, text: str, passage: str, channel: str = "rest") -> list:
    return [
        user_row(sender, ts, text, "ask_what_is_heroin", 0.97, channel),
        action_row(sender, ts + 0.1, "action_answer_question"),
        bot_row(sender, ts + 0.11, "Heroin is a dangerous and addictive drug."),
        bot_row(sender, ts + 0.12, 'Source: Oasis Recovery, "Can Heroin REALLY Cause Depression?"'),
        slot_row(sender, ts + 0.13, "last_topic", "what_is_heroin"),
        slot_row(sender, ts + 0.14, "last_passage_id", passage),
        action_row(sender, ts + 0.15, "action_listen"),
    ]


def crisis_turn(sender: str, ts: float, text: str = "I want to kill myself") -> list:
    safety = {
        "level": "crisis",
        "category": "suicidal",
        "reason": "kill_self: 'kill myself'",
        "third_person": False,
        "source": "screen",
    }
    return [
        user_row(sender, ts, text, "crisis", 1.0, safety=safety),
        slot_row(sender, ts + 0.01, "safety_level", "crisis"),
        slot_row(sender, ts + 0.02, "safety_reason", "suicidal: kill_self: 'kill myself'"),
        action_row(sender, ts + 0.03, "utter_crisis"),
        bot_row(sender, ts + 0.04, "You can call or text 988.", "utter_crisis"),
        action_row(sender, ts + 0.05, "action_listen"),
    ]


def refusal_turn(sender: str, ts: float, text: str = "what's the weather") -> list:
    return [
        user_row(sender, ts, text, "out_of_scope", 0.41),
        action_row(sender, ts + 0.01, "utter_out_of_scope"),
        bot_row(sender, ts + 0.02, "I can only quote my source articles.", "utter_out_of_scope"),
        action_row(sender, ts + 0.03, "action_listen"),
    ]


def create_events_table(engine) -> None:  # type: ignore[no-untyped-def]
    from bot.store.transcripts import EVENTS

    EVENTS.metadata.create_all(engine)


def insert_events(engine, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    from bot.store.transcripts import EVENTS

    with engine.begin() as connection:
        connection.execute(EVENTS.insert(), rows)


@dataclass
class Console:
    """`python -m bot staff` on a free loopback port against one database."""

    workdir: Path
    database_url: str
    rasa_url: str = "http://127.0.0.1:9"
    rasa_token: str = "test-token"
    port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "STAFF_PORT": str(self.port),
            "BOT_VAR_DIR": str(self.workdir),
            "SESSION_SECRET": "test-session-secret-" + "x" * 24,
            "RASA_URL": self.rasa_url,
            "RASA_API_TOKEN": self.rasa_token,
            "RASA_TELEMETRY_ENABLED": "false",
        }

    def cli(self, *argv: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *argv],
            cwd=ROOT,
            env={**self.env, "STAFF_PASSWORD": password},
            capture_output=True,
            text=True,
            check=False,
        )

    def add_user(self, username: str, role: str, password: str = PASSWORD) -> None:
        result = self.cli("staff-user", "create", username, "--role", role, password=password)
        assert result.returncode == 0, result.stderr

    def start(self) -> Console:
        self.process = Process(
            "staff",
            [sys.executable, "-m", "bot", "staff"],
            self.env,
            self.workdir / f"staff-{self.port}.log",
        )
        self.process.start()
        wait_for_http(f"{self.url}/login", 60, self.process.popen)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def client(self) -> StaffClient:
        return StaffClient(httpx.Client(base_url=self.url, timeout=30))


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class StaffClient:
    http: httpx.Client

    def csrf(self) -> str:
        token = self.http.cookies.get("staff_csrf")
        if token is None:
            page = self.http.get("/login")
            token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
        return token

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.post("/login", {"username": username, "password": password})

    def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf(), **(data or {})})

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)
