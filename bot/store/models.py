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
