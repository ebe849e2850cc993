"""The callback form: validation, consented submission, cancellation, the callback offer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.admissions.contact import clean_free_text, clean_insurance, clean_name, parse_contact
from bot.admissions.hours import callback_promise, is_staffed
from bot.admissions.leads import create_lead
from bot.alerts import deliver_pending, enqueue_alert
from bot.settings import org_profile
from bot.store.db import session_scope

logger = logging.getLogger(__name__)

FORM_SLOTS = ("contact_name", "contact", "contact_kind", "best_time", "insurance", "consent")
CORRECTIONS = {
    "correct_name": "contact_name",
    "correct_contact": "contact",
    "correct_time": "best_time",
}


def clear_form() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def deliver_soon() -> None:
    """Alert delivery runs beside the reply; the worker retries whatever this misses."""
    future = asyncio.get_running_loop().run_in_executor(None, deliver_pending)
    future.add_done_callback(lambda f: f.exception() and logger.warning("alert delivery failed"))


class ActionOfferCallback(Action):
    def name(self) -> str:
        return "action_offer_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        admissions = org_profile().get("admissions", {})
        if is_staffed(admissions):
            text = (
                "Our team is in right now. I've let them know you'd like to talk, and a staff "
                "member may join this chat. Or I can arrange a callback."
            )
            try:
                await asyncio.to_thread(self._alert_staff, tracker)
                deliver_soon()
            except Exception:
                logger.exception("could not alert staff about a handoff request")
        else:
            text = f"Our team is not in right now. {callback_promise(admissions)}"
        dispatcher.utter_message(
            text=text,
            buttons=[
                {"title": "Yes, call me back", "payload": "/request_callback"},
                {"title": "No thanks", "payload": "/deny"},
            ],
        )
        return [SlotSet("handoff_requested", True)]

    @staticmethod
    def _alert_staff(tracker: Tracker) -> None:
        with session_scope() as session:
            enqueue_alert(
                session,
                kind="handoff",
                sender_id=tracker.sender_id,
                payload={
                    "level": "person asked to talk to staff",
                    "channel": tracker.get_latest_input_channel(),
                },
            )


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = clean_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"contact_name": name}

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        contact = parse_contact(str(value or ""))
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"contact": None, "contact_kind": None}
        return {"contact": contact.value, "contact_kind": contact.kind}

    def validate_best_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"best_time": clean_free_text(str(value or ""))}

    def validate_insurance(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"insurance": clean_insurance(str(value or ""))}

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in CORRECTIONS:
            # Clearing the field makes the form ask for it again, then for consent again.
            return {CORRECTIONS[value]: None, "consent": None}
        if value in ("yes", "no"):
            return {"consent": value}
        return {"consent": None}


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("consent") != "yes":
            dispatcher.utter_message(response="utter_no_consent")
            return clear_form()
        try:
            reference = await asyncio.to_thread(self._store, tracker)
        except Exception:
            logger.exception("could not store a callback request")
            phone = org_profile().get("admissions", {}).get("phone", "")
            dispatcher.utter_message(
                text=(
                    "Sorry, I couldn't save your request just now, so nothing was stored. "
                    f"Please call our admissions team on {phone}, or try again in a few minutes."
                )
            )
            return clear_form()
        deliver_soon()
        promise = callback_promise(org_profile().get("admissions", {}))
        dispatcher.utter_message(
            text=(
                f"Thank you. Your request is saved with reference {reference}. "
                f"Our admissions team will contact you at the time you gave. {promise} "
                "If you need to talk to someone sooner, you can call us."
            )
        )
        return clear_form()

    @staticmethod
    def _store(tracker: Tracker) -> str:
        with session_scope() as session:
            lead = create_lead(
                session,
                sender_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel(),
                name=tracker.get_slot("contact_name"),
                contact=tracker.get_slot("contact"),
                contact_kind=tracker.get_slot("contact_kind") or "phone",
                best_time=tracker.get_slot("best_time"),
                insurance=tracker.get_slot("insurance"),
            )
            return lead.reference


class ActionResetCallback(Action):
    def name(self) -> str:
        return "action_reset_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return clear_form()
