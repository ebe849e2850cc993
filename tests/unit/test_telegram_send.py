"""Splitting, keyboards, flood-limit retries and typing, against the Bot API double."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_send import (
    PayloadRegistry,
    inline_keyboard,
    send_text,
    split_text,
    tg_len,
    typing,
    with_retry,
)
from tests.support.telegram_double import TelegramDouble


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


def bot_for(double: TelegramDouble):  # type: ignore[no-untyped-def]
    settings = TelegramSettings(double.token, "s", double.base_url, "http://127.0.0.1:9", 1, 0.1)
    return make_bot(settings)


def test_short_text_is_one_chunk() -> None:
    assert split_text("  Hello there.  ") == ["Hello there."]


def test_long_text_splits_at_paragraphs_first() -> None:
    first, second = "a" * 3000, "b" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]


def test_long_text_splits_at_sentences_before_words() -> None:
    sentence = "This is one sentence. "
    chunks = split_text(sentence * 400)
    assert len(chunks) > 1
    assert all(chunk.endswith(".") for chunk in chunks)
    assert all(tg_len(chunk) <= 4096 for chunk in chunks)


def test_unbroken_text_is_hard_cut() -> None:
    chunks = split_text("x" * 9000)
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_emoji_count_double_toward_the_limit() -> None:
    assert tg_len("😀") == 2
    chunks = split_text("😀" * 3000)
    assert all(tg_len(c) <= 4096 for c in chunks)
    assert "".join(chunks) == "😀" * 3000


@given(st.text(alphabet=st.sampled_from("ab .\n😀"), max_size=600), st.integers(20, 200))
def test_splitting_keeps_every_word_and_respects_the_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(0 < tg_len(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_buttons_become_an_inline_keyboard_one_per_row() -> None:
    markup = inline_keyboard(
        [
            {"title": "Withdrawal and mood", "payload": "/ask_withdrawal"},
            {"title": "Our site", "type": "web_url", "url": "https://example.org"},
        ]
    )
    assert markup is not None
    rows = markup.inline_keyboard
    assert rows[0][0].text == "Withdrawal and mood"
    assert rows[0][0].callback_data == "/ask_withdrawal"
    assert rows[1][0].url == "https://example.org"


def test_payloads_over_64_bytes_get_a_key_that_resolves_back() -> None:
    registry = PayloadRegistry()
    long_payload = '/inform{"best_time": "' + "evening " * 10 + '"}'
    data = registry.data_for(long_payload)
    assert len(data.encode()) <= 64
    assert registry.payload_for(data) == long_payload
    assert registry.payload_for("p:unknown") is None


def test_rasa_payloads_cannot_pose_as_internal_buttons() -> None:
    assert PayloadRegistry().data_for("tg:forget:yes") != "tg:forget:yes"


def test_long_reply_arrives_split_with_buttons_on_the_last_part(double: TelegramDouble) -> None:
    text = ("A sentence about recovery. " * 100 + "\n\n") * 3
    asyncio.run(send_text(bot_for(double), 7, text, [{"title": "More", "payload": "/more"}]))
    sent = double.calls_of("sendMessage", 7)
    assert len(sent) == 3  # one paragraph of ~2,700 characters per message
    assert all("reply_markup" not in c.params for c in sent[:-1])
    assert sent[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/more"
    assert " ".join(c.params["text"] for c in sent).split() == text.split()


def test_flood_control_is_waited_out(double: TelegramDouble) -> None:
    double.flood("sendMessage", retry_after=1, times=2)
    asyncio.run(send_text(bot_for(double), 7, "hello"))
    sent = double.calls_of("sendMessage", 7)
    assert [bool(c.params.get("_flooded")) for c in sent] == [True, True, False]


def test_flood_control_gives_up_after_the_last_attempt(double: TelegramDouble) -> None:
    double.flood("sendMessage", retry_after=1, times=2)
    bot = bot_for(double)
    with pytest.raises(RetryAfter):
        asyncio.run(with_retry(lambda: bot.send_message(chat_id=7, text="x"), attempts=2))


def test_typing_shows_while_work_runs(double: TelegramDouble) -> None:
    async def work() -> None:
        async with typing(bot_for(double), 7):
            await asyncio.sleep(0.05)

    asyncio.run(work())
    actions = double.calls_of("sendChatAction", 7)
    assert [c.params["action"] for c in actions] == ["typing"]
