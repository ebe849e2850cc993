"""SafetyPolicy: the crisis router inside the Rasa server.

It runs with no action server, database or network. It answers a crisis or emergency
over any form in progress, catches a crisis split across turns, and checks in on the turn
after an escalation. Recording the flag (`action_record_safety`) comes after the reply, so a
failure there cannot hold the reply back.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.deterministic import DeterministicPolicy
from bot.safety.turns import (
    RECORD_ACTION,
    Verdict,
    executed_actions,
    loop_at_turn_start,
    previous_turn_escalated,
    response_for,
    split_turns,
    turn_verdict,
)

logger = logging.getLogger(__name__)

CHECKIN_BY_INTENT = {
    "affirm": "utter_glad_safe",
    "deny": "utter_not_safe",
    "nlu_fallback": "utter_checkin",
    "out_of_scope": "utter_checkin",
}
RESUME_OFFER = "utter_offer_resume"


def plan_turn(
    tracker: DialogueStateTracker,
    verdict_of: Callable[[list[Event]], Verdict | None] = turn_verdict,
) -> tuple[list[str], list[Event]] | None:
    """The actions this policy owns for the current turn, and events for its first step."""
    events = list(tracker.events)
    verdict = verdict_of(events)
    if verdict is not None:
        plan = [response_for(verdict)]
        first_events: list[Event] = [
            SlotSet("safety_level", verdict.level),
            SlotSet("safety_reason", f"{verdict.category or verdict.level}: {verdict.reason}"),
        ]
        if loop_at_turn_start(events):
            # The crisis wins over the form; its slots stay so the user may resume later.
            plan.append(RESUME_OFFER)
            if tracker.active_loop_name:
                first_events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return [*plan, RECORD_ACTION], first_events
    if previous_turn_escalated(events):
        intent = (
            (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        )
        checkin = CHECKIN_BY_INTENT.get(str(intent))
        if checkin:
            return [checkin], []
    return None


def next_step(plan: list[str], done: list[str]) -> str | None:
    """The next planned action, `action_listen` when the plan is complete, None if off-plan."""
    if done != plan[: len(done)]:
        return None
    return plan[len(done)] if len(done) < len(plan) else "action_listen"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class SafetyPolicy(DeterministicPolicy):
    # A turn is predicted in several steps; screen its messages once, not at every step.
    _CACHE_SIZE = 2048

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verdicts: OrderedDict[tuple[str, float, int], Verdict | None] = OrderedDict()

    def _cached_verdict(self, sender_id: str) -> Callable[[list[Event]], Verdict | None]:
        def verdict_of(events: list[Event]) -> Verdict | None:
            users = [e for e in events if isinstance(e, UserUttered)]
            if not users:
                return None
            key = (sender_id, users[-1].timestamp, len(users))
            if key not in self._verdicts:
                self._verdicts[key] = turn_verdict(events)
                if len(self._verdicts) > self._CACHE_SIZE:
                    self._verdicts.popitem(last=False)
            return self._verdicts[key]

        return verdict_of

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 8}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        try:
            planned = plan_turn(tracker, self._cached_verdict(tracker.sender_id))
        except Exception:  # a bug here must never stop the rest of the bot from answering
            logger.exception("safety policy failed to plan the turn")
            planned = None
        if planned is None:
            return self.predict_only(domain, None)
        plan, first_events = planned
        turns = split_turns(list(tracker.events))
        done = executed_actions(turns[-1][1]) if turns else []
        return self.predict_only(domain, next_step(plan, done), first_events if not done else [])
