"""The callback form's actions against a real SQLite database (no mocks of the store)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.admissions_actions import ActionSubmitCallback, ValidateCallbackForm
from bot.store.db import session_scope, upgrade
from bot.store.models import Alert, Lead

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'unit.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


def form_tracker(**slots: Any) -> Tracker:
    state = json.loads((FIXTURES / "tracker_question.json").read_text())
    state["slots"].update(slots)
    state["active_loop"] = {"name": "callback_form"}
    return Tracker.from_dict(state)


def run(action: Any, state: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def validate(slot: str, value: Any) -> tuple[list[dict], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCallbackForm(), f"validate_{slot}")
    return dispatcher.messages, method(value, dispatcher, form_tracker(), {})


def test_an_invalid_contact_is_re_asked_with_a_clear_message() -> None:
    messages, result = validate("contact", "my number is secret")
    assert result == {"contact": None, "contact_kind": None}
    assert messages[0]["response"] == "utter_invalid_contact"
    _, result = validate("contact", "555 010 0123")
    assert result == {"contact": "5550100123", "contact_kind": "phone"}


def test_a_correction_clears_that_field_and_asks_for_consent_again() -> None:
    _, result = validate("consent", "correct_contact")
    assert result == {"contact": None, "consent": None}


def test_consent_stores_exactly_one_lead_and_queues_an_alert(database: str) -> None:
    state = form_tracker(
        contact_name="Sam",
        contact="5550100123",
        contact_kind="phone",
        best_time="mornings",
        insurance="not given",
        consent="yes",
    )
    messages, events = run(ActionSubmitCallback(), state)
    with session_scope() as session:
        leads = session.execute(select(Lead)).scalars().all()
        alerts = session.execute(select(Alert)).scalars().all()
    assert len(leads) == 1
    lead = leads[0]
    assert (lead.name, lead.contact, lead.best_time, lead.status) == (
        "Sam",
        "5550100123",
        "mornings",
        "new",
    )
    assert lead.reference in messages[0]["text"]
    assert [a.kind for a in alerts] == ["admissions"]
    assert "5550100123" not in json.dumps(alerts[0].payload)
    assert {e["name"]: e["value"] for e in events}["contact"] is None


def test_without_a_yes_nothing_is_stored(database: str) -> None:
    state = form_tracker(contact_name="Sam", contact="5550100123", consent="no")
    messages, _ = run(ActionSubmitCallback(), state)
    with session_scope() as session:
        assert session.execute(select(Lead)).scalars().all() == []
    assert messages[0]["response"] == "utter_no_consent"
