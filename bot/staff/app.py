"""The staff console as a Sanic app: login, middleware for sessions, CSRF and security headers.

Pages live in conversations.py, admissions.py and admin.py; each registers its routes here.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.settings import database_url, env, env_int
from bot.staff import accounts, admin, admissions, conversations
from bot.staff.cookies import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    Signer,
    csrf_ok,
    load_secret,
    new_csrf_token,
    secure_cookies,
)
from bot.staff.takeover import RasaApi
from bot.staff.web import Staff, back, form, render
from bot.store import audit
from bot.store.db import engine_for, session_scope

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
PUBLIC_PATHS = ("/login", "/static/")
_names = itertools.count()

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Transcripts are health data: never kept by a browser or proxy cache.
    "Cache-Control": "no-store",
}


def create_app(
    url: str | None = None, rasa: RasaApi | None = None, secret: str | None = None
) -> Sanic:
    app = Sanic(f"staff_console_{next(_names)}")
    app.config.FORWARDED_SECRET = None
    app.ctx.engine = engine_for(url or database_url())
    app.ctx.rasa = rasa or RasaApi.from_env()
    app.ctx.signer = Signer(secret or load_secret())
    from bot.staff.web import make_templates

    app.ctx.templates = make_templates()
    app.static("/static", str(STATIC_DIR), name="static")

    app.register_middleware(_before, "request")
    app.register_middleware(_after, "response")
    app.add_route(_login_page, "/login", methods=["GET"], name="login_page")
    app.add_route(_login, "/login", methods=["POST"], name="login")
    app.add_route(_logout, "/logout", methods=["POST"], name="logout")
    app.add_route(_home, "/", methods=["GET"], name="home")
    conversations.register(app)
    admissions.register(app)
    admin.register(app)
    return app


def engine(request: Request) -> Engine:
    return request.app.ctx.engine


async def _before(request: Request) -> HTTPResponse | None:
    cookie = request.cookies.get(CSRF_COOKIE)
    request.ctx.new_csrf = not cookie
    request.ctx.csrf = cookie or new_csrf_token()
    request.ctx.staff = None
    if request.method not in ("GET", "HEAD") and not csrf_ok(
        cookie, request.form.get(CSRF_FIELD) if request.form else None
    ):
        return response.text("CSRF token missing or wrong; reload the page and try again.", 403)
    request.ctx.staff = _session_staff(request)
    if request.path.startswith(PUBLIC_PATHS):
        return None
    if request.ctx.staff is None:
        return response.redirect("/login", status=303)
    return None


def _session_staff(request: Request) -> Staff | None:
    loaded = request.app.ctx.signer.load(request.cookies.get(SESSION_COOKIE))
    if loaded is None:
        return None
    username, nonce = loaded
    with session_scope(engine(request)) as session:
        user = accounts.find_user(session, username)
        if user is None or user.session_nonce != nonce:
            return None
        return Staff(user.username, user.role)


async def _after(request: Request, resp: HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
    if getattr(request.ctx, "new_csrf", False):
        _set_cookie(resp, CSRF_COOKIE, request.ctx.csrf, max_age=12 * 3600)


def _set_cookie(resp: HTTPResponse, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if secure_cookies():
        cookie["secure"] = True


async def _home(request: Request) -> HTTPResponse:
    return response.redirect("/conversations", status=303)


async def _login_page(request: Request) -> HTTPResponse:
    if request.ctx.staff is not None:
        return back("/conversations")
    return render(request, "login.html", title="Log in", error="")


async def _login(request: Request) -> HTTPResponse:
    username = form(request, "username").strip()[:120]
    password = form(request, "password")[:1024]
    with session_scope(engine(request)) as session:
        result = accounts.authenticate(session, username, password)
        if result.user is not None:
            nonce = result.user.session_nonce
            audit.record(session, username, "login")
        else:
            audit.record(session, username or "-", "login failed", detail=_why(result.locked))
    if result.user is None:
        error = (
            "Too many failed attempts. This account is locked for a while; try again later."
            if result.locked
            else "Wrong username or password."
        )
        return render(request, "login.html", status=401, title="Log in", error=error)
    resp = back("/conversations")
    signer: Signer = request.app.ctx.signer
    _set_cookie(resp, SESSION_COOKIE, signer.dump(username, nonce), signer.max_age)
    return resp


def _why(locked: bool) -> str:
    return "locked" if locked else "wrong password or unknown user"


async def _logout(request: Request) -> HTTPResponse:
    staff = request.ctx.staff
    if staff is not None:
        with session_scope(engine(request)) as session:
            user = accounts.find_user(session, staff.username)
            if user is not None:
                accounts.end_sessions(user)
            audit.record(session, staff.username, "logout")
    resp = back("/login")
    del resp.cookies[SESSION_COOKIE]
    return resp


def serve() -> int:
    """`python -m bot staff`: the console on BIND_HOST:STAFF_PORT (127.0.0.1:8000)."""
    from bot.store.db import upgrade
    from bot.store.transcripts import refresh_summaries

    upgrade()
    # Catch up on events once before serving, so the first page view is not the slow one.
    with session_scope() as session:
        refresh_summaries(session)
    app = create_app()
    app.run(
        host=env("BIND_HOST", "127.0.0.1"),
        port=env_int("STAFF_PORT", 8000),
        access_log=False,
        motd=False,
        workers=1,
    )
    return 0
