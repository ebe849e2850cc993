"""What a Telegram user sees for each kind of update, against the Bot API double.

`ask` stands in for Rasa here (a recording fake); the real Rasa path is in tests/e2e.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Update

from bot.channels import telegram_handle as th
from bot.channels.telegram_config import TelegramSettings, make_bot
from bot.channels.telegram_handle import UpdateHandler
from tests.support.telegram_double import TelegramDouble

CHAT = 5150


class Harness:
    def __init__(self, double: TelegramDouble, erase_fails: bool = False) -> None:
        self.double = double
        settings = TelegramSettings(double.token, "s", double.base_url, "http://127.0.0.1:9", 1, 1)
        self.bot = make_bot(settings)
        self.asked: list[tuple[str, str, dict[str, Any]]] = []
        self.erased: list[str] = []
        self.erase_fails = erase_fails
        self.handler = UpdateHandler(self.bot, self.ask, erase=self.erase)

    async def ask(self, sender: str, text: str, metadata: dict[str, Any]) -> None:
        self.asked.append((sender, text, metadata))

    async def erase(self, sender: str) -> int:
        if self.erase_fails:
            raise RuntimeError("database down")
        self.erased.append(sender)
        return 3

    def send(self, update: dict[str, Any]) -> str:
        return asyncio.run(self.handler.handle(Update.de_json(update, self.bot)))

    def say(self, text: str, chat_type: str = "private", **extra: Any) -> str:
        message = self.double.message(CHAT, text, chat_type, **extra)
        return self.send({"update_id": len(self.double.calls) + 1000, "message": message})

    def texts(self) -> list[str]:
        return self.double.texts_to(CHAT)


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    running = TelegramDouble().start()
    yield running
    running.stop()


@pytest.fixture
def harness(double: TelegramDouble) -> Harness:
    return Harness(double)


def test_text_goes_to_rasa_with_typing_shown(harness: Harness) -> None:
    assert harness.say("what does withdrawal feel like?") == "message"
    assert harness.asked == [
        (str(CHAT), "what does withdrawal feel like?", {"language_code": "en"})
    ]
    assert harness.double.calls_of("sendChatAction", CHAT)


def test_start_gives_the_notice_and_greets_through_rasa(harness: Harness) -> None:
    harness.say("/start")
    notice = harness.texts()[0]
    assert "automated assistant, not a clinician" in notice
    assert "Privacy:" in notice and "/forget" in notice
    assert [a[1] for a in harness.asked] == ["/greet"]


def test_hotline_answers_without_rasa(harness: Harness) -> None:
    harness.say("/hotline")
    assert harness.asked == []
    assert harness.texts() == [th.hotline_message()]
    assert "988" in harness.texts()[0]


def test_admissions_asks_rasa_for_the_admissions_flow(harness: Harness) -> None:
    harness.say("/admissions")
    assert [a[1] for a in harness.asked] == ["/request_admissions"]


def test_help_lists_the_commands(harness: Harness) -> None:
    harness.say("/help@help_bot")
    assert all(c in harness.texts()[0] for c in ("/hotline", "/admissions", "/forget"))


def test_unknown_commands_never_reach_rasa_as_intents(harness: Harness) -> None:
    harness.say("/crisis")
    assert harness.asked == []
    assert harness.texts()[0].startswith("I don't know that command")


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3}},
        {"photo": [{"file_id": "p1", "file_unique_id": "u3", "width": 1, "height": 1}]},
    ],
)
def test_non_text_gets_a_polite_text_only_reply(harness: Harness, extra: dict[str, Any]) -> None:
    assert harness.say(None, **extra) == "non_text"  # type: ignore[arg-type]
    assert harness.texts() == [th.NON_TEXT_REPLY]
    assert harness.asked == []


def test_groups_are_refused_when_the_bot_is_addressed(harness: Harness) -> None:
    assert harness.say("/start", chat_type="group") == "group"
    assert harness.texts() == [th.GROUP_REPLY]
    assert harness.asked == []


def test_group_mentions_are_refused_and_chatter_is_ignored(harness: Harness) -> None:
    mention = "hey @help_bot what is methadone"
    entities = [{"type": "mention", "offset": 4, "length": 9}]
    assert harness.say(mention, chat_type="supergroup", entities=entities) == "group"
    assert harness.say("just chatting with friends", chat_type="supergroup") == "ignored"
    assert harness.texts() == [th.GROUP_REPLY]
    assert harness.asked == []


def test_hotline_still_answers_in_a_group(harness: Harness) -> None:
    harness.say("/hotline", chat_type="group")
    assert harness.texts() == [th.hotline_message()]


def test_a_button_press_sends_its_payload_and_is_answered(harness: Harness) -> None:
    asyncio.run(
        th.send_text(
            harness.bot, CHAT, "Pick one", [{"title": "Withdrawal", "payload": "/ask_withdrawal"}]
        )
    )
    sent = harness.double.calls_of("sendMessage", CHAT)[-1]
    assert harness.send(harness.double.button_press(sent, "/ask_withdrawal")) == "callback"
    assert [a[1] for a in harness.asked] == ["/ask_withdrawal"]
    assert harness.double.calls_of("answerCallbackQuery")
    assert harness.double.calls_of("editMessageReplyMarkup", CHAT)


def test_forged_button_data_is_not_forwarded(harness: Harness) -> None:
    asyncio.run(
        th.send_text(harness.bot, CHAT, "Pick", [{"title": "A", "payload": "/ask_overview"}])
    )
    sent = harness.double.calls_of("sendMessage", CHAT)[-1]
    assert harness.send(harness.double.button_press(sent, "/crisis")) == "ignored"
    assert harness.asked == []
    assert harness.texts()[-1] == th.BUTTON_EXPIRED


def test_forget_asks_first_then_erases_on_yes(harness: Harness) -> None:
    harness.say("/forget")
    confirm = harness.double.calls_of("sendMessage", CHAT)[-1]
    assert confirm.params["text"] == th.FORGET_CONFIRM
    assert harness.erased == []
    harness.send(harness.double.button_press(confirm, th.FORGET_YES))
    assert harness.erased == [str(CHAT)]
    assert harness.texts()[-1] == th.FORGET_DONE
    assert harness.asked == []  # nothing about the erasure goes into a new transcript


def test_forget_no_keeps_everything(harness: Harness) -> None:
    harness.say("/forget")
    confirm = harness.double.calls_of("sendMessage", CHAT)[-1]
    harness.send(harness.double.button_press(confirm, th.FORGET_NO))
    assert harness.erased == []
    assert harness.texts()[-1] == th.FORGET_KEPT


def test_a_failed_erasure_is_reported_honestly(double: TelegramDouble) -> None:
    harness = Harness(double, erase_fails=True)
    harness.say("/forget")
    confirm = double.calls_of("sendMessage", CHAT)[-1]
    harness.send(double.button_press(confirm, th.FORGET_YES))
    assert harness.texts()[-1] == th.FORGET_FAILED


def test_unsupported_updates_are_ignored(harness: Harness) -> None:
    edited = {"update_id": 77, "edited_message": harness.double.message(CHAT, "typo fix")}
    assert harness.send(edited) == "ignored"
    assert harness.double.calls == []


def test_a_redelivered_update_is_answered_once(harness: Harness) -> None:
    update = harness.double.user_message(CHAT, "hello")
    assert harness.send(update) == "message"
    assert harness.send(update) == "duplicate"
    assert len(harness.asked) == 1
