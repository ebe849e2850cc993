"""Admin-only pages: the audit log and the list of console accounts."""

from __future__ import annotations

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from bot.staff.web import forbidden, render, staff
from bot.store import audit
from bot.store.db import session_scope
from bot.store.staff_models import StaffUser

AUDIT_PAGE = 100


def register(app: Sanic) -> None:
    app.add_route(audit_log, "/audit", methods=["GET"])
    app.add_route(users, "/users", methods=["GET"])


async def audit_log(request: Request) -> HTTPResponse:
    if not staff(request).is_admin:
        return forbidden(request)
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    actor = request.args.get("actor", "").strip() or None
    with session_scope(request.app.ctx.engine) as session:
        entries = audit.recent(session, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE, actor)
    return render(
        request,
        "audit.html",
        title="Audit log",
        entries=entries[:AUDIT_PAGE],
        more=len(entries) > AUDIT_PAGE,
        page=page,
        actor=actor or "",
    )


async def users(request: Request) -> HTTPResponse:
    if not staff(request).is_admin:
        return forbidden(request)
    with session_scope(request.app.ctx.engine) as session:
        rows = list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())
    return render(request, "users.html", title="Users", users=rows)
