"""Answer questions with curated passages, quoted verbatim with their source."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import describe_source, format_answer, load_knowledge, rank

TOPIC_PREFIX = "ask_"
NO_MORE_BUTTONS = [
    {"title": "How do heroin and depression affect each other?", "payload": "/ask_overview"},
    {"title": "Treatment for both", "payload": "/ask_dual_diagnosis"},
]


def topic_of(intent_name: str | None) -> str | None:
    if intent_name and intent_name.startswith(TOPIC_PREFIX):
        return intent_name[len(TOPIC_PREFIX) :]
    return None


def last_question(tracker: Tracker) -> tuple[str, str | None]:
    """The text and topic of the user's latest question, for follow-ups."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        topic = topic_of(intent)
        if topic:
            return event.get("text") or "", topic
    return "", None


def answer_events(passage_id: str, topic: str, given: list[str]) -> list[EventType]:
    return [
        SlotSet("last_topic", topic),
        SlotSet("last_passage_id", passage_id),
        SlotSet("given_passages", [*given, passage_id]),
    ]


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = load_knowledge()
        topic = topic_of((tracker.latest_message.get("intent") or {}).get("name"))
        if topic is None or not knowledge.passages_for(topic):
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        query = tracker.latest_message.get("text") or ""
        given = list(tracker.get_slot("given_passages") or [])
        # Prefer a passage this person has not read yet; repeat only when the topic is spent.
        ranked = rank(knowledge, query, topic=topic, exclude=given) or rank(
            knowledge, query, topic=topic
        )
        passage = ranked[0].passage
        dispatcher.utter_message(text=format_answer(knowledge, passage))
        return answer_events(passage.id, topic, given)


class ActionTellMeMore(Action):
    def name(self) -> str:
        return "action_tell_me_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = load_knowledge()
        query, question_topic = last_question(tracker)
        topic = tracker.get_slot("last_topic") or question_topic
        if not topic:
            dispatcher.utter_message(response="utter_help")
            return []
        given = list(tracker.get_slot("given_passages") or [])
        ranked = rank(knowledge, query, topic=topic, exclude=given)
        if not ranked:
            label = knowledge.topics[topic].label if topic in knowledge.topics else topic
            dispatcher.utter_message(
                text=(
                    f'That is everything my sources say about "{label}". '
                    "You could ask about something else, or talk to our admissions team."
                ),
                buttons=NO_MORE_BUTTONS,
            )
            return [SlotSet("last_topic", topic)]
        passage = ranked[0].passage
        dispatcher.utter_message(text=format_answer(knowledge, passage))
        return answer_events(passage.id, topic, given)


class ActionNameSource(Action):
    def name(self) -> str:
        return "action_name_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = load_knowledge()
        passage_id = tracker.get_slot("last_passage_id")
        passage = knowledge.passage(passage_id) if passage_id else None
        if passage is None:
            dispatcher.utter_message(
                text="I haven't quoted anything yet. Ask me a question and I'll name the source."
            )
            return []
        dispatcher.utter_message(text=describe_source(knowledge, passage))
        # An event marks success: a failed custom action leaves none (see DegradedServicePolicy).
        return [SlotSet("last_passage_id", passage.id)]
