"""Our own tables. Rasa owns `events`; we never write to it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class SafetyFlag(Base):
    """A conversation escalated: severity and the reason that matched (never the message)."""

    __tablename__ = "safety_flags"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64))
    level = Column(String(32), nullable=False)
    reason = Column(String(500), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class Alert(Base):
    """A staff alert waiting to be delivered; retried with backoff until it is sent."""

    __tablename__ = "alerts"
    id = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False)
    sender_id = Column(String(255), nullable=False, index=True)
    payload = Column(JSON, nullable=False)
    status = Column(String(16), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)


class Lead(Base):
    """A consented callback request from the admissions form."""

    __tablename__ = "leads"
    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64))
    name = Column(String(200), nullable=False)
    contact = Column(String(320), nullable=False)
    contact_kind = Column(String(16), nullable=False)  # phone | email
    best_time = Column(String(200))
    insurance = Column(String(200))
    consent_at = Column(DateTime, nullable=False)
    status = Column(String(16), nullable=False, default="new", index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class LeadStatusChange(Base):
    """Who moved a lead from one status to another, and when."""

    __tablename__ = "lead_status_changes"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, nullable=False, index=True)
    actor = Column(String(120), nullable=False)
    from_status = Column(String(16))
    to_status = Column(String(16), nullable=False)
    changed_at = Column(DateTime, nullable=False, default=utcnow)


class Handoff(Base):
    """A live staff takeover of one conversation; while active the bot stays quiet."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64))
    staff_user = Column(String(120), nullable=False)
    active = Column(Integer, nullable=False, default=1, index=True)
    started_at = Column(DateTime, nullable=False, default=utcnow)
    ended_at = Column(DateTime)


class OutboxMessage(Base):
    """A message for a user that did not come from their own request: staff replies, notices.

    Channels deliver from here, so any Rasa replica or console process can queue one.
    """

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False, index=True)
    author = Column(String(120), nullable=False)  # staff username, or "bot"
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    delivered_at = Column(DateTime, index=True)
    attempts = Column(Integer, nullable=False, default=0)
