"""Pages for conversations: the filtered list, one transcript, review, notes, tags,
annotations, exports, and the live takeover buttons."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from bot.staff import export, takeover
from bot.staff.web import args, back, form, local_path, not_found, render, staff
from bot.store import audit
from bot.store.db import session_scope
from bot.store.models import utcnow
from bot.store.staff_models import (
    Annotation,
    ConversationReview,
    ConversationTag,
    StaffNote,
)
from bot.store.transcripts import (
    FLAGS,
    Filters,
    all_matching,
    channels,
    full_events,
    list_conversations,
    refresh_summaries,
    summary_of,
    transcript,
    user_message,
)

logger = logging.getLogger(__name__)

PER_PAGE = 50
MAX_TAGS = 10
MAX_NOTE = 5000
FLAG_LABELS = {
    "crisis": "Crisis",
    "emergency": "Emergency",
    "handoff_requested": "Handoff requested",
    "refused": "Refused / low confidence",
    "takeover": "Staff takeover",
}


def register(app: Sanic) -> None:
    app.add_route(conversation_list, "/conversations", methods=["GET"])
    for fmt in ("json", "csv"):
        app.add_route(
            _with_format(export_list, fmt), f"/conversations/export.{fmt}", name=f"list_{fmt}"
        )
    app.add_route(conversation_page, "/conversations/<sender_id:str>", methods=["GET"])
    for fmt in ("json", "csv"):
        app.add_route(
            _with_format(export_one, fmt),
            f"/conversations/<sender_id:str>/export.{fmt}",
            name=f"one_{fmt}",
        )
    app.add_route(review, "/conversations/<sender_id:str>/review", methods=["POST"])
    app.add_route(tags, "/conversations/<sender_id:str>/tags", methods=["POST"])
    app.add_route(note, "/conversations/<sender_id:str>/notes", methods=["POST"])
    app.add_route(annotate, "/conversations/<sender_id:str>/annotate", methods=["POST"])
    app.add_route(take_over, "/conversations/<sender_id:str>/takeover", methods=["POST"])
    app.add_route(send, "/conversations/<sender_id:str>/send", methods=["POST"])
    app.add_route(hand_back, "/conversations/<sender_id:str>/handback", methods=["POST"])
    app.add_route(annotations_export, "/annotations/export.yml", methods=["GET"])


def _with_format(handler, fmt: str):  # type: ignore[no-untyped-def]
    async def exported(request: Request, **kwargs: str) -> HTTPResponse:
        return await handler(request, fmt=fmt, **kwargs)

    return exported


def refresh(request: Request) -> None:
    """Bring the summaries up to date; a concurrent refresh or a busy database only delays it."""
    try:
        with session_scope(request.app.ctx.engine) as session:
            refresh_summaries(session)
    except (RuntimeError, OperationalError) as error:
        logger.warning("summary refresh skipped: %s", type(error).__name__)


async def conversation_list(request: Request) -> HTTPResponse:
    refresh(request)
    filters = Filters.from_args(args(request))
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    with session_scope(request.app.ctx.engine) as session:
        rows, total = list_conversations(session, filters, page, PER_PAGE)
        known_channels = channels(session)
    pages = max(math.ceil(total / PER_PAGE), 1)
    query = urlencode(filters.as_args())
    return render(
        request,
        "conversations.html",
        title="Conversations",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        query=query,
        flag_labels=FLAG_LABELS,
        flags=FLAGS,
        channels=known_channels,
    )


def _before(request: Request) -> int | None:
    try:
        return int(request.args.get("before", ""))
    except ValueError:
        return None


async def conversation_page(request: Request, sender_id: str) -> HTTPResponse:
    refresh(request)
    before = _before(request)
    with session_scope(request.app.ctx.engine) as session:
        row = summary_of(session, sender_id)
        if row is None:
            return not_found(request)
        chunk = transcript(session, sender_id, before)
        review_row = session.get(ConversationReview, sender_id)
        tag_list = list(
            session.execute(
                select(ConversationTag.tag)
                .where(ConversationTag.sender_id == sender_id)
                .order_by(ConversationTag.tag)
            ).scalars()
        )
        notes = list(
            session.execute(
                select(StaffNote).where(StaffNote.sender_id == sender_id).order_by(StaffNote.id)
            ).scalars()
        )
        annotations = {
            a.event_id: a
            for a in session.execute(
                select(Annotation).where(Annotation.sender_id == sender_id)
            ).scalars()
        }
        handoff = takeover.active_handoff(session, sender_id)
        audit.record(
            session,
            staff(request).username,
            "view transcript",
            sender_id,
            f"before event {before}" if before else "",
        )
    return render(
        request,
        "conversation.html",
        title="Conversation",
        row=row,
        sender_id=sender_id,
        chunk=chunk,
        review=review_row,
        tags=tag_list,
        notes=notes,
        annotations=annotations,
        handoff=handoff,
        flag_labels=FLAG_LABELS,
        error=request.args.get("error", ""),
    )


def _exported(fmt: str, records: list[dict], filename: str) -> HTTPResponse:
    if fmt == "json":
        body, mime = export.as_json(records), "application/json"
    else:
        body, mime = export.as_csv(records), "text/csv"
    return response.text(
        body,
        content_type=f"{mime}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


async def export_one(request: Request, sender_id: str, fmt: str) -> HTTPResponse:
    with session_scope(request.app.ctx.engine) as session:
        row = summary_of(session, sender_id)
        if row is None:
            return not_found(request)
        record = export.conversation_record(row, sender_id, full_events(session, sender_id))
        audit.record(session, staff(request).username, f"export {fmt}", sender_id)
    return _exported(fmt, [record], "conversation")


async def export_list(request: Request, fmt: str) -> HTTPResponse:
    refresh(request)
    filters = Filters.from_args(args(request))
    with session_scope(request.app.ctx.engine) as session:
        rows = all_matching(session, filters)
        records = [
            export.conversation_record(row, row.sender_id, full_events(session, row.sender_id))
            for row in rows
        ]
        detail = f"{len(records)} conversations; filters {urlencode(filters.as_args())}"
        audit.record(session, staff(request).username, f"export {fmt}", "filtered set", detail)
    return _exported(fmt, records, "conversations")


def _to_conversation(sender_id: str, error: str = "") -> HTTPResponse:
    from urllib.parse import quote

    location = f"/conversations/{quote(sender_id, safe='')}"
    if error:
        location += "?" + urlencode({"error": error})
    return back(location + "#latest")


async def review(request: Request, sender_id: str) -> HTTPResponse:
    reviewed = form(request, "reviewed") == "1"
    user = staff(request).username
    with session_scope(request.app.ctx.engine) as session:
        if summary_of(session, sender_id) is None:
            return not_found(request)
        row = session.get(ConversationReview, sender_id) or ConversationReview(sender_id=sender_id)
        row.reviewed = int(reviewed)
        row.reviewed_by = user if reviewed else None
        row.reviewed_at = utcnow() if reviewed else None
        session.add(row)
        audit.record(session, user, "mark reviewed" if reviewed else "mark unreviewed", sender_id)
    return _to_conversation(sender_id)


def parse_tags(raw: str) -> list[str]:
    """Comma-separated, trimmed, lower-cased, de-duplicated, at most MAX_TAGS of 64 chars."""
    seen: list[str] = []
    for part in raw.split(","):
        tag = " ".join(part.split()).lower()[:64]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


async def tags(request: Request, sender_id: str) -> HTTPResponse:
    new_tags = parse_tags(form(request, "tags"))
    with session_scope(request.app.ctx.engine) as session:
        if summary_of(session, sender_id) is None:
            return not_found(request)
        session.execute(delete(ConversationTag).where(ConversationTag.sender_id == sender_id))
        session.add_all(ConversationTag(sender_id=sender_id, tag=tag) for tag in new_tags)
        audit.record(session, staff(request).username, "tags", sender_id, ", ".join(new_tags))
    return _to_conversation(sender_id)


async def note(request: Request, sender_id: str) -> HTTPResponse:
    text = form(request, "text").strip()[:MAX_NOTE]
    if not text:
        return _to_conversation(sender_id, "A note cannot be empty.")
    user = staff(request).username
    with session_scope(request.app.ctx.engine) as session:
        if summary_of(session, sender_id) is None:
            return not_found(request)
        session.add(StaffNote(sender_id=sender_id, author=user, text=text))
        audit.record(session, user, "add note", sender_id)
    return _to_conversation(sender_id)


async def annotate(request: Request, sender_id: str) -> HTTPResponse:
    try:
        event_id = int(form(request, "event_id"))
    except ValueError:
        return _to_conversation(sender_id, "That message could not be found.")
    intent = form(request, "intent").strip()[:120] or None
    passage_id = form(request, "passage_id").strip()[:120] or None
    user = staff(request).username
    with session_scope(request.app.ctx.engine) as session:
        text = user_message(session, sender_id, event_id)
        if text is None:
            return _to_conversation(sender_id, "That message could not be found.")
        row = session.execute(
            select(Annotation).where(Annotation.event_id == event_id)
        ).scalar_one_or_none()
        if intent is None and passage_id is None:
            if row is not None:
                session.delete(row)
        else:
            row = row or Annotation(sender_id=sender_id, event_id=event_id, text=text)
            row.intent, row.passage_id, row.author = intent, passage_id, user
            session.add(row)
        audit.record(session, user, "annotate", sender_id, f"event {event_id}")
    return _to_conversation(sender_id)


async def annotations_export(request: Request) -> HTTPResponse:
    with session_scope(request.app.ctx.engine) as session:
        body = export.annotations_yaml(session)
        audit.record(session, staff(request).username, "export annotations")
    return response.text(
        body,
        content_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nlu_annotations.yml"'},
    )


async def take_over(request: Request, sender_id: str) -> HTTPResponse:
    return await _takeover_action(request, sender_id, "takeover")


async def send(request: Request, sender_id: str) -> HTTPResponse:
    return await _takeover_action(request, sender_id, "send")


async def hand_back(request: Request, sender_id: str) -> HTTPResponse:
    return await _takeover_action(request, sender_id, "handback")


async def _takeover_action(request: Request, sender_id: str, what: str) -> HTTPResponse:
    user = staff(request).username
    rasa = request.app.ctx.rasa
    error = ""
    try:
        with session_scope(request.app.ctx.engine) as session:
            if summary_of(session, sender_id) is None:
                return not_found(request)
            if what == "takeover":
                await takeover.take_over(session, rasa, sender_id, user)
            elif what == "send":
                await takeover.send(session, rasa, sender_id, user, form(request, "text"))
            else:
                await takeover.hand_back(session, rasa, sender_id, user)
    except takeover.TakeoverError as failure:
        error = str(failure)
    following = local_path(form(request, "next"), "")
    if following and not error:
        return back(following)
    return _to_conversation(sender_id, error)
