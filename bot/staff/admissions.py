"""The admissions queue: callback requests by status, who moved them and when, with the live
takeover controls beside each one."""

from __future__ import annotations

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import func, select

from bot.staff import takeover
from bot.staff.web import back, form, not_found, render, staff
from bot.store import audit
from bot.store.db import session_scope
from bot.store.models import Handoff, Lead, LeadStatusChange, utcnow

STATUSES = ("new", "contacted", "admitted", "closed")


def register(app: Sanic) -> None:
    app.add_route(queue, "/admissions", methods=["GET"])
    app.add_route(lead_page, "/admissions/<lead_id:int>", methods=["GET"])
    app.add_route(change_status, "/admissions/<lead_id:int>/status", methods=["POST"])


async def queue(request: Request) -> HTTPResponse:
    status = request.args.get("status", "")
    with session_scope(request.app.ctx.engine) as session:
        query = select(Lead).order_by(Lead.created_at.desc()).limit(500)
        if status in STATUSES:
            query = query.where(Lead.status == status)
        leads = list(session.execute(query).scalars())
        counts = dict(
            session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all()
        )
        active = set(
            session.execute(select(Handoff.sender_id).where(Handoff.active == 1)).scalars()
        )
    return render(
        request,
        "admissions.html",
        title="Admissions",
        leads=leads,
        counts=counts,
        current=status,
        statuses=STATUSES,
        active=active,
    )


async def lead_page(request: Request, lead_id: int) -> HTTPResponse:
    """One lead with its full contact details; opening it is audited."""
    with session_scope(request.app.ctx.engine) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return not_found(request)
        history = list(
            session.execute(
                select(LeadStatusChange)
                .where(LeadStatusChange.lead_id == lead_id)
                .order_by(LeadStatusChange.id)
            ).scalars()
        )
        handoff = takeover.active_handoff(session, lead.sender_id)
        audit.record(session, staff(request).username, "view contact", f"lead:{lead.reference}")
    return render(
        request,
        "lead.html",
        title=f"Lead {lead.reference}",
        lead=lead,
        history=history,
        statuses=STATUSES,
        handoff=handoff,
    )


async def change_status(request: Request, lead_id: int) -> HTTPResponse:
    new = form(request, "status")
    user = staff(request).username
    with session_scope(request.app.ctx.engine) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            return not_found(request)
        if new in STATUSES and new != lead.status:
            session.add(
                LeadStatusChange(
                    lead_id=lead.id, actor=user, from_status=lead.status, to_status=new
                )
            )
            audit.record(
                session, user, "lead status", f"lead:{lead.reference}", f"{lead.status} -> {new}"
            )
            lead.status = new
            lead.updated_at = utcnow()
    following = form(request, "next")
    return back(
        following if following in ("/admissions", f"/admissions/{lead_id}") else "/admissions"
    )
