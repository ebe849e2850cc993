"""Telegram end to end: the trained bot behind our channel, talking to a Bot API double.

Rasa runs with TELEGRAM_API_URL pointing at the double on loopback. Polling tests run the real
`python -m bot telegram` poller; webhook tests POST updates to Rasa's Telegram webhook.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.channels import telegram_handle as th
from bot.knowledge.load import load_knowledge
from bot.safety.resources import crisis_text
from bot.store.db import make_engine, session_scope
from bot.store.outbox import queue_message
from tests.support.servers import MODEL, Process, RunningBot
from tests.support.telegram_double import TelegramDouble

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook-secret_0123456789"
WAIT = 90.0


def norm(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


@pytest.fixture(scope="module")
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def rasa(double: TelegramDouble, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does)")
    workdir = tmp_path_factory.mktemp("telegram")
    running = RunningBot(
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'bot.db'}",
        extra_env={
            "TELEGRAM_TOKEN": double.token,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_URL": double.base_url,
            "TELEGRAM_OUTBOX_INTERVAL_MS": "300",
        },
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def poller(rasa: RunningBot, double: TelegramDouble) -> Iterator[Process]:
    process = Process(
        "telegram",
        [sys.executable, "-m", "bot", "telegram"],
        {**rasa.env, "RASA_URL": rasa.url, "TELEGRAM_POLL_TIMEOUT": "1"},
        Path(rasa.workdir) / "telegram.log",
    )
    process.start()
    double.wait_for(lambda d: d.calls_of("getUpdates"), timeout=60)
    assert double.calls_of("deleteWebhook")  # polling clears any webhook first
    yield process
    process.stop()


def engine_for(rasa: RunningBot):  # type: ignore[no-untyped-def]
    return make_engine(rasa.database_url)


def events_for(rasa: RunningBot, sender: str) -> int:
    with engine_for(rasa).connect() as connection:
        query = text("SELECT COUNT(*) FROM events WHERE sender_id = :sender")
        return int(connection.execute(query, {"sender": sender}).scalar_one())


def replies_after(double: TelegramDouble, chat: int, count: int) -> list[str]:
    return double.texts_to(chat)[count:]


def wait_for_slot(rasa: RunningBot, sender: str, slot: str, timeout: float = WAIT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = rasa.tracker(sender).get("slots", {}).get(slot)
        if value:
            return str(value)
        time.sleep(0.3)
    raise AssertionError(f"slot {slot} never set for {sender}")


def assert_grounded(rasa: RunningBot, double: TelegramDouble, chat: int) -> None:
    passage_id = wait_for_slot(rasa, str(chat), "last_passage_id")
    passage = load_knowledge().passage(passage_id)
    assert passage is not None
    double.wait_for(lambda d: norm(passage.text) in norm(" ".join(d.texts_to(chat))), timeout=WAIT)


# -- polling ---------------------------------------------------------------------------------
def test_polling_question_gets_a_grounded_answer(
    poller: Process, rasa: RunningBot, double: TelegramDouble
) -> None:
    chat = 1001
    double.push_update(double.user_message(chat, "What is heroin withdrawal like?"))
    assert_grounded(rasa, double, chat)
    assert double.calls_of("sendChatAction", chat)  # typing showed while the bot worked


def test_polling_crisis_message_gets_the_crisis_reply(
    poller: Process, double: TelegramDouble
) -> None:
    chat = 1002
    double.push_update(double.user_message(chat, "I want to kill myself"))
    double.wait_for_text(chat, "988", timeout=WAIT)
    assert norm(crisis_text()) in [norm(t) for t in double.texts_to(chat)]


def test_polling_button_press_sends_its_payload(
    poller: Process, rasa: RunningBot, double: TelegramDouble
) -> None:
    chat = 1003
    double.push_update(double.user_message(chat, "/start"))
    double.wait_for_text(chat, "not a clinician", timeout=WAIT)
    with_buttons = double.wait_for(
        lambda d: [c for c in d.calls_of("sendMessage", chat) if c.params.get("reply_markup")],
        timeout=WAIT,
    )[-1]
    keyboard = with_buttons.params["reply_markup"]["inline_keyboard"]
    assert "/ask_withdrawal" in [row[0]["callback_data"] for row in keyboard]
    before = len(double.texts_to(chat))
    double.push_update(double.button_press(with_buttons, "/ask_withdrawal"))
    double.wait_for(lambda d: d.calls_of("answerCallbackQuery"), timeout=WAIT)
    double.wait_for(lambda d: replies_after(d, chat, before), timeout=WAIT)
    assert wait_for_slot(rasa, str(chat), "last_topic") == "withdrawal"
    assert_grounded(rasa, double, chat)


def test_polling_forget_erases_after_confirmation(
    poller: Process, rasa: RunningBot, double: TelegramDouble
) -> None:
    chat = 1004
    double.push_update(double.user_message(chat, "What is methadone?"))
    wait_for_slot(rasa, str(chat), "last_passage_id")
    assert events_for(rasa, str(chat)) > 0
    double.push_update(double.user_message(chat, "/forget"))
    confirm = double.wait_for_text(chat, th.FORGET_CONFIRM, timeout=WAIT)
    assert events_for(rasa, str(chat)) > 0  # nothing is erased before the person confirms
    double.push_update(double.button_press(confirm, th.FORGET_YES))
    double.wait_for_text(chat, th.FORGET_DONE, timeout=WAIT)
    assert events_for(rasa, str(chat)) == 0
    assert rasa.tracker(str(chat)).get("events") in ([], None) or all(
        e.get("event") != "user" for e in rasa.tracker(str(chat))["events"]
    )


def test_staff_messages_from_the_outbox_reach_the_chat(
    poller: Process, rasa: RunningBot, double: TelegramDouble
) -> None:
    chat = 1005
    with session_scope(engine_for(rasa)) as session:
        queue_message(session, str(chat), "telegram", "Hi, this is Dana from admissions.", "dana")
    double.wait_for_text(chat, "Dana from admissions", timeout=30)
    with engine_for(rasa).connect() as connection:
        delivered = connection.execute(
            text("SELECT delivered_at FROM outbox WHERE sender_id = :s"), {"s": str(chat)}
        ).scalar_one()
    assert delivered is not None


def test_polling_hotline_answers_from_the_resources(
    poller: Process, double: TelegramDouble
) -> None:
    chat = 1006
    double.push_update(double.user_message(chat, "/hotline"))
    assert double.wait_for_text(chat, "Emergency", timeout=WAIT).params["text"] == (
        th.hotline_message()
    )


# -- webhook ---------------------------------------------------------------------------------
def post_update(rasa: RunningBot, body: bytes, secret: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"{rasa.url}/webhooks/telegram/webhook", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_webhook_with_the_secret_gets_an_answer(rasa: RunningBot, double: TelegramDouble) -> None:
    chat = 2001
    body = json.dumps(double.user_message(chat, "What are the signs of depression?")).encode()
    assert post_update(rasa, body, SECRET) == (200, {"ok": True, "handled": "message"})
    assert_grounded(rasa, double, chat)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_webhook_without_the_secret_gets_401(
    rasa: RunningBot, double: TelegramDouble, secret: str | None
) -> None:
    chat = 2002
    body = json.dumps(double.user_message(chat, "hello")).encode()
    assert post_update(rasa, body, secret)[0] == 401
    time.sleep(0.5)
    assert double.texts_to(chat) == []
    assert events_for(rasa, str(chat)) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"message": {"text": "hi"}}'])
def test_webhook_malformed_body_gets_400(rasa: RunningBot, body: bytes) -> None:
    assert post_update(rasa, body, SECRET)[0] == 400
