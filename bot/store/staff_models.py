"""The staff console's tables: accounts, reviews, notes, tags, annotations, audit log, and a
summary row per conversation so the list stays fast with many conversations.

They live on the same `Base` as our other tables, so alembic and erasure see them.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, String, Text, UniqueConstraint

from bot.store.models import Base, utcnow


class StaffUser(Base):
    """A console account. `session_nonce` changes on logout and password reset, which
    invalidates every cookie issued before."""

    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(120), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)  # reviewer | admin
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    session_nonce = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime)


class ConversationSummary(Base):
    """One row per conversation, built incrementally from Rasa's events (see transcripts.py).

    Times are Rasa's float epoch seconds; flags are 0/1 so they index and filter cheaply.
    """

    __tablename__ = "conversation_summaries"
    sender_id = Column(String(255), primary_key=True)
    channel = Column(String(64), index=True)
    started_at = Column(Float, nullable=False, index=True)
    last_at = Column(Float, nullable=False, index=True)
    message_count = Column(Integer, nullable=False, default=0)
    crisis = Column(Integer, nullable=False, default=0, index=True)
    emergency = Column(Integer, nullable=False, default=0, index=True)
    handoff_requested = Column(Integer, nullable=False, default=0, index=True)
    refused = Column(Integer, nullable=False, default=0, index=True)
    takeover = Column(Integer, nullable=False, default=0, index=True)
    search_text = Column(Text, nullable=False, default="")  # lower-cased user messages


class SummaryState(Base):
    """How far into `events` the summaries have been brought (a single row, id 1)."""

    __tablename__ = "summary_state"
    id = Column(Integer, primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)


class ConversationReview(Base):
    __tablename__ = "conversation_reviews"
    sender_id = Column(String(255), primary_key=True)
    reviewed = Column(Integer, nullable=False, default=0, index=True)
    reviewed_by = Column(String(120))
    reviewed_at = Column(DateTime)


class ConversationTag(Base):
    __tablename__ = "conversation_tags"
    __table_args__ = (UniqueConstraint("sender_id", "tag", name="uq_conversation_tag"),)
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    tag = Column(String(64), nullable=False, index=True)


class StaffNote(Base):
    """A private note on a conversation; never shown to the user."""

    __tablename__ = "staff_notes"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    author = Column(String(120), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Annotation(Base):
    """A reviewer's correction of one user message: the right intent and/or passage.

    The message text is copied so the export survives the transcript's retention period.
    """

    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("event_id", name="uq_annotation_event"),)
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    event_id = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    intent = Column(String(120))
    passage_id = Column(String(120))
    author = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who looked at, exported or changed what, and when. Holds no message text."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    actor = Column(String(120), nullable=False, index=True)
    action = Column(String(64), nullable=False, index=True)
    target = Column(String(255), nullable=False, default="")
    detail = Column(String(500), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
