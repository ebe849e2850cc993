"""What the bot does with one Telegram update; webhook and polling both hand updates here.

Commands that must work when everything else is down (/hotline) and the /forget erasure never
touch Rasa. Everything a person types goes to Rasa through `ask`, which the caller supplies:
inside the Rasa server it runs the agent; in the poller's fallback it says the service is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, MessageEntityType

from bot.channels.telegram_send import PAYLOADS, PayloadRegistry, send_text, typing, with_retry
from bot.safety.resources import hotline_text
from bot.settings import crisis_locale

logger = logging.getLogger(__name__)

# (sender_id, text, metadata) -> None; replies are sent by whoever answers.
Ask = Callable[[str, str, dict[str, Any]], Awaitable[None]]
Erase = Callable[[str], Awaitable[int]]

FORGET_YES = "tg:forget:yes"
FORGET_NO = "tg:forget:no"

START_NOTICE = (
    "Welcome. This is an automated assistant, not a clinician or a person. "
    "If you are in danger, send /hotline for crisis lines.\n"
    "Privacy: this conversation is stored and our staff may read it to keep the service safe; "
    "send /forget at any time to erase it."
)
HELP_TEXT = (
    "Commands:\n"
    "/hotline - crisis lines, any time\n"
    "/admissions - talk to our admissions team\n"
    "/forget - erase this conversation and your contact details\n"
    "/help - this list\n"
    "Or just type a question about heroin, opioids or depression."
)
HOTLINE_INTRO = "If you are in danger or thinking of harming yourself, please reach a person now:"
NON_TEXT_REPLY = (
    "Sorry, I can only read text messages. Please type your question. "
    "If you need a person right now, send /hotline."
)
GROUP_REPLY = (
    "I only talk in private chats, because conversations with me can be about health. "
    "Please message me directly. If someone is in danger right now, send /hotline."
)
UNKNOWN_COMMAND = "I don't know that command.\n\n" + HELP_TEXT
FORGET_CONFIRM = (
    "This erases our conversation and any contact details you gave us, such as a callback "
    "request. It can't be undone. Erase everything?"
)
FORGET_BUTTONS = [
    {"title": "Yes, erase everything", "payload": FORGET_YES, "internal": True},
    {"title": "No, keep it", "payload": FORGET_NO, "internal": True},
]
FORGET_DONE = (
    "Done. I've erased our conversation and your contact details. "
    "You can start again any time with /start."
)
FORGET_KEPT = "OK, nothing was erased."
FORGET_FAILED = "Sorry, I couldn't erase your data just now. Please try /forget again later."
BUTTON_EXPIRED = "That button has expired. Please type your question instead."


def hotline_message(locale: str | None = None) -> str:
    return f"{HOTLINE_INTRO}\n{hotline_text(locale or crisis_locale())}"


async def erase_conversation(sender_id: str) -> int:
    """Erase a person's rows, Rasa's tracker events included, in one transaction."""
    from bot.store.db import session_scope
    from bot.store.erasure import erase_sender

    def erase() -> int:
        with session_scope() as session:
            return erase_sender(session, sender_id)

    return await asyncio.to_thread(erase)


def command_of(text: str) -> str | None:
    """'/Start@help_bot now' -> 'start'; None for ordinary text."""
    if not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@")[0].lower()


def _callback_data(markup: InlineKeyboardMarkup | None) -> set[str]:
    if markup is None:
        return set()
    return {
        str(button.callback_data)
        for row in markup.inline_keyboard
        for button in row
        if isinstance(button, InlineKeyboardButton) and button.callback_data is not None
    }


class RecentUpdates:
    """Telegram redelivers an update it thinks failed; answer each one once."""

    def __init__(self, size: int = 2000) -> None:
        self._size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class UpdateHandler:
    def __init__(
        self,
        bot: Bot,
        ask: Ask,
        erase: Erase = erase_conversation,
        registry: PayloadRegistry = PAYLOADS,
    ) -> None:
        self.bot = bot
        self.ask = ask
        self.erase = erase
        self.registry = registry
        self.recent = RecentUpdates()
        self._me_id: int | None = None
        self._me_username: str = ""

    async def handle(self, update: Update) -> str:
        """Handle one update; return what kind it was (for logs and tests)."""
        if not self.recent.first_time(update.update_id):
            return "duplicate"
        if update.callback_query is not None:
            return await self._callback(update.callback_query)
        message = update.message
        if message is None:
            return "ignored"  # edits, channel posts, membership changes: acknowledged only
        if message.chat.type != ChatType.PRIVATE:
            return await self._group(message)
        if message.text is None:
            await self._say(message.chat_id, NON_TEXT_REPLY)
            return "non_text"
        text = message.text.strip()
        command = command_of(text)
        if command is not None:
            await self._command(message, command)
            return "command"
        await self._ask(message.chat_id, text, self._metadata(message))
        return "message"

    # -- pieces -----------------------------------------------------------------------------
    async def _say(self, chat_id: int, text: str, buttons: list[dict[str, Any]] | None = None):
        await send_text(self.bot, chat_id, text, buttons, self.registry)

    async def _ask(self, chat_id: int, text: str, metadata: dict[str, Any]) -> None:
        async with typing(self.bot, chat_id):
            await self.ask(str(chat_id), text, metadata)

    @staticmethod
    def _metadata(message: Message) -> dict[str, Any]:
        user = message.from_user
        return {"language_code": user.language_code if user else None}

    async def _command(self, message: Message, command: str) -> None:
        chat_id = message.chat_id
        metadata = self._metadata(message)
        if command == "start":
            await self._say(chat_id, START_NOTICE)
            await self._ask(chat_id, "/greet", metadata)
        elif command == "help":
            await self._say(chat_id, HELP_TEXT)
        elif command == "hotline":
            await self._say(chat_id, hotline_message())
        elif command == "admissions":
            await self._ask(chat_id, "/request_admissions", metadata)
        elif command == "forget":
            await self._say(chat_id, FORGET_CONFIRM, FORGET_BUTTONS)
        else:
            # Typed "/intent" text would otherwise reach Rasa as a forced intent.
            await self._say(chat_id, UNKNOWN_COMMAND)

    async def _group(self, message: Message) -> str:
        """Groups are refused politely, and only when the bot is addressed; /hotline still
        answers, because crisis lines are public and may be needed by anyone there."""
        text = (message.text or "").strip()
        command = command_of(text)
        if command == "hotline":
            await self._say(message.chat_id, hotline_message())
        elif command is not None or await self._addressed(message):
            await self._say(message.chat_id, GROUP_REPLY)
        else:
            return "ignored"
        return "group"

    async def _addressed(self, message: Message) -> bool:
        if self._me_id is None:
            me = await with_retry(self.bot.get_me)  # once per process, not per update
            self._me_id, self._me_username = me.id, (me.username or "").lower()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == self._me_id:
            return True
        mentions = message.parse_entities([MessageEntityType.MENTION]).values()
        return any(m.lstrip("@").lower() == self._me_username for m in mentions)

    async def _callback(self, query: CallbackQuery) -> str:
        with contextlib.suppress(Exception):  # the spinner stopping is cosmetic
            await with_retry(query.answer)
        message = query.message
        data = query.data or ""
        if not isinstance(message, Message) or data not in _callback_data(message.reply_markup):
            # Only data from a keyboard we sent is accepted, so no one can forge an intent.
            if isinstance(message, Message):
                await self._say(message.chat_id, BUTTON_EXPIRED)
            return "ignored"
        if message.chat.type != ChatType.PRIVATE:
            return "ignored"
        chat_id = message.chat_id
        with contextlib.suppress(Exception):  # one press per keyboard; cosmetic if it fails
            await with_retry(
                lambda: self.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message.message_id, reply_markup=None
                )
            )
        if data == FORGET_YES:
            await self._forget(chat_id)
        elif data == FORGET_NO:
            await self._say(chat_id, FORGET_KEPT)
        else:
            payload = self.registry.payload_for(data)
            if payload is None:
                await self._say(chat_id, BUTTON_EXPIRED)
                return "ignored"
            await self._ask(chat_id, payload, {"button": True})
        return "callback"

    async def _forget(self, chat_id: int) -> None:
        try:
            removed = await self.erase(str(chat_id))
        except Exception:
            logger.exception("erasure failed")
            await self._say(chat_id, FORGET_FAILED)
            return
        logger.info("erased a telegram conversation (%s rows)", removed)
        await self._say(chat_id, FORGET_DONE)
