"""Property tests on the channel parsers: whatever bytes arrive, the answer is a 2xx or a 4xx.

A 5xx (or an exception that Sanic turns into one) tells a sender to retry, and Telegram would
resend the same poisonous update forever. Bodies come from hypothesis: arbitrary bytes, arbitrary
JSON, and JSON shaped like the real thing with fields of the wrong type.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.rest_guard import MAX_TEXT as REST_MAX_TEXT
from bot.channels.rest_guard import check as check_rest
from bot.channels.telegram import MalformedUpdate, parse_update, process_webhook
from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_handle import UpdateHandler
from bot.channels.web import MAX_TEXT, message_reply, parse_body
from bot.channels.web_session import Sessions
from tests.support.telegram_double import TelegramDouble

SECRET = "fuzz-secret_0123456789"
SESSIONS = Sessions(b"fuzz-key")
_, TOKEN = SESSIONS.issue()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# Scalars of every JSON type, for putting the wrong type where a field belongs.
any_scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
ugly_text = st.text() | st.sampled_from(
    ["", " ", "\u202e\u05e9\u05dc\u05d5\u05dd", "🙂" * 50, "<script>x</script>", "'; DROP--"]
)


def encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


# -- web widget ----------------------------------------------------------------------------


@settings(deadline=None)
@given(st.binary(max_size=2048))
def test_web_parse_body_returns_a_dict_or_none(body: bytes) -> None:
    parsed = parse_body(body)
    assert parsed is None or isinstance(parsed, dict)


def web_bodies() -> st.SearchStrategy[bytes]:
    shaped = st.fixed_dictionaries(
        {"token": st.just(TOKEN) | any_scalar, "text": ugly_text | any_scalar},
        optional={"display": any_scalar},
    ).map(encoded)
    return st.binary(max_size=4096) | json_values.map(encoded) | shaped


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(web_bodies())
def test_web_message_answers_4xx_or_passes_clean_text(body: bytes) -> None:
    asked: list[str] = []

    async def ask(sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        asked.append(text)
        return [{"text": "ok"}]

    status, answer = asyncio.run(message_reply(SESSIONS, body, ask))
    assert status == 200 or 400 <= status < 500, (status, answer)
    if status == 200:
        assert len(asked) == 1
        assert asked[0] == asked[0].strip() and 0 < len(asked[0]) <= MAX_TEXT
    else:
        assert asked == [] and "error" in answer


def test_web_message_over_the_limit_is_413_not_passed_on() -> None:
    async def ask(*_: Any) -> list[dict]:
        raise AssertionError("must not reach Rasa")

    body = encoded({"token": TOKEN, "text": "x" * (MAX_TEXT + 1)})
    assert asyncio.run(message_reply(SESSIONS, body, ask))[0] == 413
    assert asyncio.run(message_reply(SESSIONS, b"x" * 200_000, ask))[0] == 413


# -- telegram webhook ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def handler(double: TelegramDouble) -> UpdateHandler:
    config = TelegramSettings(double.token, SECRET, double.base_url, "http://127.0.0.1:9", 1, 1)
    bot = make_bot(config)

    async def ask(sender: str, text: str, _: dict[str, Any]) -> None:
        return None  # Rasa's side is not under test here, only the parsing in front of it

    return UpdateHandler(bot, ask)


@settings(deadline=None)
@given(st.binary(max_size=2048))
def test_parse_update_reads_or_refuses_any_bytes(body: bytes) -> None:
    bot = make_bot(TelegramSettings("1:fuzz", SECRET, "http://127.0.0.1:9/bot", "", 1, 1))
    with contextlib.suppress(MalformedUpdate):
        parsed = parse_update(body, bot)
        assert parsed is None or parsed.update_id == json.loads(body)["update_id"]


def telegram_bodies() -> st.SearchStrategy[bytes]:
    chat = st.fixed_dictionaries(
        {"id": st.integers(1, 10**9) | any_scalar, "type": st.just("private") | any_scalar}
    )
    message = st.fixed_dictionaries(
        {
            "message_id": st.integers(1, 10**6) | any_scalar,
            "date": st.integers(0, 2**31) | any_scalar,
            "chat": chat | any_scalar,
        },
        optional={"text": ugly_text | any_scalar, "from": json_values},
    )
    update = st.fixed_dictionaries(
        {"update_id": st.integers(1, 2**31)},
        optional={"message": message | json_values, "callback_query": json_values},
    ).map(encoded)
    return st.binary(max_size=2048) | json_values.map(encoded) | update


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(telegram_bodies())
def test_telegram_webhook_answers_2xx_or_4xx(handler: UpdateHandler, body: bytes) -> None:
    status, answer = asyncio.run(process_webhook(handler, SECRET, SECRET, body))
    assert status in (200, 400), (status, answer, body[:200])


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=64), st.binary(max_size=256))
def test_telegram_webhook_without_the_secret_is_401(
    handler: UpdateHandler, given_secret: str, body: bytes
) -> None:
    if given_secret == SECRET:
        return
    status, _ = asyncio.run(process_webhook(handler, SECRET, given_secret, body))
    assert status == 401


# -- REST guard ----------------------------------------------------------------------------


def rest_bodies() -> st.SearchStrategy[bytes]:
    shaped = st.fixed_dictionaries(
        {},
        optional={
            "sender": st.text(max_size=300) | any_scalar,
            "message": ugly_text | any_scalar | json_values,
            "metadata": json_values,
            "input_channel": any_scalar,
        },
    ).map(encoded)
    return st.binary(max_size=4096) | json_values.map(encoded) | shaped


@settings(max_examples=400, deadline=None)
@given(rest_bodies())
def test_rest_guard_passes_only_what_rasa_can_take(body: bytes) -> None:
    refused = check_rest(body)
    if refused is not None:
        status, answer = refused
        assert 400 <= status < 500 and "error" in answer
        return
    data = json.loads(body)  # what Rasa's RestInput will read with request.json.get(...)
    assert isinstance(data["sender"], str) and data["sender"].strip()
    assert isinstance(data["message"], str) and len(data["message"].strip()) > 0
    assert len(data["message"]) <= REST_MAX_TEXT
    assert data.get("metadata") is None or isinstance(data["metadata"], dict)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"null", 400),
        (b"[]", 400),
        (b'"hi"', 400),
        (b'{"message": "hi"}', 400),
        (b'{"sender": "a", "message": 42}', 400),
        (b'{"sender": "a", "message": "  "}', 400),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', 400),
        (encoded({"sender": "a", "message": "x" * 4001}), 413),
        (b"x" * 70_000, 413),
    ],
)
def test_rest_guard_refuses_with_a_clear_status(body: bytes, status: int) -> None:
    refused = check_rest(body)
    assert refused is not None and refused[0] == status


def test_rest_guard_lets_a_good_message_through() -> None:
    assert check_rest(encoded({"sender": "a", "message": "😭 אני", "metadata": {}})) is None


@pytest.mark.xfail(
    strict=True,
    reason="the Telegram channel passes any length to Rasa: a forged 100 kB update (the secret "
    "is needed) ties a replica up for minutes; proposed: refuse text over Telegram's 4096",
)
def test_telegram_passes_at_most_4096_characters_to_rasa(double: TelegramDouble) -> None:
    config = TelegramSettings(double.token, SECRET, double.base_url, "http://127.0.0.1:9", 1, 1)
    asked: list[str] = []

    async def ask(sender: str, text: str, _: dict[str, Any]) -> None:
        asked.append(text)

    handler = UpdateHandler(make_bot(config), ask)
    body = encoded(double.user_message(777, "help " * 20_480))
    status, _ = asyncio.run(process_webhook(handler, SECRET, SECRET, body))
    assert status == 200
    assert all(len(text) <= 4096 for text in asked)
