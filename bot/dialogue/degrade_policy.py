"""DegradedServicePolicy: a polite reply when a custom action fails.

Rasa logs a failed custom action (action server down or erroring) as executed with no
events, so without this the user would get silence.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.deterministic import DeterministicPolicy
from bot.safety.turns import executed_actions, split_turns

DEGRADED_RESPONSE = "utter_service_degraded"
# Actions that succeed without events or messages; silence after them is not a failure.
SILENT_ACTIONS = {"action_record_safety"}


def degraded_step(tracker: DialogueStateTracker, domain: Domain) -> str | None:
    turns = split_turns(list(tracker.events))
    if not turns:
        return None
    after_user = turns[-1][1]
    done = executed_actions(after_user)
    if done and done[-1] == DEGRADED_RESPONSE:
        return "action_listen"
    # A custom action that ran well leaves its messages or slot events after its
    # ActionExecuted; Rasa logs a failed one with nothing after it.
    last = tracker.events[-1] if tracker.events else None
    custom_actions = {
        name for name in [*domain.user_actions, *domain.form_names] if not name.startswith("utter_")
    } - SILENT_ACTIONS
    if isinstance(last, ActionExecuted) and last.action_name in custom_actions:
        return DEGRADED_RESPONSE
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class DegradedServicePolicy(DeterministicPolicy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 7}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self.predict_only(domain, degraded_step(tracker, domain))
