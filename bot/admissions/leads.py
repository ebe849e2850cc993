"""Create a lead only after explicit consent, and alert staff through the alert outbox."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from bot.alerts import enqueue_alert
from bot.store.models import Lead, LeadStatusChange, utcnow

REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes such as 0/O or 1/I


def new_reference() -> str:
    return "RC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def create_lead(
    session: Session,
    *,
    sender_id: str,
    channel: str | None,
    name: str,
    contact: str,
    contact_kind: str,
    best_time: str | None,
    insurance: str | None,
) -> Lead:
    lead = Lead(
        reference=new_reference(),
        sender_id=sender_id,
        channel=channel,
        name=name,
        contact=contact,
        contact_kind=contact_kind,
        best_time=best_time,
        insurance=insurance,
        consent_at=utcnow(),
        status="new",
    )
    session.add(lead)
    session.flush()
    session.add(LeadStatusChange(lead_id=lead.id, actor="bot", from_status=None, to_status="new"))
    # The alert names the reference and channel only; contact details stay in the console.
    enqueue_alert(
        session,
        kind="admissions",
        sender_id=sender_id,
        payload={"reference": lead.reference, "channel": channel, "level": "callback request"},
    )
    return lead
