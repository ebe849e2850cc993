"""SafetyScreen: the Rasa NLU component that wraps the pure crisis screen.

It runs last in the pipeline. A deterministic match overrides the trained intent and the
fallback, and the reason is stored in the parse data so staff can see why a message escalated.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.safety.screen import Screening, screen

logger = logging.getLogger(__name__)

LEVEL_TO_INTENT = {"emergency": "emergency", "crisis": "crisis", "concern": "safety_concern"}
SAFETY_KEY = "safety"
# The fallback threshold is tuned for quoting passages; missing a crisis costs far more than a
# false alarm, so a crisis ranked first by the trained model escalates at a lower confidence.
TRAINED_CRISIS_THRESHOLD = 0.3


def trained_crisis_below_fallback(message: Message) -> dict[str, Any] | None:
    """The trained crisis/emergency intent, when the fallback hid it for low confidence."""
    if (message.get("intent") or {}).get("name") != "nlu_fallback":
        return None
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if not ranking:
        return None
    top = ranking[0]
    if top.get("name") in ("crisis", "emergency") and top.get("confidence", 0) >= (
        TRAINED_CRISIS_THRESHOLD
    ):
        return top
    return None


def apply_screening(message: Message, result: Screening) -> None:
    """Record the screen's result; escalate only when the screen found something."""
    if result.level is None:
        return
    intent_name = LEVEL_TO_INTENT[result.level]
    current = message.get("intent") or {}
    if current.get("name") in ("emergency", "crisis") and intent_name == "safety_concern":
        # The trained model already escalated; a negation the screen saw must not downgrade it.
        return
    intent = {"name": intent_name, "confidence": 1.0}
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent_name]
    message.set("intent", intent, add_to_output=True)
    message.set("intent_ranking", [intent, *ranking], add_to_output=True)
    message.set(
        SAFETY_KEY,
        {
            "level": result.level,
            "category": result.category,
            "reason": result.reason,
            "third_person": result.third_person,
            "source": "screen",
        },
        add_to_output=True,
    )


def escalate_trained_crisis(message: Message) -> None:
    top = trained_crisis_below_fallback(message)
    if top is None:
        return
    intent = {"name": top["name"], "confidence": top["confidence"]}
    message.set("intent", intent, add_to_output=True)
    message.set(
        SAFETY_KEY,
        {
            "level": "emergency" if top["name"] == "emergency" else "crisis",
            "category": None,
            "reason": f"trained intent {top['name']} ranked first ({top['confidence']:.2f})",
            "third_person": False,
            "source": "model",
        },
        add_to_output=True,
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyScreen(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            try:
                result = screen(text)
            except Exception:  # never lose the message; the trained crisis intent still counts
                logger.exception("safety screen failed")
                continue
            apply_screening(message, result)
            if result.level is None:
                escalate_trained_crisis(message)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
