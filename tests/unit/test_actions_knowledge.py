"""Knowledge actions on trackers built with Tracker.from_dict from JSON fixtures."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_actions import ActionAnswerQuestion, ActionNameSource, ActionTellMeMore
from bot.knowledge import load_knowledge

FIXTURES = Path(__file__).parent / "fixtures"


def tracker(name: str, **slots: Any) -> Tracker:
    state = json.loads((FIXTURES / name).read_text())
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def run(action: Any, state: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def slot(events: list[dict], name: str) -> Any:
    return next(e["value"] for e in events if e.get("name") == name)


def test_answer_quotes_a_passage_of_the_predicted_topic_verbatim_with_its_source() -> None:
    knowledge = load_knowledge()
    messages, events = run(ActionAnswerQuestion(), tracker("tracker_question.json"))
    passage = knowledge.passage(slot(events, "last_passage_id"))
    assert passage is not None and passage.topic == "withdrawal"
    source = knowledge.source(passage.source)
    assert messages[0]["text"].startswith(passage.text.strip())
    assert messages[0]["text"].endswith(f'Source: {source.publisher}, "{source.title}"')
    assert slot(events, "given_passages") == [passage.id]


def test_tell_me_more_never_repeats_a_passage_and_says_when_the_topic_is_spent() -> None:
    knowledge = load_knowledge()
    given: list[str] = []
    for _ in knowledge.passages_for("withdrawal"):
        state = tracker("tracker_question.json", last_topic="withdrawal", given_passages=given)
        messages, events = run(ActionTellMeMore(), state)
        new_id = slot(events, "last_passage_id")
        assert new_id not in given
        given = slot(events, "given_passages")
    assert sorted(given) == sorted(p.id for p in knowledge.passages_for("withdrawal"))
    state = tracker("tracker_question.json", last_topic="withdrawal", given_passages=given)
    messages, events = run(ActionTellMeMore(), state)
    assert events == [
        {"event": "slot", "timestamp": None, "name": "last_topic", "value": "withdrawal"}
    ]
    assert "everything my sources say" in messages[0]["text"]


def test_where_is_that_from_names_the_source_of_the_last_answer() -> None:
    knowledge = load_knowledge()
    passage = knowledge.passages_for("methadone")[0]
    source = knowledge.source(passage.source)
    messages, _ = run(
        ActionNameSource(), tracker("tracker_question.json", last_passage_id=passage.id)
    )
    assert source.publisher in messages[0]["text"]
    assert source.title in messages[0]["text"]


def test_where_is_that_from_before_any_answer_quotes_nothing() -> None:
    messages, events = run(ActionNameSource(), tracker("tracker_question.json"))
    assert events == []
    assert "haven't quoted anything" in messages[0]["text"]
