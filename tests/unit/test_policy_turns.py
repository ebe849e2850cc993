"""The crisis router and the degraded-service policy on real Rasa trackers (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.degrade_policy import degraded_step
from bot.safety.policy import next_step, plan_turn

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def user(text: str, intent: str = "out_of_scope", **parse: object) -> UserUttered:
    return UserUttered(
        text,
        {"name": intent, "confidence": 0.9},
        parse_data={"intent": {"name": intent, "confidence": 0.9}, **parse},
    )


def tracker(*events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("unit", [ActionExecuted("action_listen"), *events])


def test_a_screened_crisis_plans_the_reply_then_the_record() -> None:
    safety = {"level": "crisis", "category": "suicidal", "reason": "x", "third_person": False}
    plan, events = plan_turn(tracker(user("...", "crisis", safety=safety)))
    assert plan == ["utter_crisis", "action_record_safety"]
    assert SlotSet("safety_level", "crisis") in events


def test_third_person_and_emergency_choose_their_own_replies() -> None:
    third = {"level": "crisis", "category": "suicidal", "reason": "x", "third_person": True}
    assert plan_turn(tracker(user("...", "crisis", safety=third)))[0][0] == (
        "utter_crisis_third_person"
    )
    assert plan_turn(tracker(user("...", "emergency")))[0][0] == "utter_emergency"


def test_a_crisis_split_across_turns_is_caught_from_history() -> None:
    planned = plan_turn(
        tracker(
            user("I bought two bottles of pills"),
            BotUttered("ok"),
            ActionExecuted("action_listen"),
            user("i'm taking them all tonight"),
        )
    )
    assert planned is not None and planned[0][0] == "utter_crisis"


def test_no_verdict_leaves_the_turn_to_the_other_policies() -> None:
    assert plan_turn(tracker(user("is heroin a depressant", "ask_depressant"))) is None


def test_a_crisis_during_a_form_deactivates_it_and_offers_to_resume() -> None:
    state = tracker(
        ActiveLoop("callback_form"),
        SlotSet("requested_slot", "contact"),
        ActionExecuted("action_listen"),
        user("...", "crisis"),
    )
    plan, events = plan_turn(state)
    assert plan == ["utter_crisis", "utter_offer_resume", "action_record_safety"]
    assert ActiveLoop(None) in events
    # Later in the same turn, with the form already off, the plan must not change.
    state.update_with_events(events, DOMAIN)
    state.update(ActionExecuted("utter_crisis"))
    assert plan_turn(state)[0] == plan


def test_the_turn_after_an_escalation_checks_in() -> None:
    escalated = [user("...", "crisis"), ActionExecuted("utter_crisis"), BotUttered("...")]
    for intent, expected in [("affirm", "utter_glad_safe"), ("deny", "utter_not_safe")]:
        state = tracker(*escalated, ActionExecuted("action_listen"), user("x", intent))
        assert plan_turn(state) == ([expected], [])


@pytest.mark.parametrize(
    ("plan", "done", "expected"),
    [
        (["a", "b"], [], "a"),
        (["a", "b"], ["a"], "b"),
        (["a", "b"], ["a", "b"], "action_listen"),
        (["a", "b"], ["x"], None),
    ],
)
def test_next_step_follows_the_plan(plan: list[str], done: list[str], expected: str) -> None:
    assert next_step(plan, done) == expected


def test_a_failed_answer_action_gets_the_degraded_reply_then_listens() -> None:
    failed = tracker(user("q", "ask_withdrawal"), ActionExecuted("action_answer_question"))
    assert degraded_step(failed, DOMAIN) == "utter_service_degraded"
    failed.update(ActionExecuted("utter_service_degraded"))
    assert degraded_step(failed, DOMAIN) == "action_listen"


def test_a_successful_answer_or_a_silent_record_is_left_alone() -> None:
    answered = tracker(
        user("q", "ask_withdrawal"),
        ActionExecuted("action_answer_question"),
        BotUttered("passage"),
        SlotSet("last_topic", "withdrawal"),
    )
    assert degraded_step(answered, DOMAIN) is None
    recorded = tracker(
        user("...", "crisis"),
        ActionExecuted("utter_crisis"),
        BotUttered("..."),
        ActionExecuted("action_record_safety"),
    )
    assert degraded_step(recorded, DOMAIN) is None
