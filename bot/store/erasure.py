"""Erase one person's conversation and contact data (Telegram /forget, the widget's equivalent)."""

from __future__ import annotations

from sqlalchemy import MetaData, Table, delete, inspect, update
from sqlalchemy.orm import Session

from bot.store.models import Alert, Handoff, Lead, LeadStatusChange, OutboxMessage, SafetyFlag
from bot.store.staff_models import (
    Annotation,
    AuditEntry,
    ConversationReview,
    ConversationSummary,
    ConversationTag,
    StaffNote,
)

# The staff console's rows about one conversation (reviews, notes, annotations with their copy
# of the message text). The audit log keeps its entries but loses the sender id.
STAFF_MODELS = (ConversationSummary, ConversationReview, ConversationTag, StaffNote, Annotation)


def erase_sender(session: Session, sender_id: str) -> int:
    """Delete everything stored for `sender_id`, Rasa's events included; return rows removed."""
    removed = 0
    lead_ids = [row.id for row in session.query(Lead.id).filter(Lead.sender_id == sender_id).all()]
    if lead_ids:
        removed += session.execute(
            delete(LeadStatusChange).where(LeadStatusChange.lead_id.in_(lead_ids))
        ).rowcount
    for model in (Lead, SafetyFlag, Alert, Handoff, OutboxMessage, *STAFF_MODELS):
        removed += session.execute(delete(model).where(model.sender_id == sender_id)).rowcount
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.target == sender_id)
        .values(target="(erased)")
        .execution_options(synchronize_session=False)
    )
    bind = session.get_bind()
    if inspect(bind).has_table("events"):
        events = Table("events", MetaData(), autoload_with=bind)
        removed += session.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount
    return removed
