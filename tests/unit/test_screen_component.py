"""The SafetyScreen NLU component on real Rasa messages."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.safety.rasa_component import SafetyScreen


def parsed(text: str, intent: str, confidence: float, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def screened(message: Message) -> Message:
    return SafetyScreen().process([message])[0]


def test_a_screen_match_overrides_the_trained_intent_and_records_the_reason() -> None:
    message = screened(
        parsed("i want to kill myself", "ask_overview", 0.8, [("ask_overview", 0.8)])
    )
    assert message.get("intent")["name"] == "crisis"
    assert message.get("safety")["category"] == "suicidal"
    assert "safety" in message.as_dict(only_output_properties=True)


def test_an_overdose_now_becomes_an_emergency() -> None:
    message = screened(parsed("he is not breathing and his lips are blue", "nlu_fallback", 1, []))
    assert message.get("intent")["name"] == "emergency"


def test_a_topic_question_is_left_to_the_trained_model() -> None:
    message = screened(parsed("is heroin a depressant", "ask_depressant", 0.9, []))
    assert message.get("intent")["name"] == "ask_depressant"
    assert message.get("safety") is None


def test_a_crisis_the_fallback_hid_still_escalates() -> None:
    ranking = [("nlu_fallback", 0.55), ("crisis", 0.41), ("ask_overview", 0.2)]
    message = screened(parsed("some unusual wording", "nlu_fallback", 0.55, ranking))
    assert message.get("intent")["name"] == "crisis"
    assert message.get("safety")["source"] == "model"


def test_a_weak_crisis_ranking_is_not_enough() -> None:
    ranking = [("nlu_fallback", 0.55), ("crisis", 0.2), ("ask_overview", 0.19)]
    message = screened(parsed("some unusual wording", "nlu_fallback", 0.55, ranking))
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_negation_never_downgrades_a_trained_crisis() -> None:
    message = screened(parsed("i'm not going to kill myself", "crisis", 0.9, [("crisis", 0.9)]))
    assert message.get("intent")["name"] == "crisis"
