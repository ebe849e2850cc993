"""The callback form over REST: one consented lead, right fields, no contact data in logs."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.store.db import engine_for, session_scope
from bot.store.models import Lead
from tests.support.servers import RunningBot, texts

pytestmark = pytest.mark.integration


def leads_for(bot: RunningBot, sender_id: str) -> list[Lead]:
    with session_scope(engine_for(bot.database_url)) as session:
        query = select(Lead).where(Lead.sender_id == sender_id)
        return list(session.execute(query).scalars())


def test_the_form_stores_exactly_one_lead_after_consent(bot: RunningBot) -> None:
    who = f"lead-{uuid.uuid4().hex[:8]}"
    phone = f"555010{uuid.uuid4().int % 10000:04d}"
    reply = texts(bot.say(who, "I want to get into treatment"))
    assert "+1-555-010-0199" in reply  # the admissions number from data/org.yml comes first
    assert "name" in texts(bot.say(who, "/request_callback")).lower()
    assert "phone number or email" in texts(bot.say(who, "Sam"))
    assert "doesn't look like" in texts(bot.say(who, "call me whenever"))
    bot.say(who, phone)
    bot.say(who, "weekday mornings")
    consent_question = texts(bot.say(who, "skip"))
    assert "Nothing is stored unless you say yes" in consent_question
    assert leads_for(bot, who) == []
    confirmation = texts(bot.say(who, "/affirm"))
    leads = leads_for(bot, who)
    assert len(leads) == 1
    lead = leads[0]
    assert (lead.name, lead.contact, lead.best_time, lead.insurance, lead.status) == (
        "Sam",
        phone,
        "weekday mornings",
        "not given",
        "new",
    )
    assert lead.reference in confirmation
    logs = (bot.workdir / "rasa.log").read_text() + (bot.workdir / "actions.log").read_text()
    assert phone not in logs


def test_refusing_consent_stores_nothing(bot: RunningBot) -> None:
    who = f"lead-{uuid.uuid4().hex[:8]}"
    for message in ["/request_callback", "Alex", "alex@example.org", "evenings", "skip"]:
        bot.say(who, message)
    assert "haven't stored" in texts(bot.say(who, "/deny"))
    assert leads_for(bot, who) == []


def test_a_question_mid_form_is_answered_and_the_form_resumes(bot: RunningBot) -> None:
    who = f"lead-{uuid.uuid4().hex[:8]}"
    bot.say(who, "/request_callback")
    reply = texts(bot.say(who, "what is methadone treatment?"))
    assert "Source:" in reply
    assert "what should we call you" in reply


def test_a_crisis_mid_form_gets_the_crisis_reply_first_and_can_resume(bot: RunningBot) -> None:
    who = f"lead-{uuid.uuid4().hex[:8]}"
    bot.say(who, "/request_callback")
    bot.say(who, "Jo")
    messages = bot.say(who, "honestly i just want to die")
    assert "988" in messages[0]["text"]
    assert "Continue my callback request" in str(messages)
    assert "phone number or email" in texts(bot.say(who, "/request_callback"))


def test_stop_cancels_and_stores_nothing(bot: RunningBot) -> None:
    who = f"lead-{uuid.uuid4().hex[:8]}"
    bot.say(who, "/request_callback")
    bot.say(who, "Jo")
    assert "nothing was stored" in texts(bot.say(who, "stop"))
    assert leads_for(bot, who) == []
