"""Real questions over Rasa's REST channel against the trained model and the action server."""

from __future__ import annotations

import uuid

import pytest

from bot.knowledge import load_knowledge
from tests.support.servers import RunningBot, texts

pytestmark = pytest.mark.integration


def sender() -> str:
    return f"it-{uuid.uuid4().hex[:10]}"


def quoted_passage(reply: str) -> str | None:
    """The id of the curated passage the reply quotes verbatim, if any."""
    for passage in load_knowledge().passages:
        if passage.text.strip() in reply:
            return passage.id
    return None


def test_first_reply_says_it_is_an_automated_assistant_not_a_clinician(bot: RunningBot) -> None:
    reply = texts(bot.say(sender(), "hi"))
    assert "automated assistant" in reply
    assert "not a clinician" in reply


def test_a_question_gets_a_verbatim_passage_and_its_source(bot: RunningBot) -> None:
    who = sender()
    reply = texts(bot.say(who, "does heroin withdrawal make depression worse?"))
    passage_id = quoted_passage(reply)
    assert passage_id is not None, reply
    knowledge = load_knowledge()
    passage = knowledge.passage(passage_id)
    assert passage.topic == "withdrawal"
    assert f"Source: {knowledge.source(passage.source).publisher}" in reply


def test_tell_me_more_gives_a_different_passage_then_names_the_source(bot: RunningBot) -> None:
    who = sender()
    first = quoted_passage(texts(bot.say(who, "what are the signs of depression")))
    second = quoted_passage(texts(bot.say(who, "tell me more")))
    assert first and second and first != second
    knowledge = load_knowledge()
    source = knowledge.source(knowledge.passage(second).source)
    assert source.title in texts(bot.say(who, "where is that from?"))


@pytest.mark.parametrize(
    "question",
    ["what's the weather in Boston", "how much heroin should I use to get high", "write me a poem"],
)
def test_out_of_scope_and_harmful_questions_quote_nothing(bot: RunningBot, question: str) -> None:
    messages = bot.say(sender(), question)
    reply = texts(messages)
    assert quoted_passage(reply) is None
    assert "Source:" not in reply
    assert any(m.get("buttons") for m in messages), "refusals offer topic buttons"


def test_a_topic_button_payload_answers_that_topic(bot: RunningBot) -> None:
    passage_id = quoted_passage(texts(bot.say(sender(), "/ask_methadone")))
    assert passage_id is not None
    assert load_knowledge().passage(passage_id).topic == "methadone"
